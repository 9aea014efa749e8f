"""Writes of the coverage ledger: dated events (one, or a file all-or-nothing), the derived current status,
and frozen rankings. Each function validates, writes in one transaction and records an audit event."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from fupin.connectivity import facilities, indicators
from fupin.connectivity.models import ConnectivityEvent, EventKind, Facility, RankingRow, RankingSnapshot
from fupin.connectivity.rows import (
    EARLIEST,
    EventDataError,
    conflict,
    parse_table,
    raise_if_errors,
    read_table,
)
from fupin.connectivity.rows import cell_date as _date
from fupin.connectivity.rows import cell_number as _number
from fupin.connectivity.rows import cell_text as _text
from fupin.core import audit, permissions, uploads
from fupin.core.bulk import copy_rows
from fupin.core.changes import mark_changed
from fupin.core.models import AuditEvent
from fupin.core.params import small_int
from fupin.core.roles import Role
from fupin.core.scoping import Scope, scope_of
from fupin.core.sql import big_sorts, is_postgres
from fupin.core.tree import child_length, is_code, level_of, subtree_bounds
from fupin.core.uploads import Conflict
from fupin.regions.models import Level, Region

# Who may enter connectivity events: counties, operators (exchange accounts) and administrators.
# Who may freeze a ranking bulletin.
RANKING_ROLES = frozenset({Role.ANALYST, Role.SYSADMIN})

COLUMNS = {
    "code": ("区划代码", "村代码", "code", "village"),
    "date": ("日期", "date"),
    "kind": ("类型", "事项", "kind"),
    "value": ("值", "value"),
    "funds": ("资金（万元）", "资金(万元)", "资金", "funds"),
    "source": ("来源", "source"),
}
REQUIRED = ("code", "date", "kind")
KIND_ALIASES = {
    "光纤": EventKind.FIBER, "通光纤": EventKind.FIBER, "4g": EventKind.MOBILE_4G, "通4g": EventKind.MOBILE_4G,
    "宽带": EventKind.BROADBAND, "通宽带": EventKind.BROADBAND, "运营商": EventKind.OPERATOR,
    "带宽": EventKind.BANDWIDTH, "普遍服务试点": EventKind.PILOT, "试点": EventKind.PILOT,
    "自然村4g": EventKind.NATURAL_4G, "断网": EventKind.DISCONNECTED, "中断": EventKind.DISCONNECTED,
    **{k.value: k for k in EventKind},
}
TRUE = {"", "1", "true", "yes", "y", "是", "√", "通"}
FALSE = {"0", "false", "no", "n", "否", "×", "不通"}


@dataclass
class CleanEvent:
    row: int
    code: str
    date: dt.date
    kind: str
    flag: bool | None = None
    number: Decimal | None = None
    text: str = ""
    batch: int | None = None
    source: str = ""


def _scope(user: Any) -> Scope:
    return Scope.nation() if permissions.is_system(user) else scope_of(user)


# --- validation ----------------------------------------------------------------------------------------


def clean_row(row: int, data: dict[str, Any], today: dt.date) -> tuple[CleanEvent | None, list[Conflict]]:
    """One event from a row of cells (keys: code, date, kind, value, funds, source); the errors of the row."""
    errors: list[Conflict] = []

    def err(column: str, message: str) -> None:
        errors.append(conflict(row, column, message))

    code = _text(data.get("code"))
    if not is_code(code) or len(code) != 12:
        err("区划代码 / code", f"“{code}”不是12位村级区划代码 / {code!r} is not a 12-digit village code")
    day = _date(data.get("date"))
    if day is None:
        err("日期 / date", f"“{_text(data.get('date'))}”不是日期（应为 YYYY-MM-DD） / not a date (YYYY-MM-DD)")
    elif not EARLIEST <= day <= today:
        err("日期 / date", f"日期 {day} 应在 {EARLIEST} 至今天之间 / the date must lie between {EARLIEST} and today")
    raw_kind = _text(data.get("kind"))
    kind = KIND_ALIASES.get(raw_kind.lower())
    if kind is None:
        err("类型 / kind", f"未知类型“{raw_kind}”（应为 光纤、4G、宽带、运营商、带宽、普遍服务试点、自然村4G、断网） / "
                           f"unknown kind {raw_kind!r}")
    value = _text(data.get("value"))
    source = _text(data.get("source"))[:100]
    event = CleanEvent(row, code, day or EARLIEST, str(kind or ""), source=source)
    if kind in (EventKind.FIBER, EventKind.MOBILE_4G, EventKind.BROADBAND):
        if value.lower() in TRUE:
            event.flag = True
        elif value.lower() in FALSE:
            event.flag = False
        else:
            err("值 / value", f"“{value}”应为 是/否 / {value!r} must be yes/no (是/否, 1/0)")
    elif kind == EventKind.OPERATOR:
        if not value or len(value) > 100:
            err("值 / value", "运营商名称不能为空（至多100字） / the operator's name is required (at most 100 characters)")
        event.text = value
    elif kind in (EventKind.BANDWIDTH, EventKind.NATURAL_4G):
        n = _number(value)
        if n is None or n < 0 or (kind == EventKind.NATURAL_4G and n != n.to_integral_value()) or n >= 10**9:
            what = "非负整数 / a whole number ≥ 0" if kind == EventKind.NATURAL_4G else "非负数（Mbps） / a number ≥ 0 (Mbps)"
            err("值 / value", f"“{value}”应为{what}")
        event.number = n
    elif kind == EventKind.PILOT:
        if not 1 <= (small_int(value) or 0) <= 99:
            err("值 / value", f"试点批次“{value}”应为 1–99 的整数 / the pilot batch must be a whole number 1–99")
        else:
            event.batch = small_int(value)
        funds = _text(data.get("funds"))
        if funds:
            n = _number(funds)
            if n is None or n < 0 or n >= 10**9:
                err("资金（万元） / funds", f"“{funds}”应为非负数（万元） / funds must be a number ≥ 0 (10k yuan)")
            event.number = n
    elif kind == EventKind.DISCONNECTED and value.lower() not in TRUE:
        err("值 / value", "断网事件不带值 / a disconnection takes no value")
    return (None if errors else event), errors


def _check_villages(events: list[CleanEvent], scope: Scope) -> list[Conflict]:
    """Every village must exist (level 5) and lie inside the writer's region."""
    errors = []
    codes = sorted({e.code for e in events})
    known: set[str] = set()
    for i in range(0, len(codes), 5000):
        known |= set(Region.objects.filter(code__in=codes[i:i + 5000], level=Level.VILLAGE).values_list("code", flat=True))
    for e in events:
        if e.code not in known:
            errors.append(conflict(e.row, "区划代码 / code", f"村 {e.code} 不存在 / no village {e.code}"))
        elif not scope.contains(e.code):
            errors.append(conflict(e.row, "区划代码 / code", f"村 {e.code} 不在您的辖区 / village {e.code} lies outside your region"))
    return errors


