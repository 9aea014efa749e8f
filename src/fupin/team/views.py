"""Pages of the team app (issue 16), thin: selectors read, services write.

/team/                      coverage: poor villages without a first secretary, work team or leader; households without
                            a cadre; cadres above the ceiling (each a page and an Excel file)
/team/members/              team members (person records), a new one, the list upload (template, marked errors)
/team/members/<pk>/         a team member: postings, households, a new posting
/team/village/<code>/       a village's team on any day, its rotation history, assign and rotate
/team/mine/                 the signed-in cadre's households to visit this month (a phone page)
/team/visit/<household>/    log a visit with photos
/team/trainings/            training events; /team/trainings/<pk>/ its attendance and the upload;
                            /team/trainings/<pk>/trainees/<attendance>/ a trainee's certificates and follow-ups
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.core.codes import label
from fupin.core.errors import error_text
from fupin.core.exports import audited_export, audited_file, export_source
from fupin.core.masking import Masker
from fupin.core.pagination import paginate, query_without
from fupin.core.permissions import has_any_role
from fupin.core.scoping import get_scoped_or_404, narrow_or_404, scope_of
from fupin.regions.models import Region
from fupin.registry.models import CadreKind, Household
from fupin.team import selectors, services
from fupin.team.attendance_upload import COLUMNS as ATTENDANCE_COLUMNS
from fupin.team.member_upload import COLUMNS as MEMBER_COLUMNS
from fupin.team.member_upload import template_workbook as member_template_workbook
from fupin.team.models import PostingRole, TrainingMode, TrainingTopic, VisitPhoto

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _can_manage(user: Any) -> bool:
    return has_any_role(user, services.TEAM_ROLES, system=False)


def _day_param(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def _ceiling(value: str | None) -> int:
    try:
        return max(1, min(int(value or selectors.DEFAULT_CEILING), 10_000))
    except ValueError:
        return selectors.DEFAULT_CEILING


# --- coverage -----------------------------------------------------------------------------------------------------

LISTS = {  # lazy: translated when a page is rendered, in the request's language
    "first_secretary": gettext_lazy("Poor villages without a first secretary"),
    "work_team": gettext_lazy("Poor villages without a work team"),
    "leader": gettext_lazy("Poor villages without a leader"),
    "no_cadre": gettext_lazy("Registered households without a responsible cadre"),
    "overloaded": gettext_lazy("Cadres with more households than the ceiling"),
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not _can_manage(user) and services.cadre_of(user) is not None and not user.has_role("analyst"):
        return redirect("team_mine")
    region = request.GET.get("region", "")
    narrow_or_404(user, region)  # a user without a region (a shop operator) has no coverage: 404, as /connectivity/
    ceiling = _ceiling(request.GET.get("ceiling"))
    counts = {
        "first_secretary": selectors.villages_missing(user, "first_secretary", region=region).count(),
        "work_team": selectors.villages_missing(user, "work_team", region=region).count(),
        "leader": selectors.villages_missing(user, "leader", region=region).count(),
        "no_cadre": selectors.households_without_cadre(user, region=region).count(),
        "overloaded": selectors.overloaded_cadres(user, ceiling=ceiling, region=region).count(),
    }
    return render(request, "team/home.html", {
        "lists": [(k, v, counts[k]) for k, v in LISTS.items()], "region": region, "ceiling": ceiling,
        "can_manage": _can_manage(user),
    })


def _coverage_rows(user: Any, what: str, region: str, ceiling: int) -> tuple[list[str], Any, Any]:
    """(header, queryset, row function) of one coverage list."""
    if what in selectors.MISSING:
        return ([_("Division code"), _("Village"), _("Township name"), _("County name")],
                selectors.villages_missing(user, what, region=region),
                lambda v: [v.code, v.name, v.parent.name if v.parent else "",
                           v.parent.parent.name if v.parent and v.parent.parent else ""])
    if what == "no_cadre":
        return ([_("Household number"), _("Village"), _("Division code"), _("Status")],
                selectors.households_without_cadre(user, region=region),
                lambda h: [h.number, h.village.name, h.village_id, label("household_status", h.status)])
    if what == "overloaded":
        return ([_("Team member"), _("Cadre's work unit"), _("Region"), _("Households")],
                selectors.overloaded_cadres(user, ceiling=ceiling, region=region),
                lambda c: [c.name, c.unit, c.region.name, c.households_n])
    raise Http404


@export_source
def coverage_export_rows(user: Any, what: str, region: str, ceiling: int) -> Iterator[list[Any]]:
    """The rows of one coverage list as exported (a nationwide list has about 140,000: a background job)."""
    _header, qs, row = _coverage_rows(user, what, region, ceiling)
    for r in qs.iterator(chunk_size=2000):
        yield row(r)


@login_required
def coverage(request: HttpRequest, what: str) -> HttpResponseBase:
    user: Any = request.user
    if what not in LISTS:
        raise Http404
    region = request.GET.get("region", "")
    narrow_or_404(user, region)
    ceiling = _ceiling(request.GET.get("ceiling"))
    header, qs, row = _coverage_rows(user, what, region, ceiling)
    fmt = request.GET.get("format", "")
    if fmt in ("xlsx", "csv"):
        return audited_export(actor=user, what=f"team.coverage.{what}", fmt=fmt, filename=f"team-{what}",
                              header=header, source=coverage_export_rows, count=qs.count(),
                              params={"what": what, "region": region, "ceiling": ceiling},
                              region_code=region or (scope_of(user).prefix or ""), title=str(LISTS[what])[:31],
                              notes=[_("As of %(day)s") % {"day": timezone.localdate().isoformat()}])
    page = paginate(request, qs, 50)
    rows = [row(r) for r in page.object_list]
    return render(request, "team/coverage.html", {
        "what": what, "title": LISTS[what], "header": header, "rows": rows, "page": page,
        "query": query_without(request, "page"), "region": region, "ceiling": ceiling,
        "export_query": query_without(request, "page", "format"),
    })


# --- team members and postings -------------------------------------------------------------------------------------


@login_required
def members(request: HttpRequest) -> HttpResponse:
    """Team members: the list, a new one (the region picked at any level), and the list upload (county
    administrators: all or nothing, the marked workbook back; a known ID number updates its team member)."""
    user: Any = request.user
    values: dict[str, Any] = {}
    context: dict[str, Any] = {}
    if request.method == "POST" and request.POST.get("action") == "upload":
        file = request.FILES.get("file")
        if file is None:
            messages.error(request, _("Choose a file to upload."))
        else:
            token = uuid.uuid4().hex
            try:
                result = services.import_members(actor=user, content=file.read(), filename=file.name or "upload.xlsx",
                                                 error_path=_error_path(user, token))
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, error_text(exc))
            else:
                if result.ok:
                    messages.success(request, _("Team members list imported: %(c)d new, %(u)d updated, %(n)d "
                                                "unchanged.") % {"c": result.created, "u": result.updated,
                                                                 "n": result.unchanged})
                    return redirect("team_members")
                context.update(result=result, errors=result.conflicts[:200],
                               error_url=reverse("team_members_errors", args=[token]))
    elif request.method == "POST":
        values = request.POST.dict()
        try:
            c = services.save_cadre(actor=user, name=values.get("name", ""), id_number=values.get("id_number", ""),
                                    kind=values.get("kind", ""), unit=values.get("unit", ""),
                                    region_code=values.get("region", ""), phone=values.get("phone", ""),
                                    start_date=values.get("start_date"), end_date=values.get("end_date"))
            messages.success(request, _("Team member saved."))
            return redirect("team_member", pk=c.pk)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
    kind = request.GET.get("kind", "")
    qs = selectors.cadres(user, region=request.GET.get("region", ""), kind=kind if kind in CadreKind.values else "",
                          q=request.GET.get("q", "")[:50])
    page = paginate(request, qs, 50)
    masker = Masker(user)
    for c in page.object_list:
        c.shown_phone = masker.phone(c.phone)
    return render(request, "team/members.html", {
        **context, "page": page, "query": query_without(request, "page"), "params": request.GET,
        "kinds": CadreKind.choices, "can_manage": _can_manage(user), "values": values,
        "user_region": user.region_id or "", "columns": MEMBER_COLUMNS,
    })


@login_required
def members_template(request: HttpRequest) -> HttpResponse:
    """The blank team members list with dropdowns (types; division codes of the user's region)."""
    user: Any = request.user
    if not _can_manage(user):
        raise PermissionDenied
    response = HttpResponse(member_template_workbook(scope_of(user)), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="team-members-template.xlsx"'
    return response


@login_required
def members_errors(request: HttpRequest, token: str) -> HttpResponseBase:
    user: Any = request.user
    path = _error_path(user, token) if token.isalnum() else None
    if path is None or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename="team-members-errors.xlsx")


@login_required
def member(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    c = selectors.cadre(user, pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "end":
                services.end_posting(actor=user, posting_id=int(request.POST.get("posting") or 0),
                                     end_date=request.POST.get("end_date"), reason=request.POST.get("reason", ""))
            else:
                services.post(actor=user, cadre_id=c.pk, region_code=request.POST.get("region", ""),
                              role=request.POST.get("role", ""), start_date=request.POST.get("start_date"))
            messages.success(request, _("Posting saved."))
            return redirect("team_member", pk=c.pk)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
    masker = Masker(user)
    households = list(Household.objects.filter(cadre=c).select_related("village").order_by("village_id", "number")
                      [:200])
    return render(request, "team/member.html", {
        "cadre": c, "phone": masker.phone(c.phone), "id_number": masker.id_number(c.id_number),
        "postings": list(c.postings.select_related("region").order_by("-start_date")), "households": households,
        "roles": PostingRole.choices, "can_manage": _can_manage(user), "today": timezone.localdate(),
        "trainings": list(selectors.trainings_of(user, id_number=c.id_number, cadre=c.pk)[:100]),
    })


@login_required
def village(request: HttpRequest, code: str) -> HttpResponse:
    """A region node's team on a day (``?on=``), its history, and (administrators) assign and rotate."""
    user: Any = request.user
    region = get_scoped_or_404(Region.objects.all(), user, code=code)
    day = _day_param(request.GET.get("on"))
    if request.method == "POST":
        try:
            if request.POST.get("action") == "rotate":
                incoming = [(cid, role) for cid, role in zip(request.POST.getlist("cadre"), request.POST.getlist("role"),
                                                             strict=False) if cid]
                services.rotate(actor=user, region_code=region.code, on=request.POST.get("on"), incoming=incoming,
                                reason=request.POST.get("reason", "") or "轮换")
                messages.success(request, _("The team was rotated."))
            else:
                services.post(actor=user, cadre_id=request.POST.get("cadre"), region_code=region.code,
                              role=request.POST.get("role", ""), start_date=request.POST.get("start_date"))
                messages.success(request, _("Posting saved."))
            return redirect("team_village", code=region.code)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
    candidates = list(selectors.cadres(user, region=code[:6]).filter(end_date__isnull=True)[:300])
    return render(request, "team/village.html", {
        "region": region, "day": day, "team": list(selectors.team_on(user, region.code, day)),
        "history": list(selectors.postings(user, region.code)[:200]), "roles": PostingRole.choices,
        "candidates": candidates, "can_manage": _can_manage(user), "today": timezone.localdate(),
    })


# --- the cadre's phone pages -----------------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    own = services.cadre_of(user)
    if own is None:
        raise PermissionDenied(_("This page is for helping cadres with a team member record."))
    rows: list[Any] = list(selectors.my_households(user))
    masker = Masker(user)
    heads = {m.household_id: m.name for m in _heads([h.pk for h in rows])}
    for h in rows:
        h.head_name = masker.name(heads.get(h.pk, ""))
    if rows:
        masker.reveal(obj=own, summary=f"households of cadre {own.pk}", detail={"households": len(rows)})
    return render(request, "team/mine.html", {
        "cadre": own, "households": rows, "to_visit": sum(1 for h in rows if not h.visited_this_month),
        "month": timezone.localdate().replace(day=1),
    })


def _heads(ids: list[int]) -> Any:
    from fupin.registry.models import Member

    return Member.objects.filter(household_id__in=ids, relation="01", is_active=True).only("household_id", "name")


@login_required
def visit(request: HttpRequest, household: int) -> HttpResponse:
    user: Any = request.user
    if not has_any_role(user, services.VISIT_ROLES, system=False):  # role first: no probing of household ids
        raise PermissionDenied
    h = get_scoped_or_404(Household.objects.select_related("village", "cadre"), user, pk=household)
    own = services.cadre_of(user)
    if own is not None and h.cadre_id != own.pk and not _can_manage(user) and not user.has_role(
            "clerk", "township_reviewer"):
        raise Http404
    values: dict[str, Any] = {"visited_on": timezone.localdate().isoformat()}
    if request.method == "POST":
        values = request.POST.dict()
        photos = [(f.read(services.PHOTO_MAX_BYTES + 1), f.name or "photo") for f in request.FILES.getlist("photos")]
        try:
            services.log_visit(actor=user, household_id=h.pk, visited_on=values.get("visited_on"),
                               findings=values.get("findings", ""), cadre_id=values.get("cadre") or None,
                               alert_id=values.get("alert") or None, photos=photos)
            messages.success(request, _("Visit saved."))
            return redirect("team_mine" if own is not None else "team_visits")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
    return render(request, "team/visit.html", {
        "household": h, "values": values, "visits": list(selectors.visits(user, household=h.pk)[:10]),
        "alerts": _open_alerts(h.pk),
    })


def _open_alerts(household_id: int) -> list[Any]:
    from django.apps import apps

    alert = apps.get_model("monitoring", "Alert")
    return list(alert.objects.filter(household_id=household_id).order_by("-id")[:10])


@login_required
def visits(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    qs = selectors.visits(user)
    own = services.cadre_of(user)
    if own is not None and not _can_manage(user):
        qs = qs.filter(cadre=own)
    return render(request, "team/visits.html", {"page": paginate(request, qs, 50),
                                                "query": query_without(request, "page")})


@login_required
def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A visit photo (a personal record: scoped and audited)."""
    user: Any = request.user
    p = get_scoped_or_404(VisitPhoto.objects.select_related("visit"), user, pk=pk)
    path = (services.media_root() / p.path).resolve()
    if not path.is_file() or services.media_root().resolve() not in path.parents:
        raise Http404
    return audited_file(actor=user, what="team.visitphoto", filename=Path(p.path).name, content=path,
                        content_type=p.content_type, inline=True, obj=p.visit, summary=f"photo {p.pk}")


# --- training -----------------------------------------------------------------------------------------------------


def _error_path(user: Any, token: str) -> Path:
    from django.conf import settings

    folder = Path(settings.VAR_DIR) / "uploads" / "team" / str(user.pk)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{token}.xlsx"


@login_required
def trainings(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    values: dict[str, Any] = {}
    if request.method == "POST":
        values = request.POST.dict()
        try:
            t = services.create_training(actor=user, title=values.get("title", ""),
                                         organiser=values.get("organiser", ""), region_code=values.get("region", ""),
                                         starts_on=values.get("starts_on", ""), hours=values.get("hours", ""),
                                         topic=values.get("topic", ""), mode=values.get("mode", ""))
            return redirect("team_training", pk=t.pk)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
    topic = request.GET.get("topic", "")
    return render(request, "team/trainings.html", {
        "page": paginate(request, selectors.trainings(user, topic=topic if topic in TrainingTopic.values else ""),
                         50),
        "query": query_without(request, "page"), "params": request.GET, "topics": TrainingTopic.choices,
        "modes": TrainingMode.choices, "can_manage": _can_manage(user), "values": values,
        "user_region": user.region_id or "",
    })


@login_required
def training(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    t = selectors.training(user, pk)
    context: dict[str, Any] = {"training": t, "can_manage": _can_manage(user),
                               "can_follow": has_any_role(user, services.FOLLOW_UP_ROLES, system=False)}
    if request.method == "POST":
        file = request.FILES.get("file")
        if file is None:
            messages.error(request, _("Choose a file to upload."))
        else:
            token = uuid.uuid4().hex
            try:
                result = services.import_attendance(actor=user, training_id=t.pk, content=file.read(),
                                                    filename=file.name or "upload.xlsx",
                                                    error_path=_error_path(user, token))
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, error_text(exc))
            else:
                if result.ok:
                    messages.success(request, _("%(n)d people added to the attendance list.") % {"n": result.created})
                    return redirect("team_training", pk=t.pk)
                context.update(result=result, errors=result.conflicts[:200],
                               error_url=reverse("team_training_errors", args=[t.pk, token]))
    masker = Masker(user)
    rows: list[Any] = list(selectors.attendance(user, t)[:500])
    for a in rows:
        a.shown_name = masker.name(a.name)
    if rows:
        masker.reveal(obj=t, summary=f"attendance of training {t.pk}", detail={"people": len(rows)})
    context.update(rows=rows, columns=ATTENDANCE_COLUMNS)
    return render(request, "team/training.html", context)


OUTCOMES = ("外出务工", "就近就业", "开设网店", "返乡创业", "发展种养业", "继续学习", "暂未就业")


@login_required
def trainee(request: HttpRequest, pk: int, attendance: int) -> HttpResponse:
    """A trainee of a training: the certificate, every training of the same person with its certificate, the
    follow-ups (学员跟踪回访) and, for the team's managers (and the commerce bureau), a new follow-up."""
    user: Any = request.user
    t = selectors.training(user, pk)
    a = selectors.trainee(user, attendance, training=t)
    can_follow = has_any_role(user, services.FOLLOW_UP_ROLES, system=False)
    values: dict[str, Any] = {"visited_on": timezone.localdate().isoformat()}
    if request.method == "POST":
        if not can_follow:
            raise PermissionDenied
        values = request.POST.dict()
        try:
            services.add_follow_up(actor=user, attendance_id=a.pk, visited_on=values.get("visited_on"),
                                   outcome=values.get("outcome", ""), note=values.get("note", ""))
            messages.success(request, _("Follow-up saved."))
            return redirect("team_trainee", pk=t.pk, attendance=a.pk)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
    masker = Masker(user)
    masker.reveal(obj=a, summary=f"trainee {a.pk} of training {t.pk}")
    return render(request, "team/trainee.html", {
        "training": t, "trainee": a, "name": masker.name(a.name), "id_number": masker.id_number(a.id_number),
        "follow_ups": list(selectors.follow_ups(user, a)[:200]),
        "trainings": list(selectors.trainings_of(user, id_number=a.id_number, cadre=a.cadre_id)[:100]),
        "can_follow": can_follow, "values": values, "outcomes": OUTCOMES, "today": timezone.localdate(),
    })


@login_required
def training_errors(request: HttpRequest, pk: int, token: str) -> HttpResponseBase:
    user: Any = request.user
    selectors.training(user, pk)
    path = _error_path(user, token) if token.isalnum() else None
    if path is None or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"attendance-errors-{pk}.xlsx")
