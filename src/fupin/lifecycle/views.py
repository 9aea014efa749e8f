"""Pages of the lifecycle under /lifecycle/: thin, reading through selectors and writing through services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fupin.core import params
from fupin.core.codes import label
from fupin.core.errors import error_text
from fupin.core.masking import Masker
from fupin.core.roles import Role
from fupin.core.scoping import narrow_or_404, scope_of, scoped
from fupin.core.tree import is_code
from fupin.lifecycle import evaluation, forms, selectors, services
from fupin.lifecycle.models import OPEN_STAGES, Case, Kind, Notice, Stage
from fupin.regions.models import Region
from fupin.registry.forms import add_service_errors


def _refuse(form: Any, exc: Exception) -> None:
    """A service's refusal next to the form: ValidationError by field, PermissionDenied on top."""
    if isinstance(exc, ValidationError):
        add_service_errors(exc, form)
    else:
        form.add_error(None, error_text(exc) or _("Not allowed for your role."))


@login_required
def household(request: HttpRequest, pk: int) -> HttpResponse:
    h = selectors.household_for(request.user, pk)
    user: Any = request.user
    open_form = forms.OpenCaseForm(prefix="open")
    cadres = services.measure_cadres(h)
    measure_form = forms.MeasureForm(cadres=cadres)
    follow_form = forms.FollowUpForm(prefix="follow")
    which = request.POST.get("form", "measure") if request.method == "POST" else ""
    if which == "open":
        open_form = forms.OpenCaseForm(request.POST, prefix="open")
        if open_form.is_valid():
            d = open_form.cleaned_data
            try:
                case = services.open_case(
                    actor=user, household=h, kind=d["kind"], year=d["year"], reason=d["reason"],
                    evidence=d["evidence"], category=d["category"], risks=d["risks"],
                    elimination_method=d["elimination_method"], income_reason=d["income_reason"])
                messages.success(request, _("Procedure opened."))
                return redirect("lifecycle_case", pk=case.pk)
            except (ValidationError, PermissionDenied) as exc:
                _refuse(open_form, exc)
    elif which == "follow":
        follow_form = forms.FollowUpForm(request.POST, prefix="follow")
        if follow_form.is_valid():
            d = follow_form.cleaned_data
            try:
                services.record_follow_up(actor=user, household=h, stable=d["stable"], note=d["note"],
                                          visited_on=d["visited_on"])
                messages.success(request, _("Follow-up visit recorded."))
                return redirect("lifecycle_household", pk=h.pk)
            except (ValidationError, PermissionDenied) as exc:
                _refuse(follow_form, exc)
    elif which:
        measure_form = forms.MeasureForm(request.POST, cadres=cadres)
        if measure_form.is_valid():
            try:
                services.add_measure(actor=user, household=h, data=measure_form.cleaned_data)
                messages.success(request, _("Measure recorded."))
                return redirect("lifecycle_household", pk=h.pk)
            except (ValidationError, PermissionDenied) as exc:
                _refuse(measure_form, exc)
    is_clerk = user.has_role(Role.CLERK)
    can_write_measures = _can_write_measures(user, h)
    measures = selectors.labelled_measures(h)
    cases = list(selectors.cases_of(h))
    for c in cases:
        c.stage_label = Stage(c.stage).label  # type: ignore[attr-defined]
    default = evaluation.default_year()
    try:
        year = params.small_int(request.GET.get("year") or default, default) or default
        if not 2000 <= year <= 2100:
            raise ValueError(year)
        result: Any = evaluation.evaluate_one(h, year)
    except (ValueError, evaluation.NoPovertyLine):
        result = None
    return render(request, "lifecycle/household.html", {
        "h": h, "status_label": label("household_status", h.status), "measures": measures, "cases": cases,
        "monitoring": selectors.monitoring_of(h), "evaluation": result,
        "measure_form": measure_form if can_write_measures or measure_form.errors else None,
        "can_write_measures": can_write_measures,
        "open_form": open_form if is_clerk or open_form.errors else None,
        "follow_form": follow_form if (is_clerk and h.status in ("exited", "monitored")) or follow_form.errors else None,
        "follow_ups": h.follow_ups.order_by("-visited_on", "-id")[:20],
    })


