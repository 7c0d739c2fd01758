"""The pages: staff see findings and resolve them, handlers carry a service to the department
which confirms it, the timeline shows a person's life, the rules page names a broken line, and
the admission office admits a type and sees what is already held."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import ACCOUNT_ROLES, Role
from gridgov.lifecycle import rules
from tests.auth.test_pages import form_token, web_login
from tests.factories import create_user
from tests.lifecycle.conftest import birth_event


def _sign_in(client: TestClient, db: Session, role: Role, **extra: str) -> None:
    client.cookies.clear()
    user = create_user(db, role=role, **extra)  # type: ignore[arg-type]
    assert web_login(client, user.username).status_code == 303


def test_finding_resolved_and_service_carried_to_done(
    client: TestClient, db: Session, family, grid, health_headers
) -> None:
    body = birth_event("HOSP-P1", address="查无此址")
    client.post("/api/v1/lifecycle/events", json=body, headers=health_headers)
    client.post(
        "/api/v1/lifecycle/events", json=birth_event("HOSP-P2"), headers=health_headers
    )  # opens the mother's maternity allowance
    _sign_in(client, db, Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    page = client.get("/lifecycle")
    assert page.status_code == 200 and "待处理事项" in page.text and "地址无法解析" in page.text
    # The address names no house: the mother's community staff take it; the other birth
    # reached the grid's worker as a task.
    assert "已派发任务" in page.text

    # The person by name (and masked ID, as the people pages), the grid by name beside its code.
    mother = family.mother
    mother_link = f'<a href="/lifecycle/persons/{mother.id}">{mother.name}</a>'
    grid_cell = f'{grid.name} <span class="muted">{grid.code}</span>'
    assert mother_link in page.text and grid_cell in page.text
    services = client.get("/lifecycle/services")
    assert "生育津贴申领" in services.text and "在办 1 " in services.text
    assert f'{mother_link} <span class="muted">{mother.id_number_masked}</span>' in services.text
    assert grid_cell in services.text
    assert f">{mother.id}</a>" not in page.text + services.text  # no bare id as link text
    service_id = services.text.split('data-service="')[1].split('"')[0]
    token = form_token(services.text)
    client.post(
        f"/lifecycle/services/{service_id}/documents",
        data={"documents": ["出生医学证明", "母亲身份证"], "csrf_token": token},
    )
    client.post(f"/lifecycle/services/{service_id}/hand-over", data={"csrf_token": token})
    assert "已移交部门" in client.get("/lifecycle/services").text

    _sign_in(client, db, Role.DEPARTMENT_HANDLER, department_code="RS")
    services = client.get("/lifecycle/services")
    assert "出生医学证明、母亲身份证" in services.text
    client.post(
        f"/lifecycle/services/{service_id}/confirm",
        data={"result": "津贴已发放", "done": "yes", "csrf_token": form_token(services.text)},
    )
    done = client.get("/lifecycle/services?view=closed")
    assert "津贴已发放" in done.text and "已办结" in done.text

    _sign_in(client, db, Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    timeline = client.get(f"/lifecycle/persons/{family.mother.id}")
    assert timeline.status_code == 200
    assert "生育津贴申领" in timeline.text and "出生" in timeline.text


def test_rules_page_names_the_broken_line(client: TestClient, db: Session) -> None:
    _sign_in(client, db, Role.SYSTEM_ADMIN)
    page = client.get("/lifecycle/rules")
    assert "新生儿上门核实" in page.text and "出生登记及首次申领身份证" in page.text
    broken = rules.default_text().replace('event = "marriage"', 'event = "wedding"')
    line = broken.splitlines().index('event = "wedding"') + 1
    answer = client.post(
        "/lifecycle/rules",
        data={"text": broken, "save": "1", "csrf_token": form_token(page.text)},
    )
    assert f"<td>{line}</td><td>未知的事件类型「wedding」</td>" in answer.text
    assert "已保存" not in answer.text


def test_admission_page_admits_and_says_what_is_already_held(
    client: TestClient, db: Session, worker
) -> None:
    _sign_in(client, db, Role.ADMISSION_OFFICE)
    page = client.get("/lifecycle/admission")
    assert "准入〔2026〕3号" in page.text and worker.username in page.text
    client.post(
        "/lifecycle/admission",
        data={
            "kind": "elderly_survey",
            "title": "老年人状况调查",
            "reference": "准入〔2026〕30号",
            "legal_basis": "《老年人权益保障法》",
            "department_code": "MZ",
            "frequency": "每年一次",
            "fields": "name,phone,health",
            "minutes_per_task": "25",
            "csrf_token": form_token(page.text),
        },
    )
    page = client.get("/lifecycle/admission")
    assert "老年人状况调查" in page.text
    assert "已有数据：联系电话（脱敏） 已在人口库中" in page.text


def test_every_role_opens_the_life_cycle_pages_its_menu_offers(
    client: TestClient, db: Session
) -> None:
    from gridgov.web.nav import NAV_ITEMS

    pages = [item for item in NAV_ITEMS if item.href.startswith("/lifecycle")]
    assert len(pages) == 5
    for role in ACCOUNT_ROLES:
        offered = [p.href for p in pages if p.roles is None or role in p.roles]
        if not offered:
            continue
        extra = {"department_code": "GA"} if "department" in role.value else {}
        _sign_in(client, db, role, **extra)
        for href in offered:
            answer = client.get(href)
            assert answer.status_code == 200, (role, href, answer.text[:300])
            assert "lifecycle." not in answer.text  # no bare message key on the screen
