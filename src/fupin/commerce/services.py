"""Writes of rural e-commerce: one function per business action, keyword arguments, validated, in a transaction and
audited. Views, the API, uploads and the demo all call these.

Who may do what: the commerce bureau (and the system administrator) keeps stations and populous villages and
decides on shops, inside its region; a shop operator registers its shop (pending until the bureau approves it),
links households and villages to it and records its purchases; the bureau may do the same for shops of its region.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone

from fupin.commerce.models import (
    TIER_LEVEL,
    Batch,
    Category,
    Certification,
    DemoCounty,
    PopulousVillage,
    Product,
    Purchase,
    ServiceKind,
    ServiceRecord,
    Shop,
    ShopHousehold,
    ShopIncomeConfirmation,
    ShopModel,
    ShopStatus,
    ShopVillage,
    Station,
    Tier,
    TraceEvent,
    TraceEventKind,
    purchase_amount,
)
from fupin.core import audit
from fupin.core.models import AuditEvent
from fupin.core.roles import OWN_RECORDS_ROLES, Role
from fupin.core.scoping import get_scoped_or_404, scope_of
from fupin.core.tree import subtree_bounds
from fupin.regions.models import Level, Region
from fupin.registry.models import Household
from fupin.registry.statuses import REGISTERED_STATUSES

BUREAU_ROLES = (Role.COMMERCE_BUREAU, Role.SYSADMIN)
SHOP_ROLES = (Role.SHOP_OPERATOR, Role.COMMERCE_BUREAU, Role.SYSADMIN)
LEVEL_NAMES = {Level.COUNTY: "县", Level.TOWNSHIP: "乡镇", Level.VILLAGE: "村"}
MAX_QUANTITY = Decimal("1000000")
MAX_PRICE = Decimal("100000")
# Personal data never belongs on a public trace page: 18-character ID numbers and mobile numbers are refused.
PERSONAL_PATTERN = re.compile(r"\d{17}[\dXx]|1[3-9]\d{9}")


def _require(actor: Any, roles: tuple[str, ...]) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("请先登录 / please log in")
    if not (actor.is_superuser or actor.has_role(*roles)):
        raise PermissionDenied("没有权限 / not allowed for your role")


def operator_only(user: Any) -> bool:
    """The user sees only its own shops (a shop operator without another role)."""
    codes: frozenset[str] = getattr(user, "role_codes", frozenset())
    return bool(codes) and not user.is_superuser and codes <= {r.value for r in OWN_RECORDS_ROLES}


def shop_for_writing(actor: Any, shop_id: int) -> Shop:
    """The shop ``actor`` may act for: one it operates, or one of the bureau's region (404 otherwise)."""
    _require(actor, SHOP_ROLES)
    qs = Shop.objects.select_for_update()
    if not (actor.is_superuser or actor.has_role(*BUREAU_ROLES)):
        try:
            return qs.filter(operators=actor).get(pk=shop_id)
        except Shop.DoesNotExist:
            raise Http404 from None
    return get_scoped_or_404(qs, actor, pk=shop_id)


def _text(value: Any, field: str, max_length: int, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: "请填写 / this is required"})
    if len(text) > max_length:
        raise ValidationError({field: f"至多{max_length}字 / at most {max_length} characters"})
    return text


def _date(value: Any, field: str, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise ValidationError({field: "请填写日期 / the date is required"})
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError({field: "日期格式应为 YYYY-MM-DD / a date is written YYYY-MM-DD"}) from None


def _day(value: Any, field: str) -> dt.date:
    """A required date."""
    day = _date(value, field)
    assert day is not None  # _date raises for a missing required date
    return day


def _decimal(value: Any, field: str, *, places: int, maximum: Decimal) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: "应为数字 / a number is expected"}) from None
    if not number.is_finite() or number <= 0:
        raise ValidationError({field: "应大于0 / must be above 0"})
    if number > maximum:
        raise ValidationError({field: f"不能大于{maximum} / at most {maximum}"})
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValidationError({field: f"至多{places}位小数 / at most {places} decimals"})
    return number