def _can_write_measures(user: Any, h: Any) -> bool:
    try:
        services.check_measure_actor(user, h)
    except PermissionDenied:
        return False
    return True


@login_required
def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a measure, or record its end date and result: 403 for a role that cannot write dossiers, whether
    the measure exists or not (checked first: no existence probing), 404 outside the region; the service's
    refusals next to their fields."""
    user: Any = request.user
    services.check_measure_writer(user)
    measure = selectors.measure_for(user, pk)
    services.check_measure_actor(user, measure.household)
    cadres = services.measure_cadres(measure.household)
    if request.method == "POST":
        form = forms.MeasureForm(request.POST, cadres=cadres)
        if form.is_valid():
            try:
                services.update_measure(actor=user, measure=measure, **form.cleaned_data)
                messages.success(request, _("Measure updated."))
                return redirect("lifecycle_household", pk=measure.household_id)
            except (ValidationError, PermissionDenied) as exc:
                _refuse(form, exc)
    else:
        form = forms.MeasureForm(initial={k: getattr(measure, k) for k in services.MEASURE_FIELDS}, cadres=cadres)
    return render(request, "lifecycle/measure_edit.html", {"measure": measure, "h": measure.household, "form": form})


# The steps a case page offers: the form, the roles that may take it, and the stages it applies to. The
# service decides; this only chooses which forms to show to whom.
CASE_STEPS: dict[str, tuple[type[Any], tuple[Role, ...], tuple[str, ...]]] = {
    "review": (forms.DecisionForm, (Role.CLERK,), (Stage.APPLIED,)),
    "notice": (forms.NoticeForm, (Role.CLERK,), (Stage.REVIEWED,)),
    "objection": (forms.ObjectionForm, (Role.CLERK, Role.TOWNSHIP_REVIEWER), (Stage.NOTICE, Stage.AUDITED)),
    "audit": (forms.DecisionForm, (Role.TOWNSHIP_REVIEWER,), (Stage.NOTICE,)),
    "approval": (forms.DecisionForm, (Role.COUNTY_ADMIN,), (Stage.AUDITED,)),
    "withdraw": (forms.WithdrawForm, (Role.CLERK,), OPEN_STAGES),
}


def _take_step(step: str, user: Any, case: Case, d: dict[str, Any]) -> None:
    if step == "review":
        services.review(actor=user, case=case, approve=d["approve"], reason=d["reason"], evidence=d["evidence"])
    elif step == "notice":
        services.start_notice(actor=user, cases=[case], days=d["days"])
    elif step == "objection":
        services.record_objection(actor=user, case=case, content=d["content"], objector=d["objector"],
                                  received_on=d["received_on"])
    elif step == "resolve":
        objection = case.objections.filter(pk=d["objection"]).first()
        if objection is None:
            raise ValidationError(_("No such objection on this case."))
        services.resolve_objection(actor=user, objection=objection, resolution=d["resolution"], upheld=d["upheld"])
    elif step == "audit":
        services.township_audit(actor=user, case=case, approve=d["approve"], reason=d["reason"],
                                evidence=d["evidence"])
    elif step == "approval":
        services.county_approval(actor=user, case=case, approve=d["approve"], reason=d["reason"],
                                 evidence=d["evidence"])
    elif step == "withdraw":
        services.withdraw(actor=user, case=case, reason=d["reason"])


STEP_TITLES = {
    "review": gettext_lazy("village democratic review"), "notice": gettext_lazy("public notice"),
    "objection": gettext_lazy("Record an objection"), "resolve": gettext_lazy("Resolve the objection"),
    "audit": gettext_lazy("township audit"), "approval": gettext_lazy("county approval"),
    "withdraw": gettext_lazy("Withdraw"),
}


@login_required
def case(request: HttpRequest, pk: int) -> HttpResponse:
    """A case with its steps, and the forms of the next steps the user's roles may take."""
    user: Any = request.user
    c = selectors.case_for(user, pk)
    posted = request.POST.get("step", "") if request.method == "POST" else ""
    if posted and posted not in CASE_STEPS and posted != "resolve":
        raise PermissionDenied
    shown: dict[str, Any] = {}
    for step, (form_class, roles, stages) in CASE_STEPS.items():
        if step == posted:
            shown[step] = form_class(request.POST, prefix=step)
        elif c.stage in stages and user.has_role(*roles):
            shown[step] = form_class(prefix=step)
    open_objections = list(c.objections.filter(resolved_at__isnull=True))
    resolve_forms: list[tuple[Any, forms.ResolveForm]] = []
    for o in open_objections:
        if posted == "resolve" and request.POST.get("resolve-objection") == str(o.pk):
            resolve_forms.append((o, forms.ResolveForm(request.POST, prefix="resolve")))
        elif user.has_role(Role.TOWNSHIP_REVIEWER):
            resolve_forms.append((o, forms.ResolveForm(prefix="resolve", initial={"objection": o.pk})))
    if posted == "resolve" and not any(f.is_bound for _o, f in resolve_forms):
        form = forms.ResolveForm(request.POST, prefix="resolve")
        form.is_valid()
        form.add_error(None, _("No such objection on this case."))
        resolve_forms.append((None, form))
    bound = shown.get(posted) or next((f for _o, f in resolve_forms if f.is_bound), None)
    if bound is not None and bound.is_valid():
        try:
            _take_step(posted, user, c, bound.cleaned_data)
            messages.success(request, _("Step recorded."))
            return redirect("lifecycle_case", pk=c.pk)
        except (ValidationError, PermissionDenied) as exc:
            _refuse(bound, exc)
    steps = list(c.steps.all())
    for s in steps:
        s.role_label = Role(s.role).label if s.role in Role.values else ""  # type: ignore[attr-defined]
    today = services.common.today()
    deadline = selectors.queue_item(c, today)
    head = selectors.head_name(c.household)
    masker = Masker(user)
    if head:
        masker.reveal(obj=c.household, summary=f"case #{c.pk}: head's name")
    return render(request, "lifecycle/case.html", {
        "c": c, "kind_label": Kind(c.kind).label, "stage_label": Stage(c.stage).label,
        "chain": _chain(c), "head": masker.name(head) if head else "",
        "status_label": label("household_status", c.household.status),
        "deadline": deadline.deadline if deadline else None, "overdue": deadline.overdue if deadline else False,
        "notice_running": bool(c.notice and today <= c.notice.ends_on),
        "category_label": label("monitoring_category", c.category) if c.category else "",
        "risk_labels": [label("monitoring_risk", r) for r in c.risks],
        "steps": steps, "objections": c.objections.all(), "doubts": c.doubts.all(),
        "forms": [(step, STEP_TITLES[step], form) for step, form in shown.items()],
        "resolve_forms": resolve_forms,
    })


