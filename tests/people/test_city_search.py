"""City-wide searches stay fast at the reference scale (issue 10; figures in
bench/population.py): a latin search is served and ordered by the pinyin index, a tag filter by
the tag's partial index, and the people page never counts past its cap."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, system_principal
from gridgov.kit.pagination import PageParams
from gridgov.people import pages, service
from gridgov.people.repository import PersonFilters, PersonRepository
from tests.people.conftest import person_in, principal
from tests.people.test_pages import _signed_in

SYSTEM = system_principal("test")
LEADER = principal(Role.LEADER)
NAMES = ("张三", "章丽", "赵强", "张华", "王芳")  # zhangsan, zhangli, zhaoqiang, zhanghua, wangfang


@pytest.fixture
def people(db: Session, grids: list[str]) -> dict[str, int]:
    made = {}
    for i, name in enumerate(NAMES):
        tags = [{"code": "elderly_alone"}] if name in ("张三", "王芳") else []
        person = service.create_person(
            db, principal=SYSTEM, person_in=person_in(name=name, sequence=21 + i * 2, tags=tags)
        )
        made[name] = person.id
    return made


def _names(db: Session, cap: int | None = None, **filters: object) -> tuple[list[str], int]:
    rows, total = service.list_persons(
        db,
        principal=LEADER,
        filters=PersonFilters(**filters),  # type: ignore[arg-type]
        page=PageParams(limit=50, offset=0),
        count_cap=cap,
    )
    return [p.name for p in rows], total


def test_latin_search_lists_in_pinyin_order_with_initials(
    db: Session, people: dict[str, int]
) -> None:
    assert _names(db, q="zhang") == (["张华", "章丽", "张三"], 3)  # zhanghua < zhangli < zhangsan
    assert _names(db, q="zh") == (["张华", "章丽", "张三", "赵强"], 4)
    assert _names(db, q="zs") == (["张三"], 1)  # initials
    assert _names(db, q="ZHANG SAN") == (["张三"], 1)
    assert _names(db, q="张") == (["张三", "张华"], 2)  # Chinese: name order
    assert _names(db, tag="elderly_alone") == (sorted(["张三", "王芳"]), 2)


def test_the_count_stops_after_its_cap(db: Session, people: dict[str, int]) -> None:
    assert _names(db, cap=2, q="zh") == (["张华", "章丽", "张三", "赵强"], 3)  # "more than 2"
    assert _names(db, cap=10, q="zh")[1] == 4


def test_tag_filter_and_latin_search_use_their_indexes(db: Session) -> None:
    """The plan names the tag's partial index and the pinyin index (SQLite says it plainly;
    PostgreSQL picks by statistics, so its figures are in the bench)."""
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("plan wording is SQLite's")
    for filters, index in (
        (PersonFilters(tag="elderly_alone"), "ix_persons_tag_elderly_alone"),
        (PersonFilters(q="zhang"), "ix_persons_pinyin"),
    ):
        statement = PersonRepository(db).search(LEADER, filters).limit(50)
        compiled = statement.compile(db.get_bind(), compile_kwargs={"literal_binds": True})
        plan = " ".join(row[-1] for row in db.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
        # Read through the index, in its order: no sort of every match.
        assert f"INDEX {index}" in plan and "TEMP B-TREE" not in plan, plan


def test_people_page_says_more_than_the_cap(
    client: TestClient, db: Session, people: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "COUNT_CAP", 2)
    _signed_in(client, db, Role.LEADER, None)
    listing = client.get("/people", params={"q": "zh"})
    assert listing.status_code == 200
    assert "超过 2 条，请缩小范围" in listing.text
    assert re.findall("张华|章丽|张三|赵强", listing.text)[:4] == ["张华", "章丽", "张三", "赵强"]
    assert "共 1 条" in client.get("/people", params={"q": "zs"}).text
    english = client.get("/people", params={"q": "zh", "lang": "en"})
    assert "More than 2" in english.text
