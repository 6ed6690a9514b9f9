"""The versioned JSON API; its OpenAPI document is at /api/v1/openapi.json."""

from ninja import NinjaAPI

from booking.api import router as booking_router

api = NinjaAPI(
    title="Créneau API",
    version="1",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_router("/", booking_router)
