"""What the supervision dashboard shows: the overview of a region (tiles and charts), the map's
indicator per child region, facility and open-case layers, and one grid's panel."""

from __future__ import annotations

import time
from collections import OrderedDict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from gridgov.authz.policy import reach_key
from gridgov.authz.principal import Principal
from gridgov.dashboard import aggregates
from gridgov.dashboard.repository import INDICATORS, DashboardRepository, since_days
from gridgov.evaluation import service as evaluation
from gridgov.grids.facilities import FACILITY_KINDS
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import BadRequest, NotFound
from gridgov.models.dashboard import DashboardRefresh
from gridgov.models.region import LEVEL_BY_CODE_LENGTH

CHILD_LENGTH = {0: 6, 6: 9, 9: 12, 12: 15}
MAX_DAYS = 90
PATROL_DUTY_SECONDS = 3 * 3600  # a duty day asks for 3 hours inside the own grid
GRID_CASE_LIMIT = 100


def _region(repo: DashboardRepository, code: str | None) -> dict[str, Any]:
    """The region a view is about (None: the city); outside the caller's scope: not found."""
    if not code:
        return {"code": "", "name": None, "level": "city"}
    region = repo.region(code)
    if region is None:
        raise NotFound("区域不存在", "No such region", code=code)
    return {"code": region.code, "name": region.name, "level": region.level}


