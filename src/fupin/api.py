"""The JSON API under /api/v1/ (schema at /api/v1/openapi.json). Every router is thin: it calls
selectors, which are scoped to the caller's region; objects outside the scope answer 404."""

import decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from fupin.connectivity.api import router as connectivity_router
from fupin.core.api import router as core_router
from fupin.core.auth import API_AUTH
from fupin.core.errors import bad_input_text
from fupin.exchange.api import router as exchange_router
from fupin.regions.api import router as regions_router
from fupin.registry.api import router as registry_router

api = NinjaAPI(
    title="fupin API",
    version="1",
    description=(
        "网络扶贫信息服务平台 JSON API. Authenticate with the browser session or a bearer token "
        "(`Authorization: Bearer fp_…`). Every answer is limited to the caller's region; personal data is "
        "masked unless the caller's role needs it, and every clear read is audited."
    ),
    auth=API_AUTH,
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Service validation errors: 422 with the bilingual message per field (members as members.<i>.<field>)."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"errors": errors}, status=422)


@api.exception_handler(NinjaValidationError)
def _schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """Requests the schema refuses answer in the same documented shape as the services' 422 (``Errors``): field
    → messages, the field named by its place in the request (issue 20 C3: schemathesis found the other shape)."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        raw = list(error.get("loc", ()))
        if raw[:1] == ["body"] and len(raw) > 1:
            raw = raw[2:]  # ("body", <the view's parameter name>, field…): the field, whatever the parameter's name
        loc = [str(p) for p in raw if p not in ("body", "payload", "query", "path", "form")]
        errors.setdefault(".".join(loc) or "__all__", []).append(str(error.get("msg", "")))
    return api.create_response(request, {"errors": errors}, status=422)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"errors": {"__all__": [str(exc) or "permission denied"]}}, status=403)


@api.exception_handler(OverflowError)
@api.exception_handler(decimal.InvalidOperation)
@api.exception_handler(DataError)
@api.exception_handler(IntegrityError)
def _bad_input(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Values the schema accepts but the database cannot hold (issue 20 A8): 422, never 500."""
    return api.create_response(request, {"errors": {"__all__": [bad_input_text(exc)]}}, status=422)


api.add_router("/", core_router, tags=["me"])
api.add_router("/regions", regions_router, tags=["regions"])
api.add_router("/households", registry_router, tags=["registry"])
api.add_router("/connectivity", connectivity_router, tags=["connectivity"])
api.add_router("/exchange", exchange_router, tags=["exchange"])
api.add_router("/lifecycle", "fupin.lifecycle.api.router", tags=["lifecycle"])
api.add_router("/monitoring", "fupin.monitoring.api.router", tags=["monitoring"])
api.add_router("/indicators", "fupin.indicators.api.router", tags=["indicators"])
api.add_router("/commerce", "fupin.commerce.api.router", tags=["commerce"])
api.add_router("/team", "fupin.team.api.router", tags=["team"])
api.add_router("/projects", "fupin.projects.api.router", tags=["projects"])
api.add_router("/quality", "fupin.quality.api.router", tags=["quality"])
api.add_router("/welfare", "fupin.welfare.api.router", tags=["welfare"])
