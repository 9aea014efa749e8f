"""Early warning (R5, 防返贫预警): rule settings, runs, and the alerts the rules raise on households.

The rules themselves are SQL in ``rules.py``; what an administrator adjusts (on or off, severity, risk
points, thresholds, days to visit), nationally or for one province, is a ``RuleSetting`` row."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    HIGH = "high", _("high")
    MEDIUM = "medium", _("medium")
    LOW = "low", _("low")


class RuleSetting(models.Model):
    """The adjustable part of a warning rule, for the whole country (province empty) or one province."""

    rule = models.CharField(_("rule"), max_length=32)
    province = models.CharField(_("province code"), max_length=2, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    points = models.PositiveSmallIntegerField(_("risk points"))
    params = models.JSONField(_("thresholds"), default=dict, blank=True)
    deadline_days = models.PositiveSmallIntegerField(_("days to visit"), default=15)

    class Meta:
        verbose_name = _("warning rule setting")
        verbose_name_plural = _("warning rule settings")
        ordering = ["rule", "province"]
        constraints = [models.UniqueConstraint(fields=["rule", "province"], name="monitoring_rulesetting_unique")]

    def __str__(self) -> str:
        return f"{self.rule} {self.province or '*'}"


class Run(models.Model):
    """One run of the warning rules over every household."""

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    as_of = models.DateField(_("reference date"))
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    username = models.CharField(_("by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("warning run")
        verbose_name_plural = _("warning runs")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"warning run {self.pk} {self.as_of}"


class Alert(models.Model):
    """One risk of one household (预警), to be visited by the township and then included as a monitoring
    object or dismissed. One row per household and rule: a re-run updates it instead of adding another."""

    class State(models.TextChoices):
        NEW = "new", _("new")
        VISITED = "visited", _("visited")
        INCLUDED = "included", _("included as monitoring object")
        DISMISSED = "dismissed", _("dismissed")

    OPEN_STATES: ClassVar[tuple[str, ...]] = (State.NEW, State.VISITED)

    rule = models.CharField(_("rule"), max_length=32, db_index=True)
    household = models.ForeignKey("registry.Household", verbose_name=_("household"), on_delete=models.CASCADE,
                                  related_name="alerts")
    region_code = models.CharField(_("village"), max_length=12, db_index=True)
    township_code = models.CharField(_("township"), max_length=9, db_index=True)
    cadre = models.ForeignKey("registry.Cadre", verbose_name=_("responsible cadre"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    points = models.PositiveSmallIntegerField(_("risk points"))
    evidence = models.JSONField(_("evidence"), default=dict)
    fingerprint = models.CharField(_("evidence fingerprint"), max_length=200)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.NEW, db_index=True)
    active = models.BooleanField(_("still found by the latest run"), default=True)
    deadline = models.DateField(_("deadline"))
    first_run = models.ForeignKey(Run, null=True, on_delete=models.SET_NULL, related_name="+")
    last_run = models.ForeignKey(Run, null=True, on_delete=models.SET_NULL, related_name="+")
    reopened_run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    visit_note = models.TextField(_("visit note"), blank=True)
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    case = models.ForeignKey("lifecycle.Case", verbose_name=_("procedure opened"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    SCOPE_FIELD: ClassVar[str] = "region_code"

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["rule", "household"], name="monitoring_alert_rule_household")]
        indexes = [models.Index(fields=["region_code", "state"]), models.Index(fields=["household", "state"])]

    def __str__(self) -> str:
        return f"{self.rule} {self.household_id}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class RiskReport(models.Model):
    """A sudden difficulty of a household reported to the village or township (风险报告): a disaster, an accident,
    a serious illness, the loss of work. The data source of the rules on reported risks; entered by clerks
    and reviewers through ``services.report_risk``, never edited afterwards (a wrong report is dismissed on its
    alert, with the reason)."""

    class Kind(models.TextChoices):
        DISASTER = "disaster", _("natural disaster")
        ACCIDENT = "accident", _("accident")
        ILLNESS = "illness", _("serious illness")
        JOB_LOSS = "job_loss", _("loss of work")
        OTHER = "other", _("other sudden difficulty")

    class Source(models.TextChoices):
        SELF = "self", _("reported by the household")
        CADRE = "cadre", _("found by a cadre's visit")
        DEPARTMENT = "department", _("notified by a department")
        OTHER = "other", _("other source")

    household = models.ForeignKey("registry.Household", verbose_name=_("household"), on_delete=models.CASCADE,
                                  related_name="risk_reports")
    region_code = models.CharField(_("village"), max_length=12, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    occurred_on = models.DateField(_("date of the event"))
    description = models.TextField(_("description"))
    loss = models.DecimalField(_("estimated loss or cost (yuan)"), max_digits=12, decimal_places=2, null=True,
                               blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    reporter = models.CharField(_("reported by"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    SCOPE_FIELD: ClassVar[str] = "region_code"

    class Meta:
        verbose_name = _("risk report")
        verbose_name_plural = _("risk reports")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["kind", "occurred_on"]), models.Index(fields=["household", "kind"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.kind} {self.occurred_on}"
