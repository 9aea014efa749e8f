"""Writes of the team app (issue 16): one function per business action, validated, transactional and audited.
Views, the API, uploads and the demo command call these.

- team members: ``save_cadre`` (the person record is ``registry.Cadre``), ``import_members`` (a list, all or
  nothing, updating by ID number);
- postings: ``post`` (assign to a region node), ``end_posting``, ``rotate`` (a village's team replaced on a day);
- a household's responsible cadre: ``set_household_cadre`` (through ``registry.services.update_household``, so
  the change is dated in the dossier's history);
- visits: ``log_visit`` with photos (images only, at most 5 MB each, checked by their first bytes);
- training: ``create_training``, ``import_attendance`` (all or nothing), ``add_follow_up``.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fupin.core import audit
from fupin.core.changes import mark_changed
from fupin.core.models import AuditEvent
from fupin.core.permissions import is_user, require_role
from fupin.core.roles import Role
from fupin.core.scoping import get_scoped_or_404, scope_of
from fupin.regions.models import Level, Region
from fupin.registry import idnumber
from fupin.registry import services as registry_services
from fupin.registry.models import Cadre, CadreKind, Household
from fupin.team.models import (
    Attendance,
    FollowUp,
    Posting,
    PostingRole,
    Training,
    TrainingMode,
    TrainingTopic,
    Visit,
    VisitPhoto,
)

# The organisation department and the poverty office of a county (and above) manage teams and training.
TEAM_ROLES = (Role.COUNTY_ADMIN, Role.SYSADMIN)
# Who records what became of a trainee: the team's managers and, for its e-commerce courses, the commerce bureau.
FOLLOW_UP_ROLES = (*TEAM_ROLES, Role.COMMERCE_BUREAU)
# Who logs visits: the cadre themself, or a clerk/reviewer/administrator of the village's region.
VISIT_ROLES = (Role.CADRE, Role.CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN)
# One person at a time in these roles per region node (one first secretary, one team leader, one leader per village).
SINGLE_ROLES = frozenset({PostingRole.FIRST_SECRETARY, PostingRole.TEAM_LEADER, PostingRole.VILLAGE_LEADER})
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTOS_PER_VISIT = 5
# The first bytes of the image types accepted (the browser's content type and the file name are not trusted).
IMAGE_SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg", "jpg"), (b"\x89PNG\r\n\x1a\n", "image/png", "png"))


def media_root() -> Path:
    return Path(settings.VAR_DIR) / "media"


# --- small validators -------------------------------------------------------------------------------------------


def _text(value: Any, field: str, max_length: int, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: "请填写 / this is required"})
    if len(text) > max_length:
        raise ValidationError({field: f"至多{max_length}字 / at most {max_length} characters"})
    return text


def _date(value: Any, field: str, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise ValidationError({field: "请填写日期 / the date is required"})
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError({field: "日期格式应为 YYYY-MM-DD / a date is written YYYY-MM-DD"}) from None


def _day(value: Any, field: str) -> dt.date:
    day = _date(value, field)
    assert day is not None
    return day


def _choice(value: Any, field: str, choices: Iterable[str]) -> str:
    text = str(value or "").strip()
    if text not in set(choices):
        raise ValidationError({field: "请从列表中选择 / choose one of the list"})
    return text


def _region_in_scope(actor: Any, code: Any, field: str = "region") -> Region:
    region = Region.objects.filter(code=str(code or "").strip()).first()
    if region is None:
        raise ValidationError({field: "未知区划代码 / unknown division code"})
    if not scope_of(actor).contains(region.code):
        raise PermissionDenied("该区划不在您的管辖范围 / this region is outside your scope")
    return region


def _cadre_in_scope(actor: Any, cadre_id: Any, *, for_update: bool = False) -> Cadre:
    qs = Cadre.objects.select_for_update() if for_update else Cadre.objects.all()
    if not str(cadre_id or "").isdigit():
        raise ValidationError({"cadre": "请选择帮扶干部 / choose a team member"})
    return get_scoped_or_404(qs, actor, pk=int(cadre_id))


# --- team members -------------------------------------------------------------------------------------------------


@transaction.atomic
def save_cadre(*, actor: Any, name: str, id_number: str, kind: str, unit: str, region_code: str, phone: str = "",
               start_date: Any = None, end_date: Any = None, cadre_id: int | None = None) -> Cadre:
    """Create (or, with ``cadre_id``, change) a team member's person record. The ID number is checked as members'
    are (check digit, birth date, region code of the year of birth, with python-stdnum) and is unique."""
    require_role(actor, TEAM_ROLES)
    errors: dict[str, str] = {}
    number = idnumber.normalize(id_number)
    try:
        idnumber.check_one(number)
    except idnumber.IdNumberError as exc:
        errors["id_number"] = str(exc)
    others = Cadre.objects.filter(id_number=number).exclude(pk=cadre_id or 0)
    if number and others.exists():
        errors["id_number"] = "该身份证号已是另一名队员 / this ID number is already another team member's"
    phone = _text(phone, "phone", 20, required=False)
    if phone and not phone.replace("-", "").isdigit():
        errors["phone"] = "电话只能包含数字 / a phone number has digits only"
    start, end = _date(start_date, "start_date", required=False), _date(end_date, "end_date", required=False)
    if start and end and end <= start:
        errors["end_date"] = "离任日期应晚于任职日期 / the end must come after the start"
    if errors:
        raise ValidationError(errors)
    region = _region_in_scope(actor, region_code)
    values = {"name": _text(name, "name", 50), "id_number": number, "kind": _choice(kind, "kind", CadreKind.values),
              "unit": _text(unit, "unit", 100), "phone": phone, "region": region, "start_date": start,
              "end_date": end}
    if cadre_id is None:
        cadre = Cadre.objects.create(**values)
        action = AuditEvent.Action.CREATE
    else:
        cadre = _cadre_in_scope(actor, cadre_id, for_update=True)
        for k, v in values.items():
            setattr(cadre, k, v)
        cadre.save()
        action = AuditEvent.Action.UPDATE
    audit.record(actor=actor, action=action, obj=cadre, summary=f"team member {cadre.pk} ({cadre.kind})")
    return cadre


def import_members(*, actor: Any, content: bytes, filename: str, error_path: Any = None) -> Any:
    """The team members list (``member_upload``): all or nothing, audited once; a row whose ID number is already a
    team member's (in the uploader's region) updates that person record. Returns the ``core.uploads.ImportSummary``
    (created, updated, unchanged; the errors and, with ``error_path``, the marked workbook written there)."""
    from fupin.core.uploads import check_file, summarize
    from fupin.team import member_upload

    started = time.perf_counter()
    require_role(actor, TEAM_ROLES)
    scope = scope_of(actor)
    with transaction.atomic():
        checked = check_file(lambda: member_upload.check(content, filename, scope=scope), filename,
                             member_upload.COLUMNS)
        result = summarize(checked, error_path)
        if result.ok:
            result.created, result.updated, result.unchanged = member_upload.write(checked)
            audit.record(actor=actor, action=AuditEvent.Action.BULK, object_type="registry.cadre",
                         region_code=scope.prefix or "",
                         summary=f"team members list {filename[:100]}: {result.created} new, {result.updated} updated",
                         detail={"file": filename[:100], "created": result.created, "updated": result.updated,
                                 "unchanged": result.unchanged})
            mark_changed(())  # the team indicators are recomputed in full: a refresh, no village to recompute
    result.seconds = time.perf_counter() - started
    return result


# --- postings ----------------------------------------------------------------------------------------------------


def _single_taken(region: Region, role: str, on: dt.date, *, exclude: Sequence[int] = ()) -> Posting | None:
    if role not in SINGLE_ROLES:
        return None
    return (Posting.objects.filter(region=region, role=role, start_date__lte=on)
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=on)).exclude(pk__in=exclude).first())


def _create_posting(actor: Any, cadre: Cadre, region: Region, role: str, start: dt.date) -> Posting:
    if role in (PostingRole.FIRST_SECRETARY, PostingRole.VILLAGE_LEADER) and region.level != Level.VILLAGE:
        raise ValidationError({"region": "第一书记和带头人应派驻到行政村 / first secretaries and leaders serve a village"})
    later = Posting.objects.filter(region=region, role=role, start_date__gt=start)
    if role in SINGLE_ROLES and later.exists():
        raise ValidationError({"start_date": "该职务此后已有任职记录 / a later posting in this role exists"})
    taken = _single_taken(region, role, start)
    if taken is not None:
        raise ValidationError({"role": f"{region.name}此时已有{PostingRole(role).label}，请用轮换 / "
                                       "this role is taken on that day: rotate instead"})
    posting = Posting.objects.create(cadre=cadre, region=region, role=role, start_date=start)
    if cadre.region_id != region.code:
        # The person record follows the latest posting, so that scoping and alert routing see where they serve.
        Cadre.objects.filter(pk=cadre.pk).update(region=region)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=posting,
                 summary=f"posting of team member {cadre.pk} as {role} from {start}")
    return posting


@transaction.atomic
def post(*, actor: Any, cadre_id: Any, region_code: str, role: str, start_date: Any) -> Posting:
    """Post a team member to a region node of any level from a day (a first secretary to a village, ...)."""
    require_role(actor, TEAM_ROLES)
    role = _choice(role, "role", PostingRole.values)
    cadre = _cadre_in_scope(actor, cadre_id, for_update=True)
    region = _region_in_scope(actor, region_code)
    posting = _create_posting(actor, cadre, region, role, _day(start_date, "start_date"))
    mark_changed(())
    return posting


@transaction.atomic
def end_posting(*, actor: Any, posting_id: int, end_date: Any, reason: str = "") -> Posting:
    require_role(actor, TEAM_ROLES)
    posting = get_scoped_or_404(Posting.objects.select_for_update(), actor, pk=posting_id)
    end = _day(end_date, "end_date")
    if posting.end_date is not None:
        raise ValidationError({"end_date": "该任职已结束 / this posting has already ended"})
    if end <= posting.start_date:
        raise ValidationError({"end_date": "结束日期应晚于开始日期 / the end must come after the start"})
    posting.end_date, posting.end_reason = end, _text(reason, "reason", 100, required=False)
    posting.save(update_fields=["end_date", "end_reason"])
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=posting, summary=f"posting ended on {end}")
    mark_changed(())
    return posting


@transaction.atomic
def rotate(*, actor: Any, region_code: str, on: Any, incoming: Sequence[tuple[Any, str]], reason: str = "轮换"
           ) -> list[Posting]:
    """Rotation (轮换) of a region's team on a day: every posting in force there ends that day and the incoming
    (team member, role) pairs start it. History is kept: a query for an earlier day still sees the old team."""
    require_role(actor, TEAM_ROLES)
    region = _region_in_scope(actor, region_code)
    day = _day(on, "on")
    if not incoming:
        raise ValidationError({"incoming": "请至少选择一名新队员 / choose at least one incoming member"})
    roles = [_choice(role, "role", PostingRole.values) for _cadre, role in incoming]
    for role in SINGLE_ROLES:
        if roles.count(role) > 1:
            raise ValidationError({"incoming": f"{PostingRole(role).label}只能有一名 / only one {role}"})
    current = list(Posting.objects.select_for_update().filter(region=region, start_date__lte=day)
                   .filter(Q(end_date__isnull=True) | Q(end_date__gt=day)))
    for p in current:
        if p.start_date == day:
            raise ValidationError({"on": "当天开始的任职不能轮换 / a posting that starts that day cannot rotate"})
        p.end_date, p.end_reason = day, _text(reason, "reason", 100, required=False)
        p.save(update_fields=["end_date", "end_reason"])
    created = [_create_posting(actor, _cadre_in_scope(actor, cadre_id, for_update=True), region, role, day)
               for (cadre_id, _role), role in zip(incoming, roles, strict=True)]
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=region, object_type="team.rotation",
                 summary=f"team of {region.code} rotated on {day}",
                 detail={"ended": [p.pk for p in current], "started": [p.pk for p in created]})
    mark_changed(())
    return created


# --- household contacts -------------------------------------------------------------------------------------------


def set_household_cadre(*, actor: Any, household_id: int, cadre_id: Any, reason: str = "",
                        valid_from: dt.date | None = None) -> Household:
    """Set (or clear, with ``None``) a household's responsible cadre: a dated change of its dossier. The role is
    checked before the household is looked up (no existence probing, issue 20)."""
    registry_services.check_writer(actor)
    household = get_scoped_or_404(Household.objects.select_related("cadre"), actor, pk=household_id)
    return registry_services.update_household(
        actor=actor, household=household, data={"cadre_id": cadre_id or None},
        reason=reason or "更换帮扶责任人 / responsible cadre changed", valid_from=valid_from)


# --- visits -------------------------------------------------------------------------------------------------------


def image_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an accepted image from its first bytes; ``None`` for anything else."""
    for signature, content_type, ext in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return content_type, ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def check_photos(photos: Sequence[tuple[bytes, str]]) -> list[tuple[bytes, str, str]]:
    """Refuse, naming the file, a photo that is too big or not a JPEG, PNG or WebP image."""
    if len(photos) > PHOTOS_PER_VISIT:
        raise ValidationError({"photos": f"每次走访至多{PHOTOS_PER_VISIT}张照片 / at most {PHOTOS_PER_VISIT} photos"})
    checked = []
    for content, filename in photos:
        name = str(filename)[:60]
        if len(content) > PHOTO_MAX_BYTES:
            raise ValidationError({"photos": f"“{name}”超过5MB / “{name}” is larger than 5 MB"})
        kind = image_type(content[:16])
        if kind is None or len(content) < 16:
            raise ValidationError({"photos": f"“{name}”不是JPEG、PNG或WebP图片 / “{name}” is not a JPEG, PNG or "
                                             "WebP image"})
        checked.append((content, kind[0], kind[1]))
    return checked


