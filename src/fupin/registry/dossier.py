"""The dossier (一户一档) as shown on the page and in the printed PDF: the household as it is now or as it
was on a date, its portrait, members (masked for the user), incomes and the timeline of its changes.

Everything is built from the snapshot structure of ``fupin.registry.history``, so today's dossier and an
earlier one are shown by the same code."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.core.codes import label
from fupin.core.masking import Masker, mask_id_number
from fupin.regions.selectors import ancestors
from fupin.registry import history, portrait, selectors
from fupin.registry.models import INCOME_FIELDS, Cadre, Household, HouseholdVersion, Income, Member
from fupin.registry.validation import HOUSEHOLD_CODED, MEMBER_CODED

PERSONAL_NAME_FIELDS = {"name"}
PERSONAL_ID_FIELDS = {"id_number"}
PERSONAL_PHONE_FIELDS = {"phone", "bank_account"}


def parse_date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip()) if text else None
    except ValueError:
        return None


def _fields_by_attname(model: type[Any]) -> dict[str, Field[Any, Any]]:
    return {f.attname: f for f in model._meta.concrete_fields}


HOUSEHOLD_ATTNAMES = _fields_by_attname(Household)
MEMBER_ATTNAMES = _fields_by_attname(Member)
INCOME_ATTNAMES = _fields_by_attname(Income)


class Formatter:
    """Labels and values of dossier fields for one user: codes as their names, personal data masked."""

    def __init__(self, masker: Masker):
        self.masker = masker

    def value(self, section: str, field: str, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        coded = HOUSEHOLD_CODED if section == "household" else MEMBER_CODED if section == "members" else {}
        if field in coded:
            return label(coded[field], str(value))
        if section == "household" and field == "cadre_id":  # the responsible cadre by name, not by row id
            cadre = Cadre.objects.filter(pk=value).first()
            return str(cadre) if cadre is not None else "—"
        if field == "other_causes" and isinstance(value, list):
            return "、".join(label("poverty_cause", c) for c in value) or "—"
        if field in PERSONAL_NAME_FIELDS:
            return self.masker.name(str(value))
        if field in PERSONAL_ID_FIELDS:
            return self.masker.id_number(str(value))
        if field in PERSONAL_PHONE_FIELDS:
            return self.masker.phone(str(value))
        return str(self.masker.value(field, value))

    def field_label(self, section: str, field: str) -> str:
        fields = {"household": HOUSEHOLD_ATTNAMES, "members": MEMBER_ATTNAMES, "incomes": INCOME_ATTNAMES}[section]
        f = fields.get(field)
        return str(f.verbose_name) if f is not None else field

    def person(self, id_number: str, names: dict[str, str]) -> str:
        name = names.get(id_number)
        masked = self.masker.id_number(id_number) if self.masker.clear else mask_id_number(id_number)
        return f"{self.masker.name(name)}（{masked}）" if name else masked

    def change(self, change: dict[str, Any], names: dict[str, str]) -> dict[str, str]:
        """One item of ``HouseholdVersion.changes`` as ``{"label", "old", "new"}`` for people to read."""
        parts = str(change["path"]).split(".")
        section = parts[0]
        old, new = change.get("old"), change.get("new")
        if section == "household" and len(parts) == 2:
            return {"label": self.field_label(section, parts[1]),
                    "old": self.value(section, parts[1], old), "new": self.value(section, parts[1], new)}
        if section == "members":
            who = self.person(parts[1], names)
            if len(parts) == 2:
                return {"label": _("Member %(who)s") % {"who": who},
                        "old": _("present") if old else "—", "new": _("added") if new else _("left")}
            return {"label": f"{_('Member %(who)s') % {'who': who}}: {self.field_label(section, parts[2])}",
                    "old": self.value(section, parts[2], old), "new": self.value(section, parts[2], new)}
        if section == "incomes":
            year = parts[1]
            if len(parts) == 2:
                return {"label": _("Income of %(year)s") % {"year": year},
                        "old": _("present") if old else "—", "new": _("added") if new else _("removed")}
            return {"label": f"{_('Income of %(year)s') % {'year': year}}: {self.field_label(section, parts[2])}",
                    "old": self.value(section, parts[2], old), "new": self.value(section, parts[2], new)}
        return {"label": str(change["path"]), "old": str(old), "new": str(new)}


def timeline_entries(household: Household, fmt: Formatter) -> list[dict[str, Any]]:
    versions = history.timeline(household)
    names: dict[str, str] = {}
    for v in reversed(versions):  # oldest first: people who left keep the name they had
        for m in v.snapshot.get("members", []):
            names[m.get("id_number", "")] = m.get("name", "")
    return [
        {
            "kind": v.kind,
            "kind_label": HouseholdVersion.Kind(v.kind).label if v.kind in HouseholdVersion.Kind.values else v.kind,
            "valid_from": v.valid_from,
            "recorded_at": v.recorded_at,
            "by": v.username or "—",
            "reason": fmt.masker.text(v.reason),
            "is_correction": v.kind == HouseholdVersion.Kind.CORRECTION,
            "changes": [fmt.change(c, names) for c in v.changes],
        }
        for v in versions
    ]


def member_rows(
    snapshot: dict[str, Any], fmt: Formatter, today: dt.date, pks: dict[str, int]
) -> list[dict[str, Any]]:
    """``pks``: the current members' ids by ID number, for edit links (empty for an earlier dossier)."""
    rows = []
    members = sorted(snapshot.get("members", []), key=lambda m: (m.get("relation") or "", m.get("birth_date") or ""))
    for m in members:
        rows.append({
            "pk": pks.get(m.get("id_number") or ""),
            "name": fmt.masker.name(m.get("name") or ""),
            "id_number": fmt.masker.id_number(m.get("id_number") or ""),
            "sex": label("sex", m.get("sex")),
            "birth_date": fmt.masker.birth_date(m.get("birth_date")),
            "age": portrait.age_on(m.get("birth_date"), today),
            "relation": label("relation", m.get("relation")),
            "is_head": m.get("relation") == "01",
            "ethnicity": label("ethnicity", m.get("ethnicity")),
            "education": label("education", m.get("education")),
            "schooling": label("schooling", m.get("schooling")),
            "health": label("health", m.get("health")),
            "labour": label("labour_skill", m.get("labour_skill")),
            "work": label("work_location", m.get("work_location")),
            "medical": m.get("has_medical_insurance"),  # None: not collected (shown as such)
        })
    return rows


