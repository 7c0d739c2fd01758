"""A street at once: `gridgov grids propose --street CODE` (service.propose_street) makes a
proposal for every community of the street with a grid out of range, and explains the ones no
division fits; communities within range are left alone."""

from __future__ import annotations

from sqlalchemy.orm import Session
from typer.testing import CliRunner

from gridgov.authz.principal import system_principal
from gridgov.cli import app as cli
from gridgov.redivision import rules, service
from tests.redivision.conftest import build_community

SYSTEM = system_principal("test-redivision")


def test_a_street_gets_a_proposal_per_drifted_community(db: Session) -> None:
    drifted = build_community(db, [500, 80, 250, 260, 240, 230])
    build_community(db, [250, 260], columns=2, community="420599001002", seed=3)
    build_community(db, [150], columns=1, community="420599001003", seed=4)
    outcomes = service.propose_street(db, principal=SYSTEM, street_code="420599001", time_limit=5)
    by_community = {o.community_code: o for o in outcomes}
    # The community within range is not touched; the one too small is explained.
    assert set(by_community) == {drifted.community, "420599001003"}
    made = by_community[drifted.community].proposal
    assert made is not None and made.community_code == drifted.community
    read = service.proposal_read(db, principal=SYSTEM, proposal=made, check_stale=False)
    assert all(rules.LOWER <= s.households <= rules.UPPER for s in read.slots if s.households)
    small = by_community["420599001003"]
    assert small.proposal is None and small.refusal is not None
    assert small.refusal.details["rule"] == "total"


def test_propose_needs_a_community_or_a_street() -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["grids", "propose"]).exit_code == 2
    both = runner.invoke(cli, ["grids", "propose", "--community", "1" * 12, "--street", "1" * 9])
    assert both.exit_code == 2
    usage = runner.invoke(cli, ["grids", "--help"]).output
    assert "re-division" in usage
    assert "--street" in runner.invoke(cli, ["grids", "propose", "--help"]).output
