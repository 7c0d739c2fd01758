"""Access rules of the grid API (see tests/authz/matrix.py). The region tree and the map are
shared context: any signed-in user reads them; only the system administrator reassigns."""

from __future__ import annotations

from gridgov.authz.principal import Role
from tests.authz.matrix import SIGNED_IN, Ctx, Rule, role_set


def home_grid(ctx: Ctx) -> dict[str, str]:
    return {"code": ctx.city.home_grid.code}


def overlay(ctx: Ctx) -> dict[str, str]:
    return {"code": ctx.city.overlay.code}


RULES = [
    Rule("GET", "/api/v1/regions", allowed=SIGNED_IN),
    Rule("GET", "/api/v1/regions.geojson", allowed=SIGNED_IN),
    Rule("GET", "/api/v1/regions/{code}", allowed=SIGNED_IN, path_params=home_grid),
    Rule("GET", "/api/v1/regions/{code}/assignments", allowed=SIGNED_IN, path_params=home_grid),
    Rule("GET", "/api/v1/regions/{code}/overlays", allowed=SIGNED_IN, path_params=home_grid),
    Rule("GET", "/api/v1/overlays/{code}/grids", allowed=SIGNED_IN, path_params=overlay),
    Rule("GET", "/api/v1/locate", allowed=SIGNED_IN, query={"lng": 111.005, "lat": 30.005}),
    Rule(
        "PUT",
        "/api/v1/regions/{code}/worker",
        allowed=role_set(Role.SYSTEM_ADMIN),
        path_params=home_grid,
        json={"staff_no": "NOBODY"},
    ),
]
