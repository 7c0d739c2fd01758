"""The command centre's working list: filters, sorting, channel column, views saved per role."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from tests.auth.test_pages import form_token, web_login
from tests.cases.conftest import _fresh_caches, city, users  # noqa: F401 (fixtures)
from tests.cases.helpers import Users, report
from tests.factories import create_user


def _numbers(html: str) -> list[str]:
    return re.findall(r'<tr data-number="([^"]+)"', html)


def test_filters_sort_channel_and_saved_views(
    client: TestClient,
    db: Session,
    city: dict,  # noqa: F811
    users: Users,  # noqa: F811
) -> None:
    clerk = users(Role.INTAKE_CLERK)
    hotline = report(client, clerk, channel="hotline")
    walk_in = report(client, clerk, channel="walk_in", description="井盖丢失", category="C0102")
    client.headers.pop("Authorization", None)
    dispatcher = create_user(db, role=Role.DISPATCHER)
    web_login(client, dispatcher.username)

    page = client.get("/cases/centre")
    assert page.status_code == 200
    assert _numbers(page.text) == [walk_in["number"], hotline["number"]]  # newest first
    assert 'data-channel="walk_in">来访<' in page.text  # the channel column, in words
    oldest = client.get("/cases/centre", params={"sort": "reported_asc"})
    assert _numbers(oldest.text) == [hotline["number"], walk_in["number"]]
    by_channel = client.get("/cases/centre", params={"channel": "hotline"})
    assert _numbers(by_channel.text) == [hotline["number"]]
    by_category = client.get("/cases/centre", params={"category": "C0102"})
    assert _numbers(by_category.text) == [walk_in["number"]]
    assert _numbers(client.get("/cases/centre", params={"overdue": "true"}).text) == []
    assert _numbers(client.get("/cases/centre", params={"state": "closed"}).text) == []

    saved = client.post(
        "/cases/centre/views",
        data={"csrf_token": form_token(page.text), "name": "热线待办", "query": "channel=hotline"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    other = create_user(db, role=Role.DISPATCHER)
    web_login(client, other.username)
    shared = client.get("/cases/centre")
    assert 'href="/cases/centre?channel=hotline">热线待办</a>' in shared.text  # same role
    leader = create_user(db, role=Role.SHIFT_LEADER)
    web_login(client, leader.username)
    assert "热线待办" not in client.get("/cases/centre").text  # another role's view
