"""Accounts and sign-in. Functions take keyword-only arguments and never commit.

Failed sign-ins change state (failure counter, lock-out, trail entry) *and* fail: their errors
keep the request's writes (``keep_writes``, see gridgov.auth.errors and kit.db.end_request).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.auth import passwords, session_cache
from gridgov.auth.errors import (
    AccountDisabled,
    AccountLocked,
    InvalidCredentials,
    InvalidToken,
)
from gridgov.auth.repository import SessionRepository, UserRepository
from gridgov.auth.schemas import UserCreate, UserUpdate
from gridgov.auth.tokens import new_sid, new_token, token_hash
from gridgov.authz.principal import DEPARTMENT_ROLES, REGION_ROLE_CODE_LENGTH, Principal, Role
from gridgov.config import Settings
from gridgov.kit import throttle
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import BadRequest, Conflict, Forbidden, NotFound
from gridgov.models.user import AuthSession, User

REFRESH_TOKEN_DAYS = 7
# Refresh last_seen_at at most this often (an idle timeout needs no per-request write).
TOUCH_INTERVAL = timedelta(seconds=60)
# Roles that administer the system itself; one account never holds two (a user has one role),
# and no administrator may grant or take one of these roles to/from themselves.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})


def aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; every stored time is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def user_snapshot(user: User) -> dict[str, object]:
    """What the trail keeps of an account (never the password hash)."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "region_code": user.region_code,
        "department_code": user.department_code,
        "staff_id": user.staff_id,
        "active": user.active,
        "must_change_password": user.must_change_password,
    }


# ---------------------------------------------------------------- accounts


def validate_scope_fields(
    *, role: Role, region_code: str | None, department_code: str | None
) -> None:
    """A role's data scope must be fully described (and nothing else given)."""
    if role == Role.RESIDENT:
        raise BadRequest("居民无需账户即可反映问题", "Residents report without an account")
    if role in REGION_ROLE_CODE_LENGTH:
        length = REGION_ROLE_CODE_LENGTH[role]
        if not region_code or len(region_code) != length or not region_code.isdigit():
            raise BadRequest(
                f"该角色需要 {length} 位区域代码", f"Role {role} needs a {length}-digit region code"
            )
    elif role == Role.INSPECTOR:
        if not region_code:
            raise BadRequest(
                "巡查员需要所属叠加网格代码", "Inspectors need their overlay grid code"
            )
    elif region_code:
        raise BadRequest("该角色不按区域限定范围", f"Role {role} has no region scope")
    if role in DEPARTMENT_ROLES:
        if not department_code:
            raise BadRequest("部门角色需要部门代码", f"Role {role} needs a department code")
    elif department_code:
        raise BadRequest("该角色不属于部门", f"Role {role} belongs to no department")


def _check_staff(session: Session, *, staff_id: int | None, user_id: int | None) -> None:
    """A linked staff record must exist and belong to no other account."""
    if staff_id is None:
        return
    users = UserRepository(session)
    if not users.staff_exists(staff_id):
        raise BadRequest("工作人员记录不存在", f"No staff record {staff_id}")
    holder = users.staff_linked(staff_id)
    if holder is not None and holder.id != user_id:
        raise Conflict("该工作人员已关联其他账户", f"Staff {staff_id} belongs to another account")


def create_user(
    session: Session,
    *,
    user_in: UserCreate,
    settings: Settings,
    actor: Principal | None = None,
    password_hash: str | None = None,
) -> User:
    """Create an account. ``password_hash`` (tests, demo) skips hashing but not the rules."""
    username = user_in.username.lower()
    validate_scope_fields(
        role=user_in.role, region_code=user_in.region_code, department_code=user_in.department_code
    )
    passwords.check_password_rules(user_in.password, username=username)
    if actor is not None:
        _check_may_manage(actor=actor, role=user_in.role, target_user_id=None)
    users = UserRepository(session)
    if users.get_by_username(username) is not None:
        raise Conflict("用户名已存在", f"Username {username!r} is taken")
    _check_staff(session, staff_id=user_in.staff_id, user_id=None)
    now = utcnow()
    user = User(
        username=username,
        display_name=user_in.display_name,
        password_hash=password_hash or passwords.hash_password(user_in.password, settings=settings),
        role=user_in.role.value,
        region_code=user_in.region_code,
        department_code=user_in.department_code,
        staff_id=user_in.staff_id,
        active=True,
        must_change_password=user_in.must_change_password,
        failed_count=0,
        password_changed_at=now,
    )
    users.add(user)
    trail.record(
        session,
        action="user.create",
        object_type="user",
        object_id=user.id,
        principal=actor,
        after=user_snapshot(user),
    )
    return user


