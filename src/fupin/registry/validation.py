"""Validation of registry input, shared by forms, the API and the importer's single-record paths.
Messages are bilingual (Chinese / English) and keyed by field, so forms show them next to the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from fupin.core import codes, params, probes
from fupin.core.masking import mask_id_number
from fupin.registry import idnumber
from fupin.registry.models import Household, Member

MEMBER_CODED = {
    "sex": "sex", "relation": "relation", "ethnicity": "ethnicity", "political": "political",
    "education": "education", "schooling": "schooling", "health": "health",
    "disability_category": "disability_category", "disability_grade": "disability_grade",
    "labour_skill": "labour_skill", "work_location": "work_location", "id_type": "id_type",
}
MEMBER_REQUIRED = ("name", "id_number", "relation", "ethnicity", "health")
HOUSEHOLD_CODED = {
    "status": "household_status", "standard": "identification_standard", "attribute": "household_attribute",
    "main_cause": "poverty_cause", "housing_safety": "housing_safety", "road_type": "road_type", "fuel_type": "fuel_type",
}
HOUSEHOLD_REQUIRED = ("status", "standard", "attribute", "main_cause", "identified_year")


def _code_errors(data: Mapping[str, Any], coded: Mapping[str, str], errors: dict[str, str]) -> None:
    for field, list_code in coded.items():
        value = data.get(field)
        if value and value not in codes.codes(list_code):
            errors[field] = f"“{value}”不是有效的代码 / not a valid code of the list {list_code}"


ELSEWHERE = ("此人已是其他户的在册成员，请联系县级扶贫部门核实 / this person is already an active member of another "
             "household; contact the county poverty-alleviation office to check it")
NUMBER_TAKEN = ("户编号已被使用，请联系县级扶贫部门核实 / this household number is already in use; contact the county "
                "poverty-alleviation office to check it")
TOO_MANY = ("本小时内查重次数过多，请稍后再试或联系县级扶贫部门 / too many registration checks this hour; try later or "
            "contact the county poverty-alleviation office")


def registered_elsewhere(actor: Any, *, kind: str, what: str) -> str:
    """The message for a person or household number registered elsewhere: never where (a nationwide lookup
    otherwise), audited and limited per user (``fupin.core.probes``)."""
    if actor is None:
        return ELSEWHERE if kind == "person" else NUMBER_TAKEN
    if probes.exhausted(actor):
        return TOO_MANY
    probes.note(actor, kind=kind, summary=f"registration check: {kind} registered elsewhere ({what})")
    return ELSEWHERE if kind == "person" else NUMBER_TAKEN


def member_errors(data: Mapping[str, Any], *, member_id: int | None = None, actor: Any = None) -> dict[str, str]:
    """Errors of one member's data (an empty dict when valid). Checks the ID number with stdnum, that sex and
    birth date agree with it, code lists, and that the person is not an active member of another household."""
    errors: dict[str, str] = params.model_text_errors(data, Member)
    for months in ("work_months", "welfare_job_months"):
        value = data.get(months)
        if isinstance(value, int) and not 0 <= value <= 12:
            errors[months] = "月数应在 0 至 12 之间 / months must be between 0 and 12"
    for field in MEMBER_REQUIRED:
        if not str(data.get(field) or "").strip():
            errors[field] = "必填 / required"
    _code_errors(data, MEMBER_CODED, errors)
    number = idnumber.normalize(str(data.get("id_number") or ""))
    if number and (data.get("id_type") or "1") == "1":
        try:
            info = idnumber.check_one(number)
        except idnumber.IdNumberError as exc:
            errors["id_number"] = str(exc)
        else:
            if data.get("sex") and data["sex"] != info.sex:
                errors["sex"] = "性别与身份证号码不符 / sex disagrees with the ID number"
            birth = data.get("birth_date")
            if isinstance(birth, str) and birth:
                try:
                    birth = dt.date.fromisoformat(birth)
                except ValueError:
                    errors["birth_date"] = "日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD"
                    birth = None
            if birth and birth != info.birth_date:
                errors["birth_date"] = (
                    f"出生日期与身份证号码不符（应为 {info.birth_date:%Y-%m-%d}） / "
                    f"birth date disagrees with the ID number ({info.birth_date:%Y-%m-%d})"
                )
            others = Member.objects.filter(id_number=number, is_active=True)
            if member_id is not None:
                others = others.exclude(pk=member_id)
            if actor is not None and probes.exhausted(actor):
                errors["id_number"] = TOO_MANY
            elif others.exists():
                errors["id_number"] = registered_elsewhere(actor, kind="person", what=mask_id_number(number))
    return errors


def valid_from_errors(valid_from: dt.date | None) -> dict[str, str]:
    """A change takes effect between 2013 (the first identification) and today."""
    today = max(dt.date.today(), timezone.localdate())  # the server's and the platform's (Beijing) day
    if valid_from is not None and not dt.date(2013, 1, 1) <= valid_from <= today:
        return {"valid_from": "生效日期应在 2013-01-01 至今天之间 / the change must take effect between 2013-01-01 "
                              "and today"}
    return {}


def household_errors(data: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = params.model_text_errors(data, Household)
    for field in HOUSEHOLD_REQUIRED:
        if not str(data.get(field) or "").strip():
            errors[field] = "必填 / required"
    _code_errors(data, HOUSEHOLD_CODED, errors)
    for cause in data.get("other_causes") or []:
        if cause not in codes.codes("poverty_cause"):
            errors["other_causes"] = f"“{cause}”不是有效的致贫原因 / not a cause of poverty"
    year = data.get("identified_year")
    if year not in (None, "") and not (2013 <= int(year) <= dt.date.today().year):
        errors["identified_year"] = "识别年度应在 2013 年至今之间 / year identified must be between 2013 and now"
    exit_year = data.get("exit_year")
    if exit_year not in (None, "") and year not in (None, "") and int(exit_year) < int(year):
        errors["exit_year"] = "脱贫年度不能早于识别年度 / exit year cannot be before the year identified"
    return errors


def raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)