def overview(
    session: Session,
    *,
    principal: Principal,
    region: str | None = None,
    days: int = 30,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Tiles and charts of a region: counts, open/overdue, daily series, departments."""
    if not 1 <= days <= MAX_DAYS:
        raise BadRequest("天数须在 1 到 90 之间", "days must be between 1 and 90")
    now = now or utcnow()
    aggregates.ensure_fresh(session, now=now)
    repo = DashboardRepository(session, principal)
    place = _region(repo, region)
    today = aggregates.local_today(now)
    start = since_days(today, days)
    finished, closures = _finished_days(session, repo, principal, start, region)
    closed_now = _closed_by_report_day(session, repo, principal, start, region, now)
    live = repo.today(aggregates.day_start(today), region)
    labels = [(start + timedelta(days=i)).isoformat() for i in range(days)]
    index = {label: i for i, label in enumerate(labels)}
    channels: dict[str, list[int]] = {}
    for day, channel, n in finished["by_channel"]:
        channels.setdefault(channel, [0] * days)[index[str(day)]] += n
    for channel, n in live["by_channel"].items():
        channels.setdefault(channel, [0] * days)[-1] += n
    reported, closed, on_time = [0] * days, [0] * days, [0] * days
    for day, r, c, t in finished["totals"]:
        i = index[str(day)]
        reported[i], closed[i], on_time[i] = r, c, t
    reported[-1] = sum(live["by_channel"].values())
    closed[-1], on_time[-1] = live["closed"], live["closed_on_time"]
    open_cases, overdue = repo.open_totals(region)
    return {
        "region": place,
        "generated_at": now.isoformat(),
        "snapshot_at": _iso(aggregates.snapshot_time(session)),
        "totals": {
            **repo.population_totals(region),
            "open_cases": open_cases,
            "overdue_cases": overdue,
            "reported_today": reported[-1],
            "closed_today": closed[-1],
        },
        "series": {
            "days": labels,
            "channels": channels,
            "reported": reported,
            "closed": closed,
            # Of the cases reported each day, the share closed by now (0–100 %, None: none).
            "closure_rate": [closed_now.get(d) for d in labels],
            "on_time_rate": [_rate(t, c) for t, c in zip(on_time, closed, strict=True)],
        },
        "overdue_by_department": [
            {"code": code, "name": name, "open": n, "overdue": late}
            for code, name, n, late in repo.overdue_by_department(region)
            if code
        ],
        "ranking": ranking(repo, closures),
    }


# Sums over finished days never change until the daily aggregate moves on, so they are kept per
# database, scope, region and first day: a wall refreshing every minute pays for them once a day.
_FINISHED: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_FINISHED_SIZE = 256


def _finished_days(
    session: Session,
    repo: DashboardRepository,
    principal: Principal,
    start: date,
    region: str | None,
) -> tuple[dict[str, Any], list[Any]]:
    mark = session.get(DashboardRefresh, aggregates.CASE_DAYS)
    version = None if mark is None else (mark.through_day, mark.refreshed_at)
    return _kept(
        (session, principal, region, start, "days", version),
        lambda: (repo.days(start, region), repo.department_closures(start, region)),
    )


# How long the share of each day's cases closed by now is kept: it is read live from the cases
# (~150-180 ms over 1 M cases on SQLite), so a wall refreshing every minute pays for it once in
# this many seconds per scope and region, not every time the open-case snapshot moves on.
CLOSED_NOW_SECONDS = 900


def _closed_by_report_day(
    session: Session,
    repo: DashboardRepository,
    principal: Principal,
    start: date,
    region: str | None,
    now: datetime,
) -> dict[str, float | None]:
    """{day: share of the cases reported that day closed by now} over the chart's days. Read
    from the cases (a case closes after its day) and kept for :data:`CLOSED_NOW_SECONDS`."""
    version = int(now.timestamp()) // CLOSED_NOW_SECONDS
    return _kept(
        (session, principal, region, start, "closed_now", version),
        lambda: {
            day.isoformat(): _rate(c, n)
            for day, n, c in repo.closed_by_report_day(aggregates.day_start(start), region)
        },
    )


def _kept(what: tuple[Any, ...], compute: Any) -> Any:
    """``compute()`` kept per database, scope, region, first day and what it is (with its
    version), in :data:`_FINISHED`."""
    session, principal, region, *rest = what
    key = (str(session.get_bind().engine.url), *reach_key(principal), region or "", *rest)
    cached = _FINISHED.get(key)
    if cached is None:
        cached = compute()
        _FINISHED[key] = cached
        while len(_FINISHED) > _FINISHED_SIZE:
            _FINISHED.popitem(last=False)
    return cached


def ranking(repo: DashboardRepository, closures: list[Any]) -> list[dict[str, Any]]:
    """Departments ranked by their on-time closure rate over the period (best first)."""
    names = repo.department_names()
    rows = [
        {"code": code, "name": names.get(code, code), "closed": c, "rate": _rate(t, c)}
        for code, c, t in closures
        if code and c
    ]
    return sorted(rows, key=lambda r: (-(r["rate"] or 0), -r["closed"]))


def score_ranking(
    session: Session, *, principal: Principal, days: int = 30, now: datetime | None = None
) -> dict[str, Any]:
    """Departments ranked by their evaluation score over the last ``days`` finished days."""
    end = aggregates.local_today(now) - timedelta(days=1)
    start = end - timedelta(days=days - 1)
    names = DashboardRepository(session, principal).department_names()
    scores = evaluation.scores(
        session, principal=principal, subject_type="department", start=start, end=end
    )
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "items": [
            {
                "code": s.subject_id,
                "name": names.get(s.subject_id, s.subject_id),
                "total": s.total,
                "rank": s.rank,
            }
            for s in scores
        ],
    }


def region_values(
    session: Session,
    *,
    principal: Principal,
    indicator: str,
    parent: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The indicator per child region of ``parent`` (the city's districts when None)."""
    if indicator not in INDICATORS:
        raise BadRequest("未知指标", f"Unknown indicator {indicator}", indicator=indicator)
    repo = DashboardRepository(session, principal)
    place = _region(repo, parent)
    length = CHILD_LENGTH.get(len(parent or ""))
    if length is None:
        raise BadRequest("网格没有下级区域", "A grid has no child regions", code=parent)
    if indicator in ("open_cases", "overdue_cases"):
        aggregates.refresh_open_cases(session, now=now, force=False)
    values = repo.indicator_by_region(indicator, parent=parent or None, length=length)
    children = repo.children(parent or None, length)
    return {
        "region": place,
        "level": LEVEL_BY_CODE_LENGTH[length].value,
        "indicator": indicator,
        "items": [
            {"code": code, "name": name, "value": values.get(code, 0)} for code, name in children
        ],
    }


def facility_layer(
    session: Session, *, principal: Principal, kind: str, region: str | None = None
) -> dict[str, Any]:
    """Every facility of a kind as [id, lat, lng] (the browser clusters them)."""
    if kind not in FACILITY_KINDS:
        raise BadRequest("未知部件类型", f"Unknown facility kind {kind}", kind=kind)
    repo = DashboardRepository(session, principal)
    _region(repo, region)
    key = (str(session.get_bind().engine.url), kind, region or "", *reach_key(principal))
    version, now = repo.facility_version(kind), time.monotonic()
    kept = _LAYERS.get(key)
    if kept is not None and kept[0] == version and now - kept[1] < LAYER_MAX_AGE:
        points = kept[2]
    else:
        points = repo.facility_points(kind, region or None)
        _LAYERS[key] = (version, now, points)
        while len(_LAYERS) > _LAYERS_SIZE:
            _LAYERS.popitem(last=False)
    return {"kind": kind, "points": points}


# A kind's points (tens of thousands of street lamps) are kept per database, kind, region and
# scope while the kind's version (count, newest id, newest change) is the same, at most
# LAYER_MAX_AGE seconds (a bulk update that sets no change time is seen by then).
_LAYERS: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], float, list[Any]]] = OrderedDict()
_LAYERS_SIZE = 64
LAYER_MAX_AGE = 300.0


