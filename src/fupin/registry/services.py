"""Writes to the registry: one function per business action, each validated, transactional, versioned
(history) and audited. Views, the API and imports call these; nothing else writes dossiers one by one."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    BigIntegerField,
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Round
from django.utils import timezone
from django_tasks import task

from fupin.core import audit, permissions
from fupin.core.audit import set_channel
from fupin.core.changes import mark_changed
from fupin.core.models import AuditEvent
from fupin.core.recovery import on_abandoned
from fupin.core.roles import Role
from fupin.core.scoping import scope_of
from fupin.core.uploads import FILE_LEVEL, ROW, Conflict, ImportSummary, Severity, Table, error_workbook
from fupin.regions.models import Level, Region
from fupin.registry import history, hooks, idnumber, jobs
from fupin.registry.importing import Laps, Progress, checks, read, trace, write
from fupin.registry.models import (
    INCOME_FIELDS,
    Cadre,
    Household,
    HouseholdVersion,
    ImportJob,
    Income,
    Member,
    Source,
)
from fupin.registry.template import HOUSEHOLDS, MEMBERS, SHEETS
from fupin.registry.validation import (
    household_errors,
    member_errors,
    raise_if,
    registered_elsewhere,
    valid_from_errors,
)

HOUSEHOLD_FIELDS = (
    "status", "standard", "attribute", "main_cause", "other_causes", "phone", "bank_name", "bank_account",
    "is_military_family", "is_only_child", "is_two_daughters", "identified_year", "exit_year", "cultivated_land",
    "irrigated_land", "forest_land", "has_production_power", "has_living_power", "has_radio_tv", "has_broadband",
    "road_distance_km", "road_type", "housing_area", "housing_safety", "water_difficult", "water_safe", "fuel_type",
    "has_sanitary_toilet", "in_cooperative",
)
MEMBER_FIELDS = (
    "name", "id_type", "id_number", "sex", "birth_date", "relation", "ethnicity", "political", "education",
    "schooling", "health", "disability_category", "disability_grade", "labour_skill", "work_location",
    "work_months", "welfare_job_months", "speaks_mandarin", "has_medical_insurance",
    "has_serious_illness_insurance", "has_pension_insurance", "receives_dibao", "receives_tekun",
)


def check_writer(actor: Any) -> None:
    """The role part of ``check_can_write``, checked before a dossier is looked up: a role that may never change
    dossiers is refused (403) whether the dossier exists or not, inside or outside its region, so the answer tells
    it nothing (issue 20: no existence probing). Roles that may are then answered 404 outside their region."""
    if not permissions.can_write_registry(actor):
        raise PermissionDenied("您的角色不能修改档案 / your role cannot change dossiers")


def check_transferer(actor: Any) -> None:
    """The role part of ``transfer_household``, checked before the household is looked up (as ``check_writer``)."""
    if not can_transfer(actor):
        raise PermissionDenied("只有县级管理员可以办理迁户 / only a county administrator can transfer a household")


def check_can_write(actor: Any, village_code: str) -> None:
    check_writer(actor)
    if not scope_of(actor).contains(village_code):
        raise PermissionDenied("该村不在您的管辖范围内 / this village is outside your region")


def _village(code: str) -> Region:
    village = Region.objects.filter(code=code, level=Level.VILLAGE).first()
    if village is None:
        raise ValidationError({"village": f"“{code}”不是已加载的行政村代码 / not a loaded village code"})
    return village


def _member_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values = {k: data[k] for k in MEMBER_FIELDS if k in data}
    number = idnumber.normalize(str(values.get("id_number") or ""))
    values["id_number"] = number
    if (values.get("id_type") or "1") == "1" and number:
        info = idnumber.check_one(number)
        values.setdefault("sex", info.sex)
        values.setdefault("birth_date", info.birth_date)
        values["sex"] = values["sex"] or info.sex
        values["birth_date"] = values["birth_date"] or info.birth_date
    return values


@transaction.atomic
def register_household(
    *, actor: Any, village_code: str, number: str, data: Mapping[str, Any], members: list[Mapping[str, Any]],
    reason: str = "", valid_from: dt.date | None = None,
) -> Household:
    """Register a new household with its members. The head (relation 01) must be among them."""
    check_can_write(actor, village_code)
    village = _village(village_code)
    errors = {**household_errors(data), **valid_from_errors(valid_from)}
    number = number.strip()
    if not number:
        errors["number"] = "必填 / required"
    elif Household.objects.filter(number=number).exists():
        errors["number"] = registered_elsewhere(actor, kind="household", what=number)
    if not members:
        errors["members"] = "至少需要一名成员（户主） / at least one member, the head, is needed"
    elif sum(1 for m in members if m.get("relation") == "01") != 1:
        errors["members"] = "应有且只有一名户主 / exactly one member must be the head (户主)"
    numbers = [idnumber.normalize(str(m.get("id_number") or "")) for m in members]
    if len(set(numbers)) != len(numbers):
        errors["members"] = "同一证件号码出现多次 / the same ID number appears more than once"
    for i, m in enumerate(members):
        for field, msg in member_errors(m, actor=actor).items():
            errors[f"members.{i}.{field}"] = msg
    raise_if(errors)
    household = Household.objects.create(
        number=number, village=village, source=Source.ENTRY, **{k: data[k] for k in HOUSEHOLD_FIELDS if k in data}
    )
    for m in members:
        Member.objects.create(household=household, **_member_values(m))
    history.record_version(household, kind=HouseholdVersion.Kind.CREATE, actor=actor, reason=reason, valid_from=valid_from)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=household, summary=f"registered {number}")
    mark_changed((), households=[household.pk])
    return household


def cadre_errors(cadre_id: Any, village_code: str) -> dict[str, str]:
    """A household's responsible cadre (帮扶责任人) must be a team member posted to its village or to a region
    above it, and still serving. ``None`` or "" clears the cadre."""
    if cadre_id in (None, ""):
        return {}
    cadre = Cadre.objects.filter(pk=cadre_id).first() if str(cadre_id).isdigit() else None
    if cadre is None:
        return {"cadre_id": "没有这名帮扶干部 / no such team member"}
    if not village_code.startswith(cadre.region_id):
        return {"cadre_id": f"{cadre.name}不在本村或其上级区域任职 / {cadre.name} does not serve this village"}
    if cadre.end_date is not None and cadre.end_date <= timezone.localdate():
        return {"cadre_id": f"{cadre.name}已离任 / {cadre.name} no longer serves"}
    return {}


@transaction.atomic
def update_household(
    *, actor: Any, household: Household, data: Mapping[str, Any], reason: str,
    valid_from: dt.date | None = None, correction: bool = False,
) -> Household:
    """Change household fields. ``reason`` is required: every change says why."""
    check_can_write(actor, household.village_id)
    if not reason.strip():
        raise ValidationError({"reason": "请说明修改原因 / say why the dossier changes"})
    merged = {**{k: getattr(household, k) for k in HOUSEHOLD_FIELDS}, **data}
    errors = {**household_errors(merged), **valid_from_errors(valid_from)}
    if "cadre_id" in data and str(data["cadre_id"] or "") != str(household.cadre_id or ""):
        errors.update(cadre_errors(data["cadre_id"], household.village_id))
    raise_if(errors)
    history.ensure_baseline(household, actor=actor)
    for k in (*HOUSEHOLD_FIELDS, "cadre_id"):
        if k in data:
            setattr(household, k, (int(data[k]) if data[k] else None) if k == "cadre_id" else data[k])
    household.save()
    kind = HouseholdVersion.Kind.CORRECTION if correction else HouseholdVersion.Kind.UPDATE
    version = history.record_version(household, kind=kind, actor=actor, reason=reason, valid_from=valid_from)
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=household, summary=reason,
                 detail={"changes": version.changes})
    mark_changed((), households=[household.pk])
    return household


TRANSFER_ROLES = (Role.COUNTY_ADMIN,)


def can_transfer(actor: Any) -> bool:
    """Moving a household to another village is the county office's action (issue 22): never a clerk's, never an
    import's side effect."""
    return permissions.has_any_role(actor, TRANSFER_ROLES, system=False)


