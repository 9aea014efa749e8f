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

from fupin.core import codes
from fupin.core import evidence as ev
from fupin.core.errors import error_text
from fupin.core.exports import audited_export
from fupin.core.masking import Masker
from fupin.core.pagination import paginate, query_without
from fupin.core.scoping import scope_of
from fupin.monitoring import flows, selectors, services
from fupin.monitoring.forms import RiskReportForm
from fupin.monitoring.models import Alert, RiskReport
from fupin.monitoring.rules import RULES
from fupin.registry.forms import add_service_errors


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
    masker = Masker(user)
    today = timezone.localdate()
    for h in households:
        h.reasons = reasons.get(h.pk, [])  # type: ignore[attr-defined]
        h.head = masker.name(getattr(h, "head_name", "") or "")  # type: ignore[attr-defined]
        h.overdue = bool(getattr(h, "deadline", None) and h.deadline < today)  # type: ignore[attr-defined]
    if households:
        masker.reveal(object_type="registry.household", region_code=scope_of(user).prefix or "",
                      summary=f"alert queue page {page.number}: heads' names",
                      detail={"households": [h.pk for h in households]})
    return render(request, "monitoring/queue.html", {
        "page": page, "households": households, "query": query_without(request, "page"), "params": request.GET,
        "rules": RULES, "missing_lines": selectors.missing_lines(user),
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
            messages.error(request, error_text(exc))
    return render(request, "monitoring/alert.html", {
        "a": a, "spec": RULES.get(a.rule), "evidence": ev.rows(a.evidence, RULES[a.rule].evidence_fields if a.rule in RULES else {}, Masker(user)),
        "score": selectors.household_score(a.household_id), "overdue": a.deadline < timezone.localdate(),
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
    causes = [dict(r, kind_label=str(flows.FLOWS.get(r["kind"], r["kind"])),
                   cause=codes.label("poverty_cause", r["household__main_cause"])) for r in f.by_cause]
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        header = [_("table"), _("code"), _("flow"), _("households"), _("persons")]
        rows: list[tuple[Any, ...]] = [(_("flows"), r["kind"], str(r["label"]), r["households"], r["persons"])
                                       for r in f.by_kind]
        rows += [(_("by main cause"), f"{r['kind']}:{r['household__main_cause']}",
                  f"{r['kind_label']} · {r['cause']}", r["households"], "") for r in causes]
        rows += [(_("by risk type"), f"risk:{r['risk']}", r["label"], r["households"], r["persons"]) for r in f.by_risk]
        rows += [(_("moves between states"), f"{r['before']}>{r['after']}",
                  f"{r['before_label']} → {r['after_label']}", r["households"], r["persons"]) for r in f.moves]
        rows += [(_("alerts"), r["rule"], RULES[r["rule"]].name if r["rule"] in RULES else r["rule"], r["raised"],
                  f"{r['included']}/{r['dismissed']}") for r in f.alerts]
        return audited_export(actor=user, what="monitoring.flows", fmt=fmt, filename=f"flows-{start}-{end}",
                              header=header, rows=rows, region_code=f.region,
                              summary=f"flow statistics {start} – {end} export")
    return render(request, "monitoring/flows.html", {
        "f": f, "rules": RULES, "query": query_without(request, "format"), "causes": causes, "sankey": f.sankey,
    })


@login_required
def risk_reports(request: HttpRequest) -> HttpResponse:
    """The region's risk reports (风险报告), newest first, and the form a clerk or reviewer fills in."""
    user: Any = request.user
    can_report = user.is_superuser or user.has_role(*services.REPORT_ROLES)
    form = RiskReportForm(request.POST or None, initial={"household": request.GET.get("household", ""),
                                                         "occurred_on": timezone.localdate()})
    chosen = selectors.household_by_number(user, request.GET.get("household", "")) if request.GET.get("household") else None
    if chosen is not None and request.method != "POST":  # from the portrait's "report a risk": name the village
        form.fields["household"].widget.chosen_label = chosen.village.name  # type: ignore[attr-defined]
    if request.method == "POST":
        if not can_report:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            household = selectors.household_by_number(user, d["household"])
            if household is None:
                form.add_error("household", _("No household with this number in your region."))
            else:
                try:
                    report = services.report_risk(
                        actor=user, household_id=household.pk, kind=d["kind"], occurred_on=d["occurred_on"],
                        description=d["description"], source=d["source"], reporter=d["reporter"], loss=d["loss"])
                    alert = Alert.objects.filter(household=household, rule=services.RULE_OF_REPORT[report.kind],
                                                 active=True).first()
                    if alert is not None and alert.is_open:
                        messages.success(request, _("Report recorded; alert #%(id)s is in the township's queue.")
                                         % {"id": alert.pk})
                    else:
                        messages.warning(request, _("Report recorded on the dossier; no alert was raised: %(why)s")
                                         % {"why": services.why_no_alert(report)})
                    return redirect("monitoring_reports")
                except (ValidationError, PermissionDenied) as exc:
                    if isinstance(exc, ValidationError):
                        add_service_errors(exc, form)
                    else:
                        form.add_error(None, error_text(exc))
    kind = request.GET.get("kind", "")
    page = paginate(request, selectors.reports(user, kind=kind if kind in RiskReport.Kind.values else "",
                                               household=request.GET.get("number", "")), 50)
    rows = list(page.object_list)
    masker = Masker(user)
    for r in rows:
        r.reporter_shown = masker.name(r.reporter)  # type: ignore[attr-defined]
        r.description_shown = masker.text(r.description)  # type: ignore[attr-defined]
    if rows:
        masker.reveal(object_type="monitoring.riskreport", region_code=scope_of(user).prefix or "",
                      summary=f"risk reports page {page.number}",
                      detail={"reports": [r.pk for r in rows if r.reporter]})
    return render(request, "monitoring/reports.html", {
        "page": page, "reports": rows, "form": form, "can_report": can_report, "kinds": RiskReport.Kind.choices,
        "params": request.GET, "query": query_without(request, "page"),
    })
