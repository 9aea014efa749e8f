from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fupin.core import audit, exports, recovery
from fupin.core.errors import error_text
from fupin.core.exports import audited_export, export_source
from fupin.core.models import AuditEvent, ExportJob
from fupin.core.pagination import paginate, query_without
from fupin.core.roles import AUDIT_ROLES
from fupin.core.scoping import scope_of
from fupin.core.selectors import audit_events, tokens_of
from fupin.core.services import create_api_token, revoke_api_token

_login = auth_views.LoginView.as_view(template_name="core/login.html", redirect_authenticated_user=True)


def address_locked(request: HttpRequest) -> bool:
    """Too many failed logins from this address in the last 30 minutes (any usernames): password spraying."""
    ip = audit.client_ip(request)
    if ip is None:
        return False
    since = timezone.now() - dt.timedelta(minutes=30)
    failures = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, ip=ip, at__gte=since).count()
    return failures >= settings.FUPIN_LOGIN_ADDRESS_LIMIT


def login_view(request: HttpRequest) -> HttpResponseBase:
    if request.method == "POST" and address_locked(request):
        return render(request, "core/locked_out.html", {"by_address": True}, status=429)
    return _login(request)


def _require_audit_role(request: HttpRequest) -> None:
    user: Any = request.user
    if not (user.is_superuser or user.has_role(*AUDIT_ROLES)):
        raise PermissionDenied


AUDIT_FILTERS = ("username", "action", "object_type", "since", "until")
MAX_AUDIT_ROWS = 100_000


@export_source
def audit_rows(user: Any, params: dict[str, str], last_id: int) -> Iterator[tuple[Any, ...]]:
    events = audit_events(user, params).filter(id__lte=last_id)
    for e in events[:MAX_AUDIT_ROWS].iterator():
        yield (e.at.isoformat(timespec="seconds"), e.username, e.get_action_display(), e.object_type, e.object_id,
               e.region_code, e.summary, e.ip or "", e.channel)


@login_required
def audit_log(request: HttpRequest) -> HttpResponseBase:
    _require_audit_role(request)
    events = audit_events(request.user, request.GET)  # type: ignore[arg-type]
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        header = [_("time"), _("user"), _("action"), _("object type"), _("object"), _("region"), _("summary"),
                  _("IP address"), _("channel")]
        params = {k: v for k, v in request.GET.items() if k in AUDIT_FILTERS}
        # the log as it is now, whenever the rows are read (at once or by the background worker)
        last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        return audited_export(actor=request.user, what="core.auditevent", fmt=fmt, filename="audit-log", header=header,
                              source=audit_rows, params={"params": params, "last_id": last},
                              count=min(events.count(), MAX_AUDIT_ROWS), region_code=scope_of(request.user).prefix or "",
                              summary="audit log export")
    page = paginate(request, events, 50)
    return render(request, "core/audit_log.html", {
        "page": page, "actions": AuditEvent.Action.choices, "params": request.GET,
        "query": query_without(request, "page"),
    })


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    raw = None
    if request.method == "POST":
        try:
            _token, raw = create_api_token(user=request.user, name=request.POST.get("name", ""))  # type: ignore[arg-type]
        except ValueError as exc:
            messages.error(request, error_text(exc))
    return render(request, "core/tokens.html", {"tokens": tokens_of(request.user), "raw": raw})  # type: ignore[arg-type]


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    from fupin.core.models import ApiToken

    try:
        revoke_api_token(user=request.user, token_id=token_id)  # type: ignore[arg-type]
    except ApiToken.DoesNotExist:
        messages.error(request, _("No such token."))
    return redirect("tokens")


# --- large exports run by the background worker (core.exports) ----------------------------------------------------


def _my_export(request: HttpRequest, token: str) -> ExportJob:
    """The export at ``token`` if the user asked for it; 404 for everyone else (administrators too), so that exports
    cannot be probed."""
    exports.purge_expired()
    return get_object_or_404(ExportJob, token=token, actor_id=request.user.pk)


@login_required
def my_exports(request: HttpRequest) -> HttpResponse:
    """The user's exports of the last day, newest first, with their state and download links."""
    exports.purge_expired()
    jobs = list(ExportJob.objects.filter(actor_id=request.user.pk, created_at__gte=timezone.now() - exports.keep_for())
                .order_by("-created_at")[:50])
    return render(request, "core/exports.html", {"jobs": jobs, "keep_hours": int(exports.keep_for().total_seconds() // 3600)})


@login_required
def export_job(request: HttpRequest, token: str) -> HttpResponse:
    """The progress of one export (htmx polls the card every second while it runs), then its download link."""
    job = _my_export(request, token)
    context = {"job": job, "running": job.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING),
               "percent": min(100, round(100 * job.done_rows / job.total)) if job.total else None,
               "expires_at": job.created_at + exports.keep_for(), "stopped": job.message == recovery.REASON}
    if request.headers.get("HX-Request"):
        return render(request, "core/_export_progress.html", context)
    return render(request, "core/export_job.html", context)


@login_required
def export_download(request: HttpRequest, token: str) -> HttpResponseBase:
    job = _my_export(request, token)
    if job.status != ExportJob.Status.DONE or not exports.export_path(job).exists():
        return redirect("export_job", token=job.token)
    return exports.download(job, request.user)
