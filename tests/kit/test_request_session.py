"""The request's one transaction commits before the client hears the answer."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import Message, Receive, Scope, Send

from gridgov.kit.db import after_commit, ends_request, make_engine, request_session
from gridgov.kit.errors import Conflict
from gridgov.models import Staff

DbSession = Annotated[Session, Depends(request_session, scope="function")]
_ENDPOINT_CALL: ContextVar[str] = ContextVar("endpoint_call", default="another thread call")


def _app(url: str, events: list[str]) -> FastAPI:
    app = FastAPI()
    engine = make_engine(url)
    app.state.session_factory = sessionmaker(bind=engine, expire_on_commit=False)

    @app.post("/staff/{no}")
    def add(no: str, session: DbSession) -> dict[str, str]:
        session.add(Staff(staff_no=no, name="测试", kind="grid_worker"))
        after_commit(session, lambda: events.append("committed"))
        if no.startswith("bad"):
            session.flush()
            raise Conflict("冲突", "conflict")
        return {"staff_no": no}

    @app.post("/hot/{no}")
    @ends_request
    def add_hot(no: str, session: DbSession) -> dict[str, str]:
        _ENDPOINT_CALL.set(f"call {no}")  # seen only inside the endpoint's own thread call
        events.append("endpoint")
        session.add(Staff(staff_no=no, name="测试", kind="grid_worker"))
        after_commit(session, lambda: events.append(f"committed after {_ENDPOINT_CALL.get()}"))
        if no.startswith("bad"):
            session.flush()
            raise Conflict("冲突", "conflict")
        return {"staff_no": no}

    class RecordResponseStart:
        def __init__(self, inner: FastAPI) -> None:
            self.inner = inner

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            async def recording_send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    events.append("response")
                await send(message)

            await self.inner(scope, receive, recording_send)

    app.state.outer = RecordResponseStart(app)
    return app


def test_commit_happens_before_the_response_starts(fresh_database_url) -> None:  # type: ignore[no-untyped-def]
    url = fresh_database_url("sqlite")
    events: list[str] = []
    app = _app(url, events)
    with TestClient(app.state.outer) as client:
        assert client.post("/staff/T100").status_code == 200
    assert events == ["committed", "response"]


def test_a_failed_request_writes_nothing(fresh_database_url) -> None:  # type: ignore[no-untyped-def]
    url = fresh_database_url("sqlite")
    events: list[str] = []
    app = _app(url, events)
    with TestClient(app.state.outer, raise_server_exceptions=False) as client:
        response = client.post("/staff/bad1")
    assert response.status_code == 500  # this bare app has no handler for business errors
    engine = make_engine(url)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Staff)) == 0
    engine.dispose()
    assert "committed" not in events


def test_every_route_commits_before_answering() -> None:
    """A route that declared the session without ``scope="function"`` would answer first."""
    from fastapi.dependencies.models import Dependant

    from gridgov.app import create_app
    from gridgov.config import Mode, Settings
    from tests.authz.routes import iter_routes

    def sessions(dependant: Dependant) -> list[Dependant]:
        found = [d for d in dependant.dependencies if d.call is request_session]
        for sub in dependant.dependencies:
            found += sessions(sub)
        return found

    app = create_app(Settings(mode=Mode.TEST))
    checked = 0
    for route in iter_routes(app):
        for dependant in sessions(route.dependant):
            assert dependant.scope == "function", f"{route.path}: request_session scope"
            checked += 1
    assert checked > 50


def test_no_route_runs_database_work_on_the_event_loop() -> None:
    """An ``async def`` endpoint with the session would block every other request while it
    waits for the database; such endpoints hand their work to the thread pool explicitly
    (``ends_request`` does, for the hot routes)."""
    import inspect

    from gridgov.app import create_app
    from gridgov.config import Mode, Settings
    from gridgov.open311.routes import post_request
    from tests.authz.routes import iter_routes

    explicitly_threaded = {post_request}
    app = create_app(Settings(mode=Mode.TEST))
    offenders = [
        route.path
        for route in iter_routes(app)
        if inspect.iscoroutinefunction(route.dependant.call)
        and route.dependant.call not in explicitly_threaded
        and not getattr(route.dependant.call, "runs_in_worker_thread", False)
        and any(d.call is request_session for d in route.dependant.dependencies)
    ]
    assert offenders == []


def test_a_hot_route_commits_in_its_own_thread_before_answering(fresh_database_url) -> None:  # type: ignore[no-untyped-def]
    url = fresh_database_url("sqlite")
    events: list[str] = []
    app = _app(url, events)
    with TestClient(app.state.outer, raise_server_exceptions=False) as client:
        assert client.post("/hot/T200").status_code == 200
        assert events == ["endpoint", "committed after call T200", "response"]
        events.clear()
        assert client.post("/hot/bad2").status_code == 500
    assert not any(e.startswith("committed") for e in events)
    engine = make_engine(url)
    with Session(engine) as session:
        assert list(session.scalars(select(Staff.staff_no))) == ["T200"]
    engine.dispose()
