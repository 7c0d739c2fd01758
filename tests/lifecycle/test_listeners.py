"""Department files reach the rules through the one registry of sources: a hospital's birth
register row becomes the newborn visit, a police hukou row marked 死亡注销 the death check."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

import gridgov.lifecycle.listeners  # noqa: F401  (the app and the CLI import it the same way)
from gridgov.authz.principal import system_principal
from gridgov.lifecycle.timeline import timeline
from gridgov.models.lifecycle import LifeEvent
from gridgov.models.source import Source
from gridgov.models.task import Task
from gridgov.sources.service import add_source, load_rows
from tests.lifecycle.conftest import FATHER_ID, HOSPITAL_ADDRESS, MOTHER_ID

MAPPINGS = Path(__file__).parents[2] / "src" / "gridgov" / "sources" / "mappings"
SYSTEM = system_principal("test")


def _source(db: Session, name: str) -> Source:
    text = (MAPPINGS / f"{name}.toml").read_text(encoding="utf-8")
    source, _ = add_source(db, principal=SYSTEM, name=name, mapping_text=text, department=None)
    return source


def test_hospital_file_row_becomes_the_newborn_visit(db: Session, family) -> None:
    row = {
        "记录号": "CS-0001",
        "新生儿姓名": "李娟之子",
        "性别": "男",
        "出生日期": "2026/12/1",
        "母亲姓名": "李娟",
        "母亲身份证号": MOTHER_ID,
        "父亲姓名": "王强",
        "父亲身份证号": FATHER_ID,
        "家庭住址": HOSPITAL_ADDRESS,
        "联系电话": "",
        "医院": "宜昌市妇幼保健院",
        "胎次": "1",
    }
    source = _source(db, "hospital_births")
    load_rows(db, principal=SYSTEM, source=source, rows=[(2, row)], channel="file")
    load_rows(db, principal=SYSTEM, source=source, rows=[(2, row)], channel="file")  # again
    [event] = db.scalars(select(LifeEvent).where(LifeEvent.event_type == "birth")).all()
    assert (event.source, event.status, event.person_id) == ("WJ", "tasked", family.mother.id)
    task = db.get(Task, event.task_id)
    assert task is not None and task.title == "新生儿上门核实：李娟之子"
    assert task.grid_code == family.house.grid_code


def test_police_death_row_becomes_the_death_check(db: Session, family) -> None:
    row = {
        "RYBH": "GA-77",
        "XM": "王强",
        "CYM": "",
        "XB": "1",
        "CSRQ": "19930701",
        "GMSFHM": FATHER_ID,
        "MZ": "01",
        "HH": "4205020001",
        "YHZGX": "户主",
        "HJDZ": HOSPITAL_ADDRESS,
        "RYZT": "死亡注销",
        "SWRQ": "20261203",
        "LXDH": "",
    }
    source = _source(db, "police_hukou")
    load_rows(db, principal=SYSTEM, source=source, rows=[(2, row)], channel="file")
    [event] = db.scalars(select(LifeEvent).where(LifeEvent.event_type == "death")).all()
    assert (event.status, event.person_id, str(event.occurred_on)) == (
        "tasked",
        family.father.id,
        "2026-12-03",
    )
    # The father's timeline holds the police record (as reconciliation linked it) and the event.
    from gridgov.sources.reconcile import reconcile

    reconcile(db, principal=SYSTEM, sources=[source], train=False)
    found = timeline(db, principal=SYSTEM, person_id=family.father.id)
    kinds = {(e["kind"], e["source"]) for e in found["entries"]}
    assert {("record", "GA"), ("event", "GA")} <= kinds