# --- reading files -----------------------------------------------------------------------------------


EVENT_KINDS = {"code": uploads.Kind.IDENTIFIER, "date": uploads.Kind.DATE, "kind": uploads.Kind.CODE,
               "value": uploads.Kind.CODE, "funds": uploads.Kind.DECIMAL}
EVENT_LABELS = {"code": "区划代码 / code", "date": "日期 / date", "kind": "类型 / kind", "value": "值 / value",
                "funds": "资金（万元） / funds"}


def parse_events(table: uploads.Table, scope: Scope, today: dt.date | None = None) -> list[CleanEvent]:
    """Validate every row; raise EventDataError listing every bad cell, or return the clean events."""
    day = today or timezone.localdate()
    events, errors = parse_table(table, COLUMNS, REQUIRED, lambda line, data: clean_row(line, data, day), EVENT_LABELS)
    errors += _check_villages(events, scope)
    raise_if_errors(events, errors, table.sheet)
    return events


# --- writing -----------------------------------------------------------------------------------------


def refresh_status(prefix: str = "") -> int:
    """Recompute ``VillageStatus`` of the villages under ``prefix`` from all their events (INSERT … SELECT)."""
    lo, hi = subtree_bounds(prefix)
    sql, params = indicators.status_sql(None, prefix)
    cols = ", ".join(indicators.STATUS_COLUMNS)
    with transaction.atomic(), connection.cursor() as cur:
        big_sorts(cur)
        if prefix == "" and is_postgres():
            cur.execute(f"TRUNCATE {indicators.STATUS}")  # the whole country: no row-by-row delete
        else:
            cur.execute(f"DELETE FROM {indicators.STATUS} WHERE village_id BETWEEN %s AND %s", [lo, hi])
        cur.execute(f"INSERT INTO {indicators.STATUS} ({cols}) {sql}", params)
        return int(cur.rowcount)


