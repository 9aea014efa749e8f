from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from fupin.core.models import ApiToken, AuditEvent, User
from fupin.core.scoping import scope_of, scoped


def audit_events(user: User, params: Any) -> QuerySet[AuditEvent]:
    """The audit log a user may browse: the events of the user's subtree (nationwide: all events)."""
    qs = scoped(AuditEvent.objects.all(), user)
    if not scope_of(user).is_nation:
        qs = qs.exclude(region_code="")
    if params.get("username"):
        qs = qs.filter(username=params["username"].strip())
    if params.get("action"):
        qs = qs.filter(action=params["action"])
    if params.get("object_type"):
        qs = qs.filter(object_type=params["object_type"])
    for key, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        if params.get(key):
            try:
                qs = qs.filter(**{lookup: dt.date.fromisoformat(params[key])})
            except ValueError:
                pass
    return qs.order_by("-at", "-id")


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")
