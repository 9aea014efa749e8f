"""Targets as data, in one place (#18 item 5): every numeric target of the seeds — coverage percentages by year and
area type, counts, amounts — with its source clause, scope (region prefix and area type), unit and year.

Why an app of its own, below registry and connectivity: the projects app edits the targets (with history), while
connectivity (below projects) and indicators (above it) read them. A model in projects could not be read by
connectivity without breaking the layers, and a provider registered by projects would hide a plain table read behind
an indirection. So the table sits low, next to the region tree its scopes refer to, and every app reads it directly;
writes go through ``fupin.projects.services.update_target`` (the projects page /projects/targets/, audited, each
edit kept as a ``TargetRevision``).

The table is the projects app's former ``projects_target`` (state-only move, migration 0001); the old
``connectivity.Target`` and ``indicators.Target`` were merged into it by migration 0002."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.regions.models import AREA_FLAGS

# Area types that are flags of the regions (a target for 三区三州 applies to the regions carrying the flag).
REGION_FLAGS = (*AREA_FLAGS, "is_poor_village")
# Area types that are not region flags but the population an indicator already counts: a poor-village broadband
# target is judged on the poor-village broadband indicator as it stands.
POPULATION_AREA_TYPES = {"poor_village": _("registered poor villages")}
# Area types narrower than any indicator measures (the two kinds of rural schools are a part of all schools): such a
# target is shown and tracked as data, but never judged against an indicator of the wider population.
NARROWER_AREA_TYPES = {"rural_school": _("rural small schools and township boarding schools")}
AREA_TYPES = {**POPULATION_AREA_TYPES, **NARROWER_AREA_TYPES}


class TargetQuerySet(models.QuerySet["Target"]):
    def assessable(self) -> TargetQuerySet:
        """Targets that can be judged against an indicator's value: they name an indicator, and their area type is
        empty, a region flag or the indicator's own population."""
        return self.exclude(indicator="").exclude(area_type__in=tuple(NARROWER_AREA_TYPES))


class Target(models.Model):
    """A numeric target of the seeds, as data: which indicator, how much (percent or count), by which year,
    where (region prefix and area type), from which clause. Edited by administrators with history."""

    class Unit(models.TextChoices):
        PERCENT = "percent", _("percent")
        COUNT = "count", _("count")
        YUAN = "yuan", _("yuan")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    indicator = models.CharField(_("indicator"), max_length=40, blank=True)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    strict = models.BooleanField(_("strictly above"), default=False)
    year = models.PositiveSmallIntegerField(_("year"))
    scope_prefix = models.CharField(_("region code prefix"), max_length=12, blank=True,
                                    help_text=_("empty: the whole country"))
    area_type = models.CharField(_("area type"), max_length=40, blank=True,
                                 help_text=_("a region flag (三区三州, relocation area …) or a kind of village; empty: all"))
    source = models.CharField(_("source clause"), max_length=200)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = TargetQuerySet.as_manager()

    # No SCOPE_FIELD: a target is a rule, not data of a region.

    class Meta:
        db_table = "projects_target"
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["year", "code"]

    def __str__(self) -> str:
        return self.title

    # --- what the readers (connectivity progress, indicators assessment) ask of a target ---

    @property
    def threshold(self) -> Any:
        return self.value

    @property
    def due(self) -> dt.date:
        """Targets are set for the end of a year (年底)."""
        return dt.date(self.year, 12, 31)

    @property
    def scope_flag(self) -> str:
        """The region flag the target is limited to, or "" (no flag, or an area type that is not a region flag)."""
        return self.area_type if self.area_type in REGION_FLAGS else ""

    @property
    def area_label(self) -> str:
        """The area type as the region model names its flag (三区三州 …), or the kind of village or school."""
        from fupin.regions.models import Region

        if not self.area_type:
            return ""
        if self.area_type in REGION_FLAGS:
            return str(getattr(Region._meta.get_field(self.area_type), "verbose_name", self.area_type))
        return str(AREA_TYPES.get(self.area_type, self.area_type))

    scope_flag_label = area_label


class TargetRevision(models.Model):
    """What a target was before an edit, who changed it and why. Only ever added."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="revisions")
    before = models.JSONField(_("before"))
    after = models.JSONField(_("after"))
    reason = models.CharField(_("reason"), max_length=300)
    username = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        db_table = "projects_targetrevision"
        verbose_name = _("target revision")
        verbose_name_plural = _("target revisions")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.target_id} {self.at:%Y-%m-%d}"