def common_prefix(codes: Iterable[str]) -> str:
    """The deepest division containing all ``codes`` (a prefix of 12, 9, 6, 4, 2 or 0 digits)."""
    codes = list(codes)
    if not codes:
        return ""
    p = os.path.commonprefix(codes)  # noqa: RUF071 - character by character is what division codes need
    return next((p[:n] for n in (12, 9, 6, 4, 2) if len(p) >= n), "")


def write_events(events: Sequence[CleanEvent], actor: Any) -> int:
    """Append events with COPY/executemany and refresh the status of the area they touch. Caller's transaction."""
    now = timezone.now()
    actor_id = getattr(permissions.user_or_none(actor), "pk", None)
    rows = ((e.code, e.date, e.kind, e.flag, e.number, e.text, e.batch, e.source, actor_id, now) for e in events)
    n = copy_rows(ConnectivityEvent._meta.db_table,
                  ["village_id", "date", "kind", "flag", "number", "text", "batch", "source", "actor_id", "created_at"],
                  rows)
    refresh_status(common_prefix(e.code for e in events))
    mark_changed(())  # coverage is recomputed in full by every refresh: no village to mark, a refresh to request
    return n


def import_events(*, content: bytes, filename: str, actor: Any) -> uploads.ImportSummary:
    """Apply an events file (CSV or XLSX) all or nothing; raise EventDataError naming every bad row. The summary
    counts the events (``created``) and, in ``counts``, the villages and the events by kind."""
    if not permissions.can_write_connectivity(actor):
        raise PermissionDenied("无权录入网络覆盖数据 / you may not enter connectivity data")
    table = read_table(content, filename, COLUMNS, EVENT_KINDS)
    events = parse_events(table, _scope(actor))
    by_kind: dict[str, int] = {}
    for e in events:
        by_kind[e.kind] = by_kind.get(e.kind, 0) + 1
    with transaction.atomic():
        write_events(events, actor)
        audit.record(actor=actor, action=AuditEvent.Action.BULK, object_type="connectivity.connectivityevent",
                     region_code=common_prefix(e.code for e in events),
                     summary=f"import_connectivity {filename}: {len(events)} events",
                     detail={"by_kind": by_kind, "file": filename})
    summary = uploads.ImportSummary(created=len(events),
                                    counts={"villages": len({e.code for e in events}), "by_kind": by_kind})
    summary.add(table.conflicts)
    return summary


def record_event(*, actor: Any, data: dict[str, Any]) -> ConnectivityEvent:
    """One event entered on a page or posted to the API (keys as in a file row)."""
    if not permissions.can_write_connectivity(actor):
        raise PermissionDenied("无权录入网络覆盖数据 / you may not enter connectivity data")
    event, errors = clean_row(1, data, timezone.localdate())
    if event:
        errors = _check_villages([event], _scope(actor))
    if errors or event is None:
        raise EventDataError(errors)
    with transaction.atomic():
        obj = ConnectivityEvent.objects.create(
            village_id=event.code, date=event.date, kind=event.kind, flag=event.flag, number=event.number,
            text=event.text, batch=event.batch, source=event.source, actor=permissions.user_or_none(actor))
        refresh_status(event.code)
        mark_changed([event.code])
        audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=obj,
                     summary=f"connectivity event {event.code} {event.date} {event.kind}")
    return obj


# --- facilities ------------------------------------------------------------------------------------


def _may_write(actor: Any) -> None:
    if not permissions.can_write_connectivity(actor):
        raise PermissionDenied("无权维护设施数据 / you may not maintain facilities")


