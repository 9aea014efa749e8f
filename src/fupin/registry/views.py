from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from fupin.core import audit, permissions
from fupin.core.codes import choices, label
from fupin.core.exports import audited_file
from fupin.core.masking import Masker
from fupin.core.models import AuditEvent
from fupin.core.pagination import paginate, query_without
from fupin.core.scoping import scope_of
from fupin.registry import dossier, exports, hooks, selectors, services, svgchart
from fupin.registry.forms import (
    ChangeForm,
    HouseholdForm,
    IncomeForm,
    MemberForm,
    ReasonForm,
    RegisterForm,
    TransferForm,
    add_service_errors,
)
from fupin.registry.models import INCOME_FIELDS, Household, HouseholdVersion
from fupin.registry.selectors import HouseholdFilter


def _require_writer(request: HttpRequest) -> None:
    if not permissions.can_write_registry(request.user):
        raise PermissionDenied


@login_required
def household_list(request: HttpRequest) -> HttpResponseBase:
    f = HouseholdFilter.from_params(request.GET)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return exports.household_export(request.user, f, fmt)
    page = paginate(request, selectors.households(request.user, f))
    masker = Masker(request.user)
    for h in page.object_list:
        h.head_display = masker.name(h.head_name or "")
        h.status_label = label("household_status", h.status)
        h.cause_label = label("poverty_cause", h.main_cause)
    masker.reveal(
        object_type="registry.household", region_code=f.region or scope_of(request.user).prefix or "",
        summary=f"household list page {page.number} ({len(page.object_list)} heads' names)",
        detail={"numbers": [h.number for h in page.object_list]},
    )
    context = {
        "page": page,
        "f": f,
        "statuses": choices("household_status"),
        "causes": choices("poverty_cause"),
        "bands": [("below", _("below the poverty line")), ("near", _("line to 1.5 × line")),
                  ("above", _("above 1.5 × line")), ("none", _("no income recorded"))],
        "can_write": permissions.can_write_registry(request.user),
        "query": query_without(request, "page"),
        "sort_query": query_without(request, "page", "sort"),
    }
    template = "registry/_household_table.html" if request.headers.get("HX-Request") else "registry/household_list.html"
    return render(request, template, context)


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_for(request.user, pk)
    as_of = dossier.parse_date(request.GET.get("as_of"))
    context = dossier.context(request.user, household, as_of)
    context["can_write"] = permissions.can_write_registry(request.user) and as_of is None
    # measures (lifecycle's, by its template tag) are not part of the dossier's versions: shown as they are now;
    # so is what demonstration shops paid the household (commerce's template tag)
    context["show_measures"] = as_of is None
    context["can_transfer"] = services.can_transfer(request.user) and as_of is None
    return render(request, "registry/household_detail.html", context)


