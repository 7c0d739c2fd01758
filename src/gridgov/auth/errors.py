"""Sign-in errors (status and code tell the client what to do next).

A refused sign-in or refresh still counts (failure counter, lock-out, a revoked token family,
the trail): these errors keep the request's writes (``keep_writes``)."""

from __future__ import annotations

from gridgov.kit.errors import Forbidden, Locked, Unauthorized


class InvalidCredentials(Unauthorized):
    keep_writes = True
    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__("用户名或密码错误", "Wrong username or password")


class AccountLocked(Locked):
    keep_writes = True
    code = "account_locked"


class AccountDisabled(Unauthorized):
    keep_writes = True
    code = "account_disabled"

    def __init__(self) -> None:
        super().__init__("账户已停用", "This account is disabled")


class InvalidToken(Unauthorized):
    keep_writes = True
    code = "invalid_token"

    def __init__(self) -> None:
        super().__init__("登录已失效，请重新登录", "Token invalid or expired; sign in again")


class SignInRequired(Unauthorized):
    code = "unauthorized"

    def __init__(self) -> None:
        super().__init__("请先登录", "Sign-in required")


class PasswordChangeRequired(Forbidden):
    code = "password_change_required"

    def __init__(self) -> None:
        super().__init__("请先修改初始密码", "Change your initial password first")


class RoleNotAllowed(Forbidden):
    code = "forbidden"

    def __init__(self) -> None:
        super().__init__("无权访问", "Your role may not do this")


class CsrfFailed(Forbidden):
    code = "csrf_failed"

    def __init__(self) -> None:
        super().__init__("表单已过期，请刷新页面后重试", "Form expired or forged (CSRF); reload")
