"""The audit log (X2): every write and every read of personal data, with who, what, when and from where.

The request middleware puts the client address and channel (web, api) in a context variable so that
service functions, which do not see the request, still record where an action came from; management
commands record the channel ``cli``.
"""

from __future__ import annotations

import contextvars
import getpass
import socket
from collections.abc import Callable
from typing import Any

from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from fupin.core.models import AuditEvent

_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("fupin_audit", default=None)


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        deferred: list[dict[str, Any]] = []
        token = _context.set({"ip": client_ip(request), "channel": channel, "deferred": deferred})
        try:
            return self.get_response(request)
        finally:
            for kw in deferred:  # after the request's transactions, so that a rolled-back write keeps them
                record(**kw)
            _context.reset(token)


def set_channel(channel: str) -> None:
    """For commands and background jobs: record where the following actions come from."""
    _context.set({**(_context.get() or {}), "channel": channel})


def record_even_if_rolled_back(**kw: Any) -> None:
    """Like ``record``, for events of a write that is then refused (its transaction rolls back): in a request
    the event is recorded when the request ends; elsewhere at once."""
    deferred = (_context.get() or {}).get("deferred")
    if deferred is None:
        record(**kw)
    else:
        deferred.append(kw)


def record(
    *,
    actor: Any,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    region_code: str = "",
    summary: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        if not region_code:
            region_code = _region_of(obj)
    ctx = _context.get() or {}
    channel = ctx.get("channel", "cli")
    user = actor if getattr(actor, "is_authenticated", False) else None
    username = getattr(actor, "username", "") or ""
    if not username and channel.startswith("cli"):
        username = f"{getpass.getuser()}@{socket.gethostname()}"  # the operator of a command
    return AuditEvent.objects.create(
        user=user,
        username=username[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        region_code=region_code or "",
        summary=summary[:300],
        detail=detail or {},
        ip=ctx.get("ip"),
        channel=channel,
    )


def _region_of(obj: Model) -> str:
    field = getattr(type(obj), "SCOPE_FIELD", None)
    if not field:
        return ""
    parts = field.split("__")
    if len(parts) >= 2 and parts[-1] == "code":
        parts = [*parts[:-2], parts[-2] + "_id"]  # the foreign key's column: no query for the region itself
    value: Any = obj
    for part in parts:
        value = getattr(value, part, None)
        if value is None:
            return ""
    return str(value)