def _region_in_scope(actor: Any, code: str, field: str = "region") -> Region:
    region = Region.objects.filter(code=str(code or "").strip()).first()
    if region is None:
        raise ValidationError({field: "未知区划代码 / unknown division code"})
    if not (actor.is_superuser and actor.region_id is None) and not scope_of(actor).contains(region.code):
        raise PermissionDenied("该区划不在您的管辖范围 / this region is outside your scope")
    return region


# --- stations and populous villages ------------------------------------------------------------------------


@transaction.atomic
def save_station(*, actor: Any, region_code: str, tier: str, name: str, operator: str = "",
                 services: list[str] | tuple[str, ...] = (), opened_on: Any = None, closed_on: Any = None,
                 station_id: int | None = None) -> Station:
    """Create (or, with ``station_id``, change) a station; its tier must match the level of its region."""
    _require(actor, BUREAU_ROLES)
    region = _region_in_scope(actor, region_code)
    if tier not in Tier.values:
        raise ValidationError({"tier": "未知站点层级 / unknown tier"})
    if TIER_LEVEL[Tier(tier)] != region.level:
        want = TIER_LEVEL[Tier(tier)]
        raise ValidationError({"tier": f"该层级站点应设在{LEVEL_NAMES[want]}级区划 / this tier belongs to a "
                                       f"{Level(want).name.lower()}"})
    unknown = set(services) - set(Station.SERVICES)
    if unknown:
        raise ValidationError({"services": f"未知服务 {sorted(unknown)} / unknown services"})
    opened, closed = _date(opened_on, "opened_on", required=False), _date(closed_on, "closed_on", required=False)
    if opened and closed and closed <= opened:
        raise ValidationError({"closed_on": "关闭日期应晚于开业日期 / closed after it opened"})
    station = get_scoped_or_404(Station.objects.select_for_update(), actor, pk=station_id) if station_id else Station()
    station.region, station.tier = region, tier
    station.name = _text(name, "name", 100)
    station.operator = _text(operator, "operator", 100, required=False)
    for field in Station.SERVICES:
        setattr(station, field, field in services)
    station.opened_on, station.closed_on = opened, closed
    created = station.pk is None
    station.save()
    audit.record(actor=actor, action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, obj=station,
                 summary=f"station {station.name}")
    return station


@transaction.atomic
def set_populous_villages(*, actor: Any, codes: list[str], populous: bool = True, source: str = "") -> int:
    """Mark (or unmark) villages as populous, in bulk: every code must be a village of the actor's region, else
    nothing is written. Returns the number of villages changed."""
    _require(actor, BUREAU_ROLES)
    wanted = sorted({str(c).strip() for c in codes if str(c).strip()})
    if not wanted:
        raise ValidationError({"codes": "请至少给出一个村代码 / give at least one village code"})
    found = set(Region.objects.filter(code__in=wanted, level=Level.VILLAGE).values_list("code", flat=True))
    missing = [c for c in wanted if c not in found]
    if missing:
        raise ValidationError({"codes": f"不是村级区划代码：{'、'.join(missing[:10])} / not village codes"})
    scope = scope_of(actor)
    outside = [c for c in wanted if not scope.contains(c)]
    if outside and not (actor.is_superuser and actor.region_id is None):
        raise PermissionDenied(f"不在您的管辖范围：{'、'.join(outside[:10])} / outside your scope")
    if populous:
        have = set(PopulousVillage.objects.filter(village_id__in=wanted).values_list("village_id", flat=True))
        new = [PopulousVillage(village_id=c, source=source[:100]) for c in wanted if c not in have]
        PopulousVillage.objects.bulk_create(new, batch_size=2000)
        changed = len(new)
    else:
        changed, _ = PopulousVillage.objects.filter(village_id__in=wanted).delete()
    audit.record(actor=actor, action=AuditEvent.Action.BULK, object_type="commerce.populousvillage",
                 region_code=actor.region_id or "",
                 summary=f"{'marked' if populous else 'unmarked'} {changed} populous villages",
                 detail={"codes": wanted[:50], "count": len(wanted), "populous": populous})
    return changed


