"""Reads of data quality, every one scoped to the user's region through ``core.scoping``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr

from fupin.core import tree
from fupin.core.scoping import Scope, get_scoped_or_404, narrow_or_404, scoped
from fupin.quality.models import Finding, Rule, Run, Tally, VillageRecord
from fupin.regions.models import Region
from fupin.registry.models import Member


def node(user: Any, code: str) -> Scope:
    """The region the user asked for, inside the user's own scope (404 outside); "" = the user's whole scope."""
    return narrow_or_404(user, code)


def open_findings(user: Any) -> QuerySet[Finding]:
    return scoped(Finding.objects.filter(state=Finding.State.OPEN), user)


@dataclass
class Matrix:
    """Open findings by rule (rows) and child region (columns) below one region node."""

    region: str
    children: list[tuple[str, str]] = field(default_factory=list)  # code, name
    rows: list[dict[str, Any]] = field(default_factory=list)  # rule, counts by child, total
    totals: dict[str, int] = field(default_factory=dict)
    total: int = 0


def matrix(user: Any, region: str = "") -> Matrix:
    scope = node(user, region)
    prefix = scope.prefix or ""
    n = tree.child_length(len(prefix))
    qs = open_findings(user).filter(scope.q("region_code"))
    counts = (qs.annotate(child=Substr("region_code", 1, n)).values("rule_id", "child").annotate(n=Count("id"))
              .order_by())
    by_rule: dict[str, dict[str, int]] = {}
    for c in counts:
        by_rule.setdefault(c["rule_id"], {})[c["child"]] = c["n"]
    codes = sorted({child for d in by_rule.values() for child in d})
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    rules = {r.code: r for r in Rule.objects.filter(code__in=list(by_rule))}
    out = Matrix(region=prefix, children=[(c, names.get(c, c)) for c in codes])
    for code in sorted(by_rule, key=lambda c: (rules[c].family if c in rules else "", c)):
        cells = by_rule[code]
        out.rows.append({"rule": rules.get(code), "code": code, "cells": [cells.get(c, 0) for c in codes],
                         "total": sum(cells.values())})
    out.totals = {c: sum(d.get(c, 0) for d in by_rule.values()) for c in codes}
    out.total = sum(out.totals.values())
    return out


def records(user: Any, rule: str, region: str) -> QuerySet[Finding]:
    """The findings of one rule below one region (a township's list), open and exempted, oldest first."""
    scope = node(user, region)
    return (scoped(Finding.objects.filter(rule_id=rule, state__in=[Finding.State.OPEN, Finding.State.EXEMPTED]),
                   user).filter(scope.q("region_code")).select_related("household", "household__village")
            .order_by("region_code", "household_id", "record"))


def persons_of(findings: list[Finding]) -> dict[int, Member]:
    """The members that person findings are about, by id (one query)."""
    ids = [int(f.record.split(":", 1)[1]) for f in findings if f.record.startswith("person:")]
    return {m.pk: m for m in Member.objects.filter(pk__in=ids)}


def finding(user: Any, pk: int) -> Finding:
    return get_scoped_or_404(Finding.objects.select_related("rule", "household", "exemption_requested_by",
                                                            "exemption_approved_by"), user, pk=pk)


def trend(user: Any, region: str = "") -> list[dict[str, Any]]:
    """Open and exempted findings after each run, below the region (townships and above; the tallies are kept
    per township)."""
    scope = node(user, region)
    prefix = scope.prefix or ""
    tallies = scoped(Tally.objects.all(), user)
    if prefix:
        tallies = tallies.filter(Scope(prefix).q("township_code")) if len(prefix) <= 9 else tallies.none()
    sums: dict[int, tuple[int, int]] = {
        t["run_id"]: (t["open"] or 0, t["exempted"] or 0)
        for t in tallies.values("run_id").annotate(open=Sum("open"), exempted=Sum("exempted")).order_by()}
    runs = Run.objects.filter(finished_at__isnull=False).order_by("-id")[:30]
    return [{"run": r, "open": sums.get(r.pk, (0, 0))[0], "exempted": sums.get(r.pk, (0, 0))[1]} for r in runs]


def pending_exemptions(user: Any) -> QuerySet[Finding]:
    return open_findings(user).filter(~Q(exemption_reason=""), exemption_approved_by__isnull=True)


def findings_per_household(user: Any, household_id: int) -> QuerySet[Finding]:
    return open_findings(user).filter(household_id=household_id).select_related("rule")


def village_records(user: Any) -> QuerySet[VillageRecord]:
    return scoped(VillageRecord.objects.select_related("region"), user).order_by("region_id", "-as_of")
