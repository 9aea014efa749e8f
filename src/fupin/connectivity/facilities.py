"""Writes of the facility registers (schools, clinics, stations, express, and counties' yearly figures): a file
upserted all or nothing, or one facility from a page or the API. The file is read and its rows reported exactly as
the event upload does (``rows.read_table``, ``rows.parse_table``: the upload kit, conflicts in 中文 / English). The
writes (``import_facilities``, ``save_facility``) are in ``services``.

A facility is keyed by type + region code + name (+ year for the per-county yearly figures, whose name may be
empty); a row whose key exists updates that facility, otherwise it creates one. Each type takes only its own
typed attributes (``ATTRIBUTES``): a value in a column that does not apply to the row's type is an error. Every
attribute column is optional: a column the file does not have leaves that attribute of an existing facility as it
is (files made before the remote-education columns still import and keep the schools' kinds and classrooms)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from fupin.connectivity.models import Facility, FacilityType, SchoolKind
from fupin.connectivity.rows import EARLIEST, conflict, parse_table, raise_if_errors, read_table
from fupin.connectivity.rows import cell_date as _date
from fupin.connectivity.rows import cell_text as _text
from fupin.core import uploads
from fupin.core.scoping import Scope
from fupin.core.tree import COUNTY, is_node_code, level_of
from fupin.regions.models import Level, Region

# key: accepted headers, Chinese first, English (the model field) last.
COLUMNS: dict[str, tuple[str, ...]] = {
    "type": ("类型", "设施类型", "type"),
    "code": ("区划代码", "region", "code"),
    "name": ("名称", "设施名称", "name"),
    "opened_on": ("开通日期", "开办日期", "opened_on"),
    "closed_on": ("关闭日期", "closed_on"),
    "connected_on": ("接入日期", "联网日期", "connected_on"),
    "bandwidth": ("带宽（Mbps）", "带宽(Mbps)", "带宽", "bandwidth"),
    "classrooms": ("多媒体教室", "classrooms"),
    "year": ("年度", "year"),
    "new_stations": ("新建基站", "new_stations"),
    "new_sites": ("新建站址", "new_sites"),
    "terminals": ("一户一终端户数", "终端户数", "terminals"),
    "tariff_households": ("精准降费户数", "资费优惠户数", "tariff_households"),
    "source": ("来源", "source"),
    # remote education and health (issue 16): a school's kind and remote classroom, a clinic's telemedicine
    "school_kind": ("学校类型", "school_kind"),
    "remote_classroom_on": ("远程课堂开通日期", "专递课堂开通日期", "remote_classroom_on"),
    "remote_classroom_until": ("远程课堂停用日期", "remote_classroom_until"),
    "telemedicine_on": ("远程诊疗开通日期", "telemedicine_on"),
}
REQUIRED = ("type", "code")
DATES = ("opened_on", "closed_on", "connected_on", "remote_classroom_on", "remote_classroom_until", "telemedicine_on")
CHOICES = ("school_kind",)
SCHOOL_KINDS: dict[str, str] = {"小学": SchoolKind.PRIMARY, "初中": SchoolKind.JUNIOR, "初级中学": SchoolKind.JUNIOR,
                                "九年一贯制": SchoolKind.NINE_YEAR, "九年一贯制学校": SchoolKind.NINE_YEAR,
                                "教学点": SchoolKind.TEACHING_POINT, **{k.value: k.value for k in SchoolKind}}
NUMBERS = ("bandwidth", "classrooms", "year", "new_stations", "new_sites", "terminals", "tariff_households")
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    FacilityType.SCHOOL: ("connected_on", "bandwidth", "classrooms", "school_kind", "remote_classroom_on",
                          "remote_classroom_until"),
    FacilityType.TOWNSHIP_HEALTH: ("connected_on", "telemedicine_on"),
    FacilityType.VILLAGE_CLINIC: ("connected_on", "telemedicine_on"),
    FacilityType.INFO_STATION: ("opened_on", "closed_on"),
    FacilityType.ECOMMERCE: ("opened_on", "closed_on"),
    FacilityType.EXPRESS: ("opened_on", "closed_on"),
    FacilityType.BASE_STATIONS: ("year", "new_stations", "new_sites"),
    FacilityType.HOUSEHOLD_SERVICE: ("year", "terminals", "tariff_households"),
}
YEARLY = (FacilityType.BASE_STATIONS, FacilityType.HOUSEHOLD_SERVICE)
# The levels a facility of each type belongs to (3 county, 4 township, 5 village).
LEVELS: dict[str, tuple[int, ...]] = {
    FacilityType.SCHOOL: (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE),
    FacilityType.TOWNSHIP_HEALTH: (Level.TOWNSHIP,),
    FacilityType.VILLAGE_CLINIC: (Level.VILLAGE,),
    FacilityType.INFO_STATION: (Level.TOWNSHIP, Level.VILLAGE),
    FacilityType.ECOMMERCE: (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE),
    FacilityType.EXPRESS: (Level.TOWNSHIP, Level.VILLAGE),
    FacilityType.BASE_STATIONS: (Level.COUNTY,),
    FacilityType.HOUSEHOLD_SERVICE: (Level.COUNTY,),
}
LEVEL_NAMES: dict[int, str] = {Level.COUNTY: "县 / county", Level.TOWNSHIP: "乡镇 / township", Level.VILLAGE: "村 / village"}
TYPE_ALIASES: dict[str, str] = {
    "学校": FacilityType.SCHOOL, "中小学": FacilityType.SCHOOL, "卫生院": FacilityType.TOWNSHIP_HEALTH,
    "乡镇卫生院": FacilityType.TOWNSHIP_HEALTH, "村卫生室": FacilityType.VILLAGE_CLINIC,
    "卫生室": FacilityType.VILLAGE_CLINIC, "益农信息社": FacilityType.INFO_STATION, "益农社": FacilityType.INFO_STATION,
    "信息服务站": FacilityType.INFO_STATION, "电商服务站": FacilityType.ECOMMERCE, "电商": FacilityType.ECOMMERCE,
    "快递": FacilityType.EXPRESS, "乡镇快递": FacilityType.EXPRESS, "快递服务站": FacilityType.EXPRESS,
    "基站": FacilityType.BASE_STATIONS, "新建基站": FacilityType.BASE_STATIONS,
    "一户一终端": FacilityType.HOUSEHOLD_SERVICE, "精准降费": FacilityType.HOUSEHOLD_SERVICE,
    "终端与资费": FacilityType.HOUSEHOLD_SERVICE,
    **{t.value: t.value for t in FacilityType},
}
TYPE_HINT = "学校、卫生院、村卫生室、益农信息社、快递、基站、一户一终端"
COLUMN_LABEL = {k: f"{v[0]} / {v[-1]}" for k, v in COLUMNS.items()}
ALL_ATTRIBUTES = DATES + NUMBERS + CHOICES
MAX_NUMBER = 10**9


@dataclass
class CleanFacility:
    row: int
    type: str
    code: str
    name: str
    values: dict[str, Any] = field(default_factory=dict)
    source: str = ""

    @property
    def key(self) -> tuple[str, str, str, int | None]:
        return (self.type, self.code, self.name, self.values.get("year"))


def clean_facility(row: int, data: dict[str, Any], today: dt.date) -> tuple[CleanFacility | None, list[uploads.Conflict]]:
    """One facility from a row (keys as ``COLUMNS``); the errors of the row, each with its column."""
    errors: list[uploads.Conflict] = []

    def err(key: str, message: str) -> None:
        errors.append(conflict(row, COLUMN_LABEL[key], message))

    raw_type = _text(data.get("type"))
    type_ = TYPE_ALIASES.get(raw_type.lower()) or TYPE_ALIASES.get(raw_type)
    if type_ is None:
        err("type", f"未知设施类型“{raw_type}”（应为 {TYPE_HINT}） / unknown facility type {raw_type!r}")
    elif type_ == FacilityType.ECOMMERCE:  # kept by the commerce app since its migration 0002
        err("type", "电商服务站请在“农村电商 → 服务站点”登记 / e-commerce stations are recorded under commerce → stations")
        type_ = None
    code = _text(data.get("code"))
    if not is_node_code(code) or level_of(code) < COUNTY:
        err("code", f"“{code}”不是县、乡镇或村的区划代码 / {code!r} is not a county, township or village code")
    name = _text(data.get("name"))
    if len(name) > 100:
        err("name", "名称至多100字 / the name has at most 100 characters")
    elif not name and type_ is not None and type_ not in YEARLY:
        err("name", "名称不能为空 / the name is required")
    allowed = ATTRIBUTES.get(type_ or "", ())
    values: dict[str, Any] = {k: "" if k in CHOICES else None for k in ALL_ATTRIBUTES}
    for key in ALL_ATTRIBUTES:
        raw = _text(data.get(key))
        if not raw:
            continue
        if type_ is not None and key not in allowed:
            err(key, f"该列不适用于类型“{raw_type}” / this column does not apply to type {raw_type!r}")
            continue
        if key == "school_kind":
            kind = SCHOOL_KINDS.get(raw)
            if kind is None:
                err(key, f"学校类型“{raw}”应为 小学、初中、九年一贯制 或 教学点 / primary, junior, nine-year or teaching point")
            else:
                values[key] = kind
        elif key in DATES:
            day = _date(data.get(key))
            if day is None:
                err(key, f"“{raw}”不是日期（应为 YYYY-MM-DD） / not a date (YYYY-MM-DD)")
            elif not EARLIEST <= day <= today:
                err(key, f"日期 {day} 应在 {EARLIEST} 至今天之间 / the date must lie between {EARLIEST} and today")
            else:
                values[key] = day
        else:
            try:
                n = int(raw)
            except ValueError:
                n = -1
            if key == "year":
                if not EARLIEST.year <= n <= today.year:
                    err(key, f"年度“{raw}”应在 {EARLIEST.year}–{today.year} 之间 / the year must lie between "
                             f"{EARLIEST.year} and {today.year}")
                else:
                    values[key] = n
            elif not 0 <= n < MAX_NUMBER:
                err(key, f"“{raw}”应为非负整数 / {raw!r} must be a whole number ≥ 0")
            else:
                values[key] = n
    if type_ in YEARLY and values["year"] is None and not any(e.column == COLUMN_LABEL["year"] for e in errors):
        err("year", "该类型必须填写年度 / this type needs the year")
    if values["opened_on"] and values["closed_on"] and values["closed_on"] < values["opened_on"]:
        err("closed_on", "关闭日期早于开通日期 / closed before it opened")
    if (values["remote_classroom_on"] and values["remote_classroom_until"]
            and values["remote_classroom_until"] <= values["remote_classroom_on"]):
        err("remote_classroom_until", "停用日期应晚于开通日期 / the remote classroom ends after it starts")
    elif values["remote_classroom_until"] and not values["remote_classroom_on"] and not any(
            e.column == COLUMN_LABEL["remote_classroom_on"] for e in errors):
        err("remote_classroom_on", "填写了停用日期，请同时填写远程课堂开通日期 / a remote classroom that ended needs the "
                                   "date it started")
    source = _text(data.get("source"))[:100]
    if errors or type_ is None:
        return None, errors
    return CleanFacility(row, type_, code, name, values, source), errors


def check_facilities(items: list[CleanFacility], scope: Scope) -> list[uploads.Conflict]:
    """Regions exist at the level the type needs and lie in the writer's region; one row per facility."""
    errors = []
    codes = sorted({f.code for f in items})
    levels: dict[str, int] = {}
    for i in range(0, len(codes), 5000):
        levels.update(Region.objects.filter(code__in=codes[i:i + 5000]).values_list("code", "level"))
    seen: dict[tuple[str, str, str, int | None], int] = {}
    col = COLUMN_LABEL["code"]
    for f in items:
        level = levels.get(f.code)
        if level is None:
            errors.append(conflict(f.row, col, f"区划 {f.code} 不存在 / no region {f.code}"))
        elif not scope.contains(f.code):
            errors.append(conflict(f.row, col, f"区划 {f.code} 不在您的辖区 / region {f.code} lies outside your region"))
        elif level not in LEVELS[f.type]:
            want = "、".join(LEVEL_NAMES[lv].split(" / ")[0] for lv in LEVELS[f.type])
            want_en = ", ".join(LEVEL_NAMES[lv].split(" / ")[1] for lv in LEVELS[f.type])
            errors.append(conflict(f.row, col, f"该类型的设施应登记在{want}级 / this type belongs to a {want_en}"))
        if f.key in seen:
            errors.append(conflict(f.row, COLUMN_LABEL["name"], f"与第 {seen[f.key]} 行重复 / the same facility as "
                                                                f"row {seen[f.key]}"))
        else:
            seen[f.key] = f.row
    return errors