# --- shops ---------------------------------------------------------------------------------------------------


@transaction.atomic
def register_shop(*, actor: Any, name: str, model: str, owner: str, platform: str, region_code: str,
                  link: str = "") -> Shop:
    """A demonstration shop, pending until the commerce bureau approves it. A shop operator who registers it
    becomes its operator (its region is then not checked against a scope: operators have none)."""
    _require(actor, SHOP_ROLES)
    if model not in ShopModel.values:
        raise ValidationError({"model": "未知网店类型 / unknown shop model"})
    if operator_only(actor):
        region = Region.objects.filter(code=str(region_code or "").strip()).first()
        if region is None:
            raise ValidationError({"region": "未知区划代码 / unknown division code"})
    else:
        region = _region_in_scope(actor, region_code)
    if region.level < Level.COUNTY:
        raise ValidationError({"region": "网店应属于县、乡镇或村 / a shop belongs to a county, township or village"})
    link = _text(link, "link", 300, required=False)
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            raise ValidationError({"link": "网址无效 / not a valid web address"}) from None
    shop = Shop.objects.create(name=_text(name, "name", 100), model=model, owner=_text(owner, "owner", 100),
                               platform=_text(platform, "platform", 60), link=link, region=region)
    if operator_only(actor):
        shop.operators.add(actor)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=shop, summary=f"shop {shop.name}")
    return shop


@transaction.atomic
def decide_shop(*, actor: Any, shop_id: int, approve: bool, note: str = "") -> Shop:
    """The commerce bureau approves (or rejects, with a reason) a shop of its region."""
    _require(actor, BUREAU_ROLES)
    shop = get_scoped_or_404(Shop.objects.select_for_update(), actor, pk=shop_id)
    note = _text(note, "note", 300, required=not approve)
    shop.status = ShopStatus.APPROVED if approve else ShopStatus.REJECTED
    shop.decided_by, shop.decided_at, shop.decision_note = actor, timezone.now(), note
    shop.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=shop,
                 summary=f"shop {shop.name} {'approved' if approve else 'rejected'}", detail={"note": note})
    return shop


@transaction.atomic
def add_operator(*, actor: Any, shop_id: int, user: Any) -> Shop:
    """The bureau attaches a shop-operator account to a shop of its region."""
    _require(actor, BUREAU_ROLES)
    shop = get_scoped_or_404(Shop.objects.select_for_update(), actor, pk=shop_id)
    if not user.has_role(Role.SHOP_OPERATOR):
        raise ValidationError({"user": "该账号不是网店经营者 / this account is not a shop operator"})
    shop.operators.add(user)
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=shop, summary=f"operator {user.username} added")
    return shop


def _county_of(shop: Shop) -> tuple[str, str]:
    """The code range of the shop's county: households and villages a shop may deal with."""
    return subtree_bounds(shop.region_id[:6])


def _approved(shop: Shop) -> None:
    if shop.status != ShopStatus.APPROVED:
        raise ValidationError({"shop": "网店尚未经商务部门认定 / the shop is not approved by the commerce bureau"})


def household_for_shop(shop: Shop, *, household_id: int | None = None, number: str = "") -> Household:
    """A registered household of the shop's county, by id or household number (户编号)."""
    qs = Household.objects.filter(village__code__range=_county_of(shop), status__in=REGISTERED_STATUSES)
    h = (qs.filter(pk=household_id) if household_id else qs.filter(number=str(number).strip())).first()
    if h is None:
        raise ValidationError({"household": "本县没有该建档立卡户 / no registered household with this number in "
                                            "the shop's county"})
    return h


