"""The assistance measures of a household (R3.2): add, change, delete."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from fupin.core import audit, codes, params
from fupin.core.models import AuditEvent
from fupin.core.tree import NODE_LENGTHS
from fupin.lifecycle.models import (
    Measure,
)
from fupin.lifecycle.services.common import (
    _require_reason,
)
from fupin.registry import services as registry_services
from fupin.registry.models import Cadre, Household

# --- assistance measures (R3.2) --------------------------------------------------------------------------

MEASURE_FIELDS = ("type", "description", "start_date", "end_date", "funds", "fund_source", "responsible", "cadre_id",
                  "result")
MEASURE_REQUIRED = ("type", "description", "start_date", "responsible")
MEASURE_MAX_LENGTHS = {"description": 300, "responsible": 100, "result": 300}
REQUIRED = "必填 / required"


def _measure_values(data: Mapping[str, Any], household: Household) -> dict[str, Any]:
    """The given measure fields checked and converted; errors by field, in Chinese and English."""
    values = {k: data[k] for k in MEASURE_FIELDS if k in data}
    errors: dict[str, str] = {}
    if "type" in values and values["type"] not in codes.codes("measure_type"):
        errors["type"] = "请选择帮扶措施类型 / choose the type of measure"
    if "fund_source" in values:
        values["fund_source"] = values["fund_source"] or ""
        if values["fund_source"] and values["fund_source"] not in codes.codes("fund_source"):
            errors["fund_source"] = "未知的资金来源 / unknown source of funds"
    if "funds" in values:
        try:
            values["funds"] = Decimal(str(values["funds"] or 0))
            if not values["funds"].is_finite():
                raise InvalidOperation
            if values["funds"] < 0:
                errors["funds"] = "资金不能为负数 / funds cannot be negative"
            elif values["funds"] >= Decimal("1e10"):
                errors["funds"] = "资金超出范围 / funds out of range"
        except InvalidOperation:
            errors["funds"] = "应为数字 / must be a number"
    for k in ("start_date", "end_date"):
        if isinstance(values.get(k), str):
            try:
                values[k] = dt.date.fromisoformat(values[k]) if values[k] else None
            except ValueError:
                errors[k] = "日期格式应为 YYYY-MM-DD / date as YYYY-MM-DD"
    for k, n in MEASURE_MAX_LENGTHS.items():
        if k in values:
            values[k] = str(values[k] or "").strip()
            if len(values[k]) > n:
                errors[k] = f"不超过 {n} 个字 / at most {n} characters"
    for k, v in params.model_text_errors({k: values[k] for k in MEASURE_MAX_LENGTHS if k in values}, Measure).items():
        errors.setdefault(k, v)  # control or direction-control characters (issue 20), as for registry writes
    for k in MEASURE_REQUIRED:
        if k in values and not values[k]:
            errors.setdefault(k, REQUIRED)
    if "cadre_id" in values:
        cadre = values["cadre_id"]
        values["cadre_id"] = None if cadre in ("", None) else _measure_cadre(cadre, household, errors)
    if errors:
        raise ValidationError(errors)
    return values


def measure_cadres(household: Household) -> QuerySet[Cadre]:
    """The cadres who may be responsible for a measure of the household: those of its village or of a
    township, county, prefecture or province above it."""
    code = household.village_id
    return Cadre.objects.filter(region_id__in=[code[:n] for n in NODE_LENGTHS if n <= len(code)])


def _measure_cadre(value: Any, household: Household, errors: dict[str, str]) -> int | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = 0
    if not measure_cadres(household).filter(pk=pk).exists():
        errors["cadre_id"] = "该帮扶责任人不属于本户所在地区 / this cadre does not belong to the household's region"
        return None
    return pk


def check_measure_writer(actor: Any) -> None:
    """The role part of ``check_measure_actor``, checked before the measure is looked up (no existence probing:
    a role that may never write measures is refused alike whether the measure exists or not)."""
    registry_services.check_writer(actor)


def check_measure_actor(actor: Any, household: Household) -> None:
    """Who may record and correct measures: the roles that write dossiers, inside their region."""
    registry_services.check_can_write(actor, household.village_id)


@transaction.atomic
def add_measure(*, actor: Any, household: Household, data: Mapping[str, Any]) -> Measure:
    check_measure_actor(actor, household)
    values = _measure_values(data, household)
    missing = {k: REQUIRED for k in MEASURE_REQUIRED if not values.get(k)}
    if missing:
        raise ValidationError(missing)
    _check_dates(values.get("start_date"), values.get("end_date"))
    measure = Measure.objects.create(household=household, created_by=actor, **values)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=measure,
                 summary=f"measure {measure.type} for {household.number}", detail={"funds": str(measure.funds)})
    return measure


def _check_dates(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and end < start:
        raise ValidationError({"end_date": "结束日期早于开始日期 / the end is before the start"})


def _audit_value(v: Any) -> Any:
    return v if v is None or isinstance(v, (str, int)) else str(v)


@transaction.atomic
def update_measure(*, actor: Any, measure: Measure, **fields: Any) -> Measure:
    """Correct a measure or record its end date and result later: the same role, region and validation
    as ``add_measure``; only the changed fields are saved and audited, with their values before and after."""
    measure = Measure.objects.select_for_update(of=("self",)).select_related("household").get(pk=measure.pk)
    check_measure_actor(actor, measure.household)
    unknown = sorted(set(fields) - set(MEASURE_FIELDS))
    if unknown:
        raise ValidationError({k: "不能修改此项 / this field cannot be changed" for k in unknown})
    values = _measure_values(fields, measure.household)
    changed = {k: v for k, v in values.items() if getattr(measure, k) != v}
    _check_dates(values.get("start_date", measure.start_date), values.get("end_date", measure.end_date))
    if not changed:
        return measure
    before = {k: _audit_value(getattr(measure, k)) for k in changed}
    for k, v in changed.items():
        setattr(measure, k, v)
    measure.save(update_fields=[*changed, "updated_at"])
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=measure,
                 summary=f"measure {measure.pk} of {measure.household.number}: {', '.join(changed)}",
                 detail={"before": before, "after": {k: _audit_value(v) for k, v in changed.items()}})
    return measure


@transaction.atomic
def delete_measure(*, actor: Any, measure: Measure, reason: str) -> None:
    check_measure_actor(actor, measure.household)
    reason = _require_reason(reason)
    audit.record(actor=actor, action=AuditEvent.Action.DELETE, obj=measure, summary=f"measure {measure.pk}: {reason}",
                 detail={"type": measure.type, "description": measure.description, "funds": str(measure.funds)})
    measure.delete()