KINDS = {"code": uploads.Kind.IDENTIFIER, "type": uploads.Kind.CODE, **{k: uploads.Kind.DATE for k in DATES},
         **{k: uploads.Kind.INTEGER for k in NUMBERS}}


def read_facilities(content: bytes, filename: str) -> uploads.Table:
    return read_table(content, filename, COLUMNS, KINDS)


def parse_facilities(table: uploads.Table, scope: Scope, today: dt.date | None = None) -> list[CleanFacility]:
    """Validate every row; raise EventDataError listing every bad cell, or return the clean facilities."""
    day = today or timezone.localdate()
    items, errors = parse_table(table, COLUMNS, REQUIRED, lambda line, data: clean_facility(line, data, day),
                                COLUMN_LABEL)
    errors += check_facilities(items, scope)
    raise_if_errors(items, errors, table.sheet)
    return items


def existing_facilities(items: list[CleanFacility]) -> dict[tuple[str, str, str, int | None], Facility]:
    out: dict[tuple[str, str, str, int | None], Facility] = {}
    codes = sorted({f.code for f in items})
    for i in range(0, len(codes), 2000):
        for obj in Facility.objects.filter(region_id__in=codes[i:i + 2000]):
            out.setdefault((obj.type, obj.region_id, obj.name, obj.year), obj)
    return out


