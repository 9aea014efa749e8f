"""Data quality (R13, 数据质量核查): the rule catalogue as data, its parameters per province and year, runs, and
the findings the rules raise on records of the registry.

The rules themselves — SQL over a documented snapshot of the registry — are declared in ``rules.py``, one entry
each, and synced into ``Rule`` rows (``services.sync_catalogue``). What an administrator adjusts (on or off,
severity, the statuses a rule looks at, effective dates, parameters per province and year) lives here."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Family(models.TextChoices):
    PERSON = "person", _("persons and family structure")
    LABOUR = "labour", _("labour ability")
    SCHOOLING = "schooling", _("schooling and education")
    COMPLETENESS = "completeness", _("completeness, insurance and living conditions")
    INCOME = "income", _("income")
    MONITORING = "monitoring", _("monitoring objects")
    BENEFITS = "benefits", _("benefits and measures")
    VILLAGE = "village", _("villages")


class Subject(models.TextChoices):
    PERSON = "person", _("person")
    HOUSEHOLD = "household", _("household")
    VILLAGE = "village", _("village")
    MONITORING = "monitoring", _("monitoring record")
    MEASURE = "measure", _("assistance measure")


class Severity(models.TextChoices):
    REJECT = "reject", _("reject")
    WARNING = "warning", _("warning")
    HINT = "hint", _("hint")


class Rule(models.Model):
    """One rule of the catalogue. Code, names, family, subject and SQL come from ``rules.py``; severity,
    statuses, dates and the switch are the administrator's (kept when the catalogue is synced again)."""

    code = models.CharField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150)
    family = models.CharField(_("family"), max_length=16, choices=Family.choices)
    subject = models.CharField(_("subject"), max_length=12, choices=Subject.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    statuses = models.JSONField(_("household statuses it applies to"), default=list)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    in_catalogue = models.BooleanField(_("still declared in the code"), default=True)

    class Meta:
        verbose_name = _("quality rule")
        verbose_name_plural = _("quality rules")
        ordering = ["family", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def label(self) -> str:
        """The name in the language of the request."""
        return self.name_en if (get_language() or "").startswith("en") else self.name


class RuleParameter(models.Model):
    """Parameter values of a rule for the whole country (province empty) or one province, for every year
    (year empty) or one year. The most specific row wins, name by name: province and year, province,
    year, nation; then the rule's defaults. Values are validated against the rule's declared parameters."""

    rule = models.ForeignKey(Rule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="parameters")
    province = models.CharField(_("province code"), max_length=2, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    values = models.JSONField(_("values"), default=dict)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("rule parameters")
        verbose_name_plural = _("rule parameters")
        ordering = ["rule", "province", "year"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "province", "year"], name="quality_parameter_unique"),
            models.UniqueConstraint(fields=["rule", "province"], condition=Q(year__isnull=True),
                                    name="quality_parameter_unique_all_years"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.province or '*'} {self.year or '*'}"


class Run(models.Model):
    """One run of all enabled rules over the registry snapshot."""

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    as_of = models.DateField(_("reference date"))
    backend = models.CharField(_("engine"), max_length=20, default="duckdb")
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    username = models.CharField(_("by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("quality run")
        verbose_name_plural = _("quality runs")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"quality run {self.pk} {self.as_of}"


class Finding(models.Model):
    """A hit of a rule on one record (a person, household, village, monitoring record or measure). One row per
    rule and record: a re-run updates it when its evidence changed (``last_run``/``last_seen``: that run; an open
    finding is found by every run of its rule until it is fixed). Open until a run no longer finds it (fixed) or it is exempted; an
    exempted finding opens again when the data behind it change (fingerprint) or the exemption expires."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        FIXED = "fixed", _("fixed")
        EXEMPTED = "exempted", _("exempted")

    rule = models.ForeignKey(Rule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="findings")
    record = models.CharField(_("record"), max_length=40)  # "person:17", "household:5", "village:5333…", …
    household = models.ForeignKey("registry.Household", verbose_name=_("household"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="quality_findings")
    region_code = models.CharField(_("region"), max_length=12)
    township_code = models.CharField(_("township"), max_length=9)
    evidence = models.JSONField(_("evidence"), default=dict)
    fingerprint = models.CharField(_("evidence fingerprint"), max_length=32)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    first_run = models.ForeignKey(Run, null=True, on_delete=models.SET_NULL, related_name="+")
    last_run = models.ForeignKey(Run, null=True, on_delete=models.SET_NULL, related_name="+")
    fixed_run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reopened_run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # Exemption (豁免): asked for with a reason, approved by someone else at county level, until a date.
    exemption_reason = models.CharField(_("exemption reason"), max_length=300, blank=True)
    exemption_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                               on_delete=models.SET_NULL, related_name="+")
    exemption_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="+")
    exempt_until = models.DateField(_("exempt until"), null=True, blank=True)

    SCOPE_FIELD: ClassVar[str] = "region_code"

    class Meta:
        verbose_name = _("quality finding")
        verbose_name_plural = _("quality findings")
        constraints = [models.UniqueConstraint(fields=["rule", "record"], name="quality_finding_rule_record")]
        indexes = [
            models.Index(fields=["region_code", "state"], name="quality_finding_region"),
            models.Index(fields=["rule", "township_code", "state"], name="quality_finding_rule_town"),
            models.Index(fields=["household"], name="quality_finding_household"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.record}"

    @property
    def exemption_pending(self) -> bool:
        return self.state == self.State.OPEN and bool(self.exemption_reason) and self.exemption_approved_by_id is None


class Tally(models.Model):
    """Open findings per run, rule and township after the run: the trend, scoped like findings."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="tallies")
    rule = models.CharField(_("rule"), max_length=40)
    township_code = models.CharField(_("township"), max_length=9)
    open = models.PositiveIntegerField(_("open"))
    exempted = models.PositiveIntegerField(_("exempted"))

    SCOPE_FIELD: ClassVar[str] = "township_code"

    class Meta:
        verbose_name = _("findings tally")
        verbose_name_plural = _("findings tallies")
        indexes = [models.Index(fields=["township_code", "run"], name="quality_tally_town_run")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.rule} {self.township_code}"


class VillageRecord(models.Model):
    """Village basic data (村基本情况) as of a date: the counts the village form collects, uploaded through the
    upload kit (``services.upload_village_data``). The village rules read the latest record of each village."""

    region = models.ForeignKey("regions.Region", verbose_name=_("village"), on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField(_("as of"))
    households = models.PositiveIntegerField(_("households"))
    persons = models.PositiveIntegerField(_("persons"))
    collective_income = models.DecimalField(_("village collective income (yuan)"), max_digits=14, decimal_places=2,
                                            null=True, blank=True)
    hardened_road = models.BooleanField(_("hardened road to the township"), null=True, blank=True)
    has_school = models.BooleanField(_("village school"), null=True, blank=True)
    has_clinic = models.BooleanField(_("village clinic"), null=True, blank=True)
    doctors = models.PositiveIntegerField(_("licensed (assistant) doctors"), null=True, blank=True)
    public_toilets = models.PositiveIntegerField(_("public sanitary toilets"), null=True, blank=True)
    dibao_persons = models.PositiveIntegerField(_("persons receiving 低保"), null=True, blank=True)
    tekun_persons = models.PositiveIntegerField(_("persons receiving 特困 support"), null=True, blank=True)
    disabled_persons = models.PositiveIntegerField(_("disabled persons"), null=True, blank=True)
    unsafe_water_households = models.PositiveIntegerField(_("households without safe water"), null=True, blank=True)
    dangerous_housing_households = models.PositiveIntegerField(_("households in dangerous housing"), null=True,
                                                               blank=True)
    cultivated_land = models.DecimalField(_("cultivated land (mu)"), max_digits=12, decimal_places=2, null=True,
                                          blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now=True)

    SCOPE_FIELD: ClassVar[str] = "region__code"

    class Meta:
        verbose_name = _("village basic data")
        verbose_name_plural = _("village basic data")
        ordering = ["region", "-as_of"]
        constraints = [models.UniqueConstraint(fields=["region", "as_of"], name="quality_villagerecord_unique")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.as_of}"
