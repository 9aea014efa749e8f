"""Pages under /quality/: open findings by rule × region with drill-down from the nation to the village, the
records of one rule in one region (page and Excel, masked), a finding with its exemption, the trend per run,
and the catalogue where administrators switch rules and set parameters per province. Thin: selectors read,
services write."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from fupin.core import evidence as ev
from fupin.core import permissions, tree
from fupin.core.errors import error_text
from fupin.core.exports import audited_export, export_source
from fupin.core.masking import Masker
from fupin.core.pagination import paginate, query_without
from fupin.core.params import small_int
from fupin.quality import selectors, services
from fupin.quality.models import Finding, Rule, RuleParameter, Severity
from fupin.quality.rules import RULES, evidence_fields
from fupin.regions.models import Region


def _crumbs(code: str) -> list[Region]:
    codes = [*tree.ancestors(code), code] if code else []
    return list(Region.objects.filter(code__in=codes).order_by("code"))


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    region = request.GET.get("region", "")
    m = selectors.matrix(user, region)
    return render(request, "quality/overview.html", {
        "m": m, "crumbs": _crumbs(m.region), "leaf": len(m.region) >= 9,
        "pending": selectors.pending_exemptions(user).count(),
    })


def _subject(f: Finding, persons: dict[int, Any], masker: Masker) -> tuple[str, str]:
    """The person a finding is about (name and ID number, masked as the role requires); for a household, a
    village or a monitoring record, what the record is, in words (never "household:3673")."""
    kind, _sep, ident = f.record.partition(":")
    if kind == "person" and ident.isdigit() and int(ident) in persons:
        p = persons[int(ident)]
        return masker.name(p.name), masker.id_number(p.id_number)
    labels = {"household": _("the household as a whole"), "village": _("the village"),
              "monitoring": _("the monitoring record"), "measure": _("an assistance measure"),
              "person": _("a member no longer registered")}
    return str(labels.get(kind, _("the household as a whole"))), ""


MAX_EXPORT_ROWS = 100_000


@export_source
def finding_rows(user: Any, code: str, region: str) -> Iterator[tuple[Any, ...]]:
    """The export rows of one rule's records below a region (masked for the user), read in chunks."""
    masker = Masker(user)
    fields = evidence_fields(RULES.get(code))
    rows = selectors.records(user, code, region)[:MAX_EXPORT_ROWS].iterator(chunk_size=2000)
    masker.reveal(summary=f"quality findings {code} {region}: export", object_type="quality.findings",
                  region_code=region)
    while chunk := list(itertools.islice(rows, 2000)):
        persons = selectors.persons_of(chunk)  # one query a chunk
        for f in chunk:
            yield (f.household.number if f.household else "", f.household.village.name if f.household else f.region_code,
                   *_subject(f, persons, masker), f.get_state_display(), ev.text(f.evidence, fields, masker),
                   f.first_seen.date(), f.exempt_until)


@login_required
def records(request: HttpRequest, code: str) -> HttpResponseBase:
    """The offending records of one rule below a region (what a province sends each township)."""
    user: Any = request.user
    region = request.GET.get("region", "")
    if code not in RULES:
        raise Http404
    rule = Rule.objects.filter(code=code).first()
    qs = selectors.records(user, code, region)
    masker = Masker(user)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        header = [_("household number"), _("village"), _("person"), _("ID number"), _("state"), _("evidence"),
                  _("first seen"), _("exempt until")]
        count = min(qs.count(), MAX_EXPORT_ROWS)
        return audited_export(actor=user, what="quality.findings", fmt=fmt, filename=f"quality-{code}-{region or 'all'}",
                              header=header, source=finding_rows, params={"code": code, "region": region}, count=count,
                              region_code=region, summary=f"quality findings {code} {region} export ({count} rows)")
    page = paginate(request, qs, 50)
    rows = list(page.object_list)
    persons = selectors.persons_of(rows)
    fields = evidence_fields(RULES.get(code))
    for f in rows:
        f.person_name, f.person_id = _subject(f, persons, masker)  # type: ignore[attr-defined]
        f.evidence_rows = ev.rows(f.evidence, fields, masker)  # type: ignore[attr-defined]
    if persons:
        masker.reveal(summary=f"quality findings {code} {region}: {len(persons)} persons", object_type="quality.findings",
                      region_code=region)
    return render(request, "quality/records.html", {
        "rule": rule, "spec": RULES[code], "page": page, "rows": rows, "region": region, "crumbs": _crumbs(region),
        "query": query_without(request, "page", "format"),
    })