@transaction.atomic
def link_household(*, actor: Any, shop_id: int, started_on: Any, household_id: int | None = None,
                   number: str = "") -> ShopHousehold:
    """一店带多户: link a registered household of the shop's county to an approved shop."""
    shop = shop_for_writing(actor, shop_id)
    _approved(shop)
    household = household_for_shop(shop, household_id=household_id, number=number)
    started = _day(started_on, "started_on")
    if ShopHousehold.objects.filter(shop=shop, household=household, ended_on__isnull=True).exists():
        raise ValidationError({"household": "该户已与本店联结 / this household is already linked to the shop"})
    link = ShopHousehold.objects.create(shop=shop, household=household, started_on=started)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=link, region_code=household.village_id,
                 summary=f"household {household.number} linked to shop {shop.pk}")
    return link


@transaction.atomic
def unlink_household(*, actor: Any, link_id: int, ended_on: Any) -> ShopHousehold:
    link = ShopHousehold.objects.select_related("household").filter(pk=link_id).first()
    if link is None:
        raise Http404
    shop_for_writing(actor, link.shop_id)
    ended = _date(ended_on, "ended_on")
    assert ended is not None
    if link.ended_on is not None:
        raise ValidationError({"ended_on": "该联结已结束 / this link has ended already"})
    if ended <= link.started_on:
        raise ValidationError({"ended_on": "结束日期应晚于开始日期 / the end comes after the start"})
    link.ended_on = ended
    link.save(update_fields=["ended_on"])
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=link, region_code=link.household.village_id,
                 summary=f"household {link.household.number} unlinked from shop {link.shop_id}")
    return link


@transaction.atomic
def link_village(*, actor: Any, shop_id: int, village_code: str, started_on: Any) -> ShopVillage:
    """一店带一村: a village of the shop's county served by an approved shop."""
    shop = shop_for_writing(actor, shop_id)
    _approved(shop)
    village = Region.objects.filter(code=str(village_code).strip(), level=Level.VILLAGE,
                                    code__range=_county_of(shop)).first()
    if village is None:
        raise ValidationError({"village": "本县没有该村 / no such village in the shop's county"})
    if ShopVillage.objects.filter(shop=shop, village=village, ended_on__isnull=True).exists():
        raise ValidationError({"village": "该村已与本店联结 / this village is already linked to the shop"})
    link = ShopVillage.objects.create(shop=shop, village=village, started_on=_day(started_on, "started_on"))
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=link, summary=f"village linked to shop {shop.pk}")
    return link


# --- purchases -----------------------------------------------------------------------------------------------


def check_purchase(*, quantity: Any, unit_price: Any, protective_price: Any, amount: Any = None
                   ) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """The figures of a purchase, validated: (quantity, unit price, protective price, amount). The amount is
    quantity × unit price to the cent; a given amount must equal it."""
    q = _decimal(quantity, "quantity", places=3, maximum=MAX_QUANTITY)
    price = _decimal(unit_price, "unit_price", places=2, maximum=MAX_PRICE)
    protective = _decimal(protective_price, "protective_price", places=2, maximum=MAX_PRICE)
    if price < protective:
        raise ValidationError({"unit_price": f"收购价{price}低于保护价{protective} / the price is below the "
                                             f"protective price"})
    computed = purchase_amount(q, price)
    if amount not in (None, ""):
        given = _decimal(amount, "amount", places=2, maximum=MAX_QUANTITY * MAX_PRICE)
        if given != computed:
            raise ValidationError({"amount": f"金额应为 {computed}（数量×单价） / the amount should be {computed} "
                                             f"(quantity × price)"})
    return q, price, protective, computed


