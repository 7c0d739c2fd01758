"""Maximum SQL statements per request (catches N+1 queries): intake, list, detail, a move."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from tests.cases.helpers import Users, move, report

# Statements per request including sign-in resolution (bearer → session + user).
MAX_STATEMENTS = {"intake": 5, "list": 3, "detail": 4, "move": 6}
# The trail's sealer (hash chain) runs after commit on its own; its statements are not counted.
SEALER = ("SELECT AUDIT_ENTRIES", "UPDATE AUDIT_ENTRIES", "SELECT PG_ADVISORY")


@contextmanager
def counting(db: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = db.get_bind().engine

    def before(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        text = statement.lstrip()
        if not text.upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", *SEALER)):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_statement_counts(client: TestClient, users: Users, db: Session, city: dict) -> None:
    clerk, leader = users(Role.INTAKE_CLERK), users(Role.SHIFT_LEADER)
    report(client, clerk)  # warm the caches (categories, calendar, grid index)
    with counting(db) as intake:
        case = report(client, clerk)
    for _ in range(20):
        report(client, clerk)
    with counting(db) as listing:
        assert len(client.get("/api/v1/cases", headers=leader).json()["items"]) == 22
    with counting(db) as detail:
        client.get(f"/api/v1/cases/{case['id']}", headers=leader)
    with counting(db) as moving:
        move(client, leader, case["id"], "register")
    counts = {
        "intake": len(intake),
        "list": len(listing),
        "detail": len(detail),
        "move": len(moving),
    }
    for name, limit in MAX_STATEMENTS.items():
        assert counts[name] <= limit, (name, counts)
