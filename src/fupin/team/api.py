"""/api/v1/team: team members, postings (a region's team on any day, assign, end, rotate), a household's
responsible cadre, the coverage lists, visits (with photos, multipart) and trainings with their attendance upload.
Scoped like the pages; personal data (ID numbers, phones, names of trainees) masked for roles that may not see it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from fupin.core.masking import Masker
from fupin.core.pagination import Page, PageQuery, offset_page
from fupin.registry.models import Cadre
from fupin.team import selectors, services
from fupin.team.models import Attendance, Posting, Training, Visit

router = Router()


class MemberOut(Schema):
    id: int
    name: str
    kind: str
    unit: str
    region_code: str
    id_number: str
    phone: str
    start_date: dt.date | None
    end_date: dt.date | None


def _member(c: Cadre, masker: Masker) -> dict[str, Any]:
    return {"id": c.pk, "name": c.name, "kind": c.kind, "unit": c.unit, "region_code": c.region_id,
            "id_number": masker.id_number(c.id_number), "phone": masker.phone(c.phone), "start_date": c.start_date,
            "end_date": c.end_date}


class MemberQuery(PageQuery):
    region: str = ""
    kind: str = ""


@router.get("/members", response=Page[MemberOut], summary="Team members (person records) of the caller's region")
def members(request: HttpRequest, q: Query[MemberQuery]) -> dict[str, Any]:
    masker = Masker(request.user)
    return offset_page(selectors.cadres(request.user, region=q.region, kind=q.kind), q, lambda c: _member(c, masker))


class MemberIn(Schema):
    name: str
    id_number: str
    kind: str
    unit: str
    region_code: str
    phone: str = ""
    start_date: str = ""
    end_date: str = ""


@router.post("/members", response={201: MemberOut}, summary="Register a team member (county administrator)")
def create_member(request: HttpRequest, body: MemberIn) -> Status:
    c = services.save_cadre(actor=request.user, **body.dict())
    return Status(201, _member(c, Masker(request.user)))


class PostingOut(Schema):
    id: int
    member_id: int
    member_name: str
    region_code: str
    role: str
    start_date: dt.date
    end_date: dt.date | None
    end_reason: str


def _posting(p: Posting) -> dict[str, Any]:
    return {"id": p.pk, "member_id": p.cadre_id, "member_name": p.cadre.name, "region_code": p.region_id,
            "role": p.role, "start_date": p.start_date, "end_date": p.end_date, "end_reason": p.end_reason}


@router.get("/regions/{code}/team", response=list[PostingOut],
            summary="The team of a region node on a day (today by default): the postings in force")
def team(request: HttpRequest, code: str, on: dt.date | None = None) -> list[dict[str, Any]]:
    return [_posting(p) for p in selectors.team_on(request.user, code, on)]


@router.get("/regions/{code}/postings", response=list[PostingOut], summary="Every posting of a region node")
def history(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return [_posting(p) for p in selectors.postings(request.user, code)[:1000]]


class PostingIn(Schema):
    member_id: int
    region_code: str
    role: str
    start_date: str


@router.post("/postings", response={201: PostingOut}, summary="Post a team member to a region node from a day")
def create_posting(request: HttpRequest, body: PostingIn) -> Status:
    p = services.post(actor=request.user, cadre_id=body.member_id, region_code=body.region_code, role=body.role,
                      start_date=body.start_date)
    return Status(201, _posting(p))


class EndIn(Schema):
    end_date: str
    reason: str = ""


@router.post("/postings/{posting_id}/end", response=PostingOut, summary="End a posting on a day")
def end(request: HttpRequest, posting_id: int, body: EndIn) -> dict[str, Any]:
    return _posting(services.end_posting(actor=request.user, posting_id=posting_id, end_date=body.end_date,
                                         reason=body.reason))


class Incoming(Schema):
    member_id: int
    role: str


class RotationIn(Schema):
    region_code: str
    on: str
    incoming: list[Incoming]
    reason: str = "轮换"


@router.post("/rotations", response={201: list[PostingOut]},
             summary="Rotate a region's team on a day: postings in force end, the incoming ones start")
def rotation(request: HttpRequest, body: RotationIn) -> Status:
    created = services.rotate(actor=request.user, region_code=body.region_code, on=body.on,
                              incoming=[(i.member_id, i.role) for i in body.incoming], reason=body.reason)
    return Status(201, [_posting(p) for p in created])


class CadreIn(Schema):
    member_id: int | None
    reason: str = ""
    valid_from: dt.date | None = None


class HouseholdCadreOut(Schema):
    household_id: int
    member_id: int | None


@router.put("/households/{household_id}/cadre", response=HouseholdCadreOut,
            summary="Set (or clear with null) a household's responsible cadre; dated in the dossier's history")
def household_cadre(request: HttpRequest, household_id: int, body: CadreIn) -> dict[str, Any]:
    h = services.set_household_cadre(actor=request.user, household_id=household_id, cadre_id=body.member_id,
                                     reason=body.reason, valid_from=body.valid_from)
    return {"household_id": h.pk, "member_id": h.cadre_id}


class CoverageQuery(PageQuery):
    region: str = ""
    ceiling: int = selectors.DEFAULT_CEILING


class CoverageRow(Schema):
    code: str
    name: str
    count: int | None = None


@router.get("/coverage/{what}", response=Page[CoverageRow],
            summary="Coverage lists: first_secretary | work_team | leader (poor villages without), no_cadre "
                    "(households without a cadre: code is the household number), overloaded (cadres above ceiling)")
def coverage(request: HttpRequest, what: str, q: Query[CoverageQuery]) -> dict[str, Any]:
    user = request.user
    if what in selectors.MISSING:
        return offset_page(selectors.villages_missing(user, what, region=q.region), q,
                           lambda r: {"code": r.code, "name": r.name})
    if what == "no_cadre":
        return offset_page(selectors.households_without_cadre(user, region=q.region), q,
                           lambda h: {"code": h.number, "name": h.village.name})
    if what == "overloaded":
        return offset_page(selectors.overloaded_cadres(user, ceiling=q.ceiling, region=q.region), q,
                           lambda c: {"code": str(c.pk), "name": c.name, "count": c.households_n})
    raise Http404


class VisitOut(Schema):
    id: int
    household_id: int
    member_id: int
    visited_on: dt.date
    findings: str
    alert_id: int | None
    photos: int


def _visit(v: Visit) -> dict[str, Any]:
    return {"id": v.pk, "household_id": v.household_id, "member_id": v.cadre_id, "visited_on": v.visited_on,
            "findings": v.findings, "alert_id": v.alert_id, "photos": len(v.photos.all())}


class VisitQuery(PageQuery):
    household: int | None = None


@router.get("/visits", response=Page[VisitOut], summary="Visit logs of the caller's region")
def visits(request: HttpRequest, q: Query[VisitQuery]) -> dict[str, Any]:
    return offset_page(selectors.visits(request.user, household=q.household), q, _visit)


@router.post("/visits", response={201: VisitOut},
             summary="Log a visit (multipart: photos are JPEG, PNG or WebP images of at most 5 MB)")
def create_visit(request: HttpRequest, household_id: Form[int], visited_on: Form[str], findings: Form[str],
                 member_id: Form[int | None] = None, alert_id: Form[int | None] = None,
                 photos: File[list[UploadedFile]] = None) -> Status:  # type: ignore[assignment]
    files = [(f.read(services.PHOTO_MAX_BYTES + 1), f.name or "photo") for f in (photos or [])]
    v = services.log_visit(actor=request.user, household_id=household_id, visited_on=visited_on, findings=findings,
                           cadre_id=member_id, alert_id=alert_id, photos=files)
    return Status(201, _visit(v))


class MyHousehold(Schema):
    id: int
    number: str
    village_code: str
    visited_this_month: bool
    last_visit: dt.date | None


@router.get("/mine", response=list[MyHousehold], summary="The signed-in cadre's households, unvisited this month first")
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    households: list[Any] = list(selectors.my_households(request.user))
    return [{"id": h.pk, "number": h.number, "village_code": h.village_id, "visited_this_month": h.visited_this_month,
             "last_visit": h.last_visit} for h in households]


class TrainingOut(Schema):
    id: int
    title: str
    organiser: str
    region_code: str
    topic: str
    mode: str
    starts_on: dt.date
    hours: float
    attendance: int


def _training(t: Training) -> dict[str, Any]:
    return {"id": t.pk, "title": t.title, "organiser": t.organiser, "region_code": t.region_id, "topic": t.topic,
            "mode": t.mode, "starts_on": t.starts_on, "hours": float(t.hours), "attendance": getattr(t, "n", 0)}


class TrainingQuery(PageQuery):
    topic: str = ""


@router.get("/trainings", response=Page[TrainingOut], summary="Training events of the caller's region")
def trainings(request: HttpRequest, q: Query[TrainingQuery]) -> dict[str, Any]:
    return offset_page(selectors.trainings(request.user, topic=q.topic), q, _training)


class TrainingIn(Schema):
    title: str
    organiser: str
    region_code: str
    starts_on: str
    hours: str
    topic: str = "network"
    mode: str = "offline"


@router.post("/trainings", response={201: TrainingOut}, summary="Create a training event")
def create_training(request: HttpRequest, body: TrainingIn) -> Status:
    return Status(201, _training(services.create_training(actor=request.user, **body.dict())))


class AttendanceOut(Schema):
    id: int
    name: str
    village_code: str
    level: str
    outcome: str
    certificate: str
    member_id: int | None
    team_member_id: int | None


class AttendanceQuery(PageQuery):
    """Paging of one training's attendance list."""


