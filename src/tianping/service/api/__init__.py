"""服务与品牌 in the JSON API, mounted under `/service`: one router per part."""

from ninja import Router

from tianping.service.api import volunteer

router = Router(tags=["服务与品牌"])
PARTS: tuple[Router, ...] = (volunteer.router,)
from tianping.service.api import community

router = Router(tags=["服务与品牌"])
PARTS: tuple[Router, ...] = (community.router,)
from tianping.service.api import brands, liaison

router = Router(tags=["服务与品牌"])
PARTS: tuple[Router, ...] = (liaison.router, brands.router)
for part in PARTS:
    router.add_router("", part)
