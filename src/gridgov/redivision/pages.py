"""Grid re-division: pages (drift map and table, a proposal beside today's division)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gridgov.auth.csrf import csrf_protect
from gridgov.auth.deps import page_roles
from gridgov.authz.policy import REDIVISION_DECIDERS, REDIVISION_VIEWERS
from gridgov.authz.principal import Principal
from gridgov.kit.db import DbSession
from gridgov.redivision import apply, drift, service
from gridgov.redivision.repository import RedivisionRepository
from gridgov.web.forms import attempt
from gridgov.web.i18n import add_messages
from gridgov.web.nav import add_nav
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
Viewer = Annotated[Principal, Depends(page_roles(*REDIVISION_VIEWERS))]
Decider = Annotated[Principal, Depends(page_roles(*REDIVISION_DECIDERS))]

add_nav("redivision.nav", "/redivision", set(REDIVISION_VIEWERS))
add_messages(
    {
        "redivision.nav": {"zh-CN": "网格调整", "en": "Grid re-division"},
        "redivision.title": {"zh-CN": "网格规模偏离与调整", "en": "Grid drift and re-division"},
        "redivision.region": {"zh-CN": "区域代码", "en": "Region code"},
        "redivision.show": {"zh-CN": "查看", "en": "Show"},
        "redivision.range": {"zh-CN": "每格户数范围", "en": "Households per grid"},
        "redivision.legend": {
            "zh-CN": "颜色：绿色在范围内，蓝色偏少，红色偏多，颜色越深偏离越大",
            "en": "Colour: green within range, blue too few, red too many; darker is further",
        },
        "redivision.communities": {"zh-CN": "社区", "en": "Communities"},
        "redivision.community": {"zh-CN": "社区", "en": "Community"},
        "redivision.grids": {"zh-CN": "网格数", "en": "Grids"},
        "redivision.out": {"zh-CN": "超出范围", "en": "Out of range"},
        "redivision.households": {"zh-CN": "户数", "en": "Households"},
        "redivision.persons": {"zh-CN": "人数", "en": "Residents"},
        "redivision.orgs": {"zh-CN": "单位", "en": "Organisations"},
        "redivision.facilities": {"zh-CN": "部件", "en": "Facilities"},
        "redivision.area": {"zh-CN": "面积（平方公里）", "en": "Area (km²)"},
        "redivision.patrol": {"zh-CN": "日均巡查（公里）", "en": "Patrol km a day"},
        "redivision.cases": {"zh-CN": "近30天案件", "en": "Cases, 30 days"},
        "redivision.deviation": {"zh-CN": "偏离", "en": "Deviation"},
        "redivision.worker": {"zh-CN": "网格员", "en": "Worker"},
        "redivision.grid": {"zh-CN": "网格", "en": "Grid"},
        "redivision.out_grids": {"zh-CN": "超出范围的网格", "en": "Grids out of range"},
        "redivision.propose": {"zh-CN": "计算调整方案", "en": "Compute a proposal"},
        "redivision.open": {"zh-CN": "查看方案", "en": "Open proposal"},
        "redivision.proposal": {"zh-CN": "调整方案", "en": "Proposal"},
        "redivision.today": {"zh-CN": "现行划分", "en": "Today's division"},
        "redivision.proposed": {"zh-CN": "调整后", "en": "Proposed division"},
        "redivision.moved": {"zh-CN": "变更网格的户数", "en": "Households changing grid"},
        "redivision.solver": {"zh-CN": "求解", "en": "Solver"},
        "redivision.state": {"zh-CN": "状态", "en": "State"},
        "redivision.state.draft": {"zh-CN": "待审批", "en": "Waiting for approval"},
        "redivision.state.approved": {"zh-CN": "已批准并生效", "en": "Approved and applied"},
        "redivision.state.rejected": {"zh-CN": "已退回", "en": "Rejected"},
        "redivision.stale": {
            "zh-CN": "方案计算后社区数据已有变化，方案已过期，请重新计算",
            "en": "The community changed since this proposal was computed; recompute it",
        },
        "redivision.change": {"zh-CN": "变化", "en": "Change"},
        "redivision.change.added": {"zh-CN": "新增", "en": "Added"},
        "redivision.change.split": {"zh-CN": "拆分", "en": "Split"},
        "redivision.change.merged": {"zh-CN": "合并", "en": "Merged"},
        "redivision.change.adjusted": {"zh-CN": "调整", "en": "Adjusted"},
        "redivision.change.retired": {"zh-CN": "撤销", "en": "Retired"},
        "redivision.change.none": {"zh-CN": "不变", "en": "Unchanged"},
        "redivision.new_grid": {"zh-CN": "新网格", "en": "New grid"},
        "redivision.buildings": {"zh-CN": "楼栋", "en": "Buildings"},
        "redivision.households_in": {"zh-CN": "迁入户数", "en": "Households moving in"},
        "redivision.from": {"zh-CN": "来自", "en": "From"},
        "redivision.vacant": {"zh-CN": "待配备", "en": "To be staffed"},
        "redivision.move": {"zh-CN": "手工调整：移动楼栋", "en": "Edit: move a building"},
        "redivision.building": {"zh-CN": "楼栋", "en": "Building"},
        "redivision.to_grid": {"zh-CN": "移入网格", "en": "To grid"},
        "redivision.do_move": {"zh-CN": "移动", "en": "Move"},
        "redivision.note": {"zh-CN": "审批意见", "en": "Note"},
        "redivision.approve": {"zh-CN": "批准并生效", "en": "Approve and apply"},
        "redivision.reject": {"zh-CN": "退回", "en": "Reject"},
        "redivision.violations": {"zh-CN": "不满足的规则", "en": "Rules not met"},
        "redivision.slot": {"zh-CN": "号", "en": "No."},
        "redivision.applied": {"zh-CN": "已生效", "en": "Applied"},
        "redivision.hh": {"zh-CN": "户", "en": "households"},
        "redivision.solver.optimal": {"zh-CN": "最优（误差 1% 内）", "en": "optimal (within 1 %)"},
        "redivision.solver.feasible": {
            "zh-CN": "可行（到达计算时限）",
            "en": "feasible (time limit reached)",
        },
        "redivision.solver.edited": {"zh-CN": "已手工调整", "en": "edited by hand"},
    }
)


def _default_region(principal: Principal) -> str:
    return (principal.region_code or "420502")[:12]


@router.get("/redivision", response_class=HTMLResponse)
def drift_page(
    request: Request, principal: Viewer, session: DbSession, region: str | None = None
) -> HTMLResponse:
    return _drift(request, session, principal, region or _default_region(principal), None)


def _drift(
    request: Request, session: DbSession, principal: Principal, region: str, error: str | None
) -> HTMLResponse:
    read = drift.drift(session, principal=principal, region_code=region, only_out_of_range=True)
    return render(
        request,
        "redivision/drift.html",
        drift=read,
        region=region,
        may_decide=principal.role in REDIVISION_DECIDERS,
        error=error,
    )


@router.post(
    "/redivision/propose", dependencies=[Depends(csrf_protect)], response_class=HTMLResponse
)
def propose_page(
    request: Request,
    principal: Decider,
    session: DbSession,
    community: Annotated[str, Form(pattern=r"^[0-9]{12}$")],
) -> Response:
    with attempt(session) as tried:
        proposal = service.propose(session, principal=principal, community_code=community)
    if tried.error:
        return _drift(request, session, principal, community, tried.message(request))
    return RedirectResponse(f"/redivision/proposals/{proposal.id}", status_code=303)


@router.get("/redivision/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal_page(
    request: Request, proposal_id: int, principal: Viewer, session: DbSession
) -> HTMLResponse:
    return _proposal(request, session, principal, proposal_id, None)


def _proposal(
    request: Request, session: DbSession, principal: Principal, proposal_id: int, error: str | None
) -> HTMLResponse:
    proposal = service.get_proposal(session, principal=principal, proposal_id=proposal_id)
    read = service.proposal_read(session, principal=principal, proposal=proposal)
    community = RedivisionRepository(session, principal).communities(proposal.community_code)
    return render(
        request,
        "redivision/proposal.html",
        proposal=read,
        community=community[0] if community else None,
        may_decide=principal.role in REDIVISION_DECIDERS and read.state == "draft",
        error=error,
    )


@router.post(
    "/redivision/proposals/{proposal_id}/{action}",
    dependencies=[Depends(csrf_protect)],
    response_class=HTMLResponse,
)
def decide_page(
    request: Request,
    proposal_id: int,
    action: str,
    principal: Decider,
    session: DbSession,
    note: Annotated[str, Form(max_length=200)] = "",
    unit: Annotated[int, Form(ge=0)] = 0,
    slot: Annotated[int, Form(ge=0)] = 0,
) -> Response:
    with attempt(session) as tried:
        if action == "approve":
            apply.approve(session, principal=principal, proposal_id=proposal_id, note=note or None)
        elif action == "reject":
            service.reject(session, principal=principal, proposal_id=proposal_id, note=note or None)
        elif action == "move":
            service.move_unit(
                session, principal=principal, proposal_id=proposal_id, unit=unit, slot=slot
            )
    if tried.error:
        return _proposal(request, session, principal, proposal_id, tried.message(request))
    return RedirectResponse(f"/redivision/proposals/{proposal_id}", status_code=303)