ACTIONS = {"request", "approve", "refuse"}


@login_required
def finding(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    f = selectors.finding(user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise PermissionDenied
        try:
            if action == "request":
                services.request_exemption(actor=user, finding_id=f.pk, reason=request.POST.get("reason", ""),
                                           until=parse_date(request.POST.get("until", "") or "") or None)
            else:
                services.decide_exemption(actor=user, finding_id=f.pk, approve=action == "approve",
                                          note=request.POST.get("note", ""))
            messages.success(request, _("Saved."))
            return redirect("quality_finding", pk=f.pk)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
    masker = Masker(user)
    if f.record.startswith("person:"):
        masker.reveal(obj=f, summary="quality finding")
    can_ask = f.state == Finding.State.OPEN and not f.exemption_pending and (
        user.is_superuser or user.has_role(*services.EXEMPT_ROLES))
    can_decide = f.exemption_pending and f.exemption_requested_by_id != user.pk and (
        user.is_superuser or user.has_role(*services.APPROVE_ROLES))
    return render(request, "quality/finding.html", {
        "f": f, "spec": RULES.get(f.rule_id), "can_ask": can_ask,
        "evidence": ev.rows(f.evidence, evidence_fields(RULES.get(f.rule_id)), masker),
        "subject": _subject(f, selectors.persons_of([f]), masker),
        "can_decide": can_decide,
    })


@login_required
def trend(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    region = request.GET.get("region", "")
    return render(request, "quality/trend.html", {"rows": selectors.trend(user, region), "region": region,
                                                  "crumbs": _crumbs(region)})


def _is_admin(user: Any) -> bool:
    return permissions.has_any_role(user, permissions.JOB_ROLES, system=False)


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    """The rules with their switch, severity and parameters (nation and provinces); administrators edit."""
    user: Any = request.user
    admin = _is_admin(user)
    if request.method == "POST":
        if not admin:
            raise PermissionDenied
        code = request.POST.get("code", "")
        try:
            if request.POST.get("action") == "switch":
                services.update_rule(actor=user, code=code, enabled=request.POST.get("enabled") == "1",
                                     severity=request.POST.get("severity") or None)
            elif request.POST.get("action") == "parameters":
                spec = RULES.get(code)
                if spec is None:
                    raise ValidationError(_("Unknown rule."))
                values = {p.name: request.POST.get(p.name, "").strip() for p in spec.params}
                values = {k: v for k, v in values.items() if v != ""}
                year_text = request.POST.get("year", "").strip()
                if year_text and small_int(year_text) is None:
                    raise ValidationError(_("The year must be a number."))
                services.set_parameters(actor=user, code=code, values=values,
                                        province=request.POST.get("province", "").strip(),
                                        year=int(year_text) if year_text else None)
            messages.success(request, _("Saved."))
            return redirect(f"{request.path}#{code}")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
    rows = services.sync_catalogue()
    params: dict[str, list[RuleParameter]] = {}
    for p in RuleParameter.objects.order_by("province", "year"):
        params.setdefault(p.rule_id, []).append(p)
    entries = [{"rule": rows[c], "spec": s, "parameters": params.get(c, [])}
               for c, s in sorted(RULES.items(), key=lambda cs: (rows[cs[0]].family, cs[0]))]
    return render(request, "quality/catalogue.html", {
        "entries": entries, "admin": admin, "severities": Severity.choices,
        "provinces": Region.objects.filter(level=1).order_by("code"),
    })


@login_required
def villages(request: HttpRequest) -> HttpResponse:
    """Village basic data: the upload (all or nothing, every bad cell named) and the latest records of the region."""
    user: Any = request.user
    summary = None
    upload = request.FILES.get("file") if request.method == "POST" else None
    if isinstance(upload, UploadedFile):
        try:
            summary = services.upload_village_data(actor=user, content=upload.read(), filename=upload.name or "")
        except PermissionDenied as exc:
            messages.error(request, error_text(exc))
        else:
            if summary.ok:
                messages.success(request, _("Saved."))
    page = paginate(request, selectors.village_records(user), 50)
    return render(request, "quality/villages.html", {"page": page, "summary": summary,
                                                     "query": query_without(request, "page")})