def _check_may_manage(*, actor: Principal, role: Role | None, target_user_id: int | None) -> None:
    """Security administrators manage accounts; nobody manages their own account's role or
    state (separation of duties, GB/T 22239)."""
    if actor.role != Role.SECURITY_ADMIN:
        raise Forbidden(
            "仅安全管理员可管理账户", "Only the security administrator manages accounts"
        )
    if target_user_id is not None and target_user_id == actor.user_id:
        raise Forbidden("不能管理自己的账户", "You cannot manage your own account")
    if role in ADMIN_ROLES:
        raise Forbidden(
            "系统、安全、审计管理员账户只能在服务器命令行管理",
            "System, security and audit administrator accounts are managed on the command "
            "line only",
        )


def check_region_exists(session: Session, *, user: User) -> None:
    """The region an account is scoped to must exist (base layer, or an overlay for inspectors)."""
    if not user.region_code:
        return
    region = UserRepository(session).region_by_code(user.region_code)
    wanted_overlay = user.role == Role.INSPECTOR
    if region is None or (region.level == "overlay") != wanted_overlay:
        raise BadRequest(
            "区域代码不存在或层级不符", f"No matching region with code {user.region_code!r}"
        )


def get_user(session: Session, *, username: str) -> User:
    user = UserRepository(session).get_by_username(username)
    if user is None:
        raise NotFound("用户不存在", f"No user {username!r}")
    return user


def update_user(
    session: Session,
    *,
    user: User,
    user_in: UserUpdate,
    actor: Principal | None = None,
) -> User:
    changes = user_in.model_dump(exclude_unset=True)
    role = Role(changes.pop("role", None) or user.role)
    role_changed = role != user.role
    if actor is not None:
        _check_may_manage(actor=actor, role=Role(user.role), target_user_id=user.id)
        if role_changed:  # the role granted is checked as well as the role held
            _check_may_manage(actor=actor, role=role, target_user_id=user.id)
    if role_changed:
        changes["role"] = role.value
        # A scope the new role does not use goes; the one it needs must come with it.
        if role not in REGION_ROLE_CODE_LENGTH and role != Role.INSPECTOR:
            changes.setdefault("region_code", None)
        if role not in DEPARTMENT_ROLES:
            changes.setdefault("department_code", None)
    before = user_snapshot(user)
    region_code = changes.get("region_code", user.region_code)
    department_code = changes.get("department_code", user.department_code)
    validate_scope_fields(role=role, region_code=region_code, department_code=department_code)
    if "staff_id" in changes:
        _check_staff(session, staff_id=changes["staff_id"], user_id=user.id)
    for name, value in changes.items():
        setattr(user, name, value)
    session.flush()
    if (
        changes.get("active") is False
        or role_changed
        or before["region_code"] != user.region_code
        or before["department_code"] != user.department_code
    ):
        # What the account may see changed: its open sessions end.
        SessionRepository(session).revoke_all(user.id, now=utcnow())
    session_cache.forget_user(session, user.id)
    trail.record(
        session,
        action="user.role_change" if role_changed else "user.update",
        object_type="user",
        object_id=user.id,
        principal=actor,
        before=before,
        after=user_snapshot(user),
    )
    return user


def set_active(
    session: Session, *, user: User, active: bool, actor: Principal | None = None
) -> User:
    return update_user(session, user=user, user_in=UserUpdate(active=active), actor=actor)


