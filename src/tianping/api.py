"""The JSON API at /api/v1/: one NinjaAPI, a router per app, token or session auth."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="天平 Tianping API",
    version="1.0.0",
    urls_namespace="api",
    docs_url="/docs",
)
