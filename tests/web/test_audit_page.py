"""The auditor's page reads as words: actions, objects and outcomes named, a change as a
before/after table with Chinese as Chinese, filters as pickers, the chain's verification shown
on the page — in both languages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Role
from tests.auth.test_pages import form_token, web_login
from tests.factories import create_user


def _auditor(client: TestClient, db: Session) -> None:
    user = create_user(db, role=Role.AUDITOR)
    assert web_login(client, user.username).status_code == 303


def _text(html: str) -> str:
    """What a person reads: tags and the raw `title` tooltips left out."""
    return re.sub(r"<[^>]+>", " ", html)


def test_actions_objects_and_changes_in_words(client: TestClient, db: Session) -> None:
    _auditor(client, db)
    trail.record(
        db,
        action="case.dispatch",
        object_type="case",
        object_id="7",
        principal=None,
        before={"state": "registered", "address": "夷陵路 1 号"},
        after={"state": "dispatched", "department_code": "GA"},
    )
    db.flush()
    page = client.get("/audit", params={"object_type": "case"})
    assert page.status_code == 200
    text = _text(page.text)
    assert "案件 · 派遣" in text
    assert "夷陵路 1 号" in text and "\\u" not in text  # Chinese as Chinese, not escaped
    # a state's change in words, the department's code as stored
    assert re.search(r"<td>状态</td><td[^>]*>已立案</td><td[^>]*>已派遣</td>", page.text)
    assert re.search(r"<td>责任部门</td><td[^>]*></td><td[^>]*>GA</td>", page.text)
    assert "case.dispatch" not in text  # only in the tooltip
    # filters are pickers with words
    assert re.search(r'<select name="action">.*登录失败', page.text, re.S)
    assert re.search(r'<option value="case" selected>案件</option>', page.text)

    english = client.get("/audit", params={"object_type": "case", "lang": "en"})
    assert "Case · Dispatch" in _text(english.text)
    assert "案件" not in _text(english.text)


def test_verification_is_a_result_on_the_page(client: TestClient, db: Session) -> None:
    _auditor(client, db)
    page = client.get("/audit")
    result = client.post("/audit/verify", data={"csrf_token": form_token(page.text)})
    assert result.status_code == 200
    assert 'id="verification"' in result.text
    assert "哈希链完整" in result.text
    assert re.search(r"已校验 \d+ 条", result.text)


def test_population_fields_and_codes_in_words(client: TestClient, db: Session) -> None:
    """A person's change: the population base's field names and codes in words (issue 10)."""
    _auditor(client, db)
    trail.record(
        db,
        action="person.update",
        object_type="person",
        object_id="9",
        principal=None,
        before={"residence_type": "registered", "id_type": "resident_id"},
        after={"residence_type": "floating", "relation_to_head": "child"},
    )
    db.flush()
    page = client.get("/audit", params={"object_type": "person"})
    assert re.search(r"<td>人口类型</td><td[^>]*>户籍</td><td[^>]*>流动</td>", page.text)
    assert re.search(r"<td>证件类型</td><td[^>]*>居民身份证</td>", page.text)
    assert re.search(r"<td>与户主关系</td><td[^>]*></td><td[^>]*>子女</td>", page.text)
    assert not re.search(r">(registered|floating|resident_id|child|residence_type)<", page.text)


def test_an_account_is_named_by_its_display_name_beside_its_username(
    client: TestClient, db: Session
) -> None:
    user = create_user(db, role=Role.AUDITOR)
    user.display_name = "审计员李青"
    db.commit()
    assert web_login(client, user.username).status_code == 303
    page = client.get("/audit", params={"action": "auth.login"})
    assert (
        f'<span translate="no">审计员李青</span> <span class="muted" translate="no">'
        f"{user.username}</span>"
    ) in page.text