def reset_password(
    session: Session,
    *,
    user: User,
    new_password: str,
    settings: Settings,
    actor: Principal | None = None,
) -> User:
    """Set a new initial password: the owner must change it at the next sign-in."""
    if actor is not None:
        _check_may_manage(actor=actor, role=Role(user.role), target_user_id=user.id)
    passwords.check_password_rules(new_password, username=user.username)
    set_password(
        session, user=user, password=new_password, settings=settings, must_change=True, actor=actor
    )
    return user


def set_password(
    session: Session,
    *,
    user: User,
    password: str,
    settings: Settings,
    must_change: bool,
    actor: Principal | None = None,
    note: str | None = None,
) -> None:
    """Store a password set for the owner (a reset, the demo accounts): the account is unlocked,
    its sessions end, the trail says so."""
    user.password_hash = passwords.hash_password(password, settings=settings)
    user.must_change_password = must_change
    user.failed_count = 0
    user.locked_until = None
    user.password_changed_at = utcnow()
    SessionRepository(session).revoke_all(user.id, now=utcnow())
    session_cache.forget_user(session, user.id)
    session.flush()
    trail.record(
        session,
        action="user.reset_password",
        object_type="user",
        object_id=user.id,
        principal=actor,
        note=note,
        after=user_snapshot(user),
    )


def change_password(
    session: Session,
    *,
    principal: Principal,
    current_password: str,
    new_password: str,
    settings: Settings,
) -> User:
    user = UserRepository(session).get_for_update(principal.user_id)
    if user is None:
        raise InvalidToken()
    if not passwords.verify_password(user.password_hash, current_password, settings=settings):
        raise BadRequest("当前密码错误", "The current password is wrong")
    if new_password == current_password:
        raise BadRequest(
            "新密码不能与当前密码相同", "The new password must differ from the current one"
        )
    passwords.check_password_rules(new_password, username=user.username)
    user.password_hash = passwords.hash_password(new_password, settings=settings)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    # Other sessions (a lost phone, another browser) end with the old password.
    SessionRepository(session).revoke_all(user.id, now=utcnow(), except_sid=principal.session_id)
    session_cache.forget_user(session, user.id)
    session.flush()
    trail.record(
        session,
        action="auth.password_changed",
        object_type="user",
        object_id=user.id,
        principal=principal,
    )
    return user


# ---------------------------------------------------------------- sign-in


@dataclass(frozen=True)
class Issued:
    """A new session and its secrets (shown to the client once, stored only as hashes)."""

    auth_session: AuthSession
    user: User
    token: str
    refresh_token: str | None
    expires_in: int
    refresh_expires_in: int


def authenticate(
    session: Session, *, username: str, password: str, settings: Settings, channel: str
) -> User:
    """Check a username and password. Failures are counted and written to the trail before the
    error is raised; the error keeps them (see module docstring)."""
    now = utcnow()
    users = UserRepository(session)
    user = users.get_by_username(username)
    try:  # per address, per account and address, paced per account (gridgov.kit.throttle)
        throttle.before_sign_in(username)
    except throttle.SignInThrottled:
        _failed(session, user=user, username=username, channel=channel, note="throttled")
        raise
    if user is None:
        passwords.burn_verify(password, settings=settings)
        throttle.sign_in_failed(username)
        _failed(session, user=None, username=username, channel=channel, note="unknown user")
        raise InvalidCredentials()
    # An administrator's lock; failed sign-ins no longer lock the account for everyone (a
    # stranger could lock anyone out): they are throttled per account and address instead.
    if user.locked_until is not None and aware(user.locked_until) > now:
        _failed(session, user=user, username=username, channel=channel, note="locked")
        raise _locked(aware(user.locked_until))
    if not passwords.verify_password(user.password_hash, password, settings=settings):
        user.failed_count = (user.failed_count or 0) + 1
        note = f"wrong password ({user.failed_count} since the last sign-in)"
        session.flush()
        throttle.sign_in_failed(username)
        _failed(session, user=user, username=username, channel=channel, note=note)
        raise InvalidCredentials()
    if not user.active:
        _failed(session, user=user, username=username, channel=channel, note="disabled")
        raise AccountDisabled()
    user.failed_count = 0
    user.locked_until = None
    user.last_login_at = now
    throttle.sign_in_succeeded(username)
    if passwords.needs_rehash(user.password_hash, settings=settings):
        user.password_hash = passwords.hash_password(password, settings=settings)
    session.flush()
    return user