@login_required
def household_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The dossier printed (weasyprint; fonts from the system: Noto Sans CJK). Exports are audited."""
    from weasyprint import HTML

    household = selectors.household_for(request.user, pk)
    as_of = dossier.parse_date(request.GET.get("as_of"))
    context = dossier.context(request.user, household, as_of)
    context["income_svg"] = svgchart.income_svg(context["chart_data"], unit=_("yuan"))
    html = render_to_string("registry/household_pdf.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    return audited_file(actor=request.user, what="registry.household", obj=household, inline=True,
                        filename=f"household-{household.number}.pdf", content=pdf, content_type="application/pdf",
                        summary=f"dossier PDF {household.number}" + (f" as of {as_of}" if as_of else ""),
                        detail={"clear": not context["masked"], "as_of": str(as_of or "")})


def _member_forms(request: HttpRequest) -> list[MemberForm]:
    rows = [i for i in request.POST.getlist("member_rows") if i.isascii() and i.isdigit() and len(i) < 4]
    return [MemberForm(request.POST, prefix=f"m{i}") for i in rows]


@login_required
def household_register(request: HttpRequest) -> HttpResponse:
    _require_writer(request)
    villages = selectors.villages_for(request.user)
    if request.method == "POST":
        form = RegisterForm(request.POST, villages=villages, scope=scope_of(request.user))
        household_form = HouseholdForm(request.POST, prefix="h")
        members = _member_forms(request)
        valid = [f.is_valid() for f in (form, household_form, *members)]
        if all(valid):
            try:
                household = services.register_household(
                    actor=request.user, village_code=form.cleaned_data["village"],
                    number=form.cleaned_data["number"], data=household_form.data_for_service(),
                    members=[m.data_for_service() for m in members], reason=_("registered"),
                )
            except ValidationError as exc:
                add_service_errors(exc, form, members=members, extra=[household_form])
            else:
                messages.success(request, _("Household %(number)s registered.") % {"number": household.number})
                return redirect("household", household.pk)
    else:
        village = request.GET.get("village", "") or (villages[0][0] if villages and len(villages) == 1 else "")
        form = RegisterForm(villages=villages, initial={"village": village})
        household_form = HouseholdForm(prefix="h", initial={"status": "poor", "standard": "01", "attribute": "01"})
        members = [MemberForm(prefix="m0", initial={"relation": "01"})]
    return render(request, "registry/household_register.html", {
        "form": form, "household_form": household_form,
        "members": [(int((m.prefix or "m0")[1:]), m) for m in members],
        "members_invalid": any(m.errors for m in members),
        "next_row": max((int((m.prefix or "m0")[1:]) for m in members), default=-1) + 1,
    })


@login_required
def member_row(request: HttpRequest) -> HttpResponse:
    """One more empty member block for the registration form (htmx)."""
    _require_writer(request)
    i = request.GET.get("i", "1")
    i = i if i.isascii() and i.isdigit() and len(i) < 4 else "1"
    return render(request, "registry/_member_row.html", {
        "i": int(i), "m": MemberForm(prefix=f"m{i}", initial={"relation": "03"}), "next_row": int(i) + 1,
        "removable": True,
    })


def _quality_warnings(household: Household, record: str, form: Any) -> list[str]:
    """The data-quality warnings of the saved record (``registry.hooks``: data quality's warning and hint rules),
    put next to the form fields their evidence names (``field.quality_warnings``); the others are returned, for
    the top of the form. Cached per version of the dossier: every write records a version."""
    latest = HouseholdVersion.objects.filter(household=household).order_by("-id").values_list("id", flat=True).first()
    key = f"registry:warnings:{household.pk}:{latest}:{household.updated_at.timestamp() if household.updated_at else 0}"
    found = cache.get(key)
    if found is None:
        found = hooks.warnings_for([household.pk]).get(household.pk, [])
        cache.set(key, found, 600)
    english = (translation.get_language() or "").startswith("en")
    general: list[str] = []
    for w in found:
        if w.get("record") != record:
            continue
        text = w["name_en"] if english else w["name"]
        evidence = w.get("evidence") or {}
        if isinstance(evidence, str):
            evidence = json.loads(evidence)
        fields = [k for k in evidence if k in form.fields]
        for name in fields:
            bound = form[name]
            bound.quality_warnings = [*getattr(bound, "quality_warnings", []), text]
        if not fields:
            general.append(text)
    return general


def _household_initial(household: Household) -> dict[str, Any]:
    return {name: getattr(household, name) for name in HouseholdForm.base_fields}  # cadre_id included


@login_required
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_writer(request)
    household = selectors.household_for(request.user, pk)
    if request.method == "POST":
        form = HouseholdForm(request.POST, prefix="h", village_code=household.village_id,
                             current_cadre=household.cadre)
        change = ChangeForm(request.POST)
        if form.is_valid() and change.is_valid():
            try:
                services.update_household(
                    actor=request.user, household=household, data=form.data_for_service(),
                    reason=change.cleaned_data["reason"], valid_from=change.cleaned_data["valid_from"],
                    correction=change.cleaned_data["correction"],
                )
            except ValidationError as exc:
                add_service_errors(exc, form, extra=[change])
            else:
                messages.success(request, _("Dossier updated."))
                return redirect("household", household.pk)
    else:
        form = HouseholdForm(prefix="h", initial=_household_initial(household), village_code=household.village_id,
                             current_cadre=household.cadre)
        change = ChangeForm()
    general = _quality_warnings(household, f"household:{household.pk}", form)
    return render(request, "registry/household_edit.html", {"household": household, "form": form, "change": change,
                                                            "quality_warnings": general})


@login_required
def household_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """The county office moves a household to another village (issue 22): an explicit, audited action."""
    if not services.can_transfer(request.user):
        raise PermissionDenied
    household = selectors.household_for(request.user, pk)
    villages = [v for v in (selectors.villages_for(request.user) or []) if v[0] != household.village_id] or None
    form = TransferForm(request.POST or None, villages=villages, scope=scope_of(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_household(actor=request.user, household=household,
                                        village_code=form.cleaned_data["village"], reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(exc, form)
        else:
            messages.success(request, _("Household %(number)s moved to the new village.") % {"number": household.number})
            return redirect("household", household.pk)
    return render(request, "registry/household_transfer.html", {
        "household": household, "form": form,
        "village_name": household.village.name, "township_name": household.village.parent.name
        if household.village.parent else "",
    })


@login_required
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require_writer(request)
    household = selectors.household_for(request.user, pk)
    form = MemberForm(request.POST or None, prefix="m0", initial={"relation": "03"})
    reason = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and reason.is_valid():
        try:
            services.add_member(actor=request.user, household=household, data=form.data_for_service(),
                                reason=reason.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(exc, form, extra=[reason])
        else:
            messages.success(request, _("Member added."))
            return redirect("household", household.pk)
    return render(request, "registry/member_form.html", {
        "household": household, "m": form, "reason": reason, "title": _("Add a member"),
    })


def _member_initial(member: Any) -> dict[str, Any]:
    return {name: getattr(member, name) for name in MemberForm.base_fields}


@login_required
def member_edit(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    _require_writer(request)
    household = selectors.household_for(request.user, pk)
    member = selectors.member_for(request.user, household, member_pk)
    Masker(request.user).reveal(obj=member, summary=f"edit member of {household.number}")
    if request.method == "POST":
        form = MemberForm(request.POST, prefix="m0")
        reason = ReasonForm(request.POST)
        if form.is_valid() and reason.is_valid():
            try:
                services.update_member(actor=request.user, member=member, data=form.data_for_service(),
                                       reason=reason.cleaned_data["reason"])
            except ValidationError as exc:
                add_service_errors(exc, form, extra=[reason])
            else:
                messages.success(request, _("Member updated."))
                return redirect("household", household.pk)
    else:
        form = MemberForm(prefix="m0", initial=_member_initial(member))
        reason = ReasonForm()
    return render(request, "registry/member_form.html", {
        "household": household, "m": form, "reason": reason, "title": _("Edit a member"), "member": member,
        "quality_warnings": _quality_warnings(household, f"person:{member.pk}", form),
    })


@login_required
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    _require_writer(request)
    household = selectors.household_for(request.user, pk)
    member = selectors.member_for(request.user, household, member_pk)
    masker = Masker(request.user)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_member(actor=request.user, member=member, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(exc, form)
        else:
            messages.success(request, _("Member removed; the dossier keeps the earlier versions."))
            return redirect("household", household.pk)
    masker.reveal(obj=member, summary=f"member remove page {household.number}")
    return render(request, "registry/member_remove.html", {
        "household": household, "member": member, "form": form,
        "member_name": masker.name(member.name), "member_relation": label("relation", member.relation),
    })


@login_required
def income_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_writer(request)
    household = selectors.household_for(request.user, pk)
    if request.method == "POST":
        form = IncomeForm(request.POST)
        if form.is_valid():
            try:
                services.set_income(actor=request.user, household=household, year=form.cleaned_data["year"],
                                    components=form.components(), reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                add_service_errors(exc, form)
            else:
                messages.success(request, _("Income recorded."))
                return redirect("household", household.pk)
    else:
        year = request.GET.get("year", "")
        ok = year.isascii() and year.isdigit() and len(year) == 4
        existing = selectors.incomes_of(household).filter(year=int(year)).first() if ok else None
        initial: dict[str, Any] = {"year": int(year) if ok else None}
        if existing is not None:
            initial.update({f: getattr(existing, f) for f in (*INCOME_FIELDS, "business_expense")})
            initial["household_size"] = existing.household_size
        form = IncomeForm(initial=initial)
    return render(request, "registry/income_form.html", {"household": household, "form": form})


@login_required
def search(request: HttpRequest) -> HttpResponseBase:
    """The top bar's search: a household number, a name or an ID number, within the user's scope. One match opens
    the household's portrait, several the household list filtered by the same text. The list and the portrait
    apply the masking rules and audit what they show; the search itself is audited here with the text searched
    (it may be a name or an ID number)."""
    q = (request.GET.get("q") or "").strip()
    if not q:
        return redirect("households")
    f = HouseholdFilter(q=q)
    matches = list(selectors.households(request.user, f).values_list("pk", flat=True)[:2])
    audit.record(actor=request.user, action=AuditEvent.Action.READ_PERSONAL, object_type="registry.search",
                 region_code=scope_of(request.user).prefix or "", summary="search",
                 detail={"q": q, "matches": len(matches)})
    if len(matches) == 1:
        return redirect("household", pk=matches[0])
    text = q.upper()
    by_person = not text.isdigit() or (len(text) == 18 and text[:17].isdigit())
    if not matches and by_person and not Masker(request.user).clear:
        messages.info(request, _("Your role sees names and ID numbers masked, so it may search by household "
                                 "number only."))
    elif not matches:
        messages.info(request, _("No household in your area matches “%(q)s”.") % {"q": q})
    return redirect(reverse("households") + "?" + urlencode({"q": q}))


@login_required
def household_picker(request: HttpRequest) -> HttpResponse:
    """The household picker's choices (htmx): up to ten households of the user's scope whose number starts with
    the text, or whose member has that name or ID number (roles that see names masked: numbers only), with the
    head's name masked as the role requires; names shown in clear are audited."""
    q = (request.GET.get("q") or "").strip()
    field = request.GET.get("field", "household")
    field = field if field.isidentifier() else "household"
    rows: list[Household] = []
    masker = Masker(request.user)
    if len(q) >= 2:
        rows = list(selectors.households(request.user, HouseholdFilter(q=q)).select_related("village")[:10])
        for h in rows:
            h.head_display = masker.name(h.head_name or "")  # type: ignore[attr-defined]
        if rows:
            masker.reveal(object_type="registry.household", region_code=scope_of(request.user).prefix or "",
                          summary="household picker", detail={"numbers": [h.number for h in rows]})
    text = q.upper()
    by_person = not text.isdigit() or (len(text) == 18 and text[:17].isdigit())
    reason = (_("Your role sees names and ID numbers masked, so it may search by household number only.")
              if by_person and not masker.clear else _("No household in your area matches “%(q)s”.") % {"q": q})
    return render(request, "registry/_household_choices.html",
                  {"households": rows, "field": field, "q": q, "empty_reason": reason})
