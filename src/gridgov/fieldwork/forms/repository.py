"""Queries on collection modules."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from gridgov.kit.repository import Repository
from gridgov.models.field_module import FieldModule


class ModuleRepository(Repository[FieldModule]):
    model = FieldModule

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(FieldModule)) or 0)

    def latest(self, *, active_only: bool = True) -> list[FieldModule]:
        """The newest version of every module, in code order."""
        newest = (
            select(FieldModule.code, func.max(FieldModule.version).label("version"))
            .group_by(FieldModule.code)
            .subquery()
        )
        statement = select(FieldModule).join(
            newest,
            (FieldModule.code == newest.c.code) & (FieldModule.version == newest.c.version),
        )
        if active_only:
            statement = statement.where(FieldModule.active.is_(True))
        return list(self.session.scalars(statement.order_by(FieldModule.code)))

    def get_version(self, code: str, version: int | None = None) -> FieldModule | None:
        statement = select(FieldModule).where(FieldModule.code == code)
        if version is not None:
            statement = statement.where(FieldModule.version == version)
        return self.session.scalars(statement.order_by(FieldModule.version.desc()).limit(1)).first()

    def versions_of(self, codes: Iterable[str]) -> list[tuple[int, str, int, str, str | None]]:
        """(id, code, version, sha256, target) of every version of the given modules."""
        rows = self.session.execute(
            select(
                FieldModule.id,
                FieldModule.code,
                FieldModule.version,
                FieldModule.sha256,
                FieldModule.target,
            ).where(FieldModule.code.in_(sorted(set(codes))))
        )
        return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def definition(self, module_id: int) -> dict:
        return dict(
            self.session.scalar(select(FieldModule.definition).where(FieldModule.id == module_id))
            or {}
        )

    def workbook(self, module_id: int) -> bytes:
        """The XLSForm a version was made from."""
        return bytes(
            self.session.scalar(select(FieldModule.xlsx).where(FieldModule.id == module_id)) or b""
        )