@router.get("/trainings/{training_id}/attendance", response=Page[AttendanceOut],
            summary="The attendance list of a training (names masked unless the role needs them)")
def attendance(request: HttpRequest, training_id: int, q: Query[AttendanceQuery]) -> dict[str, Any]:
    masker = Masker(request.user)
    t = selectors.training(request.user, training_id)

    def row(a: Attendance) -> dict[str, Any]:
        return {"id": a.pk, "name": masker.name(a.name), "village_code": a.village_id, "level": a.level,
                "outcome": a.outcome, "certificate": a.certificate, "member_id": a.member_id,
                "team_member_id": a.cadre_id}

    return offset_page(selectors.attendance(request.user, t), q, row)


class UploadOut(Schema):
    ok: bool
    created: int
    errors: list[dict[str, Any]]


@router.post("/trainings/{training_id}/attendance", response={200: UploadOut, 422: UploadOut},
             summary="Upload an attendance list (.xlsx or CSV): all rows or none")
def upload_attendance(request: HttpRequest, training_id: int, file: File[UploadedFile]) -> Any:
    result = services.import_attendance(actor=request.user, training_id=training_id, content=file.read(),
                                        filename=file.name or "upload.xlsx")
    body = {"ok": result.ok, "created": result.created,
            "errors": [{"row": c.row, "column": c.column, "value": c.value, "message": c.message}
                       for c in result.conflicts[:500]]}
    return (200 if result.ok else 422), body


