"""Masking of personal data (X2). Lists show names and ID numbers masked; users whose role needs them
see them in clear, and each such read is audited by the caller through ``Masker.reveal``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from fupin.core import audit
from fupin.core.models import AuditEvent
from fupin.core.roles import PERSONAL_DATA_ROLES

NAME_FIELDS = frozenset({"name", "reporter", "head_name"})
ID_FIELDS = frozenset({"id_number"})
PHONE_FIELDS = frozenset({"phone", "bank_account"})
BIRTH_FIELDS = frozenset({"birth_date"})
TEXT_FIELDS = frozenset({"description", "note", "comment"})


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***; the surname stays so that a notice is still recognisable."""
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


# Two-character surnames (复姓) kept whole by ``mask_to_surname``; the common ones of the 百家姓.
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "令狐",
    "轩辕", "端木", "独孤", "南宫", "西门", "万俟", "闻人", "呼延", "澹台", "公冶", "宗政", "濮阳", "申屠", "太叔",
})


def mask_to_surname(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧阳**: only the surname (复姓 whole) is shown, for readers outside the registry such
    as shop operators."""
    if not name:
        return ""
    n = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:n] + "*" * max(1, len(name) - n)


def mask_id_number(number: str) -> str:
    """530102199001011234 → 530102********1234: region kept, birth date and sequence hidden."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def birth_year(value: dt.date | str | None) -> str:
    """The year of a birth date ("1990-01-01" → "1990"). A masked ID number hides exactly the eight
    birth-date digits, so a role that sees it masked must never see the full birth date beside it:
    together they would rebuild the number. Ages and birth years are safe (about 365 × 11 candidates)."""
    if not value:
        return ""
    return str(value)[:4]


def masked_text(value: str) -> str:
    """Free text typed by clerks may name people: replaced by a note for roles without need."""
    return _("(free text, shown only to roles that may see personal data)") if value else ""


def mask_deep(value: Any, field: str = "") -> Any:
    """A JSON structure (audit details, change records) with every personal value masked by its key."""
    if isinstance(value, dict):
        return {k: mask_deep(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_deep(v, field) for v in value]
    if value is None or value == "":
        return value
    if field in NAME_FIELDS or field in {"names"}:
        return mask_name(str(value))
    if field in ID_FIELDS or field in {"id_numbers"}:
        return mask_id_number(str(value))
    if field in PHONE_FIELDS:
        return mask_phone(str(value))
    if field in BIRTH_FIELDS:
        return birth_year(value)
    if field in TEXT_FIELDS or field in {"old", "new", "reason"}:
        return masked_text(str(value))
    return value


class Masker:
    """Decides, for one user, whether personal data is shown in clear."""

    def __init__(self, user: Any):
        self.user = user
        self.clear = bool(getattr(user, "is_authenticated", False) and user.has_role(*PERSONAL_DATA_ROLES))

    def name(self, value: str) -> str:
        return value if self.clear else mask_name(value)

    def surname(self, value: str) -> str:
        """The name in clear for roles that need it, otherwise the surname only (``mask_to_surname``)."""
        return value if self.clear else mask_to_surname(value)

    def id_number(self, value: str) -> str:
        return value if self.clear else mask_id_number(value)

    def phone(self, value: str) -> str:
        return value if self.clear else mask_phone(value)

    def birth_date(self, value: dt.date | str | None) -> str:
        """The birth date in clear, or only its year for roles that see ID numbers masked (see ``birth_year``)."""
        if not value:
            return ""
        return str(value) if self.clear else birth_year(value)

    def text(self, value: str) -> str:
        """Free text typed by clerks (risk reports, reasons) may name people: shown only to roles that may see
        personal data."""
        if not value or self.clear:
            return value
        return masked_text(value)

    def value(self, field: str, value: Any) -> Any:
        """A field of a history or change record masked by its name: names, ID numbers, phones, bank
        accounts, birth dates and free text."""
        if value is None or value == "" or self.clear:
            return value
        if field in NAME_FIELDS:
            return mask_name(str(value))
        if field in ID_FIELDS:
            return mask_id_number(str(value))
        if field in PHONE_FIELDS:
            return mask_phone(str(value))
        if field in BIRTH_FIELDS:
            return birth_year(value)
        if field in TEXT_FIELDS:
            return self.text(str(value))
        return value

    def values(self, record: dict[str, Any]) -> dict[str, Any]:
        """Every field of a record (a doubt's or finding's evidence) masked by its name, as ``value`` does."""
        return {k: self.value(k, v) for k, v in record.items()}

    def reveal(self, *, obj: Any = None, summary: str = "", detail: dict[str, Any] | None = None, **kw: Any) -> None:
        """Record that personal data was shown in clear. Does nothing when it was shown masked."""
        if self.clear:
            audit.record(
                actor=self.user, action=AuditEvent.Action.READ_PERSONAL, obj=obj, summary=summary, detail=detail, **kw
            )