def upsert(items: list[CleanFacility], present: Iterable[str] | None = None
           ) -> tuple[list[Facility], list[Facility], int]:
    """Create or update the facilities (caller's transaction): created, updated, unchanged count. ``present``: the
    keys of the columns the file has (``None``: all); an existing facility keeps the attributes of the others."""
    existing = existing_facilities(items)
    writable = {*ALL_ATTRIBUTES, "source"}
    keep = set() if present is None else writable - set(present)
    created: list[Facility] = []
    updated: list[Facility] = []
    unchanged = 0
    for f in items:
        obj = existing.get(f.key)
        fields = {**f.values, "source": f.source}
        if obj is None:
            created.append(Facility(type=f.type, region_id=f.code, name=f.name, **fields))
            continue
        fields = {k: v for k, v in fields.items() if k not in keep}
        if all(getattr(obj, k) == v for k, v in fields.items()):
            unchanged += 1
            continue
        for k, v in fields.items():
            setattr(obj, k, v)
        updated.append(obj)
    Facility.objects.bulk_create(created, batch_size=2000)
    Facility.objects.bulk_update(updated, [*ALL_ATTRIBUTES, "source"], batch_size=2000)
    return created, updated, unchanged


TEMPLATE_HEADER = [v[0] for v in COLUMNS.values()]
TEMPLATE_EXAMPLE: list[list[Any]] = [
    ["学校", "533301205", "古登乡中心学校", "", "", "2018-09-01", 100, 12, "", "", "", "", "", "县教育局", "小学",
     "2019-09-01", "", ""],
    ["村卫生室", "533301205201", "季加村卫生室", "", "", "2019-04-01", "", "", "", "", "", "", "", "县卫健局", "", "", "",
     "2020-06-01"],
    ["益农信息社", "533301205201", "季加村益农信息社", "2017-05-01", "", "", "", "", "", "", "", "", "", "", "", "", "",
     ""],
    ["基站", "533301", "", "", "", "", "", "", 2020, 45, 12, "", "", "中国移动", "", "", "", ""],
    ["一户一终端", "533301", "", "", "", "", "", "", 2020, "", "", 1200, 8000, "县工信局", "", "", "", ""],
]


