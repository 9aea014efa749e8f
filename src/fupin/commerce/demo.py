"""Synthetic rural e-commerce data (演示数据，纯属虚构) for the counties of an area that have demo households:
populous villages, stations of the three tiers opened 2015–2020 (a few closed), demonstration shops of the three
models (most approved, one pending per county) linked to registered households, their purchases at or above the
protective price up to today, and products of the origin villages with trace-coded batches and their steps.
Deterministic for a seed; written with bulk inserts inside one transaction."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from fupin.commerce.models import (
    Batch,
    DemoCounty,
    PopulousVillage,
    Product,
    Purchase,
    ServiceKind,
    ServiceRecord,
    Shop,
    ShopHousehold,
    ShopModel,
    ShopStatus,
    ShopVillage,
    Station,
    Tier,
    TraceEvent,
    purchase_amount,
)
from fupin.core import audit
from fupin.core.models import AuditEvent
from fupin.core.tree import subtree_bounds
from fupin.regions.models import Level, Region
from fupin.registry.models import Household
from fupin.registry.statuses import REGISTERED_STATUSES

SOURCE = "演示数据（虚构）"
NOTE = "演示数据，纯属虚构"
PLATFORMS = ("淘宝", "京东", "拼多多", "抖音", "微信小店", "832平台")
# product, category, unit, protective price (yuan per unit), season, certification
GOODS = (
    ("草果", "herbs", "kg", Decimal("12.00"), "10–11月", "geographic"),
    ("核桃", "fruit", "kg", Decimal("18.00"), "9–10月", "green"),
    ("高山茶叶", "tea", "kg", Decimal("80.00"), "3–5月", "organic"),
    ("野生菌", "mushrooms", "kg", Decimal("40.00"), "6–9月", ""),
    ("重楼", "herbs", "kg", Decimal("300.00"), "全年", ""),
    ("土鸡蛋", "livestock", "枚", Decimal("1.20"), "全年", "pollution_free"),
    ("蜂蜜", "livestock", "kg", Decimal("60.00"), "7–10月", "green"),
    ("苦荞", "grain", "kg", Decimal("8.00"), "9–10月", ""),
    ("漆器", "handicraft", "件", Decimal("150.00"), "全年", ""),
)
STEPS = (("planting", 0, "种植于"), ("harvest", 150, "采收于"), ("inspection", 160, "县农产品质量检测站抽检合格"),
         ("packing", 165, "合作社分拣包装"), ("shipment", 170, "发往县电商公共服务中心"))


@dataclass
class DemoResult:
    counties: int = 0
    populous: int = 0
    stations: int = 0
    shops: int = 0
    links: int = 0
    purchases: int = 0
    products: int = 0
    batches: int = 0
    skipped: bool = False
    seconds: float = 0.0


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max((end - start).days, 1)))


def _code(rng: random.Random) -> str:
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(rng.choice(alphabet) for _ in range(16))


@transaction.atomic
def generate(*, area: str = "53", seed: int = 1, if_empty: bool = True, today: dt.date | None = None) -> DemoResult:
    started = time.perf_counter()
    out = DemoResult()
    if if_empty and (Shop.objects.filter(region__code__range=subtree_bounds(area)).exists()
                     or Station.objects.filter(source=SOURCE, region__code__range=subtree_bounds(area)).exists()):
        out.skipped = True
        return out
    rng = random.Random(seed)
    today = today or timezone.localdate()
    by_village = dict(Household.objects.filter(village__code__range=subtree_bounds(area), status__in=REGISTERED_STATUSES)
                      .values_list("village_id").annotate(n=Count("id")).values_list("village_id", "n"))
    counties = sorted({c[:6] for c in by_village})
    out.counties = len(counties)
    names: dict[str, str] = {}
    for county in counties:
        lo, hi = subtree_bounds(county)
        names.update(Region.objects.filter(code__range=(lo, hi), level__in=(Level.COUNTY, Level.TOWNSHIP,
                                                                                Level.VILLAGE)).values_list("code", "name"))
    # 团结村委会 → 团结村: the village as a product or shop name says it
    names = {c: n[:-3] + "村" if n.endswith("村委会") else n for c, n in names.items()}
    villages = sorted(c for c in names if len(c) == 12 and c[9] not in "01")
    townships = sorted(c for c in names if len(c) == 9 and c[6] != "0")
    populous = [c for c in villages if c in by_village or rng.random() < 0.5]
    PopulousVillage.objects.bulk_create([PopulousVillage(village_id=c, source=SOURCE) for c in populous],
                                        batch_size=2000, ignore_conflicts=True)
    out.populous = len(populous)

    stations: list[Station] = []

    def station(tier: str, code: str, name: str, share_closed: float = 0.0) -> None:
        opened = _day(rng, dt.date(2015, 1, 1), dt.date(2020, 12, 31))
        closed = _day(rng, opened + dt.timedelta(days=200), today) if rng.random() < share_closed else None
        stations.append(Station(tier=tier, region_id=code, name=name, operator=rng.choice(
            ("邮政便民服务站", "供销社", "村级合作社", "返乡青年", "农村淘宝合伙人")),
            purchasing=rng.random() < 0.8, bill_payment=rng.random() < 0.6, parcels=rng.random() < 0.9,
            info_service=rng.random() < 0.5, opened_on=opened, closed_on=closed, source=SOURCE))

    for county in counties:
        station(Tier.COUNTY_CENTRE, county, f"{names.get(county, county)}电子商务公共服务中心")
    for code in townships:
        if rng.random() < 0.85:
            station(Tier.TOWNSHIP_STATION, code, f"{names[code]}电商服务站")
    populous_set = set(populous)
    for code in villages:
        if rng.random() < (0.7 if code in populous_set else 0.2):
            station(Tier.VILLAGE_POINT, code, f"{names[code]}电商服务点", share_closed=0.05)
    Station.objects.bulk_create(stations, batch_size=2000)
    out.stations = len(stations)
    # 电子商务进农村综合示范县: about half the counties, named between 2015 and 2019 (synthetic lists)
    DemoCounty.objects.bulk_create(
        [DemoCounty(county_id=c, year=rng.randint(2015, 2019), source="演示数据（合成）") for c in counties
         if rng.random() < 0.5], ignore_conflicts=True)

    households_of: dict[str, list[tuple[int, str]]] = {}
    for hid, village in (Household.objects.filter(village__code__range=subtree_bounds(area), status__in=REGISTERED_STATUSES)
                         .order_by("id").values_list("id", "village_id")):
        households_of.setdefault(village[:6], []).append((hid, village))
    links: list[ShopHousehold] = []
    village_links: list[ShopVillage] = []
    products: list[Product] = []
    for county in counties:
        county_name = names.get(county, county)
        pool = households_of.get(county, [])
        county_villages = sorted({v for _h, v in pool})
        for i in range(rng.randint(3, 5)):
            good = GOODS[(i + int(county[-2:])) % len(GOODS)]
            model = (ShopModel.ENTERPRISE, ShopModel.ABLE_PERSON, ShopModel.CADRE)[i % 3]
            village = rng.choice(county_villages) if county_villages else county
            status = ShopStatus.PENDING if i == 0 else ShopStatus.APPROVED
            shop = Shop.objects.create(
                name=f"{names.get(village, county_name)}{good[0]}扶贫网店", model=model,
                owner={ShopModel.ENTERPRISE: f"{county_name}农特产品有限公司", ShopModel.ABLE_PERSON: "返乡创业青年（演示）",
                       ShopModel.CADRE: f"{names.get(village, '')}村干部（演示）"}[model],
                platform=rng.choice(PLATFORMS), link=f"https://shop.example.com/demo/{county}{i}",
                region_id=village, status=status,
                decided_at=timezone.now() if status == ShopStatus.APPROVED else None)
            out.shops += 1
            if status != ShopStatus.APPROVED:
                continue
            for hid, _v in rng.sample(pool, min(len(pool), rng.randint(8, 30))):
                links.append(ShopHousehold(shop=shop, household_id=hid,
                                           started_on=_day(rng, dt.date(2017, 1, 1), dt.date(2021, 12, 31))))
            if len(village) == 12:
                village_links.append(ShopVillage(shop=shop, village_id=village, started_on=dt.date(2018, 1, 1)))
                products.append(Product(name=f"{names.get(village, '')}{good[0]}", category=good[1], origin_id=village,
                                        producer_name=f"{names.get(village, '')}{good[0]}专业合作社（演示）",
                                        certification=good[5], season=good[4], description=NOTE, shop=shop))
    ShopHousehold.objects.bulk_create(links, batch_size=2000)
    ShopVillage.objects.bulk_create(village_links, batch_size=2000)
    out.links = len(links)

    goods = {g[0]: g for g in GOODS}
    purchases: list[Purchase] = []
    for link in links:
        good = goods[next(g for g in goods if g in link.shop.name)]
        day = link.started_on
        while True:
            day += dt.timedelta(days=rng.randint(60, 240))
            if day > today:
                break
            # a few hundred to a few thousand yuan a sale, whatever the product's price
            quantity = Decimal(rng.randint(max(1, int(200 / good[3])), max(2, int(3000 / good[3]))))
            price = good[3] + Decimal(rng.randint(0, 30)) * good[3] / 100
            price = price.quantize(Decimal("0.01"))
            purchases.append(Purchase(shop=link.shop, household_id=link.household_id, product=good[0],
                                      purchased_on=day, quantity=quantity, unit=good[2], unit_price=price,
                                      protective_price=good[3], amount=purchase_amount(quantity, price),
                                      upload="demo"))
    Purchase.objects.bulk_create(purchases, batch_size=5000)
    out.purchases = len(purchases)
    # 代购/代缴 services of the village points to the registered households of their village
    point_of = {st.region_id: st for st in Station.objects.filter(source=SOURCE, tier=Tier.VILLAGE_POINT,
                                                                  region__code__range=subtree_bounds(area))}
    services_done: list[ServiceRecord] = []
    for pool in households_of.values():
        for hid, village in pool:
            st = point_of.get(village)
            if st is None or not (st.purchasing or st.bill_payment) or rng.random() > 0.3:
                continue
            service_kind: str = ServiceKind.PURCHASING if st.purchasing and (not st.bill_payment or rng.random() < 0.5) \
                else ServiceKind.BILL_PAYMENT
            start = max(st.opened_on or dt.date(2019, 1, 1), dt.date(2019, 1, 1))
            end = min(st.closed_on - dt.timedelta(days=1) if st.closed_on else today, today)
            if end <= start:
                continue
            item, low, high = rng.choice((("化肥", 80, 600), ("种子", 30, 300), ("农膜", 20, 200))) \
                if service_kind == ServiceKind.PURCHASING else rng.choice((("电费", 20, 150), ("话费", 10, 100), ("水费", 10, 80)))
            services_done.append(ServiceRecord(station=st, household_id=hid, kind=service_kind, served_on=_day(rng, start, end),
                                               item=item, amount=Decimal(rng.randint(low, high)), fee=Decimal(0)))
    ServiceRecord.objects.bulk_create(services_done, batch_size=5000)

    Product.objects.bulk_create(products, batch_size=1000)
    out.products = len(products)
    batches: list[Batch] = []
    for product in products:
        for _ in range(rng.randint(1, 3)):
            batches.append(Batch(code=_code(rng), product=product, quantity=Decimal(rng.randint(100, 5000)),
                                 unit=goods[next(g for g in goods if product.name.endswith(g))][2]))
    Batch.objects.bulk_create(batches, batch_size=2000)
    events: list[TraceEvent] = []
    for batch in batches:
        planted = _day(rng, dt.date(2020, 1, 1), today - dt.timedelta(days=200))
        place = names.get(batch.product.origin_id, "")
        for kind, offset, text in STEPS:
            day = planted + dt.timedelta(days=offset + rng.randint(0, 5))
            if day > today:
                break
            events.append(TraceEvent(batch=batch, kind=kind, date=day, place=place if kind != "shipment" else "",
                                     note=f"{text}{place}" if kind == "planting" else text))
    TraceEvent.objects.bulk_create(events, batch_size=5000)
    out.batches = len(batches)
    audit.record(actor=None, action=AuditEvent.Action.BULK, object_type="commerce.demo", region_code=area,
                 summary=f"synthetic commerce demo: {out.stations} stations, {out.shops} shops, {out.links} links, "
                         f"{out.purchases} purchases, {out.products} products",
                 detail={"seed": seed})
    out.seconds = time.perf_counter() - started
    return out


def demo_shop(area: str = "533301") -> Any:
    """The approved demo shop of ``area`` with the most linked households (for the demo operator login)."""
    return (Shop.objects.filter(region__code__range=subtree_bounds(area), status=ShopStatus.APPROVED)
            .annotate(n=Count("household_links")).order_by("-n", "id").first())


def attach_operator(user: Any, area: str) -> None:
    """Make ``user`` the operator of the demo shop of ``area`` (the demo login ``demo_shop``), if there is one."""
    shop = demo_shop(area)
    if shop is not None:
        shop.operators.add(user)
