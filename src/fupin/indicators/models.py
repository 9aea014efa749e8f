"""The indicator system (R11): one table of values per region node and period that every dashboard, ranking,
assessment and report reads. The definitions (code, names, numerator, denominator, unit, direction) live in
``definitions.py`` as code, because each one is a SQL statement; what administrators configure — targets,
assessment weights — lives here.

Periods are calendar years ("2026") and months ("2026-11"). The period that contains today is *current*: its
values are refreshed incrementally when data changes. At period end it is *frozen*: its values never change
again, so a published figure can be reproduced years later.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Period(models.Model):
    class Kind(models.TextChoices):
        YEAR = "year", _("year")
        MONTH = "month", _("month")

    code = models.CharField(_("period"), max_length=7, primary_key=True)  # "2026" or "2026-11"
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))  # inclusive; values are computed as of this date (or today if earlier)
    refreshed_at = models.DateTimeField(_("last refreshed"), null=True, blank=True)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    # Computed after the period had ended (beyond FUPIN_INDICATOR_RECONSTRUCTED_AFTER): its household figures read
    # today's registry state, not the dossiers as they were at its end. Said on every page, export and report.
    reconstructed = models.BooleanField(_("reconstructed"), default=False)

    class Meta:
        verbose_name = _("indicator period")
        verbose_name_plural = _("indicator periods")
        ordering = ["-code"]

    def __str__(self) -> str:
        return self.code

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def data_note(self) -> str:
        """“Data as of …” (数据截至) with the time the values were computed, and whether they are reconstructed."""
        if self.refreshed_at is None:
            text = str(_("Data as of: not computed yet"))
        else:
            text = str(_("Data as of %(time)s")) % {"time": f"{timezone.localtime(self.refreshed_at):%Y-%m-%d %H:%M}"}
        if self.reconstructed:
            text += "；" + str(RECONSTRUCTED)
        return text


RECONSTRUCTED = _("reconstructed: computed after the period ended, from the registry as it is now (statuses, members, "
                  "housing and water of today), not from the dossiers as they were at the period's end")


class IndicatorValue(models.Model):
    """The value of one indicator for one region node (village … province, or the nation as region_code "")
    in one period. Rows exist only where the region has data for the indicator (sparse)."""

    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="values")
    indicator = models.CharField(_("indicator"), max_length=40)
    region_code = models.CharField(_("division code"), max_length=12, blank=True)  # "" is the nation
    level = models.PositiveSmallIntegerField(_("level"))  # 0 nation, 1 province … 5 village (regions.Level)
    numerator = models.DecimalField(_("numerator"), max_digits=18, decimal_places=2)
    denominator = models.DecimalField(_("denominator"), max_digits=18, decimal_places=2, null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4, null=True, blank=True)
    # Indicators collected county by county (compute.REPORTED_BY_COUNTY), from the county up: the counties of the region
    # and how many of them reported. reporting = 0 is "no data" (value NULL), not 0 %.
    expected = models.PositiveIntegerField(_("areas expected to report"), null=True, blank=True)
    reporting = models.PositiveIntegerField(_("areas reporting"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    SCOPE_FIELD: ClassVar[str] = "region_code"

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(fields=["period", "indicator", "region_code"], name="indicator_value_unique"),
        ]
        indexes = [
            models.Index(fields=["period", "indicator", "level", "value"], name="indicator_rank_idx"),
            # All indicators of one region (a dashboard's cards, the API's values of a region).
            models.Index(fields=["period", "region_code"], name="indicator_region_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.region_code or 'CN'} {self.period_id}: {self.value}"

    @property
    def no_data(self) -> bool:
        """Nobody in the region collects this indicator's source: "no data", not 0."""
        return self.reporting == 0

    @property
    def reporting_rate(self) -> str:
        """“reported by 1 of 3 counties” where only some of the region's counties report, else ""."""
        if self.expected is None or self.reporting is None or self.reporting == self.expected:
            return ""
        return str(_("reported by %(n)d of %(m)d counties")) % {"n": self.reporting, "m": self.expected}


class AssessmentScheme(models.Model):
    """A quantitative assessment (考核评估): weighted indicators, each scored against its target or the best
    region; administrators change the weights."""

    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.PositiveSmallIntegerField(_("level assessed"))  # regions.Level of the regions ranked
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name


class AssessmentWeight(models.Model):
    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="weights")
    indicator = models.CharField(_("indicator"), max_length=40)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("assessment weight")
        verbose_name_plural = _("assessment weights")
        constraints = [models.UniqueConstraint(fields=["scheme", "indicator"], name="assessment_weight_unique")]

    def __str__(self) -> str:
        return f"{self.indicator} × {self.weight}"


