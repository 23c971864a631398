"""服务与品牌 in the JSON API, mounted under `/service`: one router per part."""

from ninja import Router

from tianping.service.api import brands, community, liaison, volunteer

router = Router(tags=["服务与品牌"])
PARTS: tuple[Router, ...] = (
    volunteer.router,
    community.router,
    liaison.router,
    brands.router,
)
for part in PARTS:
    router.add_router("", part)
