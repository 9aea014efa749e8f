"""Shared helpers of the dossier tests: valid ID numbers, logins, and the POST data of the forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from fupin.core.models import User
from fupin.registry import idnumber

CLERK_VILLAGE = "533301205201"  # the clerk's village in fupin.testing


def valid_id(birth: dt.date, seq: int = 1, sex: str = "1", county: str = "533301") -> str:
    """An ID number stdnum accepts: issued by a region code in force in the year of birth."""
    return idnumber.make(idnumber.issuing_code(county, birth.year), birth, seq, sex)


def login(name: str) -> Client:
    c = Client()
    c.force_login(User.objects.get(username=name))
    return c


def member_post(i: int, *, name: str, id_number: str, relation: str = "01", **extra: Any) -> dict[str, Any]:
    data = {
        "member_rows": str(i), f"m{i}-name": name, f"m{i}-id_type": "1", f"m{i}-id_number": id_number,
        f"m{i}-relation": relation, f"m{i}-ethnicity": "01", f"m{i}-health": "01",
        f"m{i}-has_medical_insurance": "True",  # 是 (empty: not collected)
    }
    data.update({f"m{i}-{k}": v for k, v in extra.items()})
    return data


def register_post(number: str, members: list[dict[str, Any]], village: str = CLERK_VILLAGE,
                  **household: Any) -> dict[str, Any]:
    """POST data of the registration form; members from ``member_post`` (their ``member_rows`` combined)."""
    data: dict[str, Any] = {
        "village": village, "number": number, "h-status": "poor", "h-standard": "01", "h-attribute": "01",
        "h-main_cause": "01", "h-identified_year": "2019", "h-housing_safety": "A", "h-water_safe": "True",
    }
    data.update({f"h-{k}": v for k, v in household.items()})
    rows = []
    for m in members:
        m = dict(m)
        rows.append(m.pop("member_rows"))
        data.update(m)
    data["member_rows"] = rows
    return data


def household_post(household: Any, **changes: Any) -> dict[str, Any]:
    """POST data of the household edit form: the household as it is, with ``changes`` (form names)."""
    data: dict[str, Any] = {}
    for name in ("status", "standard", "attribute", "main_cause", "identified_year", "housing_safety",
                 "phone", "bank_name", "bank_account", "road_type", "fuel_type"):
        value = getattr(household, name)
        data[f"h-{name}"] = "" if value is None else str(value)
    for name in ("housing_area", "cultivated_land", "irrigated_land", "forest_land", "road_distance_km"):
        data[f"h-{name}"] = str(getattr(household, name))
    for name in ("water_safe", "has_production_power", "has_living_power", "has_radio_tv", "water_difficult"):
        value = getattr(household, name)  # 未采集 / 是 / 否
        data[f"h-{name}"] = "" if value is None else str(value)
    for name in ("has_broadband", "is_military_family", "is_only_child", "is_two_daughters",
                 "has_sanitary_toilet", "in_cooperative"):
        if getattr(household, name):
            data[f"h-{name}"] = "on"
    if household.exit_year:
        data["h-exit_year"] = str(household.exit_year)
    data["h-other_causes"] = list(household.other_causes)
    data.update(changes)
    return data
