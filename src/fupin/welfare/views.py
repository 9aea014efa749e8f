"""Staff pages of the welfare platform (login): propose, review and publish needs, withdraw consent, the ledger
(donations, disbursements, the household's confirmation); the donor's own page and pledges. A donor sees needs
only through their public projection."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fupin.core.errors import error_text
from fupin.core.masking import Masker
from fupin.core.pagination import paginate
from fupin.core.permissions import has_any_role
from fupin.core.roles import Role
from fupin.core.scoping import get_scoped_or_404, scoped
from fupin.registry.models import Household, Member
from fupin.registry.statuses import REGISTERED_STATUSES
from fupin.welfare import selectors, services, staff_views
from fupin.welfare.forms import DisbursementForm, DonationForm, DonorForm, NeedForm, PledgeForm
from fupin.welfare.models import Disbursement, Donor, Need, Pairing, WelfareProject


def _staff(request: HttpRequest) -> None:
    if not has_any_role(request.user, (*services.PROPOSE_ROLES, *services.LEDGER_ROLES, Role.ANALYST),
                        system=False):
        raise PermissionDenied


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.has_role(Role.DONOR) and not request.user.is_superuser:  # type: ignore[union-attr]
        return redirect("welfare_donor")
    _staff(request)
    status = request.GET.get("status", "")
    status = status if status in Need.Status.values else ""
    page = paginate(request, selectors.needs(request.user, status=status).order_by("-created_at"))
    return render(request, "welfare/needs.html", {
        "page": page, "status": status, "statuses": Need.Status.choices,
        "can_propose": has_any_role(request.user, services.PROPOSE_ROLES, system=False),
    })


def _households(user: Any) -> list[tuple[str, str]]:
    """Registered households of the user's region for the picker: number and the head's name (masked for roles
    that may not see names)."""
    masker = Masker(user)
    qs = scoped(Household.objects.filter(status__in=REGISTERED_STATUSES), user).order_by("number")[:500]
    ids = list(qs.values_list("pk", "number"))
    heads = dict(Member.objects.filter(household_id__in=[i for i, _n in ids], relation="01", is_active=True)
                 .values_list("household_id", "name"))
    return [(str(pk), f"{number} {masker.name(heads.get(pk, ''))}") for pk, number in ids]


@login_required
def propose(request: HttpRequest) -> HttpResponse:
    if not has_any_role(request.user, services.PROPOSE_ROLES, system=False):
        raise PermissionDenied
    form = NeedForm(request.POST or None, initial={"household": request.GET.get("household", "")})
    form.fields["household"].choices = [  # type: ignore[attr-defined]
        ("", "—"), *_households(request.user)]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        household = get_scoped_or_404(Household.objects.all(), request.user, pk=int(d["household"]))
        try:
            need = services.propose_need(actor=request.user, household=household, kind=d["kind"], story=d["story"],
                                         goal=d["goal"], consent_by=d["consent_by"], consent_on=d["consent_on"],
                                         consent_method=d["consent_method"], show_surname=d["show_surname"],
                                         show_village=d["show_village"])
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("The need was sent to the township for review."))
            return redirect("welfare_need", pk=need.pk)
    return render(request, "welfare/form.html", {"form": form, "title": _("Propose a welfare need")})


@login_required
def need(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    item = get_scoped_or_404(selectors.needs(request.user), request.user, pk=pk)
    masker = Masker(request.user)
    item.consent_by = masker.name(item.consent_by)  # a person's name: masked for roles without need (issue 20)
    head = Member.objects.filter(household=item.household, relation="01", is_active=True).values_list("name", flat=True).first()
    public = selectors.public_need(item.pk)
    return render(request, "welfare/need.html", {
        "need": item, "head": masker.name(head or ""), "public": public,
        "ledger": selectors.ledger(need=item), "disbursements": item.disbursements.all(),
        "can_review": item.status == Need.Status.PROPOSED and has_any_role(request.user, services.REVIEW_ROLES, system=False),
        "can_withdraw": item.consent_withdrawn_at is None and has_any_role(request.user, services.PROPOSE_ROLES, system=False),
        "can_ledger": item.is_public and has_any_role(request.user, services.LEDGER_ROLES, system=False),
        "can_confirm": has_any_role(request.user, services.PROPOSE_ROLES, system=False),
        "donation_form": DonationForm(), "disbursement_form": DisbursementForm(),
    })


def _act(request: HttpRequest, pk: int, action: Any) -> HttpResponse:
    item = get_scoped_or_404(Need.objects.all(), request.user, pk=pk)
    try:
        action(item)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Saved."))
    return redirect("welfare_need", pk=pk)


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    publish = request.POST.get("decision") == "publish"
    return _act(request, pk, lambda n: services.review_need(actor=request.user, need=n, publish=publish,
                                                            note=request.POST.get("note", "")))


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda n: services.withdraw_consent(actor=request.user, need=n,
                                                                 note=request.POST.get("note", "")))


@login_required
@require_POST
def donation(request: HttpRequest, pk: int) -> HttpResponse:
    form = DonationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the donation: %(errors)s") % {"errors": "; ".join(
            f"{form.fields[f].label}: {e[0]}" if f in form.fields else str(e[0]) for f, e in form.errors.items())})
        return redirect("welfare_need", pk=pk)
    d = form.cleaned_data
    return _act(request, pk, lambda n: services.record_donation(
        actor=request.user, need=n, donor=d["donor"], amount=d["amount"], channel=d["channel"],
        reference=d["reference"], link=d["link"], received_on=d["received_on"]))


@login_required
@require_POST
def disbursement(request: HttpRequest, pk: int) -> HttpResponse:
    form = DisbursementForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the disbursement: %(errors)s") % {"errors": "; ".join(
            f"{form.fields[f].label}: {e[0]}" if f in form.fields else str(e[0]) for f, e in form.errors.items())})
        return redirect("welfare_need", pk=pk)
    d = form.cleaned_data
    return _act(request, pk, lambda n: services.disburse(actor=request.user, need=n, amount=d["amount"],
                                                         paid_on=d["paid_on"], purpose=d["purpose"],
                                                         evidence=d["evidence"]))


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int, disbursement_pk: int) -> HttpResponse:
    d = get_object_or_404(Disbursement, pk=disbursement_pk, need_id=pk)
    return _act(request, pk, lambda n: services.confirm_disbursement(actor=request.user, disbursement=d,
                                                                     how=request.POST.get("how", "")))


# --- donors --------------------------------------------------------------------------------------------------


@login_required
def donor(request: HttpRequest) -> HttpResponse:
    """The donor's own page: its profile, pledges and donations; needs only as the public sees them; for an
    enterprise, its pairings and the projects counties published for enterprises to take up."""
    if not request.user.has_role(Role.DONOR):  # type: ignore[union-attr]
        raise PermissionDenied
    me = selectors.donor_of(request.user)
    form = DonorForm(request.POST or None)
    if me is None and request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.register_donor(actor=request.user, user=request.user, **d)
        return redirect("welfare_donor")
    enterprise = me is not None and me.kind == Donor.Kind.ENTERPRISE
    return render(request, "welfare/donor.html", {
        "donor": me, "form": form,
        "pledges": me.pledges.select_related("need", "project") if me else [],
        "donations": me.donations.select_related("need", "project") if me else [],
        "pairings": me.pairings.select_related("region") if me else [],
        "taken": me.projects_taken.select_related("region") if me else [],
        "open_projects": selectors.open_projects()[:50] if enterprise else [],
        "needs": selectors.public_needs(limit=12),
        "projects": selectors.public_projects().filter(status=WelfareProject.Status.PUBLISHED)[:12],
    })


@login_required
@require_POST
def donor_take_up(request: HttpRequest, pk: int) -> HttpResponse:
    """An enterprise takes up, in its own name, a project a county published for enterprises."""
    me = selectors.donor_of(request.user)
    if me is None or not request.user.has_role(Role.DONOR):  # type: ignore[union-attr]
        raise PermissionDenied
    project = get_object_or_404(selectors.public_projects(), pk=pk)
    try:
        services.take_up_project(actor=request.user, project=project, donor=me)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("You have taken up the project. The county will contact you."))
    return redirect("welfare_donor")


@login_required
def pledge(request: HttpRequest) -> HttpResponse:
    me = selectors.donor_of(request.user)
    if me is None or not request.user.has_role(Role.DONOR):  # type: ignore[union-attr]
        raise PermissionDenied
    need_pk, project_pk = request.GET.get("need", ""), request.GET.get("project", "")
    need = selectors.public_needs_qs().filter(pk=int(need_pk)).first() if need_pk.isdigit() else None
    project = selectors.public_projects().filter(pk=int(project_pk)).first() if project_pk.isdigit() else None
    if need is None and project is None:
        raise PermissionDenied
    target = selectors.public_need(need.pk) if need else None
    form = PledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pledge(actor=request.user, donor=me, need=need, project=project,
                            amount=form.cleaned_data["amount"] or Decimal(0), goods=form.cleaned_data["goods"])
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("Thank you. The township will contact you about the transfer."))
            return redirect("welfare_donor")
    return render(request, "welfare/pledge.html", {"form": form, "need": target, "project": project})


@login_required
def projects(request: HttpRequest) -> HttpResponse:
    _staff(request)
    status = request.GET.get("status", "")
    status = status if status in WelfareProject.Status.values else ""
    qs = selectors.projects(request.user)
    return render(request, "welfare/projects.html", {
        "projects": (qs.filter(status=status) if status else qs)[:200], "status": status,
        "statuses": WelfareProject.Status.choices,
        "pairings": selectors.pairings(request.user).annotate(n_commitments=Count("commitments"))[:200],
        "can_manage": has_any_role(request.user, services.PROJECT_ROLES, system=False),
    })


@login_required
def project(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's ledger for the county: money received and paid out (the public sees the same lines)."""
    if not has_any_role(request.user, services.PROJECT_ROLES, system=False):
        raise PermissionDenied
    item = get_scoped_or_404(selectors.projects(request.user), request.user, pk=pk)
    if request.method == "POST":
        form: DonationForm | DisbursementForm = (DonationForm(request.POST) if request.POST.get("entry") == "donation"
                                                 else DisbursementForm(request.POST))
        if form.is_valid():
            d = form.cleaned_data
            try:
                if isinstance(form, DonationForm):
                    services.record_donation(actor=request.user, project=item, donor=d["donor"], amount=d["amount"],
                                             channel=d["channel"], reference=d["reference"], link=d["link"],
                                             received_on=d["received_on"])
                else:
                    services.disburse(actor=request.user, project=item, amount=d["amount"], paid_on=d["paid_on"],
                                      purpose=d["purpose"], evidence=d["evidence"])
            except ValidationError as exc:
                messages.error(request, exc.messages[0])
            else:
                messages.success(request, _("Saved."))
        else:
            messages.error(request, "; ".join(f"{form.fields[f].label}: {e[0]}" if f in form.fields else str(e[0])
                                              for f, e in form.errors.items()))
        return redirect("welfare_project", pk=pk)
    return render(request, "welfare/project.html", {
        "project": item, "ledger": selectors.ledger(project=item),
        "donation_form": DonationForm(), "disbursement_form": DisbursementForm(),
        **staff_views.project_context(request, item),
    })


@login_required
def pairing(request: HttpRequest, pk: int) -> HttpResponse:
    """A pairing's commitments and the quarterly reports against them (the county, or the enterprise itself)."""
    me = selectors.donor_of(request.user)
    if has_any_role(request.user, services.PROJECT_ROLES, system=False):
        item = get_scoped_or_404(selectors.pairings(request.user), request.user, pk=pk)
    elif me is not None:
        item = get_object_or_404(Pairing.objects.select_related("region", "enterprise"), pk=pk, enterprise=me)
    else:
        raise PermissionDenied
    return staff_views.pairing_page(request, item, can_edit=has_any_role(request.user, services.PROJECT_ROLES,
                                                                             system=False))