@transaction.atomic
def transfer_household(*, actor: Any, household: Household, village_code: str, reason: str,
                       valid_from: dt.date | None = None) -> Household:
    """Move a household, its members and incomes with it, to another village: the one explicit way a household
    number comes to stand in another village (an import that gives a registered number another village is
    refused and points here). Both villages must be in the actor's region; the reason is required; the move is
    a version of the dossier (kind "transfer", the village before and after) and an audit event, and apps that
    keep a copy of the household's village update it (``hooks.register_transfer_hook``)."""
    check_transferer(actor)
    household = Household.objects.select_for_update().get(pk=household.pk)
    old = household.village_id
    scope = scope_of(actor)
    if not scope.contains(old):
        raise PermissionDenied("该户不在您的管辖范围内 / this household is outside your region")
    errors: dict[str, str] = {**valid_from_errors(valid_from)}
    code = (village_code or "").strip()
    if not reason.strip():
        errors["reason"] = "请说明迁户原因 / say why the household moves"
    if not code:
        errors["village"] = "请选择迁入村 / choose the village the household moves to"
    elif code == old:
        errors["village"] = "迁入村与现在的村相同 / the household is already in this village"
    elif not scope.contains(code):
        errors["village"] = "迁入村不在您的管辖范围内 / the new village is outside your region"
    elif not Region.objects.filter(code=code, level=Level.VILLAGE).exists():
        errors["village"] = f"“{code}”不是已加载的行政村代码 / not a loaded village code"
    raise_if(errors)
    history.ensure_baseline(household, actor=actor)
    household.village_id = code
    household.save(update_fields=["village", "updated_at"])
    names = dict(Region.objects.filter(code__in=(old, code)).values_list("code", "name"))
    version = history.record_version(household, kind=HouseholdVersion.Kind.TRANSFER, actor=actor,
                                     reason=reason, valid_from=valid_from)
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=household,
                 summary=f"transferred {household.number} from {old} to {code}: {reason}"[:300],
                 detail={"transfer": {"from": old, "from_name": names.get(old, ""), "to": code,
                                      "to_name": names.get(code, "")}, "changes": version.changes})
    hooks.household_transferred(household.pk, old, code)
    mark_changed((), households=[household.pk])
    return household


