"""Queries on tasks; lists start from what the caller may read."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, or_, select

from gridgov.authz.policy import scope_clause
from gridgov.authz.principal import Principal, Role
from gridgov.kit.repository import Repository
from gridgov.models.task import Task


class TaskRepository(Repository[Task]):
    model = Task

    def readable_statement(self, principal: Principal) -> Select[Task]:
        statement = select(Task)
        if principal.role == Role.GRID_WORKER:
            # The grid's tasks that are not assigned to somebody else.
            return statement.where(
                Task.grid_code == (principal.region_code or ""),
                or_(Task.assignee_user_id.is_(None), Task.assignee_user_id == principal.user_id),
            )
        return statement.where(scope_clause(principal, grid_code=Task.grid_code))

    def get_readable(self, principal: Principal, task_id: int) -> Task | None:
        return self.session.scalars(
            self.readable_statement(principal).where(Task.id == task_id)
        ).first()

    def list_readable(
        self, principal: Principal, *, states: Sequence[str] = (), limit: int = 200
    ) -> list[Task]:
        statement = self.readable_statement(principal)
        if states:
            statement = statement.where(Task.state.in_(list(states)))
        statement = statement.order_by(Task.due_at.is_(None), Task.due_at, Task.id).limit(limit)
        return list(self.session.scalars(statement))

    def by_source_ref(self, source_ref: str) -> Task | None:
        return self.session.scalars(select(Task).where(Task.source_ref == source_ref)).first()

    def by_source_refs(self, refs: Sequence[str]) -> dict[str, Task]:
        """source_ref → task, for many references at once."""
        found: dict[str, Task] = {}
        unique = sorted(set(refs))
        for start in range(0, len(unique), 500):
            for task in self.session.scalars(
                select(Task)
                .where(Task.source_ref.in_(unique[start : start + 500]))
                .order_by(Task.id.desc())
            ):
                found[str(task.source_ref)] = task
        return found