def import_facilities(*, content: bytes, filename: str, actor: Any) -> uploads.ImportSummary:
    """Apply a facilities file (CSV or XLSX) all or nothing; raise EventDataError naming every bad row."""
    _may_write(actor)
    table = facilities.read_facilities(content, filename)
    items = facilities.parse_facilities(table, _scope(actor))
    with transaction.atomic():
        created, updated, unchanged = facilities.upsert(items, present=table.headers)
        audit.record(actor=actor, action=AuditEvent.Action.BULK, object_type="connectivity.facility",
                     region_code=common_prefix(f.code for f in items),
                     summary=f"import_facilities {filename}: {len(created)} created, {len(updated)} updated",
                     detail={"file": filename, "rows": len(items), "created": len(created), "updated": len(updated),
                             "unchanged": unchanged})
        mark_changed(())  # facilities are recomputed in full by every refresh: a refresh to request
    summary = uploads.ImportSummary(created=len(created), updated=len(updated), unchanged=unchanged,
                                    counts={"rows": len(items)})
    summary.add(table.conflicts)
    return summary


def save_facility(*, actor: Any, data: dict[str, Any], instance: Facility | None = None) -> tuple[Facility, bool]:
    """One facility from a form or the API (keys as ``COLUMNS``). Without ``instance``: upsert by key; with it,
    that facility is changed (its key too). Returns the facility and whether it was created."""
    _may_write(actor)
    item, errors = facilities.clean_facility(1, data, timezone.localdate())
    if item is not None:
        errors = [e for e in facilities.check_facilities([item], _scope(actor))]
    if errors or item is None:
        raise EventDataError(errors)
    with transaction.atomic():
        clash = facilities.existing_facilities([item]).get(item.key)
        if instance is not None and clash is not None and clash.pk != instance.pk:
            raise EventDataError([conflict(1, facilities.COLUMN_LABEL["name"], f"已有相同的设施（编号 {clash.pk}） / the same "
                                                                    f"facility exists already (id {clash.pk})")])
        obj = instance or clash
        created = obj is None
        if obj is None:
            obj = Facility(type=item.type, region_id=item.code, name=item.name)
        obj.type, obj.region_id, obj.name, obj.source = item.type, item.code, item.name, item.source
        for k, v in item.values.items():
            setattr(obj, k, v)
        obj.save()
        audit.record(actor=actor, action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, obj=obj,
                     summary=f"facility {obj.type} {obj.region_id} {obj.name}")
        mark_changed([obj.region_id])
    return obj, created


def freeze_ranking(*, actor: Any, as_of: dt.date, prefix: str = "", title: str = "") -> RankingSnapshot:
    """Rank the children of ``prefix`` (provinces for the nation; a province's prefectures; a prefecture's
    counties) by poor-village broadband coverage on ``as_of`` and copy the figures into a snapshot."""
    if not permissions.has_any_role(actor, RANKING_ROLES):
        raise PermissionDenied("无权发布排名 / you may not publish rankings")
    scope = _scope(actor)
    if not scope.contains(prefix):
        raise PermissionDenied("该地区不在您的辖区 / this region lies outside your region")
    if len(prefix) not in (0, 2, 4):
        raise ValueError("rankings are of provinces, prefectures or counties")
    group_len = child_length(len(prefix))
    rows = {r.code: r for r in indicators.coverage(prefix=prefix, group_len=group_len, on=as_of)}
    values = [indicators.Value(r.code, r.connected, r.villages) for r in rows.values()]
    names = dict(Region.objects.filter(code__in=[v.code for v in values]).values_list("code", "name"))
    area = names.get(prefix) or (Region.objects.filter(code=prefix).values_list("name", flat=True).first() if prefix else "全国")
    with transaction.atomic():
        snap = RankingSnapshot.objects.create(
            title=title or f"{area}贫困村宽带覆盖率排名（截至 {as_of}）", as_of=as_of, scope_prefix=prefix,
            level=level_of(prefix) + 1, created_by=permissions.user_or_none(actor),
            villages=sum(v.denominator for v in values), connected=sum(v.numerator for v in values))
        RankingRow.objects.bulk_create([
            RankingRow(snapshot=snap, rank=rank, region_code=v.code, region_name=names.get(v.code, v.code),
                       villages=v.denominator, connected=v.numerator, fiber=rows[v.code].counts[2],
                       mobile_4g=rows[v.code].counts[3],
                       coverage=Decimal(100 * v.numerator / v.denominator).quantize(Decimal("0.01")))
            for rank, v in indicators.ranked(values)
        ])
        audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=snap, region_code=prefix,
                     summary=f"ranking snapshot {snap.title}")
    return snap