@transaction.atomic
def record_purchase(*, actor: Any, shop_id: int, product: str, purchased_on: Any, quantity: Any, unit: str,
                    unit_price: Any, protective_price: Any, amount: Any = None, household_id: int | None = None,
                    number: str = "") -> Purchase:
    """A purchase from a household linked to the shop on that day, at or above the protective price."""
    shop = shop_for_writing(actor, shop_id)
    _approved(shop)
    household = household_for_shop(shop, household_id=household_id, number=number)
    day = _date(purchased_on, "purchased_on")
    assert day is not None
    if day > timezone.localdate():
        raise ValidationError({"purchased_on": "日期不能晚于今天 / the date cannot be in the future"})
    linked = ShopHousehold.objects.filter(shop=shop, household=household, started_on__lte=day).exclude(
        ended_on__lte=day).exists()
    if not linked:
        raise ValidationError({"household": "该户在该日未与本店联结 / the household was not linked to the shop on "
                                            "that day"})
    q, price, protective, total = check_purchase(quantity=quantity, unit_price=unit_price,
                                                 protective_price=protective_price, amount=amount)
    p = Purchase.objects.create(shop=shop, household=household, product=_text(product, "product", 100),
                                purchased_on=day, quantity=q, unit=_text(unit, "unit", 10), unit_price=price,
                                protective_price=protective, amount=total, created_by=actor)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=p, region_code=household.village_id,
                 summary=f"purchase {total} yuan from household {household.number} by shop {shop.pk}")
    return p


# --- demonstration counties, shop income into the household's income, 代购/代缴 services ----------------------


@transaction.atomic
def set_demo_county(*, actor: Any, county_code: str, year: Any, source: str = "") -> DemoCounty:
    """Mark a county as 电子商务进农村综合示范县 since ``year`` (or change the year); the bureau, in its region."""
    _require(actor, BUREAU_ROLES)
    county = _region_in_scope(actor, county_code, "county")
    if county.level != Level.COUNTY:
        raise ValidationError({"county": "示范县应为县级区划 / a demonstration county is a county"})
    try:
        y = int(str(year).strip())
    except ValueError:
        raise ValidationError({"year": "年度应为数字 / the year is a number"}) from None
    if not 2014 <= y <= timezone.localdate().year:
        raise ValidationError({"year": "年度应在2014年至今年之间 / the year lies between 2014 and this year"})
    before = DemoCounty.objects.filter(county=county).values_list("year", flat=True).first()
    demo, _created = DemoCounty.objects.update_or_create(
        county=county, defaults={"year": y, "source": _text(source, "source", 100, required=False),
                                 "marked_by": actor if getattr(actor, "pk", None) else None})
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE, obj=demo,
                 region_code=county.code, summary=f"demonstration county {county.code} since {y}",
                 detail={"before": before, "after": y})
    return demo


@transaction.atomic
def unset_demo_county(*, actor: Any, county_code: str) -> None:
    _require(actor, BUREAU_ROLES)
    county = _region_in_scope(actor, county_code, "county")
    demo = DemoCounty.objects.filter(county=county).first()
    if demo is None:
        raise ValidationError({"county": "该县不是示范县 / the county is not a demonstration county"})
    audit.record(actor=actor, action=AuditEvent.Action.DELETE, obj=demo, region_code=county.code,
                 summary=f"demonstration county {county.code} removed", detail={"year": demo.year})
    demo.delete()


def shop_income_pending(household_id: int, year: int) -> tuple[Decimal, Decimal]:
    """(what shops paid the household in ``year``, the part not yet confirmed into its income)."""
    total = (Purchase.objects.filter(household_id=household_id, purchased_on__year=year)
             .aggregate(t=Sum("amount"))["t"] or Decimal(0))
    confirmed = (ShopIncomeConfirmation.objects.filter(household_id=household_id, year=year)
                 .aggregate(t=Sum("amount"))["t"] or Decimal(0))
    return total, total - confirmed