def facility_kinds(session: Session, *, principal: Principal) -> list[dict[str, Any]]:
    counts = dict(DashboardRepository(session, principal).facility_kinds())
    return [
        {"kind": k.key, "name_zh": k.name_zh, "name_en": k.name_en, "count": counts.get(k.key, 0)}
        for k in FACILITY_KINDS.values()
    ]


def case_heat(
    session: Session,
    *,
    principal: Principal,
    region: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Open and overdue cases per grid at the grid's centre."""
    aggregates.refresh_open_cases(session, now=now, force=False)
    repo = DashboardRepository(session, principal)
    _region(repo, region)
    rows = repo.open_by_grid(region or None)
    return {"points": [[g, round(lat, 6), round(lng, 6), n, late] for g, lat, lng, n, late in rows]}


def grid_panel(
    session: Session, *, principal: Principal, code: str, now: datetime | None = None
) -> dict[str, Any]:
    """One grid: counts, worker, today's patrol, open and overdue cases, facilities."""
    now = now or utcnow()
    repo = DashboardRepository(session, principal)
    region = repo.region(code)
    if region is None or region.level != "grid":
        raise NotFound("网格不存在", "No such grid", code=code)
    stats = repo.grid_population(code)
    worker = repo.worker(region)
    today = aggregates.local_today(now)
    patrols = repo.patrols_on(code, today)
    seconds = sum(p[0] for p in patrols)
    open_n, overdue_n = repo.open_case_counts(code, now)
    facilities = repo.facilities(code)
    by_kind: dict[str, int] = {}
    for f in facilities:
        by_kind[f.kind] = by_kind.get(f.kind, 0) + 1
    ancestors = repo.names([code[:n] for n in (6, 9, 12)])
    return {
        "code": region.code,
        "name": region.name,
        "path": [{"code": c, "name": ancestors[c]} for c in sorted(ancestors, key=len)],
        "center": [region.center_lat, region.center_lng],
        "counts": {
            name: getattr(stats, name, 0) if stats else 0
            for name in ("households", "persons", "floating", "elderly_alone", "special_groups")
        },
        "worker": None if worker is None else {"name": worker.name, "staff_no": worker.staff_no},
        "patrol": {
            "sessions": len(patrols),
            "seconds_inside": seconds,
            "running": any(p[1] for p in patrols),
            "duty_met": seconds >= PATROL_DUTY_SECONDS,
            "distance_m": round(sum(p[2] for p in patrols)),
        },
        "open_cases": open_n,
        "overdue_cases": overdue_n,
        "cases": [
            {
                "id": c.id,
                "number": c.number,
                "state": c.state,
                "category_code": c.category_code,
                "description": c.description[:60],
                "lat": c.lat,
                "lng": c.lng,
                "due_at": _iso(c.step_due_at),
                "overdue": c.step_due_at is not None and aggregates.aware(c.step_due_at) < now,
            }
            for c in repo.open_cases(code, GRID_CASE_LIMIT)
        ],
        "facilities": by_kind,
        "cameras": [
            {"code": f.code, "name": f.name, "stream_url": f.stream_url, "lat": f.lat, "lng": f.lng}
            for f in facilities
            if f.kind == "camera"
        ],
    }


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else aggregates.aware(moment).isoformat()
