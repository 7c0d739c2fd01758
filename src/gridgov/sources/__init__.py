"""Department sources and reconciliation (数据比对)."""
