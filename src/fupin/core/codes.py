"""Code lists (致贫原因, 文化程度, …) are data: loaded from ``data/codelists.json`` by a migration and
read here. Lookups are cached per process because the lists change only by migration or admin edit."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

CODELISTS_FILE = Path(__file__).resolve().parent / "data" / "codelists.json"


def load_file() -> dict[str, list[dict[str, str]]]:
    data: dict[str, list[dict[str, str]]] = json.loads(CODELISTS_FILE.read_text(encoding="utf-8"))
    return data


@cache
def items(list_code: str) -> tuple[tuple[str, str, str], ...]:
    """The active items of a code list as (code, Chinese name, English name), cached until ``clear_cache``."""
    from fupin.core.models import CodeItem

    rows = CodeItem.objects.filter(list_code=list_code, active=True).values_list("code", "name", "name_en")
    return tuple(rows)


def clear_cache() -> None:
    items.cache_clear()


def codes(list_code: str) -> list[str]:
    return [c for c, _, _ in items(list_code)]


def choices(list_code: str) -> list[tuple[str, str]]:
    english = (get_language() or "").startswith("en")
    return [(c, en if english else zh) for c, zh, en in items(list_code)]


def label(list_code: str, code: str | None) -> str:
    if not code:
        return ""
    english = (get_language() or "").startswith("en")
    for c, zh, en in items(list_code):
        if c == code:
            return en if english else zh
    return code


def code_for_name(list_code: str, name: str) -> str | None:
    """The code whose Chinese or English name (or code) is ``name``; used by imports."""
    name = name.strip()
    for c, zh, en in items(list_code):
        if name in (c, zh, en):
            return c
    return None