def cadre_of(user: Any) -> Cadre | None:
    return Cadre.objects.filter(user=user).first() if is_user(user) else None


def log_visit(*, actor: Any, household_id: int, visited_on: Any, findings: str, cadre_id: Any = None,
              alert_id: Any = None, photos: Sequence[tuple[bytes, str]] = ()) -> Visit:
    """A visit log (走访记录). A cadre logs their own visits to their own households; a clerk or administrator of
    the region may log one for a cadre. Photos are checked before anything is written and stored under
    var/media/visits/ by random names; if the write fails the files are removed."""
    require_role(actor, VISIT_ROLES, system=False)
    own = cadre_of(actor)
    if own is not None and not actor.has_role(Role.CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN):
        household = Household.objects.filter(pk=household_id, cadre=own).first()
        if household is None:
            raise PermissionDenied("这不是您帮扶的农户 / this is not one of your households")
        cadre = own
    else:
        household = get_scoped_or_404(Household.objects.all(), actor, pk=household_id)
        chosen = (_cadre_in_scope(actor, cadre_id) if cadre_id not in (None, "") else
                  household.cadre if household.cadre_id else None)
        if chosen is None:
            raise ValidationError({"cadre": "该户尚无帮扶责任人，请选择走访干部 / choose the visiting cadre"})
        cadre = chosen
    day = _day(visited_on, "visited_on")
    if day > timezone.localdate():
        raise ValidationError({"visited_on": "走访日期不能晚于今天 / the visit cannot be in the future"})
    text = _text(findings, "findings", 2000)
    alert = None
    if alert_id not in (None, ""):
        Alert = apps.get_model("monitoring", "Alert")
        alert = Alert.objects.filter(pk=alert_id, household_id=household.pk).first() if str(alert_id).isdigit() \
            else None
        if alert is None:
            raise ValidationError({"alert": "该预警不属于这户 / this alert is not about this household"})
    checked = check_photos(photos)
    written: list[Path] = []
    try:
        with transaction.atomic():
            visit = Visit.objects.create(cadre=cadre, household=household, visited_on=day, findings=text,
                                         alert=alert, created_by=actor)
            for content, content_type, ext in checked:
                relative = f"visits/{day:%Y/%m}/{secrets.token_hex(16)}.{ext}"
                target = media_root() / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
                written.append(target)
                VisitPhoto.objects.create(visit=visit, path=relative, content_type=content_type, size=len(content))
            audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=visit,
                         summary=f"visit to household {household.pk} on {day}", detail={"photos": len(checked)})
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    mark_changed(())
    return visit


