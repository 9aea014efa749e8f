"""/api/v1/quality: the findings of the data-quality rules, what a province's team pulls into its own tools instead
of the Excel file (#14 item 8). Scoped like the pages (``core.scoping``: another region's finding is a 404), names
and ID numbers masked for roles that may not see them (``core.masking``; a clear read is audited), paginated with
the one ``core.pagination.Page``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from fupin.core.masking import Masker
from fupin.core.pagination import Page, PageQuery, offset_page
from fupin.core.scoping import scoped
from fupin.quality import selectors
from fupin.quality.models import Finding

router = Router()


class FindingOut(Schema):
    id: int
    rule: str
    rule_name: str
    rule_name_en: str
    severity: str
    record: str = Field(description="what the finding is about: person:<id>, household:<id>, village:<code> …")
    region_code: str
    household_number: str | None
    person_name: str | None = Field(description="masked unless the caller's role may see names")
    person_id_number: str | None = Field(description="masked unless the caller's role may see ID numbers")
    state: str
    evidence: dict[str, Any] = Field(description="the values behind the finding, masked field by field")
    first_seen: dt.datetime
    last_seen: dt.datetime
    exempt_until: dt.date | None


class FindingQuery(PageQuery):
    rule: str = Field("", description="a rule code; empty: every rule")
    region: str = Field("", description="a division code inside the caller's region; empty: all of it")
    state: str = Field("open", description="open, exempted, fixed or all")


def _rows(findings: list[Finding], masker: Masker) -> list[dict[str, Any]]:
    persons = selectors.persons_of(findings)
    out = []
    for f in findings:
        kind, _, ident = f.record.partition(":")
        person = persons.get(int(ident)) if kind == "person" and ident.isascii() and ident.isdigit() else None
        out.append({
            "id": f.pk, "rule": f.rule_id, "rule_name": f.rule.name, "rule_name_en": f.rule.name_en, "severity": f.rule.severity,
            "record": f.record, "region_code": f.region_code,
            "household_number": f.household.number if f.household else None,
            "person_name": masker.name(person.name) if person else None,
            "person_id_number": masker.id_number(person.id_number) if person else None,
            "state": f.state, "evidence": masker.values(f.evidence), "first_seen": f.first_seen,
            "last_seen": f.last_seen, "exempt_until": f.exempt_until,
        })
    return out


@router.get("/findings", response=Page[FindingOut], summary="Findings of the quality rules in the caller's region")
def findings(request: HttpRequest, q: Query[FindingQuery]) -> dict[str, Any]:
    user: Any = request.user
    scope = selectors.node(user, q.region)
    qs = scoped(Finding.objects.all(), user).filter(scope.q("region_code"))
    if q.rule:
        qs = qs.filter(rule_id=q.rule)
    if q.state != "all":
        qs = qs.filter(state=q.state if q.state in Finding.State.values else "")
    qs = qs.select_related("rule", "household").order_by("region_code", "rule_id", "id")
    masker = Masker(user)
    page = offset_page(qs, q)
    found = list(page["results"])
    page["results"] = _rows(found, masker)
    if any(r["person_name"] for r in page["results"]):
        masker.reveal(summary=f"quality findings API {q.rule} {q.region}: {len(found)} records",
                      object_type="quality.findings", region_code=q.region)
    return page


@router.get("/findings/{pk}", response=FindingOut, summary="One finding (404 outside the caller's region)")
def finding(request: HttpRequest, pk: int) -> dict[str, Any]:
    user: Any = request.user
    f = selectors.finding(user, pk)
    masker = Masker(user)
    row = _rows([f], masker)[0]
    if row["person_name"]:
        masker.reveal(obj=f, summary=f"quality finding {f.pk}")
    return row