class FollowUpIn(Schema):
    visited_on: str
    outcome: str
    note: str = ""


class FollowUpOut(Schema):
    id: int
    attendance_id: int
    visited_on: dt.date
    outcome: str
    note: str


@router.post("/attendance/{attendance_id}/follow-ups", response={201: FollowUpOut},
             summary="A trainee follow-up (学员跟踪回访): employed, business started, shop opened …")
def follow_up(request: HttpRequest, attendance_id: int, body: FollowUpIn) -> Status:
    f = services.add_follow_up(actor=request.user, attendance_id=attendance_id, visited_on=body.visited_on,
                               outcome=body.outcome, note=body.note)
    return Status(201, {"id": f.pk, "attendance_id": f.attendance_id, "visited_on": f.visited_on, "outcome": f.outcome,
                        "note": f.note})


@router.get("/attendance/{attendance_id}/follow-ups", response=list[FollowUpOut],
            summary="A trainee's follow-ups, newest first (404 outside scope)")
def follow_ups(request: HttpRequest, attendance_id: int) -> list[dict[str, Any]]:
    return [{"id": f.pk, "attendance_id": f.attendance_id, "visited_on": f.visited_on, "outcome": f.outcome,
             "note": f.note} for f in selectors.follow_ups(request.user, selectors.trainee(request.user, attendance_id))]
