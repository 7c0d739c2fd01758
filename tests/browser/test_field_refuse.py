"""The field app on a phone: the worker refuses one task with a reason from the list and one
with none (the form warns that this costs points); both refusals reach the server through the
queue, with their reasons, and leave the task list."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.kit.db import make_engine
from gridgov.models.task import Task

pytestmark = pytest.mark.browser


def test_refuse_tasks_from_the_phone(live_server: dict, phone: Any) -> None:
    engine = make_engine(live_server["url"])
    with Session(engine) as db:
        for title in ("走访甲户", "走访乙户"):
            db.add(Task(kind="home_visit", title=title, grid_code=live_server["grid"]))
        db.commit()
        first, second = db.scalars(select(Task.id).order_by(Task.id)).all()

    page = phone.new_page()
    page.goto(live_server["base"] + "/field/")
    page.fill("input[name=username]", live_server["username"])
    page.fill("input[name=password]", live_server["password"])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector(f"#grid-card[data-grid='{live_server['grid']}']")

    page.click("nav button[data-view=tasks]")
    page.locator(f"[data-task='{first}'] button.refuse").click()
    form = page.locator("#refuse-form")
    assert "扣分" in form.inner_text()
    form.locator("select[name=reason]").select_option("not_my_grid")
    form.locator("textarea[name=note]").fill("该户属于相邻网格")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(f"[data-task='{second}']")
    assert page.locator(f"[data-task='{first}']").count() == 0

    page.locator(f"[data-task='{second}'] button.refuse").click()
    page.locator("#refuse-form button[type=submit]").click()  # no reason at all
    # The queue may already read 0 before the refusal is queued: wait for the stored rows.
    rows: list[Any] = []
    for _ in range(120):
        with Session(engine) as db:
            rows = list(
                db.execute(
                    select(Task.id, Task.state, Task.refusal_reason, Task.refusal_note).order_by(
                        Task.id
                    )
                ).all()
            )
        if all(r.state == "refused" for r in rows):
            break
        page.wait_for_timeout(250)
    page.wait_for_function(
        "document.querySelector('#queue-count').dataset.count === '0'", timeout=20000
    )
    assert page.locator("section.task").count() == 0
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        (first, "refused", "not_my_grid", "该户属于相邻网格"),
        (second, "refused", None, None),
    ]
