"""/api/v1/commerce: stations, demonstration shops (with their linked households, names masked to the surname
unless the role needs them), purchases (read, record one) and products. Scoped like the pages: the commerce bureau
and every regional account read their region, a shop operator its own shops; anything else answers 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from fupin.commerce import selectors, services
from fupin.commerce.models import Product, Purchase, Shop, Station
from fupin.core.masking import Masker
from fupin.core.pagination import Page, PageQuery, offset_page

router = Router()


class RegionPageQuery(PageQuery):
    region: str = ""


class StationOut(Schema):
    id: int
    tier: str
    region_code: str
    name: str
    operator: str
    services: list[str]
    opened_on: dt.date | None
    closed_on: dt.date | None


class StationQuery(RegionPageQuery):
    tier: str = ""


def _station(s: Station) -> dict[str, Any]:
    return {"id": s.pk, "tier": s.tier, "region_code": s.region_id, "name": s.name, "operator": s.operator,
            "services": [f for f in Station.SERVICES if getattr(s, f)], "opened_on": s.opened_on,
            "closed_on": s.closed_on}


@router.get("/stations", response=Page[StationOut], summary="E-commerce service stations of the caller's region")
def stations(request: HttpRequest, q: Query[StationQuery]) -> dict[str, Any]:
    return offset_page(selectors.stations(request.user, region=q.region, tier=q.tier), q, _station)


class StationIn(Schema):
    region_code: str
    tier: str
    name: str
    operator: str = ""
    services: list[str] = []
    opened_on: str = ""
    closed_on: str = ""


@router.post("/stations", response={201: StationOut}, summary="Register a station (commerce bureau)")
def create_station(request: HttpRequest, body: StationIn) -> Status:
    s = services.save_station(actor=request.user, **body.dict())
    return Status(201, _station(s))


class CoverageOut(Schema):
    code: str
    name: str
    populous_villages: int
    with_station: int
    percent: float | None


@router.get("/coverage", response=list[CoverageOut],
            summary="Populous villages with a station open today, for the region and each child region")
def coverage(request: HttpRequest, region: str = "") -> list[dict[str, Any]]:
    total, children = selectors.coverage(request.user, region)
    return [{"code": r.code, "name": r.name, "populous_villages": r.populous, "with_station": r.covered,
             "percent": r.percent} for r in (total, *children)]


class ShopOut(Schema):
    id: int
    name: str
    model: str
    owner: str
    platform: str
    link: str
    region_code: str
    status: str
    linked_households: int


class ShopQuery(RegionPageQuery):
    status: str = ""


def _shop(s: Shop) -> dict[str, Any]:
    return {"id": s.pk, "name": s.name, "model": s.model, "owner": s.owner, "platform": s.platform, "link": s.link,
            "region_code": s.region_id, "status": s.status, "linked_households": getattr(s, "households", 0) or 0}


@router.get("/shops", response=Page[ShopOut], summary="Demonstration shops (a shop operator: its own)")
def shops(request: HttpRequest, q: Query[ShopQuery]) -> dict[str, Any]:
    return offset_page(selectors.shops(request.user, region=q.region, status=q.status), q, _shop)


@router.get("/shops/{pk}", response=ShopOut, summary="One shop (404 outside the caller's reach)")
def shop(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _shop(selectors.shop(request.user, pk))


class LinkOut(Schema):
    id: int
    household_id: int
    household_number: str
    head_name: str
    village_code: str
    started_on: dt.date
    ended_on: dt.date | None


@router.get("/shops/{pk}/households", response=list[LinkOut],
            summary="Households linked to the shop today; names masked to the surname unless the role needs them")
def shop_households(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    s = selectors.shop(request.user, pk)
    masker = Masker(request.user)
    rows = [{"id": link.pk, "household_id": link.household_id, "household_number": link.household.number,
             "head_name": masker.surname(getattr(link, "head_name", "") or ""), "village_code": link.household.village_id,
             "started_on": link.started_on, "ended_on": link.ended_on}
            for link in selectors.household_links(request.user, s)]
    if rows:
        masker.reveal(obj=s, summary=f"API linked households of shop {s.pk}", detail={"households": len(rows)})
    return rows


class DecisionIn(Schema):
    approve: bool
    note: str = ""


@router.post("/shops/{pk}/decision", response=ShopOut, summary="Approve or reject a shop (commerce bureau)")
def decide(request: HttpRequest, pk: int, body: DecisionIn) -> dict[str, Any]:
    # the service checks the role before it looks the shop up (404 outside the region): no existence probing
    services.decide_shop(actor=request.user, shop_id=pk, approve=body.approve, note=body.note)
    return _shop(selectors.shop(request.user, pk))


class PurchaseOut(Schema):
    id: int
    shop_id: int
    household_id: int
    household_number: str
    product: str
    purchased_on: dt.date
    quantity: Decimal
    unit: str
    unit_price: Decimal
    protective_price: Decimal
    amount: Decimal


class PurchaseQuery(RegionPageQuery):
    shop: int | None = None
    year: int | None = None


def _purchase(p: Purchase) -> dict[str, Any]:
    return {"id": p.pk, "shop_id": p.shop_id, "household_id": p.household_id, "household_number": p.household.number,
            "product": p.product, "purchased_on": p.purchased_on, "quantity": p.quantity, "unit": p.unit,
            "unit_price": p.unit_price, "protective_price": p.protective_price, "amount": p.amount}


@router.get("/purchases", response=Page[PurchaseOut], summary="Purchases of the caller's region (a shop operator: its shops)")
def purchases(request: HttpRequest, q: Query[PurchaseQuery]) -> dict[str, Any]:
    s = selectors.shop(request.user, q.shop) if q.shop else None
    return offset_page(selectors.purchases(request.user, shop=s, year=q.year), q, _purchase)


class PurchaseIn(Schema):
    shop_id: int
    household_number: str
    product: str
    purchased_on: str
    quantity: str
    unit: str
    unit_price: str
    protective_price: str
    amount: str | None = None


@router.post("/purchases", response={201: PurchaseOut},
             summary="Record a purchase from a linked household at or above the protective price")
def record_purchase(request: HttpRequest, body: PurchaseIn) -> Status:
    data = body.dict()
    number = data.pop("household_number")
    p = services.record_purchase(actor=request.user, number=number, **data)
    return Status(201, _purchase(p))


class ProductOut(Schema):
    id: int
    name: str
    category: str
    origin_code: str
    producer_name: str
    certification: str
    season: str
    published: bool
    trace_codes: list[str]


class ProductQuery(RegionPageQuery):
    category: str = ""


def _product(p: Product) -> dict[str, Any]:
    return {"id": p.pk, "name": p.name, "category": p.category, "origin_code": p.origin_id,
            "producer_name": p.producer_name, "certification": p.certification, "season": p.season,
            "published": p.published, "trace_codes": [b.code for b in p.batches.all()]}


@router.get("/products", response=Page[ProductOut], summary="Products of the caller's region with their trace codes")
def products(request: HttpRequest, q: Query[ProductQuery]) -> dict[str, Any]:
    qs = selectors.products(request.user, region=q.region, category=q.category).prefetch_related("batches")
    return offset_page(qs.order_by("origin_id", "name"), q, _product)


class ServiceIn(Schema):
    station_id: int
    household_number: str
    kind: str  # purchasing (代购) or bill_payment (代缴)
    served_on: str
    item: str
    amount: str
    fee: str = "0"


class ServiceOut(Schema):
    id: int
    station_id: int
    household_id: int
    kind: str
    served_on: dt.date
    item: str
    amount: Decimal
    fee: Decimal


@router.post("/services", response={201: ServiceOut},
             summary="Record a 代购 or 代缴 service a station delivered to a registered household of its area")
def record_service(request: HttpRequest, body: ServiceIn) -> Status:
    data = body.dict()
    number = data.pop("household_number")
    r = services.record_service(actor=request.user, number=number, **data)
    return Status(201, {f: getattr(r, f) for f in ServiceOut.model_fields})


class DemoCountyOut(Schema):
    county_code: str
    county_name: str
    poor_county: bool
    year: int
    source: str


class DemoCountyIn(Schema):
    county_code: str
    year: int
    source: str = ""


def _demo(d: Any) -> dict[str, Any]:
    return {"county_code": d.county_id, "county_name": d.county.name, "poor_county": d.county.is_poor_county,
            "year": d.year, "source": d.source}


@router.get("/demo-counties", response=list[DemoCountyOut],
            summary="电子商务进农村综合示范县 of the caller's region, with the year each was named")
def demo_counties(request: HttpRequest) -> list[dict[str, Any]]:
    return [_demo(d) for d in selectors.demo_counties(request.user)]


@router.post("/demo-counties", response={201: DemoCountyOut},
             summary="Mark a county as a demonstration county since a year (commerce bureau)")
def set_demo_county(request: HttpRequest, body: DemoCountyIn) -> Status:
    d = services.set_demo_county(actor=request.user, county_code=body.county_code, year=body.year, source=body.source)
    d.refresh_from_db()
    return Status(201, _demo(d))
