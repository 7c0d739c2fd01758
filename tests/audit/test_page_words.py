"""The audit page's before/after table shows values in words: the chain check's yes/no, how
one signed in."""

from __future__ import annotations

from types import SimpleNamespace

from gridgov.audit.pages import changes


def test_booleans_and_sign_in_kinds_in_words() -> None:
    check = SimpleNamespace(
        action="audit.verify", object_type="audit", before={}, after={"intact": True}
    )
    assert [row[2] for row in changes("zh-CN", check)] == ["是"]  # type: ignore[arg-type]
    assert [row[2] for row in changes("en", check)] == ["Yes"]  # type: ignore[arg-type]
    login = SimpleNamespace(
        action="auth.login", object_type="user", before={}, after={"kind": "bearer"}
    )
    assert [row[2] for row in changes("zh-CN", login)] == ["接口令牌"]  # type: ignore[arg-type]