CHAIN = ((Stage.APPLIED, gettext_lazy("application")), (Stage.REVIEWED, gettext_lazy("village democratic review")),
         (Stage.NOTICE, gettext_lazy("public notice")), (Stage.AUDITED, gettext_lazy("township audit")),
         (Stage.APPROVED, gettext_lazy("county approval")))


def _chain(c: Case) -> list[tuple[str, Any, str]]:
    """The chain of the procedure with each step done, current (the case waits for it) or to come."""
    order: list[str] = [s for s, _t in CHAIN]
    reached = order.index(c.stage) if c.stage in order else -1
    out: list[tuple[str, Any, str]] = []
    for i, (stage, title) in enumerate(CHAIN):
        state = "done" if i <= reached else ("current" if i == reached + 1 and c.is_open else "")
        out.append((stage, title, state))
    return out


@login_required
def work_queue(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step not in services.STEP_FUNCTIONS:
            raise PermissionDenied
        ids = params.ids(request.POST.getlist("case"))
        # Only cases of the user's region reach the service: others are "no such case", like missing ones, so
        # that ids cannot be probed.
        mine = list(scoped(Case.objects.filter(pk__in=ids), user).values_list("pk", flat=True))
        results = services.bulk_decide(actor=user, step=step, case_ids=mine, approve=request.POST.get("approve") == "1",
                                       reason=request.POST.get("reason", ""))
        results += [services.BulkResult(pk, False, "不存在 / no such case") for pk in sorted(set(ids) - set(mine))]
        done = sum(r.ok for r in results)
        messages.success(request, _("%(done)d of %(total)d decided.") % {"done": done, "total": len(results)})
        for r in results:
            if not r.ok:
                messages.error(request, f"#{r.case_id}: {r.message}")
        return redirect("lifecycle_queue")
    items = selectors.queue(user, services.common.today())  # the clock of the services (tests let days pass)
    masker = Masker(user)
    for item in items:
        item.case.kind_label = Kind(item.case.kind).label  # type: ignore[attr-defined]
        item.case.stage_label = Stage(item.case.stage).label  # type: ignore[attr-defined]
        item.head = masker.name(getattr(item.case, "head_name", "") or "")  # type: ignore[attr-defined]
    if items:
        masker.reveal(object_type="registry.household", region_code=scope_of(user).prefix or "",
                      summary="work queue: heads' names", detail={"households": [i.case.household_id for i in items]})
    steps = selectors.bulk_steps(user)
    return render(request, "lifecycle/queue.html", {
        "items": items, "bulk_steps": [(s, BULK_TITLES[s]) for s in steps],
        "can_notice": user.has_role(Role.CLERK), "any_ready": any(i.ready for i in items),
    })


BULK_TITLES = {"review": gettext_lazy("village democratic review"), "audit": gettext_lazy("township audit"),
               "approve": gettext_lazy("county approval")}


@login_required
@require_POST
def start_notice(request: HttpRequest) -> HttpResponse:
    ids = params.ids(request.POST.getlist("case"))
    cases = [selectors.case_for(request.user, pk) for pk in ids]
    try:
        notice = services.start_notice(actor=request.user, cases=cases)
        messages.success(request, _("Public notice posted until %(date)s.") % {"date": notice.ends_on})
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    return redirect("lifecycle_queue")


@login_required
def exit_evaluation(request: HttpRequest) -> HttpResponse:
    asked = request.GET.get("region", "").strip()
    # the region asked for (404 outside the user's region), else the user's own (none for nationwide users)
    code = narrow_or_404(request.user, asked, node=True).prefix if asked else scope_of(request.user).prefix
    code = code or ""
    region = Region.objects.filter(code=code).first()
    default = evaluation.default_year()
    try:
        year = params.small_int(request.GET.get("year") or default, default) or default
        if not 2000 <= year <= 2100:
            raise ValueError(year)
        area = evaluation.area_exit(region, year) if region else None
        villages = evaluation.village_exits(code, year) if region and len(code) >= 6 else []
    except (ValueError, evaluation.NoPovertyLine) as exc:
        messages.error(request, error_text(exc))
        year, area, villages = default, None, []
    return render(request, "lifecycle/exit_evaluation.html",
                  {"region": region, "year": year, "area": area, "villages": villages})


def public_notices(request: HttpRequest) -> HttpResponse:
    """Public (no login): current notices with masked names and no ID numbers; printable."""
    region = request.GET.get("region", "")
    region = region if is_code(region) else ""
    notices = list(selectors.current_notices(region=region)[:200])
    for n in notices:
        n.entries = selectors.notice_entries(n)  # type: ignore[attr-defined]
        n.kind_label = Kind(n.kind).label  # type: ignore[attr-defined]
    return render(request, "lifecycle/public_notices.html", {"notices": notices, "region": region})


def public_notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice printed (weasyprint, Noto Sans CJK): the same masked names as the public page, no ID numbers."""
    from weasyprint import HTML

    notice = get_object_or_404(Notice.objects.select_related("village", "village__parent"), pk=pk)
    html = render_to_string("lifecycle/notice_pdf.html", {
        "n": notice, "entries": selectors.notice_entries(notice), "kind_label": Kind(notice.kind).label,
    }, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return response


def public_notice(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notice.objects.select_related("village", "village__parent"), pk=pk)
    notice.entries = selectors.notice_entries(notice)  # type: ignore[attr-defined]
    notice.kind_label = Kind(notice.kind).label  # type: ignore[attr-defined]
    return render(request, "lifecycle/public_notices.html", {"notices": [notice], "region": "", "single": True})
