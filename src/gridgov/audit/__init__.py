"""Trace management (痕迹管理): the append-only, hash-chained audit trail."""
