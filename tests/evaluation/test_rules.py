"""Rules as data: a bad rules text is refused with the line and the reason."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.evaluation import rules, service

LEADER = Principal(user_id=900001, username="leader-test", role=Role.LEADER)

BAD = """base = 100
patrol_min_hours = 3

[[rule]]
event = "handle_overdue"
department = -1.0
grace_hours = -4

[[rule]]
event = "case_lost"
department = -1.0
"""


def test_unknown_event_and_negative_period_are_refused_with_their_lines() -> None:
    with pytest.raises(rules.InvalidRules) as refused:
        rules.parse(BAD)
    assert [(p.line, p.reason_en) for p in refused.value.problems] == [
        (7, "grace_hours must not be negative (got -4)"),
        (10, "unknown event 'case_lost'"),
    ]
    assert "第 7 行" in refused.value.message and "第 10 行" in refused.value.message


def test_a_weight_for_the_wrong_subject_and_broken_toml_are_refused() -> None:
    with pytest.raises(rules.InvalidRules) as wrong:
        rules.parse('[[rule]]\nevent = "patrol_short"\ndepartment = -1\n')
    assert wrong.value.problems[0].line == 3
    with pytest.raises(rules.InvalidRules) as broken:
        rules.parse("base = 100\n[[rule]\n")
    assert broken.value.problems[0].line == 2


def test_versions_apply_from_their_day(db: Session) -> None:
    assert service.rule_book_for(db, date(2026, 12, 1))[0] == 0
    text = rules.default_text().replace("patrol_min_hours = 3", "patrol_min_hours = 2.5")
    saved = service.save_rules(db, principal=LEADER, text=text, effective_from=date(2026, 12, 10))
    assert service.rule_book_for(db, date(2026, 12, 9))[0] == 0
    version, book = service.rule_book_for(db, date(2026, 12, 10))
    assert version == saved.version and book.patrol_min_hours == 2.5
    with pytest.raises(rules.InvalidRules):
        service.save_rules(db, principal=LEADER, text=BAD, effective_from=date(2026, 12, 11))


def test_check_rules_command(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from gridgov.cli import app

    bad = tmp_path / "rules.toml"
    bad.write_text(BAD, encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluation", "check-rules", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:7" in result.output and "unknown event 'case_lost'" in result.output
    assert (
        CliRunner()
        .invoke(app, ["evaluation", "check-rules", str(rules.DEFAULT_RULES_PATH)])
        .exit_code
        == 0
    )
