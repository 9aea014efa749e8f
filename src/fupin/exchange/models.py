"""Department batches, comparison rules and their settings, comparison runs and the doubts (疑点) they raise.

Batch rows are not stored here: each accepted batch is one Parquet file under ``VAR_DIR/exchange``,
read by the comparison engine. The OLTP database keeps what people work on: batches' metadata and
reports, rule settings, and doubts with their verification."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Batch(models.Model):
    """One upload of a department dataset, dated (``as_of``) and versioned; never merged with others."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    dataset = models.CharField(_("dataset type"), max_length=32, db_index=True)
    department = models.CharField(_("department"), max_length=50)
    region_code = models.CharField(_("region covered"), max_length=12, blank=True, db_index=True)
    as_of = models.DateField(_("data as of"))
    version = models.PositiveIntegerField(_("version"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    report = models.JSONField(_("validation report"), default=dict, blank=True)
    file_name = models.CharField(_("uploaded file"), max_length=200, blank=True)
    path = models.CharField(_("stored Parquet file"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    SCOPE_FIELD: ClassVar[str] = "region_code"

    class Meta:
        verbose_name = _("department batch")
        verbose_name_plural = _("department batches")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["dataset", "status", "as_of", "version"])]

    def __str__(self) -> str:
        return f"{self.dataset} {self.as_of} v{self.version}"


class Rule(models.Model):
    """The adjustable part of a comparison rule (its SQL is in ``rules.py``): on or off, severity, thresholds,
    deadline. Rows are created from the catalogue on first use and then edited by an administrator."""

    class Severity(models.TextChoices):
        HIGH = "high", _("high")
        MEDIUM = "medium", _("medium")
        LOW = "low", _("low (risk)")

    code = models.CharField(_("code"), max_length=32, primary_key=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    params = models.JSONField(_("thresholds"), default=dict, blank=True)
    deadline_days = models.PositiveSmallIntegerField(_("days to verify"), default=30)

    class Meta:
        verbose_name = _("comparison rule")
        verbose_name_plural = _("comparison rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Run(models.Model):
    """One comparison job over the registry snapshot and the latest batch of each dataset type."""

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    as_of = models.DateField(_("reference date"))
    backend = models.CharField(_("engine"), max_length=20, default="duckdb")
    batches = models.JSONField(_("batches compared"), default=dict, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    username = models.CharField(_("by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("comparison run")
        verbose_name_plural = _("comparison runs")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"run {self.pk} {self.as_of}"


class Doubt(models.Model):
    """A hit of a rule on a registered person (疑点), to be verified by the township or county."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        CONFIRMED = "confirmed", _("confirmed")
        DISMISSED = "dismissed", _("dismissed")

    rule = models.ForeignKey(Rule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="doubts")
    household = models.ForeignKey("registry.Household", verbose_name=_("household"), on_delete=models.CASCADE,
                                  related_name="doubts")
    id_number = models.CharField(_("ID number"), max_length=18)
    region_code = models.CharField(_("village"), max_length=12, db_index=True)
    route_code = models.CharField(_("verified by (region)"), max_length=12, db_index=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Rule.Severity.choices)
    evidence = models.JSONField(_("evidence"), default=dict)
    fingerprint = models.CharField(_("evidence fingerprint"), max_length=32)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    active = models.BooleanField(_("still found by the latest run"), default=True)
    deadline = models.DateField(_("deadline"), db_index=True)
    first_run = models.ForeignKey(Run, null=True, on_delete=models.SET_NULL, related_name="+")
    last_run = models.ForeignKey(Run, null=True, on_delete=models.SET_NULL, related_name="+")
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    verifier = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("verifier"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    evidence_text = models.TextField(_("verification evidence"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # The lifecycle procedure a confirmation opened (removal, monitoring), if any.
    case = models.ForeignKey("lifecycle.Case", verbose_name=_("procedure opened"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="doubts")
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    SCOPE_FIELD: ClassVar[str] = "region_code"

    class Meta:
        verbose_name = _("doubt")
        verbose_name_plural = _("doubts")
        constraints = [
            models.UniqueConstraint(fields=["rule", "household", "id_number"], name="doubt_rule_person_unique"),
        ]
        indexes = [models.Index(fields=["state", "deadline"]), models.Index(fields=["region_code", "state"])]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.household_id}"
