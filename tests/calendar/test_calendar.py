"""Working-time arithmetic on the seeded calendar: holidays, make-up days, and 2027 (unknown)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from gridgov.authz.principal import Role, system_principal
from gridgov.workcal import service
from gridgov.workcal.calendar import MINUTES_PER_WORKING_DAY, WorkCalendar
from gridgov.workcal.schemas import CalendarDayIn
from tests.cases.helpers import Users

SYSTEM = system_principal("test")

CST = timezone(timedelta(hours=8))


def cst(*args: int) -> datetime:
    return datetime(*args, tzinfo=CST)  # type: ignore[misc]


def test_a_working_day_has_seven_hours() -> None:
    assert MINUTES_PER_WORKING_DAY == 420


def test_seeded_years_are_2004_to_2026(db: Session) -> None:
    calendar = service.current_calendar(db)
    assert min(calendar.known_years) == 2004 and max(calendar.known_years) == 2026
    assert not calendar.is_known(2027)


def test_national_day_2026_is_skipped(db: Session) -> None:
    calendar = service.current_calendar(db)
    assert not calendar.is_workday(date(2026, 10, 1))  # Thursday, holiday
    assert calendar.is_workday(date(2026, 9, 20))  # Sunday, make-up working day
    # Wed 30 Sep 16:00 + one working day: 90 min that day, the rest on Thu 8 Oct.
    due = calendar.add_working_minutes(cst(2026, 9, 30, 16, 0), 420)
    assert due.at == cst(2026, 10, 8, 16, 0)
    assert due.warning is None


def test_make_up_sunday_counts(db: Session) -> None:
    calendar = service.current_calendar(db)
    due = calendar.add_working_minutes(cst(2026, 9, 18, 17, 0), 60)  # Friday 17:00
    assert due.at == cst(2026, 9, 20, 9, 0)  # Sunday (make-up) 09:00, not Monday


def test_spring_festival_2026(db: Session) -> None:
    calendar = service.current_calendar(db)
    # The 2026 Spring Festival holiday runs 15–23 Feb; 14 Feb (Saturday) and 28 Feb are worked.
    assert calendar.is_workday(date(2026, 2, 14))
    assert not calendar.is_workday(date(2026, 2, 16))
    assert calendar.working_days(date(2026, 2, 14), date(2026, 2, 24)) == [
        date(2026, 2, 14),
        date(2026, 2, 24),
    ]


def test_lunch_break_and_evening_are_not_working_time() -> None:
    calendar = WorkCalendar(known_years=frozenset({2026}))
    assert calendar.add_working_minutes(cst(2026, 11, 25, 11, 30), 60).at == cst(
        2026, 11, 25, 14, 30
    )
    assert calendar.add_working_minutes(cst(2026, 11, 25, 20, 0), 30).at == cst(2026, 11, 26, 9, 0)
    assert (
        calendar.working_seconds_between(cst(2026, 11, 25, 8, 0), cst(2026, 11, 25, 18, 0))
        == 420 * 60
    )


def test_2027_falls_back_to_weekends_with_a_warning(db: Session) -> None:
    calendar = service.current_calendar(db)
    # New Year's Day 2027 is a Friday: a statutory day off even before the schedule is entered.
    due = calendar.add_working_minutes(cst(2026, 12, 31, 17, 0), 60)
    assert due.at == cst(2027, 1, 4, 9, 0)
    assert due.unknown_years == {2027}
    assert "2027" in (due.warning or "")
    # A long deadline far into 2027 never crashes.
    far = calendar.add_working_minutes(cst(2027, 3, 1, 9, 0), 420 * 200)
    assert far.at.year == 2027 and far.warning


def test_import_2027_replaces_the_fallback(db: Session) -> None:
    days = [
        CalendarDayIn(day=date(2027, 1, 1), kind="off", name="元旦"),
        CalendarDayIn(day=date(2027, 1, 2), kind="off", name="元旦"),
        CalendarDayIn(day=date(2027, 1, 3), kind="off", name="元旦"),
    ]
    status = service.import_schedule(db, principal=SYSTEM, year=2027, days=days, source="test")
    assert status.known and len(status.days) == 3
    calendar = service.current_calendar(db)
    due = calendar.add_working_minutes(cst(2026, 12, 31, 17, 0), 60)
    assert due.at == cst(2027, 1, 4, 9, 0)  # Monday
    assert due.warning is None


def test_import_rejects_days_of_another_year(db: Session) -> None:
    with pytest.raises(Exception, match="not in 2027"):
        service.import_schedule(
            db, principal=SYSTEM, year=2027, days=[CalendarDayIn(day=date(2026, 1, 1), kind="off")]
        )


def test_parse_csv_and_json() -> None:
    year, days = service.parse_schedule(
        "day,kind,name\n2027-01-01,off,元旦\n2027-02-06,work,春节补班\n"
    )
    assert year is None and [d.kind for d in days] == ["off", "work"]
    year, days = service.parse_schedule(
        '{"year": 2027, "days": [{"day": "2027-10-01", "kind": "off"}]}'
    )
    assert year == 2027 and days[0].day == date(2027, 10, 1)
    with pytest.raises(Exception, match="Malformed"):
        service.parse_schedule("2027-13-01,off,bad")


def test_api_shows_the_warning_and_only_admins_import(client: TestClient, users: Users) -> None:
    clerk = users(Role.INTAKE_CLERK)
    unknown = client.get("/api/v1/calendar/2027", headers=clerk).json()
    assert unknown["known"] is False and "2027" in unknown["warning"]
    body = {
        "source": "国务院办公厅通知 2027",
        "days": [{"day": "2027-01-01", "kind": "off", "name": "元旦"}],
    }
    assert client.put("/api/v1/calendar/2027", json=body, headers=clerk).status_code == 403
    admin = users(Role.SYSTEM_ADMIN)
    done = client.put("/api/v1/calendar/2027", json=body, headers=admin)
    assert done.status_code == 200, done.text
    assert done.json()["known"] is True
    preview = client.get(
        "/api/v1/calendar/deadline",
        params={"start": "2026-12-31T17:00:00+08:00", "minutes": 60},
        headers=clerk,
    ).json()
    assert preview["due_at"].startswith("2027-01-04T01:00:00")  # 09:00 CST Monday
    assert preview["warning"] is None
    years = client.get("/api/v1/calendar/years", headers=clerk).json()
    assert {y["year"] for y in years} >= {2004, 2026, 2027}


def test_cli_import(tmp_path: Path, fresh_database_url, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from gridgov.cli import app

    url = fresh_database_url("sqlite")
    monkeypatch.setenv("GRIDGOV_DATABASE_URL", url)
    monkeypatch.setenv("GRIDGOV_MODE", "test")
    schedule = tmp_path / "2027.csv"
    schedule.write_text("2027-01-01,off,元旦\n2027-02-06,work,春节补班\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["calendar", "import", str(schedule)])
    assert result.exit_code == 0, result.output
    assert "2027" in result.output
    shown = runner.invoke(app, ["calendar", "show", "2027"])
    assert "2027-02-06" in shown.output
    missing = runner.invoke(app, ["calendar", "show", "2028"])
    assert "2028" in missing.output and "not entered" in missing.output
    service.clear_cache()
