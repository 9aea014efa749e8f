"""Rural e-commerce (R7, 农村电商工程): service stations, populous villages, demonstration shops tied to registered
households, purchases at a protective price, products of poor areas with trace codes, and a minimal training record.

Every table that hangs on a region declares ``SCOPE_FIELD`` so that ``core.scoping`` limits it to the reader's subtree;
a shop operator sees only the shops it operates (``selectors``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.regions.models import Level


class Tier(models.TextChoices):
    COUNTY_CENTRE = "county", _("County e-commerce centre")
    TOWNSHIP_STATION = "township", _("Township e-commerce station")
    VILLAGE_POINT = "village", _("Village e-commerce point")


# The level of the region a station of each tier hangs on.
TIER_LEVEL = {Tier.COUNTY_CENTRE: Level.COUNTY, Tier.TOWNSHIP_STATION: Level.TOWNSHIP, Tier.VILLAGE_POINT: Level.VILLAGE}
LEVEL_TIER = {level: tier for tier, level in TIER_LEVEL.items()}


class Station(models.Model):
    """An e-commerce service station (电商服务站点) of one of three tiers, open from ``opened_on`` until
    ``closed_on`` (exclusive), so its coverage is computable as of any day."""

    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="commerce_stations")
    name = models.CharField(_("name"), max_length=100)
    operator = models.CharField(_("operator"), max_length=100, blank=True)
    purchasing = models.BooleanField(_("purchasing on behalf (代购)"), default=False)
    bill_payment = models.BooleanField(_("paying bills (代办缴费)"), default=False)
    parcels = models.BooleanField(_("parcel pick-up (快递)"), default=False)
    info_service = models.BooleanField(_("information service (益农社)"), default=False)
    opened_on = models.DateField(_("opened"), null=True, blank=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)

    SCOPE_FIELD: ClassVar[str] = "region__code"
    SERVICES: ClassVar[tuple[str, ...]] = ("purchasing", "bill_payment", "parcels", "info_service")

    class Meta:
        verbose_name = _("e-commerce service station")
        verbose_name_plural = _("e-commerce service stations")
        ordering = ["region", "name"]
        indexes = [models.Index(fields=["region", "tier"], name="commerce_station_region_tier")]
        constraints = [
            models.CheckConstraint(condition=Q(closed_on__isnull=True) | Q(opened_on__isnull=True)
                                   | Q(closed_on__gt=F("opened_on")), name="commerce_station_closed_after_opened"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def services(self) -> list[str]:
        return [str(getattr(self._meta.get_field(f), "verbose_name", f)) for f in self.SERVICES if getattr(self, f)]


class PopulousVillage(models.Model):
    """An administrative village whose population is relatively concentrated (人口聚集相对集中的行政村): the
    denominator of the station coverage target of 004 四(二). Kept here rather than as a region flag."""

    village = models.OneToOneField("regions.Region", verbose_name=_("village"), primary_key=True,
                                   on_delete=models.CASCADE, related_name="commerce_populous",
                                   limit_choices_to={"level": 5})
    marked_on = models.DateField(_("marked on"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=100, blank=True)

    SCOPE_FIELD: ClassVar[str] = "village__code"

    class Meta:
        verbose_name = _("populous village")
        verbose_name_plural = _("populous villages")

    def __str__(self) -> str:
        return self.village_id


class DemoCounty(models.Model):
    """A county named 电子商务进农村综合示范县 (001 八) in ``year`` by the commerce ministry's yearly list; the
    indicator "poor counties that are demonstration counties" counts it from that year on."""

    county = models.OneToOneField("regions.Region", verbose_name=_("county"), primary_key=True,
                                  on_delete=models.CASCADE, related_name="commerce_demo_county",
                                  limit_choices_to={"level": 3})
    year = models.PositiveSmallIntegerField(_("demonstration county since"))
    source = models.CharField(_("source"), max_length=100, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("demonstration county marked by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    marked_at = models.DateTimeField(_("demonstration county marked at"), auto_now=True)

    SCOPE_FIELD: ClassVar[str] = "county__code"

    class Meta:
        verbose_name = _("e-commerce demonstration county")
        verbose_name_plural = _("e-commerce demonstration counties")
        constraints = [models.CheckConstraint(condition=Q(year__gte=2014) & Q(year__lte=2100),
                                              name="commerce_democounty_year")]

    def __str__(self) -> str:
        return f"{self.county_id} {self.year}"


class ShopIncomeConfirmation(models.Model):
    """A clerk confirmed that what demonstration shops paid a household in ``year`` counts as its business income
    (生产经营性收入): ``amount`` (the purchases not confirmed before) was added to the year's income record. Only
    ever added; the next confirmation adds what came after."""

    household = models.ForeignKey("registry.Household", verbose_name=_("household"), on_delete=models.CASCADE,
                                  related_name="shop_income_confirmations")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount added to business income"), max_digits=14, decimal_places=2)
    purchases_total = models.DecimalField(_("shop purchases of the year at confirmation"), max_digits=14,
                                          decimal_places=2)
    business_before = models.DecimalField(_("business income before"), max_digits=14, decimal_places=2)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("shop income confirmed by"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("shop income confirmed at"), default=timezone.now)

    SCOPE_FIELD: ClassVar[str] = "household__village__code"

    class Meta:
        verbose_name = _("shop income confirmation")
        verbose_name_plural = _("shop income confirmations")
        ordering = ["-confirmed_at", "-id"]
        indexes = [models.Index(fields=["household", "year"], name="commerce_incconf_household")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="commerce_incconf_amount_positive")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year} {self.amount}"


class ServiceKind(models.TextChoices):
    PURCHASING = "purchasing", _("Purchasing on behalf (代购)")
    BILL_PAYMENT = "bill_payment", _("Bill paid on behalf (代缴)")


class ServiceRecord(models.Model):
    """A 代购 or 代缴 service an e-commerce station delivered to a registered household: what, when, how much."""

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT,
                                related_name="service_records")
    household = models.ForeignKey("registry.Household", verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="commerce_services")
    kind = models.CharField(_("service"), max_length=12, choices=ServiceKind.choices)
    served_on = models.DateField(_("date"))
    item = models.CharField(_("item or bill"), max_length=100)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    fee = models.DecimalField(_("service fee (yuan)"), max_digits=10, decimal_places=2, default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    SCOPE_FIELD: ClassVar[str] = "household__village__code"

    class Meta:
        verbose_name = _("station service record")
        verbose_name_plural = _("station service records")
        ordering = ["-served_on", "-id"]
        indexes = [models.Index(fields=["household", "served_on"], name="commerce_service_household")]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0) & Q(fee__gte=0),
                                              name="commerce_service_amounts")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.household_id} {self.kind} {self.amount}"


class ShopModel(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise-led (企业带动型)")
    ABLE_PERSON = "able_person", _("Able-person-led (能人引领型)")
    CADRE = "cadre", _("Village-cadre service (乡村干部服务型)")


class ShopStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Shop(models.Model):
    """A demonstration shop (电商扶贫示范网店), approved by the commerce bureau; ``operators`` are the users with the
    shop-operator role who run it and see only it."""

    name = models.CharField(_("name"), max_length=100)
    model = models.CharField(_("model"), max_length=12, choices=ShopModel.choices)
    owner = models.CharField(_("owner"), max_length=100)
    platform = models.CharField(_("platform"), max_length=60)
    link = models.URLField(_("shop link"), max_length=300, blank=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="commerce_shops")
    status = models.CharField(_("status"), max_length=10, choices=ShopStatus.choices, default=ShopStatus.PENDING,
                              db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=300, blank=True)
    operators = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("operators"), blank=True,
                                       related_name="commerce_shops")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    SCOPE_FIELD: ClassVar[str] = "region__code"

    class Meta:
        verbose_name = _("demonstration shop")
        verbose_name_plural = _("demonstration shops")
        ordering = ["region", "name"]

    def __str__(self) -> str:
        return self.name


class ShopHousehold(models.Model):
    """一店带多户: a registered household linked to a shop from ``started_on`` until ``ended_on`` (exclusive)."""

    shop = models.ForeignKey(Shop, verbose_name=_("shop"), on_delete=models.CASCADE, related_name="household_links")
    household = models.ForeignKey("registry.Household", verbose_name=_("household"), on_delete=models.CASCADE,
                                  related_name="shop_links")
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    SCOPE_FIELD: ClassVar[str] = "household__village__code"

    class Meta:
        verbose_name = _("household linked to a shop")
        verbose_name_plural = _("households linked to shops")
        constraints = [
            models.UniqueConstraint(fields=["shop", "household"], condition=Q(ended_on__isnull=True),
                                    name="commerce_one_open_link_per_household"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gt=F("started_on")),
                                   name="commerce_link_ends_after_start"),
        ]
        indexes = [models.Index(fields=["household", "shop"], name="commerce_link_household")]

    def __str__(self) -> str:
        return f"{self.shop_id}→{self.household_id}"


class ShopVillage(models.Model):
    """一店带一村: a village served by a shop from ``started_on`` until ``ended_on`` (exclusive)."""

    shop = models.ForeignKey(Shop, verbose_name=_("shop"), on_delete=models.CASCADE, related_name="village_links")
    village = models.ForeignKey("regions.Region", verbose_name=_("village"), on_delete=models.PROTECT,
                                related_name="+", limit_choices_to={"level": 5})
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    SCOPE_FIELD: ClassVar[str] = "village__code"

    class Meta:
        verbose_name = _("village linked to a shop")
        verbose_name_plural = _("villages linked to shops")
        constraints = [
            models.UniqueConstraint(fields=["shop", "village"], condition=Q(ended_on__isnull=True),
                                    name="commerce_one_open_link_per_village"),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id}→{self.village_id}"


class Category(models.TextChoices):
    GRAIN = "grain", _("Grain and oil")
    VEGETABLES = "vegetables", _("Vegetables")
    FRUIT = "fruit", _("Fruit and nuts")
    TEA = "tea", _("Tea")
    LIVESTOCK = "livestock", _("Livestock and poultry")
    MUSHROOMS = "mushrooms", _("Mushrooms and forest products")
    HERBS = "herbs", _("Medicinal herbs")
    HANDICRAFT = "handicraft", _("Handicrafts")
    OTHER = "other", _("Other")


class Certification(models.TextChoices):
    NONE = "", _("none")
    POLLUTION_FREE = "pollution_free", _("Pollution-free (无公害)")
    GREEN = "green", _("Green food (绿色食品)")
    ORGANIC = "organic", _("Organic (有机)")
    GEOGRAPHIC = "geographic", _("Geographical indication (地理标志)")


class Product(models.Model):
    """A product of a poor area (一村一品), shown in the public catalogue when ``published``. The producer is a
    household (never shown publicly) or a cooperative named in ``producer_name``."""

    name = models.CharField(_("product"), max_length=100)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    origin = models.ForeignKey("regions.Region", verbose_name=_("origin village"), on_delete=models.PROTECT,
                               related_name="commerce_products")
    producer_household = models.ForeignKey("registry.Household", verbose_name=_("producer household"), null=True,
                                           blank=True, on_delete=models.SET_NULL, related_name="+")
    producer_name = models.CharField(_("producer (cooperative or enterprise)"), max_length=100, blank=True)
    certification = models.CharField(_("certification"), max_length=16, choices=Certification.choices, blank=True)
    season = models.CharField(_("season"), max_length=60, blank=True)
    description = models.TextField(_("description"), blank=True)
    shop = models.ForeignKey(Shop, verbose_name=_("sold by"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="products")
    published = models.BooleanField(_("in the public catalogue"), default=True)

    SCOPE_FIELD: ClassVar[str] = "origin__code"

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["origin", "name"]
        indexes = [models.Index(fields=["published", "category", "origin"], name="commerce_product_catalogue")]

    def __str__(self) -> str:
        return self.name


class Batch(models.Model):
    """A batch of a product with its trace code (溯源码); the public page ``/trace/<code>/`` shows it."""

    code = models.CharField(_("trace code"), max_length=24, unique=True)
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="batches")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    SCOPE_FIELD: ClassVar[str] = "product__origin__code"

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")

    def __str__(self) -> str:
        return self.code


class TraceEventKind(models.TextChoices):
    PLANTING = "planting", _("Planting")
    HARVEST = "harvest", _("Harvest")
    INSPECTION = "inspection", _("Inspection")
    PACKING = "packing", _("Packing")
    SHIPMENT = "shipment", _("Shipment")


class TraceEvent(models.Model):
    """One step of a batch. ``place`` and ``note`` are public: services refuse ID numbers and phone numbers in them."""

    batch = models.ForeignKey(Batch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("step"), max_length=12, choices=TraceEventKind.choices)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    SCOPE_FIELD: ClassVar[str] = "batch__product__origin__code"

    class Meta:
        verbose_name = _("trace event")
        verbose_name_plural = _("trace events")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.kind} {self.date}"


def purchase_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """quantity × unit price to the cent, half up — the one rule for services, uploads and the database check."""
    return (quantity * unit_price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class Purchase(models.Model):
    """A purchase by a shop from a registered household at or above the protective price in force (保护价优先收购).
    ``amount`` is quantity × unit price, computed by the services and checked by them."""

    # No index of its own on shop or household: the (shop, date) and (household, date) indexes serve both, and
    # every index is paid for by every row of a monthly upload.
    shop = models.ForeignKey(Shop, verbose_name=_("shop"), on_delete=models.PROTECT, related_name="purchases",
                             db_index=False)
    household = models.ForeignKey("registry.Household", verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="shop_purchases", db_index=False)
    product = models.CharField(_("product"), max_length=100)
    purchased_on = models.DateField(_("date"))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=10)
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    protective_price = models.DecimalField(_("protective price"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    upload = models.CharField(_("upload"), max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", db_index=False)
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    SCOPE_FIELD: ClassVar[str] = "household__village__code"

    class Meta:
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        ordering = ["-purchased_on", "-id"]
        indexes = [models.Index(fields=["household", "purchased_on"], name="commerce_purchase_household"),
                   models.Index(fields=["shop", "purchased_on"], name="commerce_purchase_shop")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="commerce_purchase_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=F("protective_price")),
                                   name="commerce_purchase_at_protective_price"),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.household_id} {self.product} {self.amount}"


# Courses and trainees (学员档案) live in the team app (issue 16): ``fupin.team.models.Training`` (topic
# e-commerce) and ``Attendance``, one attendance model for every training.