@transaction.atomic
def confirm_shop_income(*, actor: Any, household_id: int, year: Any) -> ShopIncomeConfirmation:
    """The clerk confirms that the shops' purchases of ``year`` are the household's business income: what was not
    confirmed before is added to the year's income record (through the registry's ``set_income``: versioned,
    audited, indicators told), and the confirmation is kept. The year's income must have been entered first."""
    from fupin.registry import services as registry_services
    from fupin.registry.models import INCOME_FIELDS, Income

    household = Household.objects.select_for_update().filter(pk=household_id).first()
    if household is None:
        raise Http404
    registry_services.check_can_write(actor, household.village_id)
    try:
        y = int(str(year).strip())
    except ValueError:
        raise ValidationError({"year": "年度应为数字 / the year is a number"}) from None
    income = Income.objects.select_for_update().filter(household=household, year=y).first()
    if income is None:
        raise ValidationError({"year": f"请先录入该户{y}年度收入，再确认网店收购收入 / enter the household's income of "
                                       f"{y} first, then confirm the shops' purchases"})
    total, pending = shop_income_pending(household.pk, y)
    if pending <= 0:
        raise ValidationError({"year": f"{y}年度网店收购收入已全部确认 / nothing new to confirm for {y}"})
    components = {f: getattr(income, f) for f in (*INCOME_FIELDS, "business_expense")}
    components["household_size"] = income.household_size
    before = income.business
    components["business"] = before + pending
    registry_services.set_income(actor=actor, household=household, year=y, components=components,
                                 reason=f"确认电商示范网店收购收入{pending}元计入{y}年生产经营性收入")
    confirmation = ShopIncomeConfirmation.objects.create(
        household=household, year=y, amount=pending, purchases_total=total, business_before=before,
        confirmed_by=actor)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=confirmation, region_code=household.village_id,
                 summary=f"shop income {pending} yuan of {y} confirmed into household {household.number}'s business "
                         f"income", detail={"business_before": str(before), "business_after": str(before + pending),
                                            "purchases_total": str(total)})
    return confirmation


SERVICE_ROLES = (Role.COMMERCE_BUREAU, Role.SYSADMIN, Role.COUNTY_ADMIN, Role.CLERK)
MAX_SERVICE_AMOUNT = Decimal("1000000")


def _money_or_zero(value: Any, field: str, maximum: Decimal) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: "应为数字 / a number is expected"}) from None
    if not number.is_finite() or number < 0 or number > maximum:
        raise ValidationError({field: f"应在0至{maximum}之间 / between 0 and {maximum}"})
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError({field: "至多两位小数 / at most two decimals"})
    return number


@transaction.atomic
def record_service(*, actor: Any, station_id: int, kind: str, served_on: Any, item: str, amount: Any,
                   fee: Any = 0, household_id: int | None = None, number: str = "") -> ServiceRecord:
    """A 代购 or 代缴 service a station delivered to a registered household of its area (a county centre: the
    county; a township station: the township; a village point: the village), offered by the station."""
    _require(actor, SERVICE_ROLES)
    station = get_scoped_or_404(Station.objects.select_related("region"), actor, pk=station_id)
    if kind not in ServiceKind.values:
        raise ValidationError({"kind": "未知服务类型 / unknown service"})
    offered = station.purchasing if kind == ServiceKind.PURCHASING else station.bill_payment
    if not offered:
        raise ValidationError({"kind": "该站点不提供此项服务 / the station does not offer this service"})
    qs = Household.objects.filter(village__code__range=subtree_bounds(station.region_id),
                                  status__in=REGISTERED_STATUSES)
    household = (qs.filter(pk=household_id) if household_id else qs.filter(number=str(number).strip())).first()
    if household is None:
        raise ValidationError({"household": "站点服务范围内没有该建档立卡户 / no registered household with this number "
                                            "in the station's area"})
    if not scope_of(actor).contains(household.village_id):
        raise PermissionDenied("该户不在您的管辖范围 / this household is outside your region")
    day = _day(served_on, "served_on")
    if day > timezone.localdate():
        raise ValidationError({"served_on": "日期不能晚于今天 / the date cannot be in the future"})
    if (station.opened_on and day < station.opened_on) or (station.closed_on and day >= station.closed_on):
        raise ValidationError({"served_on": "该日站点未开放 / the station was not open on that day"})
    record = ServiceRecord.objects.create(
        station=station, household=household, kind=kind, served_on=day, item=_text(item, "item", 100),
        amount=_money_or_zero(amount, "amount", MAX_SERVICE_AMOUNT),
        fee=_money_or_zero(fee, "fee", MAX_PRICE), created_by=actor)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=record, region_code=household.village_id,
                 summary=f"{kind} service {record.amount} yuan for household {household.number} by station "
                         f"{station.pk}")
    return record