@transaction.atomic
def add_member(*, actor: Any, household: Household, data: Mapping[str, Any], reason: str) -> Member:
    check_can_write(actor, household.village_id)
    errors = member_errors(data, actor=actor)
    if data.get("relation") == "01" and household.members.filter(is_active=True, relation="01").exists():
        errors["relation"] = "该户已有户主 / the household already has a head"
    raise_if(errors)
    history.ensure_baseline(household, actor=actor)
    member = Member.objects.create(household=household, **_member_values(data))
    history.record_version(household, kind=HouseholdVersion.Kind.MEMBER_ADD, actor=actor, reason=reason)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=member, summary=reason)
    mark_changed((), households=[household.pk])
    return member


@transaction.atomic
def update_member(*, actor: Any, member: Member, data: Mapping[str, Any], reason: str) -> Member:
    household = member.household
    check_can_write(actor, household.village_id)
    if not reason.strip():
        raise ValidationError({"reason": "请说明修改原因 / say why the dossier changes"})
    merged = {**{k: getattr(member, k) for k in MEMBER_FIELDS}, **data}
    errors = member_errors(merged, member_id=member.pk, actor=actor)
    if merged.get("relation") == "01" and household.members.filter(is_active=True, relation="01").exclude(pk=member.pk).exists():
        errors["relation"] = "该户已有户主 / the household already has a head"
    raise_if(errors)
    history.ensure_baseline(household, actor=actor)
    for k, v in _member_values(merged).items():
        setattr(member, k, v)
    member.save()
    history.record_version(household, kind=HouseholdVersion.Kind.MEMBER_UPDATE, actor=actor, reason=reason)
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=member, summary=reason)
    mark_changed((), households=[household.pk])
    return member


