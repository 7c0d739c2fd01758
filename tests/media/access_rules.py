"""Access rules of the media API: any signed-in user uploads; a photo is read by its uploader
and by whoever may read the case it is attached to."""

from __future__ import annotations

from gridgov.authz.principal import Role
from gridgov.models.media import Media
from tests.authz.matrix import SIGNED_IN, Ctx, Rule, Scoped
from tests.cases.access_rules import make_case


def _photo_of(ctx: Ctx, grid_code: str) -> dict[str, str]:
    case = make_case(ctx, grid_code=grid_code)
    media = Media(
        sha256="0" * 64, content_type="image/jpeg", size=1, filename="x.jpg", case_id=case.id
    )
    ctx.db.add(media)
    ctx.db.commit()
    return {"media_id": str(media.id)}


def home(ctx: Ctx) -> dict[str, str]:
    return _photo_of(ctx, ctx.city.home_grid.code)


def sibling(ctx: Ctx) -> dict[str, str]:
    return _photo_of(ctx, ctx.city.sibling_grid.code)


RULES = [
    Rule("POST", "/api/v1/media", allowed=SIGNED_IN),
    Rule(
        "GET",
        "/api/v1/media/{media_id}",
        allowed=SIGNED_IN,
        path_params={"media_id": "999999999"},
        # Inside: readable, but the test row has no file on disk (404 "file missing").
        scoped=(Scoped(Role.GRID_WORKER, home, sibling, inside_status=404),),
    ),
]
