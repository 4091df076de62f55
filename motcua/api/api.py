"""The JSON API: one NinjaAPI, routers wired from each bounded context."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="motcua API",
    version="1.0.0",
    description="API của hệ thống một cửa điện tử motcua / the motcua one-stop API",
    urls_namespace="api",
)