@transaction.atomic
def remove_member(*, actor: Any, member: Member, reason: str) -> Member:
    """A member leaves (death, marriage, moving out): kept in history, no longer active."""
    household = member.household
    check_can_write(actor, household.village_id)
    if not reason.strip():
        raise ValidationError({"reason": "请说明原因 / say why the member leaves"})
    if member.relation == "01":
        raise ValidationError({"relation": "请先变更户主 / change the head of household first"})
    history.ensure_baseline(household, actor=actor)
    member.is_active = False
    member.save(update_fields=["is_active"])
    history.record_version(household, kind=HouseholdVersion.Kind.MEMBER_REMOVE, actor=actor, reason=reason)
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=member, summary=f"removed: {reason}")
    mark_changed((), households=[household.pk])
    return member


@transaction.atomic
def set_income(
    *, actor: Any, household: Household, year: int, components: Mapping[str, Any], reason: str = ""
) -> Income:
    """Record a year's income by component; 人均纯收入 follows from it (computed, never typed)."""
    check_can_write(actor, household.village_id)
    errors: dict[str, str] = {}
    values: dict[str, Decimal] = {}
    for field in (*INCOME_FIELDS, "business_expense"):
        raw = components.get(field, 0) or 0
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            errors[field] = "应为数字 / must be a number"
            continue
        if value < 0:
            errors[field] = "不能为负数 / cannot be negative"
        values[field] = value
    size = components.get("household_size") or household.members.filter(is_active=True).count()
    if int(size) <= 0:
        errors["household_size"] = "家庭人口数应大于 0 / household size must be positive"
    if not 2013 <= int(year) <= dt.date.today().year:
        errors["year"] = "年度超出范围 / year out of range"
    raise_if(errors)
    history.ensure_baseline(household, actor=actor)
    income, _ = Income.objects.update_or_create(
        household=household, year=year, defaults={"household_size": int(size), **values}
    )
    refresh_latest_income(Household.objects.filter(pk=household.pk))
    history.record_version(household, kind=HouseholdVersion.Kind.INCOME, actor=actor, reason=reason or f"{year} 年收入")
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=household, summary=f"income {year}")
    mark_changed((), households=[household.pk])
    return income


def refresh_latest_income(households: QuerySet[Household]) -> int:
    """Set each household's latest income year and per-capita net income from its incomes, in one UPDATE
    (used after any income write: single records here; the importer computes the same in polars).
    The division is done in integer cents, rounded half away from zero, so that SQLite (which keeps decimals
    as floating point) and PostgreSQL give the same cent as Decimal arithmetic."""
    latest = Income.objects.filter(household=OuterRef("pk")).order_by("-year")
    net = Cast(Round(F("net_total") * Value(100)), output_field=BigIntegerField())
    size = F("household_size")
    half_up = ExpressionWrapper((Value(2) * net + size) / (Value(2) * size), output_field=BigIntegerField())
    half_down = ExpressionWrapper(
        Value(0) - (Value(-2) * net + size) / (Value(2) * size), output_field=BigIntegerField()
    )
    cents = Case(When(net_total__lt=0, then=half_down), default=half_up, output_field=BigIntegerField())
    # cents × 0.01 as a float: exact to the cent once stored in the two-decimal column (15 significant digits)
    per_capita = ExpressionWrapper(cents * Value(0.01), output_field=FloatField())
    return households.update(
        latest_income_year=Subquery(latest.values("year")[:1]),
        latest_per_capita=Subquery(latest.annotate(pc=per_capita).values("pc")[:1]),
    )


# ---------------------------------------------------------------------------------------------------- import


def check_can_import(actor: Any) -> None:
    if not permissions.can_write_registry(actor):
        raise PermissionDenied("您的角色不能导入档案 / your role cannot import dossiers")


