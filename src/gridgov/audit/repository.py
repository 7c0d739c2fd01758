"""Reading the trail (auditors only)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Select, false, or_, select

from gridgov.audit.schemas import AuditFilter
from gridgov.authz.policy import TRAIL_READERS
from gridgov.authz.principal import Principal
from gridgov.kit.repository import Repository
from gridgov.models.audit import AuditEntry


class AuditRepository(Repository[AuditEntry]):
    model = AuditEntry

    def readable_statement(self, principal: Principal) -> Select[AuditEntry]:
        stmt = select(AuditEntry)
        if principal.role not in TRAIL_READERS:
            stmt = stmt.where(false())
        return stmt

    def filtered(self, principal: Principal, filters: AuditFilter) -> Select[AuditEntry]:
        stmt = self.readable_statement(principal)
        if filters.user:
            if filters.user.isdigit():
                stmt = stmt.where(
                    or_(
                        AuditEntry.user_id == int(filters.user),
                        AuditEntry.username == filters.user,
                    )
                )
            else:
                stmt = stmt.where(AuditEntry.username == filters.user.lower())
        if filters.object_type:
            stmt = stmt.where(AuditEntry.object_type == filters.object_type)
        if filters.object_id:
            stmt = stmt.where(AuditEntry.object_id == filters.object_id)
        if filters.action:
            if filters.action.endswith("."):
                # "auth." = every action of the auth family (a range, served by the index)
                stmt = stmt.where(
                    AuditEntry.action >= filters.action,
                    AuditEntry.action < filters.action[:-1] + "/",
                )
            else:
                stmt = stmt.where(AuditEntry.action == filters.action)
        if filters.outcome:
            stmt = stmt.where(AuditEntry.outcome == filters.outcome)
        if filters.since:
            since = _utc(filters.since)
            stmt = stmt.where(AuditEntry.at >= since)
        if filters.until:
            until = _utc(filters.until)
            stmt = stmt.where(AuditEntry.at < until)
        if filters.request_id:
            stmt = stmt.where(AuditEntry.request_id == filters.request_id)
        return stmt.order_by(AuditEntry.id.desc())


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