def income_rows(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """Yearly incomes for the table, amounts formatted with thousands separators (the zh-Hans number
    format of Django groups no digits)."""
    rows = []
    lines = portrait.national_lines()  # one query for every year's line, not one per row
    for i in sorted(snapshot.get("incomes", []), key=lambda i: int(i["year"])):
        pc = portrait.per_capita(i)
        line = portrait.poverty_line(int(i["year"]), lines)
        groups = [sum((portrait._dec(i.get(f)) for f in fields), portrait._dec(0))
                  for _k, _n, fields in portrait.INCOME_GROUPS]
        net = sum((portrait._dec(i.get(f)) for f in INCOME_FIELDS), portrait._dec(0)) - portrait._dec(
            i.get("business_expense"))
        rows.append({
            "year": int(i["year"]), "household_size": i.get("household_size"),
            "groups": [f"{g:,.0f}" for g in groups],
            "expense": f"{portrait._dec(i.get('business_expense')):,.0f}", "net_total": f"{net:,.2f}",
            "per_capita": f"{pc:,.2f}", "line": f"{line:,.0f}", "above": pc > line,
        })
    return rows


def context(user: Any, household: Household, as_of: dt.date | None) -> dict[str, Any]:
    """Everything the dossier page and its PDF show. With ``as_of``, the dossier as it was that day (the
    last recorded version on or before it); without one, as it is now."""
    masker = Masker(user)
    fmt = Formatter(masker)
    version: HouseholdVersion | None = None
    if as_of is not None:
        version = history.as_of(household, as_of)
    snapshot = version.snapshot if version is not None else history.snapshot(household)
    h = snapshot["household"]
    day = as_of or timezone.localdate()  # the platform's day, as the versions are dated
    cadre: Cadre | None = household.cadre
    if h.get("cadre_id") != household.cadre_id:
        cadre = Cadre.objects.filter(pk=h.get("cadre_id")).first() if h.get("cadre_id") else None
    series = portrait.income_series(snapshot)
    pks: dict[str, int] = {}
    if version is None:
        pks = selectors.active_member_pks(household)
    members = member_rows(snapshot, fmt, day, pks)
    masker.reveal(obj=household, summary=f"dossier {household.number}" + (f" as of {as_of}" if as_of else ""),
                  detail={"members": len(members)})
    return {
        "household": household,
        "h": h,
        "crumbs": [*ancestors(household.village), household.village],
        "as_of": as_of,
        "as_of_missing": as_of is not None and version is None,
        "version": version,
        "status_label": label("household_status", h.get("status")),
        "standard_label": label("identification_standard", h.get("standard")),
        "attribute_label": label("household_attribute", h.get("attribute")),
        "cause_label": label("poverty_cause", h.get("main_cause")),
        "other_causes": [label("poverty_cause", c) for c in h.get("other_causes") or []],
        "housing_label": label("housing_safety", h.get("housing_safety")),
        "phone": masker.phone(h.get("phone") or ""),
        "cadre": cadre,
        "cadre_phone": masker.phone(cadre.phone) if cadre else "",
        "badges": portrait.badges(snapshot, day),
        "members": members,
        "incomes": income_rows(snapshot),
        "income_groups": [str(name) for _k, name, _f in portrait.INCOME_GROUPS],
        "chart_data": {**series, "per_capita_label": _("Net income per person"),
                       "line_label": _("Poverty line"), "unit": _("yuan")},
        "timeline": timeline_entries(household, fmt),
        "masked": not masker.clear,
        "today": timezone.localdate(),
    }
