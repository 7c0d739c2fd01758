"""Issue 16 item 16 (a year nobody entered counts its 13 statutory days off) and issue 15's
supply-chain point (the cases migration writes frozen calendar rows, not what the installed
chinese-calendar computes)."""

from __future__ import annotations

import ast
import importlib.util
from datetime import date, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.workcal.calendar import CST, WorkCalendar
from gridgov.workcal.statutory import statutory_days_off
from tests.factories import auth_headers, create_user

MIGRATION = Path(__file__).parents[2] / "migrations/versions/2026_11_25_2217-20261125_cases.py"


def test_the_13_statutory_days_are_computed() -> None:
    days = statutory_days_off(2027)
    assert len(days) == 13
    # 春节 2027: lunar New Year 6 Feb, eve 5 Feb; 清明 5 Apr; 端午 9 Jun; 中秋 15 Sep.
    assert {date(2027, 2, 5), date(2027, 2, 8), date(2027, 4, 5)} <= days
    assert {date(2027, 6, 9), date(2027, 9, 15), date(2027, 1, 1), date(2027, 10, 3)} <= days
    # 2025 as announced: 春节 28 Jan–31 Jan, 清明 4 Apr, 端午 31 May, 中秋 6 Oct.
    assert {date(2025, 1, 28), date(2025, 1, 31), date(2025, 4, 4), date(2025, 5, 31)} <= (
        statutory_days_off(2025)
    )


def test_new_year_2027_is_not_a_working_day_before_the_schedule_is_entered() -> None:
    calendar = WorkCalendar(known_years=frozenset({2026}))
    registered = datetime(2026, 12, 28, 10, 0, tzinfo=CST)  # a Monday
    deadline = calendar.add_working_minutes(registered, 5 * 420)
    assert deadline.at.astimezone(CST) == datetime(2027, 1, 5, 10, 0, tzinfo=CST)
    assert deadline.unknown_years == {2027}
    assert deadline.warning is not None and "make-up" in deadline.warning
    # An entered year is taken as entered (its schedule may move a day; here 1 Jan works).
    entered = WorkCalendar(exceptions={date(2027, 1, 1): True}, known_years=frozenset({2027}))
    assert entered.is_workday(date(2027, 1, 1))


def test_the_deadline_preview_counts_new_year(client: TestClient, db: Session) -> None:
    user = create_user(db, role=Role.SHIFT_LEADER)
    response = client.get(
        "/api/v1/calendar/deadline",
        params={"start": "2026-12-28T10:00:00+08:00", "minutes": 5 * 420},
        headers=auth_headers(client, user),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert datetime.fromisoformat(body["due_at"]).astimezone(CST).date() == date(2027, 1, 5)
    assert "make-up" in body["warning"]


def test_the_cases_migration_does_not_ask_the_installed_library() -> None:
    tree = ast.parse(MIGRATION.read_text())
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any("chinese_calendar" in name for name in imported)
    assert "gridgov.workcal.seed" not in imported
    spec = importlib.util.spec_from_file_location("cases_migration", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    days, years = module._frozen_calendar_rows()
    assert [y["year"] for y in years] == list(range(2004, 2027))
    spring_2026 = [d["day"] for d in days if d["name"] == "Spring Festival" and d["year"] == 2026]
    assert spring_2026 == [date(2026, 2, d) for d in range(15, 24)]
    assert len(days) == 771
