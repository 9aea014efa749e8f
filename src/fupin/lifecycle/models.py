"""The household's life in the registry (R3): procedures (识别, 脱贫, 返贫, 新致贫, 监测, 风险消除) with
their steps, public notices and objections, assistance measures, post-exit follow-up, monitoring
objects, and the poverty lines by year. Transitions are written only by ``lifecycle.services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.registry.models import PovertyLine  # noqa: F401  (moved to the registry, which reads it)


class Kind(models.TextChoices):
    IDENTIFICATION = "identification", _("identification")
    EXIT = "exit", _("exit from poverty")
    RETURN = "return", _("return to poverty")
    NEW_POVERTY = "new_poverty", _("new poverty")
    MONITORING = "monitoring", _("monitoring object")
    ELIMINATION = "elimination", _("risk elimination")
    REMOVAL = "removal", _("removal from the registry")


class Stage(models.TextChoices):
    """Where a case stands; the name says which step has been done last."""

    APPLIED = "applied", _("applied, awaiting village democratic review")
    REVIEWED = "reviewed", _("reviewed by the village, awaiting public notice")
    NOTICE = "notice", _("in public notice")
    AUDITED = "audited", _("audited by the township, awaiting county approval")
    APPROVED = "approved", _("approved by the county")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


OPEN_STAGES = (Stage.APPLIED, Stage.REVIEWED, Stage.NOTICE, Stage.AUDITED)


class Case(models.Model):
    """One procedure of one household, from application to the county's decision."""

    household = models.ForeignKey(
        "registry.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="cases"
    )
    kind = models.CharField(_("procedure"), max_length=16, choices=Kind.choices, db_index=True)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.APPLIED, db_index=True)
    year = models.PositiveSmallIntegerField(_("year"))
    reason = models.CharField(_("reason"), max_length=500)
    evidence = models.TextField(_("evidence"), blank=True)
    previous_status = models.CharField(_("status before"), max_length=12, blank=True)
    # Monitoring objects (监测对象) and risk elimination
    category = models.CharField(_("monitoring category"), max_length=2, blank=True)
    risks = models.JSONField(_("risks"), default=list, blank=True)
    elimination_method = models.CharField(_("elimination"), max_length=2, blank=True)
    # The exit evaluation when the case was opened (unmet criteria, per-capita income, line)
    evaluation = models.JSONField(_("exit evaluation"), default=dict, blank=True)
    notice = models.ForeignKey(
        "Notice", verbose_name=_("public notice"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    stage_since = models.DateTimeField(_("in this stage since"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    SCOPE_FIELD: ClassVar[str] = "household__village__code"

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(stage__in=[s.value for s in OPEN_STAGES]), name="case_one_open_per_household"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.kind} {self.year}"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class Step(models.Model):
    """One act on a case: who, when, what was decided, why, on which evidence. Only ever added."""

    class Action(models.TextChoices):
        APPLY = "apply", _("application")
        REVIEW = "review", _("village democratic review")
        NOTICE = "notice", _("public notice started")
        OBJECTION = "objection", _("objection recorded")
        RESOLUTION = "resolution", _("objection resolved")
        AUDIT = "audit", _("township audit")
        APPROVAL = "approval", _("county approval")
        WITHDRAW = "withdraw", _("withdrawn")

    class Decision(models.TextChoices):
        APPROVE = "approve", _("approved")
        REJECT = "reject", _("rejected")
        NONE = "", _("—")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("step"), max_length=12, choices=Action.choices)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(_("by"), max_length=150)
    role = models.CharField(_("role"), max_length=20, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_file = models.CharField(_("evidence file"), max_length=200, blank=True)
    stage_before = models.CharField(max_length=12, blank=True)
    stage_after = models.CharField(max_length=12, blank=True)
    # Where the act came from when not from the ordinary chain, e.g. "verification" (a confirmed doubt).
    origin = models.CharField(_("origin"), max_length=20, blank=True)

    SCOPE_FIELD: ClassVar[str] = "case__household__village__code"

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.username}"


class Notice(models.Model):
    """A public notice (公示) posted in a village, listing cases of one procedure."""

    village = models.ForeignKey("regions.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("procedure"), max_length=16, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    SCOPE_FIELD: ClassVar[str] = "village__code"

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["ends_on"])]

    def __str__(self) -> str:
        return f"{self.village_id} {self.kind} {self.starts_on}"


class Objection(models.Model):
    """An objection raised during a notice. An open objection blocks the audit and the approval."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="objections")
    received_on = models.DateField(_("received on"))
    objector = models.CharField(_("raised by"), max_length=100, blank=True)
    content = models.TextField(_("objection"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resolution = models.TextField(_("resolution"), blank=True)
    upheld = models.BooleanField(_("upheld"), null=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    SCOPE_FIELD: ClassVar[str] = "case__household__village__code"

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.received_on}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


def _money(label: Any) -> models.DecimalField:
    return models.DecimalField(label, max_digits=12, decimal_places=2, default=Decimal(0))


class Measure(models.Model):
    """An assistance measure for one household (R3.2): type, dates, funds, source, responsible, result."""

    household = models.ForeignKey(
        "registry.Household", verbose_name=_("household"), on_delete=models.CASCADE, related_name="measures"
    )
    type = models.CharField(_("measure type"), max_length=2, db_index=True)  # code list measure_type
    description = models.CharField(_("description"), max_length=300)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    funds = _money(_("funds (yuan)"))
    fund_source = models.CharField(_("source of funds"), max_length=2, blank=True)  # code list fund_source
    responsible = models.CharField(_("responsible person"), max_length=100)
    cadre = models.ForeignKey(
        "registry.Cadre", verbose_name=_("responsible cadre"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    result = models.CharField(_("result"), max_length=300, blank=True)
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="measures",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    SCOPE_FIELD: ClassVar[str] = "household__village__code"

    class Meta:
        verbose_name = _("assistance measure")
        verbose_name_plural = _("assistance measures")
        ordering = ["household", "-start_date", "-id"]

    def __str__(self) -> str:
        return f"{self.household_id} {self.type} {self.start_date}"


class MonitoringRecord(models.Model):
    """A household as a monitoring object (监测对象, after 2020): category, up to five risks, and how the
    risk was eliminated."""

    household = models.ForeignKey(
        "registry.Household", verbose_name=_("household"), on_delete=models.CASCADE, related_name="monitoring"
    )
    category = models.CharField(_("monitoring category"), max_length=2)
    risks = models.JSONField(_("risks"), default=list)
    started_on = models.DateField(_("included on"))
    included_by = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    ended_on = models.DateField(_("risk eliminated on"), null=True, blank=True)
    elimination_method = models.CharField(_("elimination"), max_length=2, blank=True)
    eliminated_by = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    SCOPE_FIELD: ClassVar[str] = "household__village__code"

    class Meta:
        verbose_name = _("monitoring object")
        verbose_name_plural = _("monitoring objects")
        ordering = ["-started_on", "-id"]

    def __str__(self) -> str:
        return f"{self.household_id} {self.category} {self.started_on}"


class FollowUp(models.Model):
    """A post-exit tracking visit (脱贫后跟踪回访)."""

    household = models.ForeignKey(
        "registry.Household", verbose_name=_("household"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    visited_on = models.DateField(_("visited on"))
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    stable = models.BooleanField(_("income and 两不愁三保障 stable"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    SCOPE_FIELD: ClassVar[str] = "household__village__code"

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.household_id} {self.visited_on}"


class RuralPopulation(models.Model):
    """The rural (agricultural) population of a village in a year: the denominator of the poverty
    incidence (贫困发生率). Without it the registry's own population is used, and the page says so."""

    region = models.ForeignKey("regions.Region", verbose_name=_("village"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    persons = models.PositiveIntegerField(_("rural population"))

    SCOPE_FIELD: ClassVar[str] = "region__code"

    class Meta:
        verbose_name = _("rural population")
        verbose_name_plural = _("rural populations")
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="ruralpopulation_unique")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} {self.persons}"


class PovertyLineRevision(models.Model):
    """What a poverty or monitoring line was before an edit (or its removal), who changed it and why (#14 item 7:
    lines as data, edited with history). Only ever added; kept when the line itself is deleted."""

    line = models.ForeignKey("registry.PovertyLine", verbose_name=_("poverty line"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="revisions")
    year = models.PositiveSmallIntegerField(_("year"))
    standard = models.CharField(_("standard"), max_length=10)
    province = models.CharField(_("province code"), max_length=2, blank=True)
    amount_before = models.DecimalField(_("line amount before"), max_digits=10, decimal_places=2, null=True, blank=True)
    amount_after = models.DecimalField(_("line amount after"), max_digits=10, decimal_places=2, null=True, blank=True)
    note_before = models.CharField(_("line note before"), max_length=200, blank=True)
    note_after = models.CharField(_("line note after"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    username = models.CharField(_("by"), max_length=150, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("poverty line revision")
        verbose_name_plural = _("poverty line revisions")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.year} {self.standard} {self.province} {self.amount_before} → {self.amount_after}"
