"""Projects, funds and the action plan (R10): fund lines and their allocations down the division tree to projects,
the project library with its procedure and beneficiaries, disbursements, the plans' tasks with lead units and
progress reports, dispatch meetings, and numeric targets as data. Written only by ``projects.services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.targets.models import Target


def _money(label: object, **kw: object) -> models.DecimalField:
    return models.DecimalField(label, max_digits=16, decimal_places=2, **kw)  # type: ignore[arg-type]


class FundLevel(models.TextChoices):
    CENTRAL = "central", _("central")
    PROVINCIAL = "provincial", _("provincial")
    CITY = "city", _("city")
    COUNTY = "county", _("county")


# The region code length of each fund level (the central line has no region).
LEVEL_CODE_LENGTH = {FundLevel.CENTRAL: 0, FundLevel.PROVINCIAL: 2, FundLevel.CITY: 4, FundLevel.COUNTY: 6}


class FundSource(models.TextChoices):
    SPECIAL = "special", _("special poverty-alleviation funds (财政专项扶贫资金)")
    SECTOR = "sector", _("sector funds (行业资金)")
    EAST_WEST = "east_west", _("east–west cooperation (东西部协作)")
    PAIRED = "paired", _("designated assistance (定点帮扶)")
    SOCIAL = "social", _("social assistance (社会帮扶)")
    SMART_CITY = "smart_city", _("smart city + poverty alleviation (智慧城市+扶贫)")


class FundLine(models.Model):
    """A line of money of one year at one level: what the level puts in itself (``own_amount``) plus what
    higher lines allocate to it; a sub-line (``parent``) is a part of a line of the same region set aside for
    one use (004 七(二): 网络基础设施配套, 资费补贴, 村级电商以奖代补). What a line allocates onwards never exceeds
    what it holds; ``services.allocate`` enforces it under a row lock."""

    code = models.CharField(_("line number"), max_length=60, unique=True,
                            help_text=_("how uploads name the line, e.g. 2019-53-special"))
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    level = models.CharField(_("level"), max_length=10, choices=FundLevel.choices)
    source = models.CharField(_("source"), max_length=12, choices=FundSource.choices)
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               help_text=_("empty for a central line"))
    parent = models.ForeignKey("self", verbose_name=_("sub-line of"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="sublines")
    own_amount = _money(_("own funds (yuan)"), default=Decimal(0))
    document = models.CharField(_("document number"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    SCOPE_FIELD: ClassVar[str] = "region__code"

    class Meta:
        verbose_name = _("fund line")
        verbose_name_plural = _("fund lines")
        ordering = ["-year", "region", "level", "source", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(own_amount__gte=0), name="fundline_own_amount_not_negative"),
            models.UniqueConstraint(fields=["year", "region", "source", "name"], name="fundline_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class ProjectType(models.TextChoices):
    INDUSTRY = "industry", _("industry")
    INFRASTRUCTURE = "infrastructure", _("infrastructure")
    NETWORK = "network", _("network coverage")
    ECOMMERCE = "ecommerce", _("e-commerce")
    EDUCATION = "education", _("education")
    HEALTH = "health", _("health")
    HOUSING = "housing", _("housing")
    TRAINING = "training", _("training and employment")
    OTHER = "other", _("other")


class Stage(models.TextChoices):
    """Where a project stands; the name says which step was done last."""

    REGISTERED = "registered", _("in the project library (入库)")
    APPROVED = "approved", _("approved (审批)")
    NOTICE = "notice", _("in public notice (公示)")
    IMPLEMENTING = "implementing", _("being implemented (实施)")
    ACCEPTED = "accepted", _("accepted (验收)")
    EVALUATED = "evaluated", _("performance reviewed (绩效)")
    REJECTED = "rejected", _("rejected")


class Project(models.Model):
    """A poverty-alleviation project of the project library (项目库)."""

    code = models.CharField(_("project number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    type = models.CharField(_("type"), max_length=16, choices=ProjectType.choices)
    lead_unit = models.CharField(_("lead unit"), max_length=100)
    region = models.ForeignKey("regions.Region", verbose_name=_("location"), on_delete=models.PROTECT,
                               related_name="+")
    budget = _money(_("budget (yuan)"))
    description = models.TextField(_("content"), blank=True)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned completion"))
    stage = models.CharField(_("stage"), max_length=14, choices=Stage.choices, default=Stage.REGISTERED,
                             db_index=True)
    stage_since = models.DateTimeField(_("in this stage since"), default=timezone.now)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    performance = models.CharField(_("performance rating"), max_length=20, blank=True)
    synthetic = models.BooleanField(_("synthetic demo data"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    SCOPE_FIELD: ClassVar[str] = "region__code"

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-year", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="project_budget_not_negative"),
            models.CheckConstraint(condition=Q(planned_end__gte=models.F("planned_start")),
                                   name="project_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Allocation(models.Model):
    """Money moved from a fund line to a lower region's line, a sub-line, or a project (one of the two).
    ``region`` is the receiver's region, so each level sees what reached it."""

    source = models.ForeignKey(FundLine, verbose_name=_("from line"), on_delete=models.PROTECT,
                               related_name="allocations_out")
    to_line = models.ForeignKey(FundLine, verbose_name=_("to line"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="allocations_in")
    project = models.ForeignKey(Project, verbose_name=_("to project"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="allocations")
    region = models.ForeignKey("regions.Region", verbose_name=_("receiving region"), on_delete=models.PROTECT,
                               related_name="+")
    amount = _money(_("amount (yuan)"))
    allocated_on = models.DateField(_("date"))
    document = models.CharField(_("document number"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    SCOPE_FIELD: ClassVar[str] = "region__code"

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-allocated_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(
                condition=(Q(to_line__isnull=False, project__isnull=True) | Q(to_line__isnull=True, project__isnull=False)),
                name="allocation_one_receiver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.to_line_id or self.project_id}: {self.amount}"


class Beneficiary(models.Model):
    """A household a project reaches, and how (分红, 务工, 资费补贴, …)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="beneficiaries")
    household = models.ForeignKey("registry.Household", verbose_name=_("household"), on_delete=models.CASCADE,
                                  related_name="project_benefits")
    benefit = models.CharField(_("how it benefits"), max_length=200)
    amount = _money(_("amount (yuan)"), default=Decimal(0))

    SCOPE_FIELD: ClassVar[str] = "household__village__code"

    class Meta:
        verbose_name = _("beneficiary household")
        verbose_name_plural = _("beneficiary households")
        constraints = [models.UniqueConstraint(fields=["project", "household"], name="beneficiary_unique")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.household_id}"


class ProjectVillage(models.Model):
    """A village a project reaches (a road, a station, fibre), and how."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="villages")
    village = models.ForeignKey("regions.Region", verbose_name=_("village"), on_delete=models.PROTECT,
                                related_name="+")
    benefit = models.CharField(_("how it benefits"), max_length=200, blank=True)

    SCOPE_FIELD: ClassVar[str] = "village__code"

    class Meta:
        verbose_name = _("beneficiary village")
        verbose_name_plural = _("beneficiary villages")
        constraints = [models.UniqueConstraint(fields=["project", "village"], name="projectvillage_unique")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.village_id}"


class ProjectStep(models.Model):
    """One act on a project: who, when, from which stage to which, why. Only ever added."""

    class Action(models.TextChoices):
        REGISTER = "register", _("entered into the library")
        APPROVE = "approve", _("approved")
        REJECT = "reject", _("rejected")
        NOTICE = "notice", _("public notice started")
        IMPLEMENT = "implement", _("implementation started")
        ACCEPT = "accept", _("accepted")
        EVALUATE = "evaluate", _("performance reviewed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("step"), max_length=14, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("time"), default=timezone.now)
    stage_before = models.CharField(max_length=14, blank=True, choices=Stage.choices)
    stage_after = models.CharField(max_length=14, choices=Stage.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    SCOPE_FIELD: ClassVar[str] = "project__region__code"

    class Meta:
        verbose_name = _("project step")
        verbose_name_plural = _("project steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.action} {self.username}"


class ProjectNotice(models.Model):
    """A public notice of a project (项目公示) or of its use of funds (资金使用公示), shown on the public
    notices page beside the households' notices. Holds no personal data."""

    class Kind(models.TextChoices):
        PROJECT = "project", _("project notice")
        FUNDS = "funds", _("fund-use notice")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    text = models.TextField(_("text"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    SCOPE_FIELD: ClassVar[str] = "project__region__code"

    class Meta:
        verbose_name = _("project notice")
        verbose_name_plural = _("project notices")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.kind} {self.starts_on}"


class Disbursement(models.Model):
    """A payment out of a project's funds (拨付/支出): voucher, date, amount, payee. Uploaded monthly."""

    # No single-column indexes: the unique (project, voucher) and the indexes (line, project) and (region, paid_on)
    # serve the look-ups, and each index less is one B-tree less per row of a million-row upload.
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="disbursements", db_index=False)
    line = models.ForeignKey(FundLine, verbose_name=_("fund line"), on_delete=models.PROTECT, related_name="+",
                             db_index=False)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="+", db_index=False)  # the project's, kept on the row for set-based sums
    voucher = models.CharField(_("voucher number"), max_length=40)
    paid_on = models.DateField(_("date"))
    amount = _money(_("amount (yuan)"))
    payee = models.CharField(_("payee"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    SCOPE_FIELD: ClassVar[str] = "region__code"

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "voucher"], name="disbursement_unique_voucher"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive"),
        ]
        indexes = [models.Index(fields=["line", "project"]), models.Index(fields=["region", "paid_on"])]

    def __str__(self) -> str:
        return f"{self.voucher} {self.amount}"


class PlanLevel(models.TextChoices):
    NATIONAL = "national", _("national")
    PROVINCIAL = "provincial", _("provincial")
    CITY = "city", _("city")


class Plan(models.Model):
    """An action plan (行动计划, 实施方案) with its tasks."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=PlanLevel.choices)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    issued_by = models.CharField(_("issued by"), max_length=200, blank=True)
    start_year = models.PositiveSmallIntegerField(_("from year"))
    end_year = models.PositiveSmallIntegerField(_("to year"))
    source = models.CharField(_("source document"), max_length=200, blank=True)

    SCOPE_FIELD: ClassVar[str] = "region__code"

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["level", "code"]

    def __str__(self) -> str:
        return self.title


class Meeting(models.Model):
    """A dispatch meeting (调度会) of a plan; its decisions become tasks."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=200)
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    SCOPE_FIELD: ClassVar[str] = "plan__region__code"

    class Meta:
        verbose_name = _("dispatch meeting")
        verbose_name_plural = _("dispatch meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class Task(models.Model):
    """A task of a plan (工作台账): number, text, lead and co-operating units, deadline, linked indicators and
    targets. Done when its lead unit reports it complete."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tasks")
    number = models.CharField(_("number"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    lead_units = models.JSONField(_("lead units"), default=list)
    # The lead units joined by "、", kept by save() for filtering by unit (JSON text escapes Chinese on SQLite).
    lead_units_text = models.CharField(max_length=500, blank=True, editable=False)
    co_units = models.JSONField(_("co-operating units"), default=list, blank=True)
    deadline = models.DateField(_("deadline"), db_index=True)
    indicators = models.JSONField(_("linked indicators"), default=list, blank=True)
    targets: models.ManyToManyField[Target, Any] = models.ManyToManyField("targets.Target", verbose_name=_("linked targets"), blank=True, related_name="tasks")
    meeting = models.ForeignKey(Meeting, verbose_name=_("decided at meeting"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="decisions")
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0)
    done_on = models.DateField(_("done on"), null=True, blank=True, db_index=True)
    last_report_on = models.DateField(_("last report"), null=True, blank=True)

    SCOPE_FIELD: ClassVar[str] = "plan__region__code"

    class Meta:
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        ordering = ["plan", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="task_unique_number"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_at_most_100"),
        ]
        indexes = [models.Index(fields=["done_on", "deadline"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.lead_units_text = "、".join(self.lead_units)[:500]
        if kwargs.get("update_fields") is not None and "lead_units" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "lead_units_text"}
        super().save(*args, **kwargs)


class ProgressReport(models.Model):
    """A periodic progress report on a task by its lead unit: text, figures, an attachment."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    period = models.CharField(_("period"), max_length=20)  # "2019-Q3", "2019-10", free text
    text = models.TextField(_("progress"))
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress %"))
    attachment = models.FileField(_("attachment"), upload_to="projects/reports/%Y/", blank=True)
    unit = models.CharField(_("unit"), max_length=100)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)

    SCOPE_FIELD: ClassVar[str] = "task__plan__region__code"

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-reported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.period} {self.progress}%"
