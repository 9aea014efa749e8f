"""Network coverage ledgers (R6): dated events per village, facilities, targets and frozen rankings.

A village's connectivity is never overwritten: every change is a dated ``ConnectivityEvent`` and the
status on any date is the latest event of each kind on or before it (``indicators.status_sql``).
``VillageStatus`` is that status as of today, refreshed set-based by the services after each write, so
that the ledger and the ranking pages read one indexed table instead of replaying the events.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    FIBER = "fiber", _("Fiber connected")
    MOBILE_4G = "4g", _("4G covered")
    BROADBAND = "broadband", _("Broadband access")
    OPERATOR = "operator", _("Operator")
    BANDWIDTH = "bandwidth", _("Bandwidth (Mbps)")
    PILOT = "pilot", _("Universal-service pilot")
    NATURAL_4G = "natural_4g", _("Natural villages with 4G")
    DISCONNECTED = "disconnected", _("Disconnected")


# Kinds whose event carries a yes/no fact (``flag``): connected (True) or cut (False).
FLAG_KINDS = (EventKind.FIBER, EventKind.MOBILE_4G, EventKind.BROADBAND)


class ConnectivityEvent(models.Model):
    """One dated fact about an administrative village's network. Corrections are new events."""

    village = models.ForeignKey("regions.Region", verbose_name=_("village"), on_delete=models.PROTECT,
                                related_name="connectivity_events", limit_choices_to={"level": 5})
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    flag = models.BooleanField(_("yes/no"), null=True, blank=True)
    number = models.DecimalField(_("number"), max_digits=12, decimal_places=2, null=True, blank=True)
    text = models.CharField(_("text"), max_length=100, blank=True)
    batch = models.PositiveSmallIntegerField(_("pilot batch"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    SCOPE_FIELD: ClassVar[str] = "village__code"

    class Meta:
        verbose_name = _("connectivity event")
        verbose_name_plural = _("connectivity events")
        indexes = [models.Index(fields=["village", "kind", "date"], name="conn_event_village_kind_date")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.date} {self.kind}"


class VillageStatus(models.Model):
    """A village's connectivity as of today — derived from the events (``services.refresh_status``), never
    edited. Villages without any event have no row and count as unconnected."""

    village = models.OneToOneField("regions.Region", verbose_name=_("village"), primary_key=True,
                                   on_delete=models.CASCADE, related_name="connectivity_status")
    connected = models.BooleanField(_("broadband"), default=False, db_index=True)
    fiber = models.BooleanField(_("fiber"), default=False)
    fiber_date = models.DateField(_("fiber since"), null=True, blank=True)
    mobile_4g = models.BooleanField(_("4G"), default=False)
    mobile_4g_date = models.DateField(_("4G since"), null=True, blank=True)
    broadband = models.BooleanField(_("other broadband access"), default=False)
    connected_date = models.DateField(_("connected since"), null=True, blank=True)
    operator = models.CharField(_("operator"), max_length=100, blank=True)
    bandwidth = models.DecimalField(_("bandwidth (Mbps)"), max_digits=12, decimal_places=2, null=True, blank=True)
    pilot_batch = models.PositiveSmallIntegerField(_("pilot batch"), null=True, blank=True)
    pilot_funds = models.DecimalField(_("pilot funds (10k yuan)"), max_digits=12, decimal_places=2, null=True,
                                      blank=True)
    natural_4g = models.PositiveIntegerField(_("natural villages with 4G"), null=True, blank=True)
    last_event = models.DateField(_("last event"), null=True, blank=True)

    SCOPE_FIELD: ClassVar[str] = "village__code"

    class Meta:
        verbose_name = _("village connectivity status")
        verbose_name_plural = _("village connectivity statuses")
        # The village list sorted by fiber date is paged through this index (keyset paging, ``keyset.py``).
        indexes = [models.Index(fields=["fiber_date", "village"], name="conn_status_fiber_village")]

    def __str__(self) -> str:
        return f"{self.village_id} {'connected' if self.connected else 'unconnected'}"


class FacilityType(models.TextChoices):
    SCHOOL = "school", _("School")
    TOWNSHIP_HEALTH = "township_health", _("Township health centre")
    VILLAGE_CLINIC = "village_clinic", _("Village clinic")
    INFO_STATION = "info_station", _("Information service station (益农社)")
    ECOMMERCE = "ecommerce", _("E-commerce service station")
    EXPRESS = "express", _("Township express delivery")
    BASE_STATIONS = "base_stations", _("Base stations built (per county and year)")
    HOUSEHOLD_SERVICE = "household_service", _("Terminals and preferential tariffs (per county and year)")


class SchoolKind(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior secondary school")
    NINE_YEAR = "nine_year", _("Nine-year school")
    TEACHING_POINT = "teaching_point", _("Teaching point (教学点)")


class Facility(models.Model):
    """A school, clinic, station or a county's yearly figures. The typed attributes used by each type:
    school — connected_on, bandwidth, classrooms, school_kind, remote_classroom_on/until; clinics — connected_on
    (medical platform), telemedicine_on;
    stations and express — opened_on/closed_on; base stations — year, new_stations, new_sites;
    household service — year, terminals, tariff_households. Dates make every figure computable as of a day."""

    type = models.CharField(_("type"), max_length=20, choices=FacilityType.choices, db_index=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="facilities")
    name = models.CharField(_("name"), max_length=100, blank=True)
    opened_on = models.DateField(_("opened"), null=True, blank=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    connected_on = models.DateField(_("connected since"), null=True, blank=True)
    bandwidth = models.PositiveIntegerField(_("bandwidth (Mbps)"), null=True, blank=True)
    classrooms = models.PositiveIntegerField(_("multimedia classrooms"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    new_stations = models.PositiveIntegerField(_("new base stations"), null=True, blank=True)
    new_sites = models.PositiveIntegerField(_("new sites"), null=True, blank=True)
    terminals = models.PositiveIntegerField(_("households given a terminal"), null=True, blank=True)
    tariff_households = models.PositiveIntegerField(_("households on a preferential tariff"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    # Remote education and health (issue 16, seed 002 十–十一): a school's kind and its remote classroom
    # (专递课堂/同步课堂) from–until; a clinic's telemedicine (远程诊疗) since. A clinic's level is its type.
    school_kind = models.CharField(_("school kind"), max_length=16, choices=SchoolKind.choices, blank=True,
                                   db_default="")  # raw INSERTs of other facility types leave it out
    remote_classroom_on = models.DateField(_("remote classroom since"), null=True, blank=True)
    remote_classroom_until = models.DateField(_("remote classroom until"), null=True, blank=True)
    telemedicine_on = models.DateField(_("telemedicine since"), null=True, blank=True)

    SCOPE_FIELD: ClassVar[str] = "region__code"

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        indexes = [models.Index(fields=["type", "region"], name="conn_facility_type_region")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.name or self.region_id}"


class RankingSnapshot(models.Model):
    """A ranking of poor-village broadband coverage frozen on ``created_at``: its rows are copied, so the
    published bulletin stays the same whatever happens to the events later."""

    title = models.CharField(_("title"), max_length=200)
    as_of = models.DateField(_("as of"))
    scope_prefix = models.CharField(_("region code prefix"), max_length=12, blank=True)
    level = models.PositiveSmallIntegerField(_("ranked level"))
    created_at = models.DateTimeField(_("frozen at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    villages = models.PositiveIntegerField(_("poor villages"), default=0)
    connected = models.PositiveIntegerField(_("connected"), default=0)

    SCOPE_FIELD: ClassVar[str] = "scope_prefix"

    class Meta:
        verbose_name = _("ranking snapshot")
        verbose_name_plural = _("ranking snapshots")
        ordering = ["-as_of", "-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def coverage(self) -> float | None:
        return 100.0 * self.connected / self.villages if self.villages else None


class RankingRow(models.Model):
    snapshot = models.ForeignKey(RankingSnapshot, on_delete=models.CASCADE, related_name="rows")
    rank = models.PositiveIntegerField(_("rank"))
    region_code = models.CharField(_("division code"), max_length=12)
    region_name = models.CharField(_("name"), max_length=100)
    villages = models.PositiveIntegerField(_("poor villages"))
    connected = models.PositiveIntegerField(_("connected"))
    fiber = models.PositiveIntegerField(_("fiber"))
    mobile_4g = models.PositiveIntegerField(_("4G"))
    coverage = models.DecimalField(_("coverage %"), max_digits=6, decimal_places=2)

    SCOPE_FIELD: ClassVar[str] = "region_code"

    class Meta:
        ordering = ["rank", "region_code"]

    def __str__(self) -> str:
        return f"{self.rank}. {self.region_name}"