# --- products and trace codes ----------------------------------------------------------------------------------


def _public_text(value: Any, field: str, max_length: int) -> str:
    text = _text(value, field, max_length, required=False)
    if PERSONAL_PATTERN.search(text):
        raise ValidationError({field: "公开信息中不能含身份证号或手机号 / public text must not contain ID or phone "
                                      "numbers"})
    return text


@transaction.atomic
def save_product(*, actor: Any, name: str, category: str, origin_code: str, producer_name: str = "",
                 producer_household_id: int | None = None, certification: str = "", season: str = "",
                 description: str = "", shop_id: int | None = None, published: bool = True,
                 product_id: int | None = None) -> Product:
    """A product of a poor area (一村一品) from a village of the actor's region (or of its shop's county)."""
    _require(actor, SHOP_ROLES)
    shop = shop_for_writing(actor, shop_id) if shop_id else None
    if operator_only(actor):
        if shop is None:
            raise ValidationError({"shop": "请选择网店 / choose the shop"})
        origin = Region.objects.filter(code=str(origin_code).strip(), level=Level.VILLAGE,
                                       code__range=_county_of(shop)).first()
        if origin is None:
            raise ValidationError({"origin": "本县没有该村 / no such village in the shop's county"})
    else:
        origin = _region_in_scope(actor, origin_code, "origin")
        if origin.level != Level.VILLAGE:
            raise ValidationError({"origin": "产地应为行政村 / the origin is a village"})
    if category not in Category.values:
        raise ValidationError({"category": "未知品类 / unknown category"})
    if certification not in Certification.values:
        raise ValidationError({"certification": "未知认证 / unknown certification"})
    household = None
    if producer_household_id:
        household = Household.objects.filter(pk=producer_household_id, village_id=origin.code).first()
        if household is None:
            raise ValidationError({"producer": "产地村没有该户 / no such household in the origin village"})
    product = _product_for_writing(actor, product_id) if product_id else Product()
    product.name, product.category, product.origin = _public_text(name, "name", 100), category, origin
    if not product.name:
        raise ValidationError({"name": "请填写 / this is required"})
    product.producer_name = _public_text(producer_name, "producer_name", 100)
    product.producer_household, product.certification = household, certification
    product.season = _public_text(season, "season", 60)
    product.description = _public_text(description, "description", 2000)
    product.shop, product.published = shop, bool(published)
    created = product.pk is None
    product.save()
    audit.record(actor=actor, action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, obj=product,
                 summary=f"product {product.name}")
    return product