class Report(models.Model):
    """A generated bulletin (通报) or annual assessment report, as PDF and Excel, built by a background job."""

    class Kind(models.TextChoices):
        BULLETIN = "bulletin", _("bulletin")
        ANNUAL = "annual", _("annual assessment report")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("division code"), max_length=12, blank=True)
    scheme = models.ForeignKey(AssessmentScheme, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    pdf_path = models.CharField(_("PDF file"), max_length=500, blank=True)
    xlsx_path = models.CharField(_("Excel file"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    SCOPE_FIELD: ClassVar[str] = "region_code"

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_id} {self.region_code or 'CN'}"


class ChangedRegion(models.Model):
    """A region whose indicator inputs changed: members, incomes, statuses, rural population figures, poverty lines
    ("" for every village). Written by ``indicators.changes.mark_changed``, which every service that changes an
    indicator's input calls; the incremental refresh recomputes the households of the villages changed after the
    period's last refresh."""

    code = models.CharField(_("division code"), max_length=12, primary_key=True)
    changed_at = models.DateTimeField(_("changed at"), db_index=True)

    class Meta:
        verbose_name = _("region with changed indicator inputs")
        verbose_name_plural = _("regions with changed indicator inputs")

    def __str__(self) -> str:
        return f"{self.code} {self.changed_at}"


class HouseholdFact(models.Model):
    """What the household indicators count, per open period and registered household (persons, poor at the period's
    end, exited in its year, 两不愁三保障, per-capita income of the year in cents and its band). An incremental refresh
    recomputes the facts of the changed households only and re-sums their villages from this table; a frozen
    period's facts are dropped (its values are kept)."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    household_id = models.BigIntegerField()  # no foreign key: a deleted household's fact is removed by the refresh
    village_code = models.CharField(max_length=12)
    persons = models.IntegerField()
    registered = models.SmallIntegerField(default=1)  # 建档立卡 (a monitoring object never registered: 0)
    poor = models.SmallIntegerField()
    exited = models.SmallIntegerField()
    exited_before = models.SmallIntegerField(default=0)  # 脱贫户: exited in or before the year, not poor now
    returned = models.SmallIntegerField()
    # the monitoring category 01/02/03 of a monitoring object; NULL: not one (a SQL fact, never a form value)
    monitored = models.CharField(max_length=2, null=True)  # noqa: DJ001
    assured = models.SmallIntegerField()
    all_met = models.SmallIntegerField(default=0)  # every exit criterion: income above the line and assured
    cents = models.BigIntegerField(null=True)  # per-capita net income of the period's year, in cents
    band = models.SmallIntegerField(null=True)  # 0 below the national line, 1 up to 1.5 × the line, 2 above

    class Meta:
        verbose_name = _("household indicator fact")
        verbose_name_plural = _("household indicator facts")
        constraints = [models.UniqueConstraint(fields=["period", "household_id"], name="household_fact_unique")]
        indexes = [
            models.Index(fields=["period", "village_code"], name="household_fact_village"),
            # the values next to a region's median, in order (MedianState): registered households' incomes only
            models.Index(fields=["period", "cents", "village_code"], name="household_fact_cents",
                         condition=models.Q(registered=1, cents__isnull=False)),
            # the same, a county's values together: the index above holds a county's values one in three thousand,
            # so reading the few next to a county's median walked thousands of entries per value
            models.Index(F("period"), Substr("village_code", 1, 6), F("cents"), name="household_fact_county_cents",
                         condition=models.Q(registered=1, cents__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.period_id} {self.household_id}"


class MedianState(models.Model):
    """Where the exact median of per-capita income stands, per open period and region from the county up: how many
    values (cents of registered households), the lower middle one, and how many values lie below it and at or below
    it. With these an incremental refresh moves a median after a few values changed by reading the few values next
    to it (index ``household_fact_cents``) instead of sorting every value of the region; a full refresh writes them
    all. Dropped with the facts when a period is frozen."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=12, blank=True)  # "" the nation
    count = models.BigIntegerField()
    lower = models.BigIntegerField()  # the value at 0-based rank (count - 1) // 2
    below = models.BigIntegerField()  # values < lower
    at_most = models.BigIntegerField()  # values <= lower

    SCOPE_FIELD: ClassVar[str] = "region_code"

    class Meta:
        verbose_name = _("income median state")
        verbose_name_plural = _("income median states")
        constraints = [models.UniqueConstraint(fields=["period", "region_code"], name="median_state_unique")]

    def __str__(self) -> str:
        return f"{self.period_id} {self.region_code or '-'} {self.count}"
