"""Supervision dashboard and Excel ledgers."""
