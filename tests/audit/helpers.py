"""Test-only ways around the append-only guards (to prove verification catches tampering)."""

from __future__ import annotations

from sqlalchemy import Connection


def disable_guards(conn: Connection) -> None:
    """Inside the test's transaction (rolled back afterwards): drop the append-only triggers."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ALTER TABLE audit_entries DISABLE TRIGGER USER")
    else:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS gridgov_audit_entries_no_update")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS gridgov_audit_entries_no_delete")
