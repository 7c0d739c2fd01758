from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, system_principal
from gridgov.models.source import Source
from gridgov.sources.service import add_source

MAPPINGS = Path(__file__).parents[2] / "src" / "gridgov" / "sources" / "mappings"


@pytest.fixture
def system() -> Principal:
    return system_principal("test")


def register(db: Session, name: str, mapping: str | None = None) -> tuple[Source, str]:
    text = (MAPPINGS / f"{mapping or name}.toml").read_text(encoding="utf-8")
    return add_source(
        db, principal=system_principal("test"), name=name, mapping_text=text, department=None
    )
