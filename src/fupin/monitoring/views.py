"""Pages under /monitoring/: the township's alert queue ranked by risk score, and an alert with its
evidence and the visit, dismiss and include forms. Thin: selectors read, services write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.core import audit, codes
from fupin.core.exports import table_response
from fupin.core.models import AuditEvent
from fupin.core.pagination import paginate, query_without
from fupin.monitoring import flows, selectors, services
from fupin.monitoring.models import Alert
from fupin.monitoring.rules import RULES


def _errors(exc: Exception) -> str:
    return "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    rule = request.GET.get("rule", "")
    page = paginate(request, selectors.queue(user, region=request.GET.get("region", ""),
                                             rule=rule if rule in RULES else ""), 50)
    households = list(page.object_list)
    reasons: dict[int, list[Alert]] = {}
    for a in selectors.alerts_of(user, [h.pk for h in households]):
        a.spec = RULES.get(a.rule)  # type: ignore[attr-defined]
        reasons.setdefault(a.household_id, []).append(a)
    for h in households:
        h.reasons = reasons.get(h.pk, [])  # type: ignore[attr-defined]
    return render(request, "monitoring/queue.html", {
        "page": page, "households": households, "query": query_without(request, "page"), "params": request.GET,
        "rules": RULES,
    })


ACTIONS: dict[str, tuple[Callable[..., Alert], str]] = {"visit": (services.visit, "note"), "dismiss": (services.dismiss, "reason"),
           "include": (services.include, "reason")}


@login_required
def alert(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    a = selectors.alert(user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise PermissionDenied
        fn, field = ACTIONS[action]
        try:
            fn(actor=user, alert_id=a.pk, **{field: request.POST.get(field, "")})
            messages.success(request, _("Recorded on the dossier."))
            return redirect("monitoring_alert", pk=a.pk)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _errors(exc))
    return render(request, "monitoring/alert.html", {
        "a": a, "spec": RULES.get(a.rule), "evidence": sorted(a.evidence.items()),
        "score": selectors.household_score(a.household_id),
        "can_act": a.is_open and (user.is_superuser or user.has_role(*services.ACT_ROLES)),
        "others": selectors.alerts_of(user, [a.household_id], open_only=False).exclude(pk=a.pk),
    })


def _date(text: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return default


@login_required
def flow_statistics(request: HttpRequest) -> HttpResponseBase:
    user: Any = request.user
    today = timezone.localdate()
    start = _date(request.GET.get("start", ""), today.replace(month=1, day=1))
    end = _date(request.GET.get("end", ""), today)
    f = flows.flows(user, start=start, end=end, region=request.GET.get("region", ""))
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        audit.record(actor=user, action=AuditEvent.Action.EXPORT, object_type="monitoring.flows",
                     region_code=f.region, summary=f"flow statistics {start} – {end} export")
        header = [_("table"), _("code"), _("flow"), _("households"), _("persons")]
        rows: list[tuple[Any, ...]] = [(_("flows"), r["kind"], str(r["label"]), r["households"], r["persons"])
                                       for r in f.by_kind]
        rows += [(_("alerts"), r["rule"], RULES[r["rule"]].name if r["rule"] in RULES else r["rule"], r["raised"],
                  f"{r['included']}/{r['dismissed']}") for r in f.alerts]
        return table_response(fmt, f"flows-{start}-{end}", header, rows)
    return render(request, "monitoring/flows.html", {
        "f": f, "rules": RULES, "query": query_without(request, "format"),
        "causes": [dict(r, kind_label=flows.FLOWS.get(r["kind"], r["kind"]),
                        cause=codes.label("poverty_cause", r["household__main_cause"])) for r in f.by_cause],
    })