def _locked(until: datetime) -> AccountLocked:
    minutes = max(1, int((until - utcnow()).total_seconds() // 60) + 1)
    return AccountLocked(
        f"登录失败次数过多，账户已锁定，请 {minutes} 分钟后再试",
        f"Too many failed sign-ins; the account is locked for {minutes} more minutes",
        locked_until=until.isoformat(),
    )


def _failed(session: Session, *, user: User | None, username: str, channel: str, note: str) -> None:
    trail.record(
        session,
        action="auth.login_failed",
        object_type="user",
        object_id=user.id if user else None,
        outcome="failure",
        before=None,
        after={"username": username[:64], "channel": channel},
        note=note,
    )


def resolve_grid_codes(session: Session, *, user: User) -> list[str] | None:
    """Overlay inspectors read the community grids their overlay region covers."""
    if user.role != Role.INSPECTOR or not user.region_code:
        return None
    return UserRepository(session).overlay_grid_codes(user.region_code)


def open_session(
    session: Session,
    *,
    user: User,
    kind: str,
    channel: str,
    settings: Settings,
    client: str | None = None,
) -> Issued:
    now = utcnow()
    token = new_token()
    refresh = new_token() if kind == "bearer" else None
    lifetime = timedelta(minutes=settings.access_token_minutes)
    refresh_lifetime = timedelta(days=REFRESH_TOKEN_DAYS)
    auth_session = AuthSession(
        sid=new_sid(),
        user_id=user.id,
        kind=kind,
        channel=channel,
        token_hash=token_hash(token),
        refresh_hash=token_hash(refresh) if refresh else None,
        created_at=now,
        expires_at=now + lifetime,
        refresh_expires_at=now + refresh_lifetime if refresh else None,
        last_seen_at=now,
        grid_codes=resolve_grid_codes(session, user=user),
        client=(client or "")[:200] or None,
    )
    sessions = SessionRepository(session)
    sessions.purge_stale(user.id, before=now - timedelta(days=1))
    sessions.add(auth_session)
    principal = principal_of(user=user, auth_session=auth_session)
    trail.record(
        session,
        action="auth.login",
        object_type="user",
        object_id=user.id,
        principal=principal,
        after={"kind": kind, "sid": auth_session.sid},
    )
    return Issued(
        auth_session=auth_session,
        user=user,
        token=token,
        refresh_token=refresh,
        expires_in=int(lifetime.total_seconds()),
        refresh_expires_in=int(refresh_lifetime.total_seconds()) if refresh else 0,
    )


def login(
    session: Session,
    *,
    username: str,
    password: str,
    kind: str,
    channel: str,
    settings: Settings,
    client: str | None = None,
) -> Issued:
    user = authenticate(
        session, username=username, password=password, settings=settings, channel=channel
    )
    return open_session(
        session, user=user, kind=kind, channel=channel, settings=settings, client=client
    )


def refresh(session: Session, *, refresh_token: str, settings: Settings) -> Issued:
    """Trade a refresh token for a new session (rotation). A refresh token used twice means it
    was copied: every session of that user ends."""
    now = utcnow()
    sessions = SessionRepository(session)
    old = sessions.by_refresh_hash(token_hash(refresh_token))
    if old is None:
        raise InvalidToken()
    if old.revoked_at is not None:
        sessions.revoke_all(old.user_id, now=now)
        session_cache.forget_user(session, old.user_id)
        trail.record(
            session,
            action="auth.refresh_reuse",
            object_type="user",
            object_id=old.user_id,
            outcome="failure",
            note=f"revoked refresh token of session {old.sid} presented again",
        )
        raise InvalidToken()
    if old.refresh_expires_at is None or aware(old.refresh_expires_at) <= now:
        raise InvalidToken()
    user = UserRepository(session).get(old.user_id)
    if user is None or not user.active:
        raise AccountDisabled()
    old.revoked_at = now
    session_cache.forget_user(session, old.user_id)
    session.flush()
    return open_session(
        session, user=user, kind="bearer", channel=old.channel, settings=settings, client=old.client
    )


def logout(session: Session, *, principal: Principal) -> None:
    if principal.session_id is None:
        return
    auth_session = SessionRepository(session).by_sid(principal.session_id)
    if auth_session is not None and auth_session.revoked_at is None:
        auth_session.revoked_at = utcnow()
        session_cache.forget_user(session, principal.user_id)
        session.flush()
        trail.record(
            session,
            action="auth.logout",
            object_type="user",
            object_id=principal.user_id,
            principal=principal,
        )


def principal_of(*, user: User, auth_session: AuthSession) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        region_code=user.region_code,
        department_code=user.department_code,
        grid_codes=frozenset(auth_session.grid_codes or ()),
        channel=auth_session.channel,
        session_id=auth_session.sid,
    )


# The account's readable facts (``UserRead``'s fields) that come with a resolved caller.
ACCOUNT_FACTS = (
    "username",
    "display_name",
    "role",
    "region_code",
    "department_code",
    "staff_id",
    "active",
    "must_change_password",
    "locked_until",
    "last_login_at",
)


@dataclass(frozen=True)
class Resolved:
    principal: Principal
    must_change_password: bool
    # Read in the same query as the principal (or remembered with it): ``/auth/me`` needs no
    # query of its own.
    account: Mapping[str, Any]


def recall(token: str, *, kind: str, settings: Settings) -> Resolved | None:
    """The caller of a token resolved in this process seconds ago (no I/O), or None."""
    if not settings.session_cache_seconds:
        return None
    entry = session_cache.recall(
        token_hash(token),
        kind=kind,
        now=utcnow(),
        max_age=settings.session_cache_seconds,
        touch_interval=TOUCH_INTERVAL,
    )
    if entry is None:
        return None
    return Resolved(entry.principal, must_change_password=False, account=entry.account)


def resolve(session: Session, *, token: str, kind: str, settings: Settings) -> Resolved:
    """The principal of a presented token or session cookie, or :class:`InvalidToken`."""
    now = utcnow()
    digest = token_hash(token)
    seen = session_cache.generation()
    sessions = SessionRepository(session)
    found = sessions.by_token_hash(digest)
    if found is None:
        raise InvalidToken()
    expires_at = aware(found.expires_at)
    if found.kind != kind or found.revoked_at is not None or expires_at <= now:
        raise InvalidToken()
    if not found.active:
        raise AccountDisabled()
    last_seen = aware(found.last_seen_at)
    if kind == "web" and now - last_seen > timedelta(minutes=settings.session_idle_minutes):
        raise InvalidToken()
    if now - last_seen > TOUCH_INTERVAL:
        sessions.touch(found.id, at=now)
        last_seen = now
    principal = Principal(
        user_id=found.user_id,
        username=found.username,
        role=Role(found.role),
        region_code=found.region_code,
        department_code=found.department_code,
        grid_codes=frozenset(found.grid_codes or ()),
        channel=found.channel,
        session_id=found.sid,
    )
    facts = found._mapping
    account = {"id": found.user_id, **{name: facts[name] for name in ACCOUNT_FACTS}}
    if settings.session_cache_seconds and not found.must_change_password:
        entry = session_cache.Remembered(
            principal=principal,
            account=account,
            kind=kind,
            expires_at=expires_at,
            last_seen=last_seen,
            stored=time.monotonic(),
        )
        session_cache.remember(digest, entry, seen=seen)
    return Resolved(
        principal=principal, must_change_password=found.must_change_password, account=account
    )