# --- forms (the facility page and the village page) --------------------------------------------------------------

# The types a village page adds (a village's school, clinic, information station, express point).
VILLAGE_TYPES = (FacilityType.SCHOOL, FacilityType.VILLAGE_CLINIC, FacilityType.INFO_STATION, FacilityType.EXPRESS)
# Remote education and health: the types whose page and list show them.
REMOTE_TYPES = (FacilityType.SCHOOL, FacilityType.TOWNSHIP_HEALTH, FacilityType.VILLAGE_CLINIC)


def form_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def form_fields(type_: str, values: dict[str, Any] | None = None, instance: Facility | None = None
                ) -> list[dict[str, Any]]:
    """The inputs of a facility form for ``type_`` (its own attributes, ``ATTRIBUTES``): key, label (the model
    field's name, translated), input (date, number or select), the value shown (``values`` as posted, else the
    facility's) and the choices of a select."""
    out = []
    for key in ATTRIBUTES.get(type_, ()):
        if values is not None:
            value = str(values.get(key, ""))
        else:
            value = form_value(getattr(instance, key, None)) if instance is not None else ""
        out.append({"key": key, "label": getattr(Facility._meta.get_field(key), "verbose_name", key),
                    "input": "select" if key in CHOICES else "date" if key in DATES else "number",
                    "value": value, "choices": SchoolKind.choices if key == "school_kind" else ()})
    return out


def form_data(facility: Facility) -> dict[str, str]:
    """A facility as the keys ``save_facility`` reads (a form posts these back)."""
    return {"type": facility.type, "code": facility.region_id, "name": facility.name, "source": facility.source,
            **{k: form_value(getattr(facility, k)) for k in ALL_ATTRIBUTES}}
