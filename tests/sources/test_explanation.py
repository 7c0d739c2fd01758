"""A decision's waterfall in the viewer's language: stored as keys, old rows (stored in Chinese
words) shown in either language too, on the review page and by the API."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, system_principal
from gridgov.models.source import SourceLink
from gridgov.people.identifiers import make_resident_id
from gridgov.sources import explain
from gridgov.sources.reconcile import reconcile
from gridgov.sources.service import load_rows
from tests.auth.test_pages import web_login
from tests.factories import auth_headers, create_user
from tests.sources.conftest import register

ID = make_resident_id("420502", date(1985, 3, 7), 123)
KEYED = [
    {"comparison": "id_number", "level": "one_typo", "weight": 6.2},
    {"comparison": "name", "level": "same_sound", "weight": 3.5},
    {"comparison": "birth_date", "level": "clerical_variant", "weight": -0.5},
    {"comparison": "phone", "level": "missing", "weight": None},
]
# The same, as rows were stored before the keys.
OLD = [
    {"comparison": "身份证号", "level": "差一位", "weight": 6.2},
    {"comparison": "姓名", "level": "读音相同", "weight": 3.5},
    {"comparison": "出生日期", "level": "常见登记误差", "weight": -0.5},
    {"comparison": "电话", "level": "缺失", "weight": None},
]


def test_old_rows_read_as_keys() -> None:
    assert explain.keyed(OLD) == KEYED
    assert explain.keyed(KEYED) == KEYED
    bookkeeping = {"moved_links": [3], "duplicate_status": "alive"}
    assert explain.keyed([bookkeeping]) == [bookkeeping]
    english = explain.in_words("en", OLD)
    assert [(e["comparison_label"], e["level_label"]) for e in english[:2]] == [
        ("ID number", "one typo apart"),
        ("Name", "same sound"),
    ]
    assert explain.in_words("zh-CN", KEYED)[1]["level_label"] == "读音相同"


def _two_links(db: Session) -> tuple[int, int]:
    """A link waiting for review stored with keys, a decided one stored in the old words."""
    source, _ = register(db, "social_security")
    system = system_principal("test")
    rows = [
        (2 + i, {"个人编号": key, "姓名": "王丽", "公民身份号码": ID, "性别": "2",
                 "出生日期": "1985-03-07", "参保日期": "2005-07-01", "人员状态": "参保缴费",
                 "待遇状态": "未领取", "手机号码": "13800001234",
                 "居住地址": "宜昌市西陵区解放路12号5-2-1203"})
        for i, key in enumerate(("S1", "S2"))
    ]  # fmt: skip
    load_rows(db, principal=system, source=source, rows=rows, channel="file")
    reconcile(db, principal=system, sources=[source], train=False)
    first, second = db.scalars(select(SourceLink).order_by(SourceLink.id)).all()
    for link, explanation, decision in ((first, KEYED, "review"), (second, OLD, "rejected")):
        link.decision, link.grid_code, link.probability = decision, "420502001001001", 0.8
        link.explanation = explanation
    db.commit()
    return first.id, second.id


def test_review_page_and_api_show_the_waterfall_in_the_viewers_language(
    client: TestClient, db: Session
) -> None:
    waiting, decided = _two_links(db)
    user = create_user(db, role=Role.COMMUNITY_STAFF, region_code="420502001001")
    assert web_login(client, user.username).status_code == 303
    for link_id in (waiting, decided):
        chinese = client.get(f"/sources/review/{link_id}?lang=zh-CN")
        assert chinese.status_code == 200
        for words in ("身份证号", "差一位", "读音相同", "常见登记误差", "缺失", "+6.2", "-0.5"):
            assert words in chinese.text, words
        assert "one typo apart" not in chinese.text
        english = client.get(f"/sources/review/{link_id}?lang=en")
        for words in ("ID number", "one typo apart", "same sound", "a usual clerical variant",
                      "missing", "Birth date", "+6.2"):  # fmt: skip
            assert words in english.text, words
        for chinese_words in ("差一位", "读音相同", "出生日期", "身份证号"):
            assert chinese_words not in english.text, chinese_words

    staff = create_user(db, role=Role.STREET_STAFF, region_code="420502001")
    headers = auth_headers(client, staff)
    for link_id in (waiting, decided):
        url = f"/api/v1/sources/links/{link_id}"
        english = client.get(f"{url}?lang=en", headers=headers).json()["explanation"]
        assert english[0] == {
            "comparison": "id_number", "level": "one_typo", "weight": 6.2,
            "comparison_label": "ID number", "level_label": "one typo apart",
        }  # fmt: skip
        chinese = client.get(f"{url}?lang=zh-CN", headers=headers).json()["explanation"]
        assert (chinese[1]["comparison_label"], chinese[1]["level_label"]) == ("姓名", "读音相同")
    queue = client.get("/api/v1/sources/review?lang=en", headers=headers).json()
    assert [e["level_label"] for e in queue[0]["explanation"]][:2] == [
        "one typo apart",
        "same sound",
    ]
