from __future__ import annotations

import pytest
from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from gridgov.authz import policy
from gridgov.authz.principal import Principal, Role
from gridgov.kit.errors import BadRequest, Forbidden
from gridgov.models.audit import AuditEntry
from gridgov.models.region import Region
from tests.authz.matrix import build_mini_city


def visible(db: Session, principal: Principal, **kwargs: object) -> set[str]:
    stmt = select(Region.code).where(
        Region.level == "grid", policy.scope_clause(principal, grid_code=Region.code, **kwargs)
    )
    return set(db.scalars(stmt))


def p(role: Role, **kwargs: object) -> Principal:
    return Principal(user_id=1, username="u", role=role, **kwargs)  # type: ignore[arg-type]


def test_territorial_scope(db: Session) -> None:
    city = build_mini_city(db)
    home, sibling, far = city.home_grid.code, city.sibling_grid.code, city.far_grid.code
    worker = visible(db, p(Role.GRID_WORKER, region_code=home))
    assert home in worker and sibling not in worker and far not in worker
    community = visible(db, p(Role.COMMUNITY_STAFF, region_code=home[:12]))
    assert {home, sibling} <= community and far not in community
    district = visible(db, p(Role.DISTRICT_STAFF, region_code=home[:6]))
    assert {home, sibling} <= district and far not in district
    inspector = visible(db, p(Role.INSPECTOR, grid_codes=frozenset({home})))
    assert inspector == {home}
    assert {home, sibling, far} <= visible(db, p(Role.LEADER))
    assert {home, sibling, far} <= visible(db, p(Role.DISPATCHER))


def test_administrators_and_departments(db: Session) -> None:
    city = build_mini_city(db)
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR):
        assert visible(db, p(role)) == set()
    police = p(Role.DEPARTMENT_HANDLER, department_code="GA")
    commerce = p(Role.DEPARTMENT_HANDLER, department_code="SCJG")
    assert city.far_grid.code in visible(db, police, category="person")
    assert visible(db, commerce, category="person") == set()
    # own rows through the department column
    assert visible(db, commerce, department_code=literal("SCJG"))
    assert visible(db, commerce, department_code=literal("GA")) == set()
    assert visible(db, police) == set()  # neither category nor department column: nothing
    # An entitlement is to read the base, never to change it.
    assert visible(db, police, category="person", action="change") == set()


def test_full_view_needs_the_role_and_a_purpose(db: Session) -> None:
    worker = p(Role.GRID_WORKER, region_code="420597001001001")
    leader = p(Role.LEADER)
    with pytest.raises(Forbidden):
        policy.reveal(
            db,
            principal=leader,
            roles=policy.PERSON_FULL_VIEW_ROLES,
            field="id_number",
            value="420502199001011234",
            object_type="person",
            object_id=5,
            purpose="curiosity",
        )
    with pytest.raises(BadRequest):
        policy.reveal(
            db,
            principal=worker,
            roles=policy.PERSON_FULL_VIEW_ROLES,
            field="id_number",
            value="420502199001011234",
            object_type="person",
            object_id=5,
            purpose=" ",
        )
    value = policy.reveal(
        db,
        principal=worker,
        roles=policy.PERSON_FULL_VIEW_ROLES,
        field="id_number",
        value="420502199001011234",
        object_type="person",
        object_id=5,
        purpose="newborn home visit",
    )
    assert value == "420502199001011234"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "personal_data.view_full"))
    assert entry is not None
    assert (entry.object_id, entry.purpose, entry.note) == ("5", "newborn home visit", "id_number")
    assert "420502199001011234" not in str(entry.after)
