"""人才与荣誉 in the JSON API, mounted under `/talent`: one router per part."""

from ninja import Router

from tianping.talent.api import honours, pools

router = Router(tags=["人才与荣誉"])
PARTS: tuple[Router, ...] = (honours.router, pools.router)
from tianping.talent.api import competitions

router = Router(tags=["人才与荣誉"])
PARTS: tuple[Router, ...] = (competitions.router,)
from tianping.talent.api import typing

router = Router(tags=["人才与荣誉"])
PARTS: tuple[Router, ...] = (typing.router,)
for part in PARTS:
    router.add_router("", part)
