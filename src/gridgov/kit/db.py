"""Engine, sessions and the one-transaction-per-request rule.

A request (or a job) opens one session, services add and flush, and the caller commits once at
the end — never a route, page or service. Side effects registered with :func:`after_commit`
run only if that commit succeeds. The rules of a request's end live here and only here
(:func:`end_request`):

* success: commit, *before* the response is sent (``DbSession`` is function-scoped), so an
  acknowledged write is durable — the phone's sync relies on this;
* an error with ``keep_writes`` (a failed sign-in's counter, a sync conflict kept for review):
  commit what was written, then answer the error;
* any other error: roll back, then let the refusal recorders (e.g. the trail's ``access.denied``)
  write into the same session and commit that alone.

A page that shows a failed form again wraps the attempt in :func:`savepoint`: the attempt's writes
are undone, the request goes on.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import select
import sqlite3
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Annotated, Any, ParamSpec, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy import DateTime, Engine, create_engine, event
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from gridgov.config import get_settings

logger = logging.getLogger(__name__)
_AFTER_COMMIT = "gridgov_after_commit"
_BEFORE_COMMIT = "gridgov_before_commit"
_ON_ROLLBACK = "gridgov_on_rollback"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, open transactions (savepoints work only this way).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        _serialise_sqlite_transactions(engine)
        _aware_sqlite_timestamps(engine)
        return engine
    engine = create_engine(url, echo=echo, pool_size=10, max_overflow=20)
    _replace_dropped_connections(engine)
    return engine


def _replace_dropped_connections(engine: Engine) -> None:
    """A connection the server dropped (restart, failover, ``pg_terminate_backend``, idle
    timeout) is found and replaced when it is checked out, before a request's statement runs on
    it: a database restart costs no request a 500.

    Instead of ``pool_pre_ping`` (a ``SELECT 1`` round trip on every checkout, 0.3–0.4 ms of the
    request path measured on PostgreSQL): a pooled connection is idle, so its socket has nothing
    to read — unless the server closed it, which PostgreSQL does by sending its FATAL message and
    closing the socket. One ``poll`` with no wait tells (a few microseconds); the pool then opens a
    fresh connection. (A peer that vanished without closing — a cut network, no FIN — is not
    seen here; TCP keepalives or the statement's own error cover that rare case.)"""

    @event.listens_for(engine, "checkout")
    def _alive(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if getattr(dbapi_connection, "closed", False):
            raise DisconnectionError("the pooled connection is closed")
        poller = select.poll()
        poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
        if poller.poll(0):
            raise DisconnectionError("the server closed this pooled connection")


class _UtcSqliteDateTime(sqlite.DATETIME):
    """SQLite keeps no offset; gridgov stores UTC: a ``timezone=True`` column is read back as
    an aware UTC datetime, as PostgreSQL does (the API's timestamps always carry an offset)."""

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        parse = super().result_processor(dialect, coltype)
        if not self.timezone:
            return parse

        def process(value: Any) -> Any:
            value = parse(value) if parse else value
            if isinstance(value, datetime) and value.tzinfo is None:
                return value.replace(tzinfo=UTC)
            return value

        return process


def _aware_sqlite_timestamps(engine: Engine) -> None:
    # This engine's dialect only (colspecs is looked up on the dialect instance).
    engine.dialect.colspecs = {**engine.dialect.colspecs, DateTime: _UtcSqliteDateTime}


_HOLDS_WRITE_LOCK = "gridgov_holds_write_lock"


def _serialise_sqlite_transactions(engine: Engine) -> None:
    """Every SQLite transaction takes the write lock up front (``BEGIN IMMEDIATE``): a deferred
    transaction that reads and then writes fails at once with SQLITE_BUSY when another writer
    committed meanwhile. Threads of this process first queue on a lock of their own: SQLite
    would make them poll, sleeping up to 100 ms between tries (seconds of tail latency under
    load); a queued thread wakes the moment the lock is free. Other processes still meet
    SQLite's own lock."""
    lock = threading.Lock()

    def release(info: dict[str, Any]) -> None:
        if info.pop(_HOLDS_WRITE_LOCK, False):
            lock.release()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        if not lock.acquire(timeout=30):
            raise sqlite3.OperationalError("database is locked (waited 30 s in this process)")
        info = connection.connection.info  # the pooled connection's: seen by the pool events too
        info[_HOLDS_WRITE_LOCK] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            release(info)
            raise

    @event.listens_for(engine, "commit")
    def _commit(connection: Any) -> None:
        release(connection.connection.info)

    @event.listens_for(engine, "rollback")
    def _rollback(connection: Any) -> None:
        release(connection.connection.info)

    # A connection that reaches the pool without commit or rollback (abandoned, invalidated)
    # must not keep the lock.
    @event.listens_for(engine.pool, "reset")
    def _reset(dbapi_connection: Any, connection_record: Any, reset_state: Any) -> None:
        release(connection_record.info)

    @event.listens_for(engine.pool, "invalidate")
    def _invalidate(dbapi_connection: Any, connection_record: Any, exception: Any) -> None:
        release(connection_record.info)


_engine: Engine | None = None
_session_factory: sessionmaker[Session] | None = None


def get_engine() -> Engine:
    global _engine, _session_factory
    if _engine is None:
        settings = get_settings()
        _engine = make_engine(settings.database_url, echo=settings.sql_echo)
        _session_factory = sessionmaker(bind=_engine, expire_on_commit=False)
    return _engine


def reset_engine() -> None:
    """Forget the engine (after settings change, e.g. in the CLI or tests)."""
    global _engine, _session_factory
    if _engine is not None:
        _engine.dispose()
    _engine = None
    _session_factory = None


def session_factory() -> sessionmaker[Session]:
    get_engine()
    assert _session_factory is not None
    return _session_factory


@contextmanager
def job_session() -> Iterator[Session]:
    """A session for CLI commands and jobs: commits once on success, rolls back on error."""
    session = session_factory()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


async def request_session(request: Request) -> AsyncIterator[Session]:
    """FastAPI dependency: the request's only session, ended by :func:`end_request`.

    Always declare it through ``DbSession`` (``scope="function"``): the commit must happen
    before the response is sent, or a client could be told "done" about a write that then fails,
    and its next request might not see it.

    Opening a session does no I/O, so it happens on the event loop, and so does closing one
    that never began a transaction (or that :func:`ends_request` ended already); any other end
    runs in one worker-thread hop, shielded from cancellation so that a client that hangs up
    never leaves a connection checked out. The app's own engine (``create_app(settings)``) is
    used; the global one is the fallback."""
    factory = getattr(request.app.state, "session_factory", None) or session_factory()
    session = factory()
    current = _REQUEST.set((session, request))
    try:
        yield session
    except BaseException as error:
        _REQUEST.reset(current)
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(
                _end_and_close, session, request, error, limiter=_exit_limiter()
            )
        raise
    _REQUEST.reset(current)
    if _untouched(session):
        session.close()  # nothing began or it was ended already: no I/O, no thread
        return
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(
            _end_and_close, session, request, None, limiter=_exit_limiter()
        )


DbSession = Annotated[Session, Depends(request_session, scope="function")]
# The request's session and request, for :func:`ends_request` (worker threads inherit it).
_REQUEST: ContextVar[tuple[Session, Request] | None] = ContextVar("gridgov_request", default=None)

P = ParamSpec("P")
R = TypeVar("R")


def ends_request(endpoint: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """For a hot synchronous route: the endpoint and the end of its request's transaction
    (:func:`end_request`, the commit) run in one worker-thread hop, and the answer is checked
    and serialised on the event loop. A plain synchronous route costs FastAPI two hops (the
    endpoint, then the response's validation) and the session's end a third. The commit still
    comes before the response is sent; an error raised by the endpoint (or by the commit) ends
    the request as before."""

    def run_and_end(*args: P.args, **kwargs: P.kwargs) -> R:
        result = endpoint(*args, **kwargs)
        current = _REQUEST.get()
        if current is not None:  # tests override the session and end it themselves
            end_request(*current, None)
        return result

    @functools.wraps(endpoint)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        return await anyio.to_thread.run_sync(functools.partial(run_and_end, *args, **kwargs))

    run.runs_in_worker_thread = True  # type: ignore[attr-defined]  # for the routes' check
    return run


RefusalRecorder = Callable[[Session, Request, BaseException], bool]
_REFUSAL_RECORDERS: list[RefusalRecorder] = []


def on_refusal(recorder: RefusalRecorder) -> None:
    """Register ``recorder(session, request, error) -> wrote``, called after a refused request
    rolled back (the trail registers its record of denied access)."""
    if recorder not in _REFUSAL_RECORDERS:
        _REFUSAL_RECORDERS.append(recorder)


def end_request(session: Session, request: Request | None, error: BaseException | None) -> None:
    """The end of a request's transaction (see the module's docstring)."""
    if error is None or getattr(error, "keep_writes", False):
        try:
            session.commit()
        except BaseException:
            session.rollback()
            raise
        return
    session.rollback()
    if request is None or not _REFUSAL_RECORDERS:
        return
    try:
        if any([recorder(session, request, error) for recorder in _REFUSAL_RECORDERS]):
            session.commit()
    except Exception:
        # The refusal stands; a record of it that cannot be written must not replace it.
        session.rollback()
        logger.exception("could not record a refused request")


def _untouched(session: Session) -> bool:
    """A session that never began a transaction (the caller was known without a query, the
    answer needed none) and has no effect waiting for a commit."""
    return not (
        session.in_transaction()
        or session.info.get(_AFTER_COMMIT)
        or session.info.get(_BEFORE_COMMIT)
    )


def _exit_limiter() -> anyio.CapacityLimiter:
    # Ending a session must not queue behind requests waiting for a pooled connection in the
    # shared thread pool (that could deadlock), hence a limiter of its own for each exit.
    return anyio.CapacityLimiter(1)


def _end_and_close(session: Session, request: Request, error: BaseException | None) -> None:
    try:
        end_request(session, request, error)
    finally:
        session.close()


@contextmanager
def side_session(request: Request) -> Iterator[Session]:
    """A short transaction of its own beside the request's (checking the caller before an upload
    is parsed, off the write lock), ended like a request's. Tests' session override is used."""
    provider = request.app.dependency_overrides.get(request_session)
    if provider is not None:  # tests: their one session, ended by their override
        sessions = provider(request)
        session = next(sessions)
        try:
            yield session
        except BaseException as error:
            with contextlib.suppress(StopIteration):
                sessions.throw(error)
            raise
        next(sessions, None)
        return
    factory = getattr(request.app.state, "session_factory", None) or session_factory()
    session = factory()
    try:
        yield session
    except BaseException as error:
        _end_and_close(session, request, error)
        raise
    _end_and_close(session, request, None)


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """An attempt inside the request that may fail on its own (a form page shows the error and
    the form again): on an error its writes are undone and the error propagates; the request's
    transaction goes on."""
    with session.begin_nested():
        yield


def after_commit(session: Session, effect: Callable[[], None]) -> None:
    """Queue a side effect (notification, task) to run once the session's transaction commits.
    Queued inside a savepoint that is rolled back, it is dropped with it; queued before, it
    stays."""
    session.info.setdefault(_AFTER_COMMIT, []).append((session.get_nested_transaction(), effect))


def on_rollback(session: Session, effect: Callable[[], None]) -> None:
    """Queue ``effect`` to run if the work done from now on is rolled back: by the current
    savepoint's rollback, or by the outermost one; dropped when the transaction commits (e.g.
    :func:`gridgov.kit.repository.insert_now` forgets the objects it wrote)."""
    session.info.setdefault(_ON_ROLLBACK, []).append((session.get_nested_transaction(), effect))


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    session.info.pop(_ON_ROLLBACK, None)
    effects = session.info.pop(_AFTER_COMMIT, [])
    for _, effect in effects:
        effect()


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    """The outermost rollback drops every effect queued for a commit and runs every rollback
    effect; a savepoint's, those queued inside it."""
    if not previous.nested:
        if previous.parent is None:
            session.info.pop(_AFTER_COMMIT, None)
            for _, effect in session.info.pop(_ON_ROLLBACK, []):
                effect()
        return

    def inside(transaction: SessionTransaction | None) -> bool:
        while transaction is not None:
            if transaction is previous:
                return True
            transaction = transaction.parent
        return False

    if _AFTER_COMMIT in session.info:
        session.info[_AFTER_COMMIT] = [
            (where, effect) for where, effect in session.info[_AFTER_COMMIT] if not inside(where)
        ]
    if _ON_ROLLBACK in session.info:
        undone = [effect for where, effect in session.info[_ON_ROLLBACK] if inside(where)]
        session.info[_ON_ROLLBACK] = [
            (where, effect) for where, effect in session.info[_ON_ROLLBACK] if not inside(where)
        ]
        for effect in undone:
            effect()


def before_commit(session: Session, key: str, effect: Callable[[Session], object]) -> None:
    """Queue work that must land in the transaction itself, once, just before its outermost
    commit (savepoints do not trigger it): e.g. the statistics of every grid the transaction
    touched, computed once for a batch instead of once per change. One effect per ``key``; the
    effect may run earlier if a reader calls it (it then re-queues itself on the next change)."""
    session.info.setdefault(_BEFORE_COMMIT, {}).setdefault(key, effect)


@event.listens_for(Session, "before_commit")
def _run_before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    effects = session.info.pop(_BEFORE_COMMIT, {})
    for effect in effects.values():
        effect(session)