def import_registry(
    files: Iterable[Any],
    *,
    actor: Any,
    dry_run: bool = False,
    progress: Progress | None = None,
    report_path: Path | None = None,
) -> ImportSummary:
    """Import the collection form (R2.4): validate the files completely, then (unless ``dry_run`` or an error)
    write all or nothing. ``files``: paths or uploaded file objects. On errors the error workbook (the clerk's
    rows at their row numbers, bad cells marked) is written to ``report_path`` when given. The stages are the
    modules of ``registry.importing``."""
    check_can_import(actor)
    say = progress or (lambda _s, _f: None)
    started = time.perf_counter()
    result = ImportSummary(dry_run=dry_run, counts={"households": 0, "members": 0, "incomes": 0})
    say("读取 / reading", 0.0)
    tables, sources, read_conflicts = read.read_inputs(files)
    result.add(read_conflicts)
    result.timings["read"] = time.perf_counter() - started
    trace("read", result.timings["read"])
    with tables:  # the text of the file, on disk until a stage reads it (removed at the end)
        return _import_tables(tables, sources, result, actor=actor, dry_run=dry_run, say=say, started=started,
                              report_path=report_path)


def _import_tables(tables: Mapping[str, Table], sources: dict[str, str], result: ImportSummary, *, actor: Any,
                   dry_run: bool, say: Progress, started: float, report_path: Path | None) -> ImportSummary:
    """``import_registry`` once the files are read: validate, then write or report."""
    say("校验 / validating", 0.2)
    t0 = time.perf_counter()
    file_level = any(c.row == FILE_LEVEL for c in result.conflicts)
    plan = None
    if not file_level:
        # An identifier the reader refused makes the keys of its rows meaningless: then only cells are checked,
        # so that the report names the real cause instead of duplicates and missing heads.
        keys_broken = any(c.column in KEY_HEADERS for c in result.conflicts)
        plan, errs = checks.validate(tables, actor=actor, progress=say, laps=Laps(result.timings),
                                     cells_only=keys_broken)
        # One message per cell: the registry's (it quotes the value and names the code list) unless the reader
        # refused an identifier that Excel had rounded, the real cause.
        own = errs.conflicts()
        refused = {(c.sheet, c.row, c.column) for c in result.conflicts if c.column in IDENTIFIER_HEADERS}
        mine = {(c.sheet, c.row, c.column) for c in own}
        result.conflicts = [c for c in result.conflicts if (c.sheet, c.row, c.column) not in mine - refused]
        result.add(c for c in own if (c.sheet, c.row, c.column) not in refused)
    result.conflicts.sort(key=lambda c: (SHEET_ORDER.get(c.sheet, 9), c.row, c.column))
    result.timings["validate"] = time.perf_counter() - t0
    if result.conflicts or plan is None:
        result.rejected = _rejected(tables, result.conflicts)
        if report_path is not None:
            error_workbook(_present(tables), [*result.conflicts, *result.warnings], report_path)
            result.error_report = report_path
        result.seconds = time.perf_counter() - started
        say("有错误，未写入 / rejected, nothing written", 1.0)
        return result
    result.counts["households"] = plan.households.height
    result.created = int(plan.households["is_new"].sum())
    result.updated = int(plan.households["changed"].sum())
    result.unchanged = plan.households.height - result.created - result.updated
    if dry_run:
        result.seconds = time.perf_counter() - started
        say("校验完成（仅校验） / validated (dry run)", 1.0)
        return result
    t0 = time.perf_counter()
    say("写入 / writing", 0.6)
    with transaction.atomic():
        laps = Laps(result.timings)
        result.counts["members"], result.counts["incomes"] = write.write(plan, actor=actor, progress=say, laps=laps)
        del plan  # the registry's rows as they were, kept for the history's diff: no longer needed
        scope = scope_of(actor)
        audit.record(
            actor=actor,
            action=AuditEvent.Action.BULK,
            object_type="registry.household",
            region_code=scope.prefix or "",
            summary=(f"import: created {result.created}, updated {result.updated}, "
                     f"unchanged {result.unchanged}, rejected {result.rejected}"),
            detail={**result.as_dict(), "files": sorted(sources.values())},
        )
        laps("write.audit")
    laps("write.commit")
    mark_changed(())  # the households written carry updated_at: the indicators' refresh finds them
    result.timings["write"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    say("核查数据质量 / checking data quality", 0.95)
    result.add(entry_warnings(tables))
    # the clerk's rows with the warnings marked (yellow) — only when a warning is on a row: a note about the whole
    # file (a large import's "warnings come with the next quality run") is in the summary, and rewriting a file of
    # 100,000 households for it took three quarters of the import
    if report_path is not None and any(w.row != FILE_LEVEL for w in result.warnings):
        error_workbook(_present(tables), result.warnings, report_path)
        result.error_report = report_path
    result.timings["warnings"] = time.perf_counter() - t0
    trace("warnings", result.timings["warnings"])
    result.seconds = time.perf_counter() - started
    say("完成 / done", 1.0)
    return result


WARNING_CHECK_LIMIT = 20_000  # households of one import checked at once; larger imports: the quality run's findings


def _present(tables: Mapping[str, Table]) -> Iterator[Table]:
    """The three sheets of the file for the report, each read back from the disk when its turn comes."""
    for s in SHEETS:
        yield tables.get(s.name) or Table.empty(s.name, s.upload_columns)


def entry_warnings(tables: Mapping[str, Table]) -> list[Conflict]:
    """The warning tier of the import (issue 14 item 4): after the write, the warnings the registered providers
    (data quality's warning and hint rules) find in the households of the file, on the clerk's row of the household
    or of the member, in the column the rule's evidence names where it names one. They never reject: the rows are
    written. An import of more than ``WARNING_CHECK_LIMIT`` households gets one note instead, and its warnings from
    the next quality run (findings)."""
    hh = tables.get(HOUSEHOLDS.name)
    if hh is None or hh.frame.height == 0 or not hooks.has_warning_providers():
        return []
    number_header = HOUSEHOLDS.column("number").header
    if hh.frame.height > WARNING_CHECK_LIMIT:
        return [Conflict(HOUSEHOLDS.name, FILE_LEVEL, "", "", (
            f"本次导入超过 {WARNING_CHECK_LIMIT} 户，数据质量提示见下一次数据质量核查的结果 / more than "
            f"{WARNING_CHECK_LIMIT} households: their data-quality warnings come with the next quality run"),
            Severity.WARNING)]
    hh_rows = dict(zip(hh.frame[number_header].to_list(), hh.frame[ROW].to_list(), strict=True))
    numbers = list(hh_rows)
    ids: dict[int, str] = {}
    for i in range(0, len(numbers), 5000):
        ids.update(Household.objects.filter(number__in=numbers[i:i + 5000]).values_list("id", "number"))
    found = hooks.warnings_for(ids)
    if not found:
        return []
    members = tables.get(MEMBERS.name)
    member_rows: dict[tuple[str, str], int] = {}
    if members is not None:
        key = (MEMBERS.column("household").header, MEMBERS.column("id_number").header)
        member_rows = {(n, i): r for n, i, r in members.frame.select(*key, ROW).iter_rows()}
    person_ids = [int(w["record"].split(":")[1]) for items in found.values() for w in items
                  if str(w.get("record", "")).startswith("person:")]
    people = dict(Member.objects.filter(pk__in=person_ids).values_list("id", "id_number")) if person_ids else {}
    out: list[Conflict] = []
    for hid, items in found.items():
        number = ids.get(hid)
        if number is None:
            continue
        for w in items:
            kind, _, record = str(w.get("record", "")).partition(":")
            sheet, row = HOUSEHOLDS, hh_rows.get(number, FILE_LEVEL)
            if kind == "person" and record.isdigit():
                at = member_rows.get((number, people.get(int(record), "")))
                if at is not None:
                    sheet, row = MEMBERS, at
            evidence = w.get("evidence") or {}
            if isinstance(evidence, str):
                evidence = json.loads(evidence)
            column = next((sheet.by_field[k].header for k in evidence if k in sheet.by_field), "")
            out.append(Conflict(sheet.name, row, column, "",
                                f"数据质量提示：{w['name']} / data-quality warning: {w['name_en']}", Severity.WARNING))
    return out


SHEET_ORDER = {s.name: i for i, s in enumerate(SHEETS)}
IDENTIFIER_HEADERS = {c.header for s in SHEETS for c in s.columns if c.identifier}
KEY_HEADERS = {c.header for s in SHEETS for c in s.columns if c.identifier and c.field in ("number", "household", "id_number")}


def _rejected(tables: Mapping[str, Table], conflicts: list[Conflict]) -> int:
    """Households touched by an error: by number, across the three sheets (file-level errors reject all)."""
    if any(e.row == FILE_LEVEL for e in conflicts):
        hh = tables.get(HOUSEHOLDS.name)
        return hh.frame.height if hh is not None else 0
    bad: set[str] = set()
    for sheet in SHEETS:
        table = tables.get(sheet.name)
        if table is None:
            continue
        rows = {e.row for e in conflicts if e.sheet == sheet.name}
        key = sheet.columns[0].header  # 户编号 in all three sheets
        numbers = table.frame.filter(pl.col(ROW).is_in(list(rows)))[key].to_list()
        bad.update(n if n is not None else f"row{r}" for n, r in zip(numbers, sorted(rows), strict=False))
    return len(bad)


def start_import(*, actor: Any, files: list[Any], dry_run: bool) -> ImportJob:
    """Store the uploaded files, create the job and queue it (``run_import_job``). Only registry writers may import."""
    check_can_import(actor)
    scope = scope_of(actor)
    job = ImportJob.objects.create(
        actor=actor, username=actor.username, region_code=scope.prefix or "", dry_run=dry_run,
        stage="排队中 / queued",
    )
    folder = jobs.job_dir(job)
    stored = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for i, f in enumerate(files):
            path = folder / f"{i}-{jobs.safe_name(f.name)}"
            with path.open("wb") as out:
                for chunk in f.chunks():
                    out.write(chunk)
            stored.append({"name": f.name, "path": str(path)})
    except OSError:
        # the disk is full (or the folder unwritable): nothing of the upload is kept, no job is left behind
        shutil.rmtree(folder, ignore_errors=True)
        job.delete()
        raise
    job.files = stored
    job.save(update_fields=["files"])
    run_import_job.enqueue(job.pk)
    return job


@task()
def run_import_job(job_id: int) -> str:
    """The background worker's import of a stored upload: progress, summary and error report on the job."""
    set_channel("web:import")
    job = ImportJob.objects.select_related("actor").get(pk=job_id)
    ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.RUNNING, started_at=timezone.now())
    paths = [Path(f["path"]) for f in job.files]
    try:
        result = import_registry(
            paths, actor=job.actor, dry_run=job.dry_run, progress=jobs.progress_recorder(job_id),
            report_path=jobs.job_dir(job) / "errors.xlsx",
        )
    except Exception as exc:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED, message=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now(),
            stage="失败 / failed",
        )
        raise
    status = ImportJob.Status.DONE if result.ok else ImportJob.Status.REJECTED
    ImportJob.objects.filter(pk=job_id).update(
        status=status, progress=1.0, finished_at=timezone.now(),
        summary={**result.as_dict(), "first_errors": [e.as_dict() for e in result.conflicts[:50]],
                 "first_warnings": [w.as_dict() for w in result.warnings[:50]]},
        error_report=str(result.error_report or ""),
        stage="完成 / done" if result.ok else "有错误，未写入 / rejected, nothing written",
    )
    return str(status)


@on_abandoned("fupin.registry.services.run_import_job")
def _import_abandoned(args: list[Any], kwargs: dict[str, Any], reason: str) -> None:
    """The worker stopped twice in the middle of this import (core.recovery): the job is failed, with the reason."""
    job_id = int(args[0] if args else kwargs["job_id"])
    ImportJob.objects.filter(pk=job_id).exclude(status__in=[ImportJob.Status.DONE, ImportJob.Status.REJECTED]).update(
        status=ImportJob.Status.FAILED, message=reason, finished_at=timezone.now(), stage="失败 / failed")
