"""``fupin default_assessment [YEAR]``: the default county assessment scheme of a year (with the projects'
indicators), created once; an existing scheme of that name is left as administrators set it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from fupin.core.audit import set_channel
from fupin.core.permissions import SYSTEM
from fupin.indicators import assessment, services
from fupin.indicators.models import AssessmentScheme
from fupin.regions.models import Level


class Command(BaseCommand):
    help = "Create the default county assessment scheme of a year (last year by default) unless it exists; audited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", nargs="?", type=int, help="the year assessed (default: last year)")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:default_assessment")
        year = opts["year"] or timezone.localdate().year - 1
        name = f"{year}年度县级脱贫攻坚成效考核（默认方案）"
        if AssessmentScheme.objects.filter(name=name, year=year).exists():
            self.stdout.write(f"{name}: exists, left as it is")
            return
        scheme = services.save_scheme(actor=SYSTEM, scheme=None, name=name, year=year, level=Level.COUNTY,
                                      weights=dict(assessment.DEFAULT_WEIGHTS))
        self.stdout.write(f"{scheme.name}: {scheme.weights.count()} indicators")
