"""Form pages: reading a posted form without blocking the event loop, and trying a change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from gridgov.kit.db import savepoint
from gridgov.kit.errors import Forbidden, GridgovError
from gridgov.web.i18n import request_language


async def posted_form(request: Request) -> FormData:
    """The body of a form POST, read on the event loop, so that the endpoint can be a plain
    ``def``: its database work then runs in the thread pool instead of stalling the loop."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


@dataclass
class Attempt:
    """What a form's attempt came to: ``error`` is set when it was refused."""

    error: GridgovError | None = None

    def message(self, request: Request) -> str:
        assert self.error is not None
        return self.error.message_for(request_language(request))


@contextmanager
def attempt(session: Session) -> Iterator[Attempt]:
    """A form page's try at a change: on a business error its writes are undone (a savepoint)
    and the page shows the form again with the reason. ``Forbidden`` is never a form error: it
    goes on to the one error mapping (an error page, and the trail's record of the denial)."""
    outcome = Attempt()
    try:
        with savepoint(session):
            yield outcome
    except Forbidden:
        raise
    except GridgovError as exc:
        outcome.error = exc


def form_number(text: str | None) -> float | None:
    """A number typed into a form field; nothing, or not a number, is ``None``."""
    try:
        return float(text) if text and text.strip() else None
    except ValueError:
        return None
