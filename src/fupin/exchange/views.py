"""Pages under /exchange/: the doubt queue of a township or county, a doubt with its evidence and the
verification form, statistics, department batches and the sharing export. Thin: selectors read,
services write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from fupin.core import evidence as ev
from fupin.core.errors import error_text
from fupin.core.exports import audited_export, export_source
from fupin.core.masking import Masker
from fupin.core.pagination import paginate, query_without
from fupin.core.roles import Role
from fupin.core.scoping import scope_of
from fupin.exchange import catalogue, selectors, services
from fupin.exchange.models import Doubt, Rule
from fupin.exchange.rules import KIND_LABELS, PARAM_LABELS, RULES


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    state = request.GET.get("state", "open")
    if state not in ("", *Doubt.State.values):
        state = "open"
    qs = selectors.doubts(user, state=state, rule=request.GET.get("rule", ""), region=request.GET.get("region", ""),
                          sort=request.GET.get("sort", "deadline"))
    page = paginate(request, qs, 50)
    masker = Masker(user)
    for d in page:
        d.spec = RULES[d.rule_id]  # type: ignore[attr-defined]
        d.shown_id = masker.id_number(d.id_number)  # type: ignore[attr-defined]
    if page.object_list:
        masker.reveal(object_type="exchange.doubt", region_code=scope_of(user).prefix or "",
                      summary=f"doubt queue page {page.number}: {len(page.object_list)} ID numbers")
    return render(request, "exchange/queue.html", {
        "page": page, "query": query_without(request, "page"), "params": request.GET, "state": state,
        "rules": RULES, "states": Doubt.State.choices, "today": dt.date.today(),
    })


@login_required
def doubt(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    d = selectors.doubt(user, pk)
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision not in ("confirm", "dismiss"):
            raise PermissionDenied
        try:
            services.verify_doubt(actor=user, doubt_id=d.pk, confirmed=decision == "confirm",
                                  reason=request.POST.get("reason", ""), evidence_text=request.POST.get("evidence_text", ""))
            messages.success(request, _("Outcome recorded on the dossier."))
            return redirect("exchange_doubt", pk=d.pk)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
    masker = Masker(user)
    masker.reveal(obj=d, summary=f"doubt {d.pk}")
    spec = RULES[d.rule_id]
    return render(request, "exchange/doubt.html", {
        "d": d, "spec": spec, "kind": KIND_LABELS[spec.kind], "shown_id": masker.id_number(d.id_number),
        "evidence": ev.rows(d.evidence, spec.evidence_fields, masker),
        "evidence_text": masker.text(d.evidence_text), "can_verify": d.state == Doubt.State.OPEN and (
            user.is_superuser or user.has_role(*services.VERIFY_ROLES)),
        "others": selectors.doubts_of_household(user, d.household_id).exclude(pk=d.pk),
    })


@login_required
def statistics(request: HttpRequest) -> HttpResponseBase:
    user: Any = request.user
    stats = selectors.statistics(user, region=request.GET.get("region", ""))
    for r in stats.by_rule:
        r["name"] = RULES[r["rule_id"]].name if r["rule_id"] in RULES else r["rule_id"]
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        header = [_("dimension"), _("code"), _("name"), _("total"), _("open"), _("confirmed"), _("dismissed"),
                  _("overdue")]
        rows = [(_("rule"), r["rule_id"], r["name"], r["total"], r["open"], r["confirmed"], r["dismissed"], r["overdue"])
                for r in stats.by_rule]
        rows += [(_("region"), r["area"], r["name"], r["total"], r["open"], r["confirmed"], r["dismissed"],
                  r["overdue"]) for r in stats.by_region]
        return audited_export(actor=user, what="exchange.doubt", fmt=fmt, filename="doubt-statistics", header=header,
                              rows=rows, region_code=scope_of(user).prefix or "", summary="doubt statistics export")
    return render(request, "exchange/statistics.html", {"stats": stats, "query": query_without(request, "format")})


@login_required
def batches(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    can_upload = user.is_superuser or user.has_role(*services.UPLOAD_ROLES)
    if request.method == "POST":
        if not can_upload:
            raise PermissionDenied
        f = request.FILES.get("file")
        try:
            as_of = dt.date.fromisoformat(request.POST.get("as_of", ""))
        except ValueError:
            as_of = None
        if f is None or as_of is None:
            messages.error(request, _("Choose a file and the date of the data."))
        else:
            try:
                b = services.upload_batch(actor=user, dataset=request.POST.get("dataset", ""), content=f.read(),
                                          file_name=f.name or "upload", as_of=as_of)
                return redirect("exchange_batch", pk=b.pk)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, error_text(exc))
    page = paginate(request, selectors.batches(user), 50)
    return render(request, "exchange/batches.html", {
        "page": page, "query": query_without(request, "page"), "can_upload": can_upload,
        "datasets": catalogue.DATASETS.values(), "specs": RULES,
        "dataset_names": {code: (d.name_en if translation.get_language().startswith("en") else d.name)
                          for code, d in catalogue.DATASETS.items()},
        "rules": [(r, RULES.get(r.code), ev.rows(r.params, PARAM_LABELS, Masker(user)))
                  for r in Rule.objects.order_by("code")],
    })


@login_required
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    b = selectors.batch(request.user, pk)
    return render(request, "exchange/batch.html", {"b": b, "spec": catalogue.DATASETS.get(b.dataset)})


MAX_SHARE_ROWS = 1_000_000


@export_source
def share_rows(user: Any, group: str, region: str) -> Iterator[tuple[Any, ...]]:
    qs = selectors.shared_persons(user, group, region=region)
    for r in qs.values_list(*selectors.SHARE_COLUMNS)[:MAX_SHARE_ROWS].iterator(chunk_size=5000):
        yield (r[0], r[1], r[2].isoformat(), r[3])


@login_required
def share_export(request: HttpRequest, group: str) -> HttpResponseBase:
    """A department pulls the registered persons it serves (R4.3): ID numbers without names, only the groups of
    its department (``selectors.may_receive``); audited as an export."""
    user: Any = request.user
    if not user.has_role(Role.EXCHANGE):
        raise PermissionDenied
    try:
        qs = selectors.shared_persons(user, group, region=request.GET.get("region", ""))
    except KeyError as exc:
        raise Http404 from exc
    count = min(qs.count(), MAX_SHARE_ROWS)
    header = ["id_number", "sex", "birth_date", "village_code"]
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return audited_export(
        actor=user, what="exchange.share", object_id=group, fmt=fmt, filename=f"persons-{group}", header=header,
        source=share_rows, params={"group": group, "region": request.GET.get("region", "")}, count=count,
        region_code=scope_of(user).prefix or "", summary=f"shared {count} persons of group {group}",
        detail={"group": group, "rows": count})