def new_trace_code() -> str:
    """16 characters from an alphabet without look-alikes (0/O, 1/I/L): unguessable, short enough to type."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def _product_for_writing(actor: Any, product_id: int) -> Product:
    _require(actor, SHOP_ROLES)
    if operator_only(actor):
        product = Product.objects.filter(pk=product_id, shop__operators=actor).first()
        if product is None:
            raise Http404
        return product
    return get_scoped_or_404(Product.objects.all(), actor, pk=product_id)


@transaction.atomic
def add_batch(*, actor: Any, product_id: int, quantity: Any = None, unit: str = "") -> Batch:
    """A batch of a product with a new trace code."""
    product = _product_for_writing(actor, product_id)
    q = _decimal(quantity, "quantity", places=3, maximum=MAX_QUANTITY) if quantity not in (None, "") else None
    batch = Batch.objects.create(code=new_trace_code(), product=product, quantity=q, unit=_text(unit, "unit", 10,
                                                                                               required=False))
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=batch, summary=f"batch {batch.code}")
    return batch


@transaction.atomic
def add_trace_event(*, actor: Any, batch_code: str, kind: str, date: Any, place: str = "", note: str = ""
                    ) -> TraceEvent:
    """One step of a batch (planting, harvest, inspection, packing, shipment); its text is public."""
    batch = Batch.objects.filter(code=str(batch_code).strip().upper()).first()
    if batch is None:
        raise ValidationError({"batch": "未知溯源码 / unknown trace code"})
    _product_for_writing(actor, batch.product_id)
    if kind not in TraceEventKind.values:
        raise ValidationError({"kind": "未知环节 / unknown step"})
    day = _day(date, "date")
    event = TraceEvent.objects.create(batch=batch, kind=kind, date=day, place=_public_text(place, "place", 100),
                                      note=_public_text(note, "note", 200))
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=event, summary=f"trace {batch.code} {kind}")
    return event



# --- the monthly purchase upload -----------------------------------------------------------------------------


def import_purchases(*, actor: Any, shop_id: int, content: bytes, filename: str, month: str,
                     error_path: Any = None) -> Any:
    """A shop's monthly purchases from an .xlsx or CSV file: all rows are checked first (``purchase_upload``);
    with any error nothing is written and the summary carries the conflicts (and the marked error workbook is
    written to ``error_path`` when given); otherwise every row is appended in one transaction and audited once.
    Returns the ``core.uploads.ImportSummary``."""
    import time
    import uuid

    from fupin.commerce import purchase_upload
    from fupin.core.uploads import check_file, summarize

    started = time.perf_counter()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(month or "")):
        raise ValidationError({"month": "月份格式应为 YYYY-MM / the month is written YYYY-MM"})
    with transaction.atomic():
        shop = shop_for_writing(actor, shop_id)
        _approved(shop)
        checked = check_file(lambda: purchase_upload.check(content, filename, shop=shop, month=month), filename,
                             purchase_upload.COLUMNS)
        result = summarize(checked, error_path)
        if result.ok:
            upload = f"{month}/{uuid.uuid4().hex[:12]}"
            result.created = purchase_upload.write(checked, shop=shop, upload=upload, actor_id=actor.pk)
            result.counts["upload"] = upload
            audit.record(actor=actor, action=AuditEvent.Action.BULK, obj=shop, object_type="commerce.purchase",
                         summary=f"uploaded {result.created} purchases of {month} for shop {shop.pk}",
                         detail={"upload": upload, "rows": result.created, "file": filename[:100]})
    result.seconds = time.perf_counter() - started
    return result


# --- training: e-commerce courses are trainings of the team app (one attendance model, issue 16) -----------------


def create_course(*, actor: Any, title: str, organiser: str, region_code: str, starts_on: Any, hours: Any
                  ) -> Any:
    """An e-commerce course: a ``team.Training`` whose topic is e-commerce, created by the commerce bureau."""
    from fupin.team import services as team_services
    from fupin.team.models import TrainingTopic

    return team_services.create_training(actor=actor, title=title, organiser=organiser, region_code=region_code,
                                         starts_on=starts_on, hours=hours, topic=TrainingTopic.ECOMMERCE,
                                         roles=BUREAU_ROLES)


def import_attendance(*, actor: Any, course_id: int, content: bytes, filename: str, error_path: Any = None) -> Any:
    """A course's attendance list, through the team app's shared upload (all or nothing, marked workbook)."""
    from fupin.team import services as team_services
    from fupin.team.models import TrainingTopic

    return team_services.import_attendance(actor=actor, training_id=course_id, content=content, filename=filename,
                                           error_path=error_path, roles=BUREAU_ROLES, topic=TrainingTopic.ECOMMERCE)
