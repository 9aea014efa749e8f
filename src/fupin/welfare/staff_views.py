"""Staff pages of welfare projects, pairings and donors (login, the county administrator and the system
administrator): create and edit projects with the households and villages they serve (counts public, identities
not), publish a county's project for enterprises and record who takes it up; pair an enterprise with a county or a
village, its agreement and yearly commitments, quarterly reports against them; register enterprises and
organisations and manage the welfare alliance. Thin: forms validate, the services check scope, write and audit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fupin.core.errors import error_text
from fupin.core.masking import Masker
from fupin.core.pagination import paginate, query_without
from fupin.core.permissions import has_any_role
from fupin.core.scoping import get_scoped_or_404
from fupin.registry.models import Member
from fupin.welfare import selectors, services
from fupin.welfare.forms import (
    AllianceForm,
    DonorEditForm,
    PairingForm,
    ProjectForm,
    QuarterReportForm,
    ServeForm,
    StaffDonorForm,
    TakeUpForm,
)
from fupin.welfare.models import Commitment, Donor, Pairing, WelfareProject


def _manager(request: HttpRequest) -> None:
    if not has_any_role(request.user, services.PROJECT_ROLES, system=False):
        raise PermissionDenied


def _refused(form: Form, exc: Exception) -> None:
    form.add_error(None, error_text(exc))


def _saved(request: HttpRequest, form: Form, save: Callable[[dict[str, Any]], Any], message: Any,
           to: str) -> HttpResponse | None:
    """A valid POSTed ``form`` saved through a service (``save(cleaned_data)`` returns the object): on success the
    message and a redirect to the URL ``to`` of the object; a refusal of the service is shown on the form (None:
    draw the form again)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save(form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        _refused(form, exc)
        return None
    messages.success(request, message)
    return redirect(to, pk=saved.pk)


def _form_errors(form: Form) -> str:
    return "; ".join(f"{form.fields[f].label}: {e[0]}" if f in form.fields else str(e[0])
                     for f, e in form.errors.items())


# --- projects ------------------------------------------------------------------------------------------------


def _project_fields(form: ProjectForm) -> dict[str, Any]:
    return {k: form.cleaned_data[k] for k in services.PROJECT_FIELDS}


@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    _manager(request)
    form = ProjectForm(request.POST or None, user=request.user)
    done = _saved(request, form, lambda d: services.save_project(actor=request.user, **_project_fields(form)),
                  _("The project was saved as a draft: publish it when it is ready."), "welfare_project")
    return done or render(request, "welfare/project_form.html", {"form": form, "title": _("New welfare project")})


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    item = get_scoped_or_404(selectors.projects(request.user), request.user, pk=pk)
    initial = {k: getattr(item, k) for k in services.PROJECT_FIELDS if k != "region"} | {"region": item.region_id}
    form = ProjectForm(request.POST or None, initial=initial, user=request.user)
    done = _saved(request, form, lambda d: services.save_project(actor=request.user, project=item,
                                                                 **_project_fields(form)), _("Saved."), "welfare_project")
    return done or render(request, "welfare/project_form.html", {"form": form, "project": item,
                                                         "title": _("Edit the welfare project")})


def _project_action(request: HttpRequest, pk: int, action: Any) -> HttpResponse:
    _manager(request)
    item = get_scoped_or_404(selectors.projects(request.user), request.user, pk=pk)
    try:
        action(item)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("welfare_project", pk=pk)


@login_required
@require_POST
def project_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_action(request, pk, lambda p: services.publish_project(actor=request.user, project=p))


@login_required
@require_POST
def project_take_up(request: HttpRequest, pk: int) -> HttpResponse:
    """The county records that an enterprise takes up the project it published (the enterprise may do it itself
    from its own page)."""
    form = TakeUpForm(request.POST)
    if not form.is_valid():
        _manager(request)
        messages.error(request, _form_errors(form))
        return redirect("welfare_project", pk=pk)
    return _project_action(request, pk, lambda p: services.take_up_project(
        actor=request.user, project=p, donor=form.cleaned_data["enterprise"]))


@login_required
@require_POST
def project_served(request: HttpRequest, pk: int) -> HttpResponse:
    """List or unlist a household or a village the project serves (kept for the county, never public)."""
    _manager(request)
    remove = request.POST.get("remove", "")
    if remove:
        item = get_scoped_or_404(selectors.projects(request.user), request.user, pk=pk)
        kind, _sep, key = remove.partition(":")
        household = item.served_households.filter(pk=int(key)).first() if kind == "h" and key.isdigit() else None
        village = item.served_villages.filter(code=key).first() if kind == "v" else None
        if household is None and village is None:
            messages.error(request, _("That household or village is not listed."))
            return redirect("welfare_project", pk=pk)
        return _project_action(request, pk, lambda p: services.serve(actor=request.user, project=p, remove=True,
                                                                     household=household, village=village))
    form = ServeForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("welfare_project", pk=pk)
    d = form.cleaned_data
    return _project_action(request, pk, lambda p: services.serve(actor=request.user, project=p,
                                                                 household=d["household"], village=d["village"]))


def project_context(request: HttpRequest, item: WelfareProject) -> dict[str, Any]:
    """What the project page shows besides the ledger: its facts, the households and villages served (names as
    the role may see them), and the forms of the county's actions."""
    masker = Masker(request.user)
    served = list(item.served_households.select_related("village").order_by("number")[:500])
    heads = dict(Member.objects.filter(household__in=served, relation="01", is_active=True)
                 .values_list("household_id", "name"))
    return {
        "served": [(h, masker.name(heads.get(h.pk, ""))) for h in served],
        "villages": list(item.served_villages.select_related("parent").order_by("code")),
        "serve_form": ServeForm(user=request.user),
        "take_up_form": TakeUpForm(),
        "can_take_up": (item.published_by_county and item.status == WelfareProject.Status.PUBLISHED
                        and not item.taken_by_id),
        "households_public": selectors.suppress(item.households_served),
    }


# --- pairings ------------------------------------------------------------------------------------------------


@login_required
def pairing_new(request: HttpRequest) -> HttpResponse:
    _manager(request)
    form = PairingForm(request.POST or None, user=request.user)
    done = _saved(request, form, lambda d: services.save_pairing(
        actor=request.user, enterprise=d["enterprise"], region=d["region"], agreement=d["agreement"],
        signed_on=d["signed_on"], year=d["year"], commitments=form.commitments()), _("Saved."), "welfare_pairing")
    return done or render(request, "welfare/pairing_form.html", {"form": form, "title": _("New pairing")})


@login_required
def pairing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The agreement and one year's commitments of a pairing (another year adds its commitments)."""
    _manager(request)
    item = get_scoped_or_404(selectors.pairings(request.user), request.user, pk=pk)
    year = request.GET.get("year", "")
    commitments = {c.kind: c.target for c in item.commitments.all() if str(c.year) == year} if year.isdigit() else {}
    from fupin.welfare.forms import COMMITMENT_FIELDS

    initial: dict[str, Any] = {"agreement": item.agreement, "signed_on": item.signed_on}
    if year.isdigit():
        initial["year"] = int(year)
    initial |= {field: commitments[kind] for kind, field in COMMITMENT_FIELDS.items() if kind in commitments}
    form = PairingForm(request.POST or None, initial=initial, user=request.user, pairing=item)
    done = _saved(request, form, lambda d: services.save_pairing(
        actor=request.user, enterprise=item.enterprise, region=item.region, agreement=d["agreement"],
        signed_on=d["signed_on"], year=d["year"], commitments=form.commitments()), _("Saved."), "welfare_pairing")
    return done or render(request, "welfare/pairing_form.html", {"form": form, "pairing": item,
                                                         "title": _("Agreement and commitments")})


def pairing_page(request: HttpRequest, item: Pairing, *, can_edit: bool) -> HttpResponse:
    form = QuarterReportForm(request.POST or None, pairing=item)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            commitment = get_object_or_404(Commitment, pk=d["commitment"], pairing=item)
            try:
                services.report_quarter(actor=request.user, commitment=commitment, quarter=d["quarter"],
                                        achieved=d["achieved"], note=d["note"])
            except (ValidationError, PermissionDenied) as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("welfare_pairing", pk=item.pk)
        messages.error(request, _form_errors(form))
    return render(request, "welfare/pairing.html", {
        "pairing": item, "rows": selectors.commitment_rows(item), "quarters": (1, 2, 3, 4), "form": form,
        "can_edit": can_edit,
    }, status=400 if form.errors else 200)


# --- donors and the alliance ---------------------------------------------------------------------------------


@login_required
def donors(request: HttpRequest) -> HttpResponse:
    """The donors registered in the county (every donor for a nationwide administrator), and the form that
    registers an enterprise or an organisation."""
    _manager(request)
    form = StaffDonorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            donor = services.register_donor(actor=request.user, display_name=d["display_name"], kind=d["kind"],
                                            anonymous=d["anonymous"], contact=d["contact"],
                                            alliance_member=d["alliance_member"], username=d["username"],
                                            password=d["password"])
        except (ValidationError, PermissionDenied) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The donor was registered."))
            return redirect("welfare_donor_edit", pk=donor.pk)
    kind = request.GET.get("kind", "")
    kind = kind if kind in Donor.Kind.values else ""
    qs = selectors.donors(request.user, kind=kind).annotate(n_pairings=Count("pairings", distinct=True))
    if request.GET.get("alliance") == "1":
        qs = qs.filter(alliance_member=True)
    return render(request, "welfare/donors.html", {
        "form": form, "page": paginate(request, qs.order_by("display_name"), 50), "kind": kind,
        "kinds": Donor.Kind.choices, "alliance": request.GET.get("alliance") == "1",
        "query": query_without(request, "page"),
    }, status=400 if form.errors else 200)


@login_required
def donor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    item = get_scoped_or_404(selectors.donors(request.user), request.user, pk=pk)
    action = request.POST.get("action", "")
    form = DonorEditForm(request.POST if action == "save" else None, initial={
        "display_name": item.display_name, "kind": item.kind, "contact": item.contact, "anonymous": item.anonymous})
    alliance = AllianceForm(request.POST if action == "alliance" else None, initial={
        "member": item.alliance_member, "joined_on": item.alliance_joined_on})
    if request.method == "POST":
        bound: Form = form if action == "save" else alliance
        if bound.is_bound and bound.is_valid():
            d = bound.cleaned_data
            try:
                if action == "save":
                    services.update_donor(actor=request.user, donor=item, **d)
                else:
                    services.set_alliance(actor=request.user, donor=item, member=d["member"],
                                          joined_on=d["joined_on"])
            except (ValidationError, PermissionDenied) as exc:
                _refused(bound, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("welfare_donor_edit", pk=item.pk)
    return render(request, "welfare/donor_edit.html", {
        "donor": item, "form": form, "alliance_form": alliance,
        "pairings": item.pairings.select_related("region"), "projects": item.projects_taken.select_related("region"),
        "donations": item.donations.count(),
    }, status=400 if (form.errors or alliance.errors) else 200)
