"""Every query on media."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, or_, select, update

from gridgov.authz.principal import CITY_ROLES, Principal
from gridgov.cases.repository import case_readable_clause
from gridgov.kit.repository import Repository
from gridgov.models.case import Case
from gridgov.models.media import Media


class MediaRepository(Repository[Media]):
    model = Media

    def readable_clause(self, principal: Principal) -> ColumnElement[bool]:
        """A photo is readable by its uploader and by whoever may read the case it belongs to."""
        if principal.role in CITY_ROLES:
            return Media.id.is_not(None)
        readable_cases = select(Case.id).where(case_readable_clause(principal))
        return or_(Media.uploaded_by == principal.user_id, Media.case_id.in_(readable_cases))

    def get_readable(self, principal: Principal, media_id: int) -> Media | None:
        stmt = select(Media).where(Media.id == media_id, self.readable_clause(principal))
        return self.session.scalar(stmt)

    def attach(self, *, media_ids: Sequence[int], case_id: int) -> None:
        self.session.execute(
            update(Media).where(Media.id.in_(list(media_ids))).values(case_id=case_id)
        )

    def attachable(self, *, media_ids: Sequence[int], uploaded_by: int | None) -> list[Media]:
        """Photos of this uploader not yet attached to any case."""
        stmt = select(Media).where(
            Media.id.in_(list(media_ids)),
            Media.case_id.is_(None),
            Media.uploaded_by.is_(None)
            if uploaded_by is None
            else Media.uploaded_by == uploaded_by,
        )
        return list(self.session.scalars(stmt))

    def for_case(self, case_id: int) -> list[Media]:
        return list(self.session.scalars(select(Media).where(Media.case_id == case_id)))