# --- training -----------------------------------------------------------------------------------------------------


def _hours(value: Any) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": "应为数字 / a number is expected"}) from None
    if not number.is_finite() or number <= 0 or number > 1000 or number != number.quantize(Decimal("0.1")):
        raise ValidationError({"hours": "学时应在0到1000之间，至多1位小数 / 0 to 1000 hours, one decimal"})
    return number


@transaction.atomic
def create_training(*, actor: Any, title: str, organiser: str, region_code: str, starts_on: Any, hours: Any,
                    topic: str = TrainingTopic.NETWORK, mode: str = TrainingMode.OFFLINE,
                    roles: Sequence[str] = TEAM_ROLES) -> Training:
    """A training event. ``roles`` lets the commerce bureau create its e-commerce courses through the same
    service (its own role check)."""
    require_role(actor, roles)
    region = _region_in_scope(actor, region_code)
    training = Training.objects.create(
        title=_text(title, "title", 200), organiser=_text(organiser, "organiser", 100), region=region,
        topic=_choice(topic, "topic", TrainingTopic.values), mode=_choice(mode, "mode", TrainingMode.values),
        starts_on=_day(starts_on, "starts_on"), hours=_hours(hours))
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=training, summary=f"training {training.title}")
    return training


def import_attendance(*, actor: Any, training_id: int, content: bytes, filename: str, error_path: Any = None,
                      roles: Sequence[str] = TEAM_ROLES, topic: str | None = None) -> Any:
    """A training's attendance list (``attendance_upload``): all or nothing, audited once; people are linked to
    registered members and team members by ID number. ``topic`` limits the trainings the caller may fill (the
    commerce app: e-commerce). Returns the ``core.uploads.ImportSummary``."""
    from fupin.core.uploads import check_file, summarize
    from fupin.team import attendance_upload

    started = time.perf_counter()
    require_role(actor, roles)
    with transaction.atomic():
        qs = Training.objects.select_for_update()
        if topic is not None:
            qs = qs.filter(topic=topic)
        training = get_scoped_or_404(qs, actor, pk=training_id)
        checked = check_file(lambda: attendance_upload.check(content, filename, training=training,
                                                             scope=scope_of(actor)), filename, attendance_upload.COLUMNS)
        result = summarize(checked, error_path)
        if result.ok:
            result.created = attendance_upload.write(checked, training=training)
            result.counts["linked_members"] = int(checked.rows["_member"].is_not_null().sum())
            result.counts["linked_team_members"] = int(checked.rows["_cadre"].is_not_null().sum())
            audit.record(actor=actor, action=AuditEvent.Action.BULK, obj=training, object_type="team.attendance",
                         summary=f"attendance of training {training.pk}: {result.created} people",
                         detail={"file": filename[:100], **result.counts})
            mark_changed(())  # the team indicators are recomputed in full: a refresh, no village to recompute
    result.seconds = time.perf_counter() - started
    return result


@transaction.atomic
def add_follow_up(*, actor: Any, attendance_id: int, visited_on: Any, outcome: str, note: str = "",
                  roles: Sequence[str] = FOLLOW_UP_ROLES) -> FollowUp:
    """A follow-up of a trainee (学员跟踪回访): what became of them (employed, business started, shop opened), on
    a day between the training and today. The latest outcome is also the trainee's."""
    require_role(actor, roles)
    attendance = get_scoped_or_404(Attendance.objects.select_related("training"), actor, pk=attendance_id)
    day = _day(visited_on, "visited_on")
    if day > timezone.localdate():
        raise ValidationError({"visited_on": "回访日期不能晚于今天 / the follow-up cannot be in the future"})
    if day < attendance.training.starts_on:
        raise ValidationError({"visited_on": "回访日期不能早于培训日期 / the follow-up cannot come before the training"})
    follow = FollowUp.objects.create(attendance=attendance, visited_on=day,
                                     outcome=_text(outcome, "outcome", 100), note=_text(note, "note", 200,
                                                                                        required=False))
    Attendance.objects.filter(pk=attendance.pk).update(outcome=follow.outcome)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=follow,
                 summary=f"follow-up of trainee {attendance.pk}")
    return follow
