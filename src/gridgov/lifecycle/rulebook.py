"""The rules in force: the newest saved rule set, or the shipped file; saving checks first."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal
from gridgov.fieldwork.forms.registry import DEFAULT_MODULES_DIR
from gridgov.lifecycle import rules
from gridgov.lifecycle.repository import LifecycleRepository
from gridgov.models.field_module import FieldModule
from gridgov.models.lifecycle import RuleSet

# (version, text) → parsed book; a saved version never changes.
_BOOKS: dict[tuple[int, int], rules.RuleBook] = {}


def shipped_modules() -> set[str]:
    return {p.stem.split("_", 1)[-1] for p in DEFAULT_MODULES_DIR.glob("*.xlsx")}


def known_modules(session: Session) -> set[str]:
    """The module codes a rule may name: installed ones and the shipped workbooks."""
    return shipped_modules() | set(session.scalars(select(FieldModule.code).distinct()))


def current_text(session: Session) -> tuple[int, str]:
    """(version, text) of the rules in force; version 0 is the shipped file."""
    saved = LifecycleRepository(session).newest_rule_set()
    if saved is None:
        return 0, rules.default_text()
    return saved.version, saved.text


def current(session: Session) -> rules.RuleBook:
    """The rules in force (looked up once per transaction; saving clears it)."""
    book: rules.RuleBook | None = session.info.get("lifecycle.rules")
    if book is None:
        book = session.info["lifecycle.rules"] = _parsed(session)
    return book


def _parsed(session: Session) -> rules.RuleBook:
    version, text = current_text(session)
    key = (version, hash(text))
    book = _BOOKS.get(key)
    if book is None:
        # The saved text was checked against the modules of its day; a module retired since
        # must not stop the rules from loading, so modules are not checked again here.
        book = rules.load(text)
        _BOOKS[key] = book
    return book


def save(session: Session, *, principal: Principal, text: str) -> RuleSet:
    """Store a new version after checking it (refused with line and reason)."""
    rules.load(text, modules=known_modules(session))
    session.info.pop("lifecycle.rules", None)
    version, _ = current_text(session)
    rule_set = RuleSet(version=version + 1, text=text, saved_by=principal.user_id or None)
    session.add(rule_set)
    session.flush()
    trail.record(
        session,
        action="lifecycle.rules.save",
        object_type="lifecycle_rule_set",
        object_id=rule_set.version,
        principal=principal,
        after={"version": rule_set.version, "characters": len(text)},
    )
    return rule_set
