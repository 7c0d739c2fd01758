"""Reading a posted form without blocking the event loop."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData


async def posted_form(request: Request) -> FormData:
    """The body of a form POST, read on the event loop, so that the endpoint can be a plain
    ``def``: its database work then runs in the thread pool instead of stalling the loop."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]
