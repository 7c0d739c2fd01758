"""The trail's scheduled anchor (see :mod:`gridgov.audit.anchor`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.audit.anchor import write_anchor
from gridgov.authz.principal import Principal
from gridgov.config import get_settings
from gridgov.jobs.registry import every, scheduled


@scheduled("audit.anchor", every(minutes=60), "留痕哈希链外部锚定", "anchor the audit trail")
def anchor_trail(session: Session, principal: Principal, now: datetime) -> int:
    """Sign the sealed head and append it outside the database; nothing when not configured."""
    settings = get_settings()
    if settings.anchor_key_file is None or settings.anchor_dir is None:
        return 0
    write_anchor(
        session.connection(),
        key_file=settings.anchor_key_file,
        directory=settings.anchor_dir,
        now=now,
    )
    return 1
