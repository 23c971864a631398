"""人才与荣誉 in the JSON API, mounted under `/talent`: one router per part."""

from ninja import Router

from tianping.talent.api import competitions, honours, pools, typing

router = Router(tags=["人才与荣誉"])
PARTS: tuple[Router, ...] = (
    honours.router,
    pools.router,
    competitions.router,
    typing.router,
)
for part in PARTS:
    router.add_router("", part)
