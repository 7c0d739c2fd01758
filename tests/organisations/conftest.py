from tests.people.conftest import community_staff, grids, worker

__all__ = ["community_staff", "grids", "worker"]
