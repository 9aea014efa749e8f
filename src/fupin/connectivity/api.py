"""/api/v1/connectivity: the ledger, a village's status (today or on a date) and new events. Scoped: a village
outside the caller's region answers 404; writing needs a county, exchange (operator) or administrator role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from fupin.connectivity import keyset, selectors, services
from fupin.core.pagination import MAX_PAGE_SIZE, Page, PageQuery, offset_page

router = Router()


class StatusOut(Schema):
    code: str
    name: str
    is_poor_village: bool
    connected: bool
    fiber_date: dt.date | None = None
    mobile_4g_date: dt.date | None = None
    connected_date: dt.date | None = None
    operator: str = ""
    bandwidth: Decimal | None = None
    pilot_batch: int | None = None
    pilot_funds: Decimal | None = None
    natural_4g: int | None = None


class EventIn(Schema):
    code: str
    date: str
    kind: str
    value: str = ""
    funds: str = ""
    source: str = ""


class EventOut(Schema):
    id: int
    code: str
    date: dt.date
    kind: str


def _status(v: Any, s: Any) -> dict[str, Any]:
    out = {"code": v.code, "name": v.name, "is_poor_village": v.is_poor_village, "connected": False}
    if s:
        get = s.get if isinstance(s, dict) else lambda k: getattr(s, k)
        out.update({k: get(k) for k in ("fiber_date", "mobile_4g_date", "connected_date", "operator", "bandwidth",
                                        "pilot_batch", "pilot_funds", "natural_4g")})
        out["connected"] = bool(get("connected"))
    return out


class VillageQuery(PageQuery):
    under: str = ""
    status: str = "unconnected"
    poor: bool = True
    sort: str = "code"
    page_size: int = Field(100, ge=1, le=MAX_PAGE_SIZE, description=f"rows per page, at most {MAX_PAGE_SIZE}")
    after: str = Field("", description="keyset paging (sort code, name or fiber_date, optionally descending): "
                                       "the next_after of the previous page")


class FacilityQuery(PageQuery):
    under: str = ""
    type: str = ""
    page_size: int = Field(100, ge=1, le=MAX_PAGE_SIZE, description=f"rows per page, at most {MAX_PAGE_SIZE}")


@router.get("/villages", response=Page[StatusOut], summary="Villages with their current status (default: the "
                                                           "ledger of unconnected registered poor villages)")
def list_villages(request: HttpRequest, q: Query[VillageQuery]) -> Any:
    qs = selectors.villages(request.user, under=q.under, status=q.status if q.status in selectors.STATUSES else "all",
                            poor_only=q.poor, sort=q.sort)

    def row(v: Any) -> dict[str, Any]:
        return _status(v, getattr(v, "connectivity_status", None))

    keyed = q.sort.lstrip("-") in keyset.KEYSET_SORTS
    if q.after and (not keyed or keyset.decode(q.after, q.sort) is None):
        raise ValidationError({"after": ["不是本排序的分页键 / not a paging key of this sort"]})
    if keyed and (q.after or q.page == 1):  # keyset: each page read through an index, whatever its depth
        kp = keyset.get_page(qs, q.sort, q.page_size, after=q.after)
        return {"count": qs.count(), "page": 0 if q.after else 1, "page_size": q.page_size,
                "next_after": kp.next_key or None, "results": [row(v) for v in kp.rows]}
    return offset_page(qs, q, row)


@router.get("/villages/{code}", response=StatusOut, summary="A village's status today or on `on` (404 outside scope)")
def get_village(request: HttpRequest, code: str, on: dt.date | None = None) -> Any:
    v = selectors.village_for(request.user, code)
    s = selectors.status_on(request.user, v, on) if on else getattr(v, "connectivity_status", None)
    return _status(v, s)


@router.post("/events", response={201: EventOut}, summary="Record a dated event (kinds: fiber, 4g, broadband, "
                                                          "operator, bandwidth, pilot, natural_4g, disconnected)")
def post_event(request: HttpRequest, payload: EventIn) -> Any:
    selectors.village_for(request.user, payload.code)  # outside the caller's region: 404, as for reads
    try:
        e = services.record_event(actor=request.user, data=payload.dict())
    except services.EventDataError as exc:
        raise ValidationError({err.column: [err.message] for err in exc.errors}) from exc
    return Status(201, {"id": e.pk, "code": e.village_id, "date": e.date, "kind": e.kind})


# --- facilities --------------------------------------------------------------------------------------------


class FacilityIn(Schema):
    type: str
    code: str
    name: str = ""
    opened_on: str = ""
    closed_on: str = ""
    connected_on: str = ""
    bandwidth: str = ""
    classrooms: str = ""
    year: str = ""
    new_stations: str = ""
    new_sites: str = ""
    terminals: str = ""
    tariff_households: str = ""
    source: str = ""
    school_kind: str = Field("", description="schools: primary, junior, nine_year or teaching_point (教学点)")
    remote_classroom_on: str = Field("", description="schools: remote classroom (专递课堂) in use since")
    remote_classroom_until: str = Field("", description="schools: remote classroom stopped on")
    telemedicine_on: str = Field("", description="health centres and village clinics: telemedicine (远程诊疗) since")


class FacilityOut(Schema):
    id: int
    type: str
    code: str
    name: str
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    connected_on: dt.date | None = None
    bandwidth: int | None = None
    classrooms: int | None = None
    year: int | None = None
    new_stations: int | None = None
    new_sites: int | None = None
    terminals: int | None = None
    tariff_households: int | None = None
    source: str = ""
    school_kind: str = ""
    remote_classroom_on: dt.date | None = None
    remote_classroom_until: dt.date | None = None
    telemedicine_on: dt.date | None = None


def _facility(f: Any) -> dict[str, Any]:
    return {"id": f.pk, "type": f.type, "code": f.region_id, "name": f.name,
            **{k: getattr(f, k) for k in ("opened_on", "closed_on", "connected_on", "bandwidth", "classrooms", "year",
                                          "new_stations", "new_sites", "terminals", "tariff_households", "source",
                                          "school_kind", "remote_classroom_on", "remote_classroom_until",
                                          "telemedicine_on")}}


def _save_facility(request: HttpRequest, payload: FacilityIn, instance: Any = None) -> Any:
    from fupin.connectivity.services import save_facility
    from fupin.core.scoping import scope_of

    if not scope_of(request.user).contains(payload.code.strip()):
        from django.http import Http404

        raise Http404  # outside the caller's region: 404, as for reads
    try:
        return save_facility(actor=request.user, data=payload.dict(), instance=instance)
    except services.EventDataError as exc:
        raise ValidationError({err.column: [err.message] for err in exc.errors}) from exc


@router.get("/facilities", response=Page[FacilityOut], summary="Facilities in the caller's region")
def list_facilities(request: HttpRequest, q: Query[FacilityQuery]) -> Any:
    if q.under:
        from fupin.regions.selectors import region_for

        region_for(request.user, q.under)  # 404 outside the caller's region
    return offset_page(selectors.facilities(request.user, under=q.under, type=q.type), q, _facility)


@router.get("/facilities/{pk}", response=FacilityOut, summary="One facility (404 outside scope)")
def get_facility(request: HttpRequest, pk: int) -> Any:
    return _facility(selectors.facility_for(request.user, pk))


@router.post("/facilities", response={200: FacilityOut, 201: FacilityOut},
             summary="Create a facility, or update the one with the same type, region, name (and year)")
def post_facility(request: HttpRequest, payload: FacilityIn) -> Any:
    f, created = _save_facility(request, payload)
    return Status(201 if created else 200, _facility(f))


@router.put("/facilities/{pk}", response=FacilityOut, summary="Replace a facility's data (404 outside scope)")
def put_facility(request: HttpRequest, pk: int, payload: FacilityIn) -> Any:
    f, _created = _save_facility(request, payload, selectors.facility_for(request.user, pk))
    return _facility(f)
