"""/api/v1/connectivity: the ledger, a village's status (today or on a date) and new events. Scoped: a village
outside the caller's region answers 404; writing needs a county, exchange (operator) or administrator role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status

from fupin.connectivity import selectors, services

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


class PageOut(Schema):
    count: int
    page: int
    results: list[StatusOut]


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


@router.get("/villages", response=PageOut, summary="Villages with their current status (default: the ledger of "
                                                    "unconnected registered poor villages), 100 per page")
def list_villages(request: HttpRequest, under: str = "", status: str = "unconnected", poor: bool = True,
                  page: int = 1, sort: str = "code") -> Any:
    qs = selectors.villages(request.user, under=under, status=status if status in selectors.STATUSES else "all",
                            poor_only=poor, sort=sort)
    page = max(1, page)
    items = list(qs[(page - 1) * 100: page * 100])
    return {"count": qs.count(), "page": page,
            "results": [_status(v, getattr(v, "connectivity_status", None)) for v in items]}


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


class FacilityPageOut(Schema):
    count: int
    page: int
    results: list[FacilityOut]


def _facility(f: Any) -> dict[str, Any]:
    return {"id": f.pk, "type": f.type, "code": f.region_id, "name": f.name,
            **{k: getattr(f, k) for k in ("opened_on", "closed_on", "connected_on", "bandwidth", "classrooms", "year",
                                          "new_stations", "new_sites", "terminals", "tariff_households", "source")}}


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


@router.get("/facilities", response=FacilityPageOut, summary="Facilities in the caller's region, 100 per page")
def list_facilities(request: HttpRequest, under: str = "", type: str = "", page: int = 1) -> Any:
    if under:
        from fupin.regions.selectors import region_for

        region_for(request.user, under)  # 404 outside the caller's region
    qs = selectors.facilities(request.user, under=under, type=type)
    page = max(1, page)
    return {"count": qs.count(), "page": page, "results": [_facility(f) for f in qs[(page - 1) * 100: page * 100]]}


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
