"""Role × route × scope: every API route answers 401/403/404 where it must."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import ACCOUNT_ROLES
from tests.authz.matrix import Ctx, Rule, build_mini_city, resolve
from tests.authz.routes import iter_routes

TESTS_DIR = Path(__file__).resolve().parents[1]
GUARDED_PREFIXES = ("/api/v1", "/open311")
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def load_rules() -> list[Rule]:
    rules: list[Rule] = []
    for path in sorted(TESTS_DIR.glob("*/access_rules.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.access_rules")
        rules.extend(module.RULES)
    return rules


RULES = load_rules()


def api_routes(app: FastAPI) -> set[tuple[str, str]]:
    found = set()
    for route in iter_routes(app):
        if route.path.startswith(GUARDED_PREFIXES):
            for method in route.methods - IGNORED_METHODS:
                found.add((method, route.path))
    assert found, "no API routes found: the route walker is broken"
    return found


def test_every_api_route_has_a_rule(app: FastAPI) -> None:
    declared = [rule.key for rule in RULES]
    duplicates = {key for key in declared if declared.count(key) > 1}
    assert not duplicates, f"rules declared twice: {sorted(duplicates)}"
    routes = api_routes(app)
    missing = sorted(routes - set(declared))
    assert not missing, (
        "API routes without an access rule (add them to tests/<domain>/access_rules.py): "
        + ", ".join(f"{m} {p}" for m, p in missing)
    )
    stale = sorted(set(declared) - routes)
    assert not stale, f"rules for routes that do not exist: {stale}"


def _url(path: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    query = dict(params.pop("?", {}) or {})

    def fill(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        return str(params.get(name, "1"))

    return re.sub(r"\{([^}]+)\}", fill, path), query


def _call(
    ctx: Ctx,
    rule: Rule,
    headers: dict[str, str] | None,
    params: dict[str, Any],
    json: Any = None,
) -> int:
    url, query = _url(rule.path, dict(params))
    body = json if json is not None else rule.json
    if callable(body):
        body = body(ctx)
    response = ctx.client.request(
        rule.method,
        url,
        params={**(rule.query or {}), **query},
        json=body,
        data=rule.data,
        headers=headers or {},
    )
    return response.status_code


def _expect(status: int, wanted: int | tuple[int, ...], what: str) -> None:
    allowed = wanted if isinstance(wanted, tuple) else (wanted,)
    assert status in allowed, f"{what}: got {status}, expected {allowed}"


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_access_rule(rule: Rule, client: TestClient, db: Session) -> None:
    ctx = Ctx(db=db, client=client, city=build_mini_city(db))
    params = resolve(rule.path_params, ctx)

    anonymous = _call(ctx, rule, None, params)
    if rule.anonymous_status is not None:
        _expect(anonymous, rule.anonymous_status, "anonymous")
    elif rule.public:
        assert anonymous not in (401, 403), f"public route refused anonymous: {anonymous}"
    else:
        _expect(anonymous, 401, "anonymous")

    if not rule.public:
        for role in sorted(ACCOUNT_ROLES, key=str):
            status = _call(ctx, rule, ctx.headers(role), params)
            if role in rule.allowed:
                assert status not in (401, 403), f"allowed role {role} refused with {status}"
            else:
                _expect(status, rule.wrong_role_status, f"role {role} (not allowed)")

    for case in rule.scoped:
        assert case.role in rule.allowed, f"scope case for a role not allowed: {case.role}"
        headers = ctx.headers(
            case.role, region_code=case.region_code, department_code=case.department_code
        )
        inside = resolve(case.inside, ctx)
        outside = resolve(case.outside, ctx)
        _expect(
            _call(ctx, rule, headers, inside, case.json),
            case.inside_status,
            f"{case.role} on an object inside its scope",
        )
        _expect(
            _call(ctx, rule, headers, outside, case.json),
            case.outside_status,
            f"{case.role} on an object outside its scope",
        )
