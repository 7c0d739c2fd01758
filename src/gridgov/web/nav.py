"""The top navigation: each domain registers its pages with the roles that may open them."""

from __future__ import annotations

from dataclasses import dataclass

from gridgov.authz.principal import Principal, Role


@dataclass(frozen=True)
class NavItem:
    label_key: str
    href: str
    roles: frozenset[Role] | None  # None: every signed-in user
    # A URL answering the number to show beside the entry (htmx), e.g. requests waiting.
    badge: str | None = None


NAV_ITEMS: list[NavItem] = []


def add_nav(
    label_key: str, href: str, roles: set[Role] | None = None, *, badge: str | None = None
) -> None:
    if all(item.href != href for item in NAV_ITEMS):
        NAV_ITEMS.append(NavItem(label_key, href, frozenset(roles) if roles else None, badge))


def nav_for(principal: Principal | None) -> list[NavItem]:
    """The menu of a signed-in account; nobody else (a signed-out page, a resident reporting
    without an account) has one."""
    if principal is None or principal.account_id is None:
        return []
    return [item for item in NAV_ITEMS if item.roles is None or principal.role in item.roles]
