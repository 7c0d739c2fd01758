"""The field app fixtures serve the task tests too."""

from tests.fieldwork.conftest import grid, principal, worker, worker_headers

__all__ = ["grid", "principal", "worker", "worker_headers"]
