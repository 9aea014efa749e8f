"""Test helpers of the indicator engine: a small demo over the test tree (registry, connectivity, monitoring records,
doubts, alerts, rural population) and an independent recount of every indicator in Python, row by row from the raw
tables, without any of compute.py's SQL."""

from __future__ import annotations

import datetime as dt
import random
import statistics
import zoneinfo
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from fupin.commerce import demo as commerce_demo
from fupin.commerce.models import DemoCounty, PopulousVillage, Purchase, ShopHousehold, Station
from fupin.connectivity import demo as connectivity_demo
from fupin.connectivity.models import Facility, VillageStatus
from fupin.connectivity.tests.factories import add_villages, replay
from fupin.exchange.models import Doubt, Rule
from fupin.indicators.models import IndicatorValue, Period
from fupin.lifecycle.models import Case, MonitoringRecord, PovertyLine, RuralPopulation
from fupin.monitoring.models import Alert
from fupin.quality.models import Finding
from fupin.quality.models import Rule as QualityRule
from fupin.regions.models import Level, Region
from fupin.registry import demo as registry_demo
from fupin.registry.models import Cadre, Household, Income, Member
from fupin.registry.statuses import POOR_STATUSES, REGISTERED_STATUSES
from fupin.team import demo as team_demo
from fupin.team.models import Attendance, Posting, Visit

TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)
LENGTHS = (0, 2, 4, 6, 9, 12)


def aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), TZ)


def build_demo(tree: Any, users: dict[str, Any], *, households: int = 240, seed: int = 5) -> None:
    """Registry, connectivity, monitoring records, doubts, alerts and rural population over the test tree."""
    add_villages(tree, per_township=6)
    registry_demo.generate(households=households, area="53", seed=seed)
    registry_demo.generate(households=20, area="52", seed=seed + 1)
    connectivity_demo.generate(area="53", seed=seed, poor_share=0.6)
    commerce_demo.generate(area="53", seed=seed)
    # poor counties, one of them an e-commerce demonstration county since 2017, one never (poor_demo_counties)
    Region.objects.filter(code__in=["533301", "533323"], level=Level.COUNTY).update(is_poor_county=True)
    DemoCounty.objects.update_or_create(county_id="533301", defaults={"year": 2017})
    DemoCounty.objects.filter(county_id="533323").delete()
    team_demo.generate(area="53", seed=seed)
    rng = random.Random(seed)
    RuralPopulation.objects.all().delete()  # the demo's synthetic figures: this fixture sets its own, with gaps
    villages = sorted(set(Household.objects.values_list("village_id", flat=True)))
    for i, code in enumerate(villages):
        if i % 3 == 0:  # a third of the villages have no rural population figure
            continue
        RuralPopulation.objects.create(region_id=code, year=2018, persons=rng.randint(200, 900))
        if i % 2:
            RuralPopulation.objects.create(region_id=code, year=2020, persons=rng.randint(200, 900))
    # monitoring records: included 2020, some eliminated in 2020, one in 2021
    actor = users["county"]
    monitored = list(Household.objects.filter(status="monitored").order_by("id")[:12])
    for i, h in enumerate(monitored):
        case = Case.objects.create(household=h, kind="monitoring", year=2020, reason="demo", opened_by=actor,
                                   stage="approved")
        ended = [dt.date(2020, 5, 1 + i), None, dt.date(2021, 2, 1)][i % 3]
        MonitoringRecord.objects.create(household=h, category="01", risks=["01"], started_on=dt.date(2020, 1, 2),
                                        included_by=case, ended_on=ended)
    # monitoring objects never registered (边缘易致贫户, 突发严重困难户 not poor before): in no registered population
    for i, (h, category) in enumerate(zip(Household.objects.filter(status="exited").order_by("-id")[:3],
                                          ("02", "03", "02"), strict=True)):
        h.status, h.exit_year = "monitored", None
        h.save()
        case = Case.objects.create(household=h, kind="monitoring", year=2020, reason="demo", opened_by=actor,
                                   stage="approved", previous_status="non_poor")
        if i < 2:  # the third has no open record: its category follows from its never having exited
            MonitoringRecord.objects.create(household=h, category=category, risks=["01"],
                                            started_on=dt.date(2020, 3, 1), included_by=case)
    # a provincial line: households identified by the provincial standard (02) are judged by it
    PovertyLine.objects.get_or_create(year=2020, standard="provincial", province="53", defaults={"amount": 4300})
    # doubts: open, resolved in 2020, resolved in 2021, created 2021
    rule = Rule.objects.create(code="test_rule", severity="high")
    created = [aware(dt.date(2020, 3, 1)), aware(dt.date(2020, 6, 1)), aware(dt.date(2020, 8, 1)),
               aware(dt.date(2021, 1, 5))]
    resolved = [None, aware(dt.date(2020, 9, 1)), aware(dt.date(2021, 3, 1)), None]
    for i, h in enumerate(Household.objects.order_by("id")[:16]):
        state = "open" if resolved[i % 4] is None else "confirmed" if i % 2 else "dismissed"
        Doubt.objects.create(rule=rule, household=h, id_number=f"X{i}", region_code=h.village_id,
                             route_code=h.village_id[:9], severity="high", fingerprint=str(i), state=state,
                             deadline=dt.date(2020, 12, 31), created_at=created[i % 4], updated_at=created[i % 4],
                             resolved_at=resolved[i % 4])
    # data-quality findings: open (first seen 2020 and 2021), fixed
    qrule = QualityRule.objects.create(code="T_RULE", name="测试", name_en="test", family="person", subject="person",
                                       severity="warning")
    for i, h in enumerate(Household.objects.order_by("id")[:15]):
        seen = aware([dt.date(2020, 3, 1), dt.date(2021, 2, 1), dt.date(2020, 5, 1)][i % 3])
        Finding.objects.create(rule=qrule, record=f"household:{h.pk}", household=h, region_code=h.village_id,
                               township_code=h.village_id[:9], fingerprint=str(i), first_seen=seen, last_seen=seen,
                               state="fixed" if i % 3 == 2 else "open")
    # alerts: due in 2020 visited in time, late, never; due next year; due far in the future and not handled
    today = timezone.localdate()
    cases: list[tuple[dt.date, dt.datetime | None]] = [
        (dt.date(2020, 4, 10), aware(dt.date(2020, 4, 10), 23)),  # in time, late evening local time
        (dt.date(2020, 4, 10), aware(dt.date(2020, 4, 11), 7)),  # a day late
        (dt.date(2020, 7, 1), None),  # never handled
        (dt.date(2021, 1, 10), aware(dt.date(2021, 1, 3))),
        (today + dt.timedelta(days=10), None),  # not yet due: left out
        (today + dt.timedelta(days=10), aware(today)),  # handled already: in time
    ]
    for i, h in enumerate(Household.objects.order_by("-id")[:18]):
        deadline, visited = cases[i % len(cases)]
        Alert.objects.create(rule=f"r{i}", household=h, region_code=h.village_id, township_code=h.village_id[:9],
                             severity="high", points=10, fingerprint=str(i), deadline=deadline, visited_at=visited,
                             state="visited" if visited else "new", created_at=aware(deadline) - dt.timedelta(days=15),
                             updated_at=aware(deadline) - dt.timedelta(days=15))
    # projects, funds and the seeds' plans (projects.demo): fund lines of 2020, projects tied to measures
    from fupin.projects import demo as projects_demo

    projects_demo.generate(area="53", year=2020, seed=seed)
    # internet welfare: needs published 2020 (one met, one withdrawn in 2020, one withdrawn in 2021), donations and
    # disbursements of 2020 and 2021, pairings with a county and a village
    from fupin.welfare.models import Disbursement as WelfareDisbursement
    from fupin.welfare.models import Donation, Donor, Need, Pairing, WelfareProject

    donor = Donor.objects.create(display_name="网友", kind="person")
    firm = Donor.objects.create(display_name="企业", kind="enterprise")
    for i, h in enumerate(Household.objects.filter(status="poor").order_by("id")[:6]):
        withdrawn = [None, None, None, aware(dt.date(2020, 9, 1)), aware(dt.date(2021, 2, 1)), None][i]
        met = aware(dt.date(2020, 10, 1)) if i == 0 else aware(dt.date(2021, 3, 1)) if i == 5 else None
        need = Need.objects.create(household=h, village_id=h.village_id, kind="school", story="学费", goal=1000,
                                   status="withdrawn" if withdrawn else "met" if met else "published",
                                   consent_by="户主", consent_on=dt.date(2020, 1, 5), consent_method="signed",
                                   consent_withdrawn_at=withdrawn, published_at=aware(dt.date(2020, 2, 1 + i)),
                                   met_at=met)
        Donation.objects.create(donor=donor, need=need, amount=Decimal(1000), channel="bank", reference=f"D{i}",
                                received_on=dt.date(2020 + i % 2, 3, 1))
        WelfareDisbursement.objects.create(need=need, amount=Decimal(600 + i), paid_on=dt.date(2020 + (i == 5), 4, 1),
                                           purpose="学费", evidence=f"R{i}")
    project = WelfareProject.objects.create(name="助学", organiser="基金会", kind="education", region_id="533301",
                                            goal=10000, starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2020, 12, 31),
                                            status="published")
    Donation.objects.create(donor=firm, project=project, amount=Decimal(5000), channel="platform", reference="P1",
                            received_on=dt.date(2020, 5, 1))
    WelfareDisbursement.objects.create(project=project, amount=Decimal(3000), paid_on=dt.date(2020, 6, 1),
                                       purpose="助学金", evidence="P-R1")
    Pairing.objects.create(enterprise=firm, region_id="533301", agreement="协议", signed_on=dt.date(2019, 5, 1))
    village = Household.objects.filter(village__code__startswith="53").order_by("village_id").first()
    assert village is not None
    Pairing.objects.create(enterprise=firm, region_id=village.village_id, agreement="协议", signed_on=dt.date(2020, 5, 1))
    Pairing.objects.create(enterprise=donor, region_id="533323", agreement="已结束", signed_on=dt.date(2020, 5, 1),
                           status="ended")


def _cents(income: Income) -> int:
    return int((income.per_capita * 100).to_integral_value())


def _school_age(birth: dt.date, on: dt.date) -> bool:
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return 6 <= age <= 15


def _open_on(f: Facility | Station, day: dt.date) -> bool:
    return (f.opened_on is None or f.opened_on <= day) and (f.closed_on is None or f.closed_on > day)


def recount(period: Period, today: dt.date | None = None) -> dict[tuple[str, str], tuple[Decimal, Decimal | None]]:
    """{(indicator, region code): (numerator, denominator)} for every region with data, counted in Python."""
    today = today or timezone.localdate()
    y, start, end = period.ends_on.year, period.starts_on, period.ends_on
    current = start <= today <= end
    facts: dict[tuple[str, str], list[Decimal | None]] = {}

    def add(indicator: str, code: str, num: Any, den: Any = None) -> None:
        for n in LENGTHS:
            if n > len(code):
                continue
            key = (indicator, code[:n])
            cur = facts.setdefault(key, [Decimal(0), None if den is None else Decimal(0)])
            cur[0] = (cur[0] or Decimal(0)) + Decimal(num)
            if den is not None:
                cur[1] = (cur[1] or Decimal(0)) + Decimal(den)

    members: dict[int, list[Member]] = defaultdict(list)
    for m in Member.objects.filter(is_active=True):
        members[m.household_id].append(m)
    lines = {(pl.standard, pl.province): pl.amount for pl in PovertyLine.objects.filter(year=y)}
    incomes = {i.household_id: i for i in Income.objects.filter(year=y)}
    open_category = {r.household_id: r.category
                     for r in MonitoringRecord.objects.filter(ended_on__isnull=True).order_by("category")}
    poor_persons_by_village: dict[str, int] = defaultdict(int)
    registered: dict[int, Household] = {}
    for h in Household.objects.all():
        if h.status not in REGISTERED_STATUSES or h.identified_year > y:
            continue
        # 建档立卡: every status read except a monitoring object that never exited (边缘易致贫户)
        reg = int(h.status != "monitored" or h.exit_year is not None)
        ms = members[h.pk]
        persons = len(ms)
        poor = h.status in POOR_STATUSES or (h.exit_year is not None and h.exit_year > y)
        exited = h.exit_year == y
        out_of_poverty = h.status not in POOR_STATUSES and h.exit_year is not None and h.exit_year <= y
        add("registered_households", h.village_id, reg)
        add("registered_persons", h.village_id, persons * reg)
        add("poor_households", h.village_id, int(poor) * reg)
        add("poor_persons", h.village_id, persons * poor * reg)
        add("exited_households", h.village_id, int(exited) * reg)
        add("exited_persons", h.village_id, persons * exited * reg)
        add("exited_total_households", h.village_id, int(out_of_poverty) * reg)
        add("exited_total_persons", h.village_id, persons * out_of_poverty * reg)
        add("returned_households", h.village_id, int(h.status == "returned") * reg)
        monitored = h.status == "monitored"
        kind = open_category.get(h.pk, "02" if h.exit_year is None else "01") if monitored else None
        add("monitoring_objects", h.village_id, int(monitored))
        add("monitoring_persons", h.village_id, persons * monitored)
        add("monitoring_unstable", h.village_id, int(kind == "01"))
        add("monitoring_marginal", h.village_id, int(kind == "02"))
        add("monitoring_sudden", h.village_id, int(kind == "03"))
        if not reg:
            continue
        registered[h.pk] = h
        ok = (not any(m.schooling == "01" and _school_age(m.birth_date, end) for m in ms)
              and all(m.has_medical_insurance for m in ms) and h.housing_safety in ("A", "B")
              and h.water_safe and not h.water_difficult)
        add("assurance_met", h.village_id, int(ok), 1)
        national = lines.get(("national", ""))
        if national is not None:
            line = lines.get(("provincial", h.village_id[:2]), national) if h.standard == "02" else national
            inc = incomes.get(h.pk)
            income_ok = inc is not None and inc.net_total > line * inc.household_size
            add("exit_criteria_met", h.village_id, int(ok and income_ok), 1)
        poor_persons_by_village[h.village_id] += persons * poor
    population: dict[str, int] = {}
    for rp in RuralPopulation.objects.filter(year__lte=y).order_by("year"):
        population[rp.region_id] = rp.persons
    for code, persons in population.items():
        add("incidence", code, poor_persons_by_village.get(code, 0), persons)

    line = PovertyLine.objects.filter(year=y, standard="national").values_list("amount", flat=True).first()
    by_region: dict[str, list[int]] = defaultdict(list)
    for inc in Income.objects.filter(year=y):
        h = registered.get(inc.household_id)
        if h is None:
            continue
        cents = _cents(inc)
        for n in LENGTHS:
            by_region[h.village_id[:n]].append(cents)
        if line is not None:
            lc = int(line * 100)
            add("income_below_line", h.village_id, int(cents < lc), 1)
            add("income_near_line", h.village_id, int(lc <= cents and 2 * cents <= 3 * lc), 1)
            add("income_above_line", h.village_id, int(2 * cents > 3 * lc), 1)
    for code, values in by_region.items():
        facts[("income_median", code)] = [Decimal(str(statistics.median(values))) / 100, None]

    for r in MonitoringRecord.objects.select_related("household"):
        if r.ended_on and start <= r.ended_on <= end:
            add("risk_eliminated", r.household.village_id, 1)
    end_ts = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), TZ)
    start_ts = dt.datetime.combine(start, dt.time(), TZ)
    for d in Doubt.objects.all():
        if d.created_at < end_ts and (d.state == "open" or d.resolved_at is None or d.resolved_at >= end_ts):
            add("doubts_open", d.region_code, 1)
        if d.state != "open" and d.resolved_at and start_ts <= d.resolved_at < end_ts:
            add("doubts_resolved", d.region_code, 1)
    for a in Alert.objects.all():
        handled = a.visited_at or a.resolved_at
        if start <= a.deadline <= end and (a.deadline < today or handled is not None):
            in_time = handled is not None and handled.astimezone(TZ).date() <= a.deadline
            add("alerts_in_time", a.region_code, int(in_time), 1)

    persons_by_village: dict[str, int] = defaultdict(int)
    for h in Household.objects.all():
        if h.status in REGISTERED_STATUSES and h.identified_year <= y:
            persons_by_village[h.village_id] += len(members[h.pk]) * int(h.status != "monitored" or h.exit_year is not None)
    open_findings: dict[str, int] = defaultdict(int)
    for f in Finding.objects.filter(state="open"):
        if f.first_seen < end_ts:
            open_findings[f.region_code] += 1
    for code, persons in persons_by_village.items():
        add("quality_findings", code, open_findings.get(code, 0), persons)
    # projects (projects.indicators): money of the period's year's fund lines, projects due, households, tasks
    from fupin.projects.models import Allocation, Beneficiary, Disbursement, FundLine, Project, Task

    line_year = dict(FundLine.objects.values_list("pk", "year"))
    for al in Allocation.objects.filter(project__isnull=False):
        if line_year[al.source_id] == y and al.allocated_on <= end:
            add("project_funds_allocated", al.region_id, al.amount)
            add("project_funds_spent", al.region_id, 0, al.amount)
    for d in Disbursement.objects.all():
        if line_year[d.line_id] == y and d.paid_on <= end:
            add("project_funds_spent", d.region_id, d.amount, 0)
    for p in Project.objects.exclude(stage="rejected"):
        if start <= p.planned_end <= end and (p.planned_end < today or p.accepted_on is not None):
            add("projects_accepted_on_time", p.region_id,
                int(p.accepted_on is not None and p.accepted_on <= p.planned_end), 1)
    reached = {(b.household_id, b.household.village_id) for b in Beneficiary.objects.select_related("household", "project")
               if b.project.stage != "rejected" and b.project.year == y}
    for _household, village in reached:
        add("households_reached", village, 1)
    for t in Task.objects.select_related("plan"):
        if t.plan.region_id and start <= t.deadline <= end and (t.deadline < today or t.done_on is not None):
            add("tasks_done_on_time", t.plan.region_id, int(t.done_on is not None and t.done_on <= t.deadline), 1)

    # coverage: the events replayed one by one (today's VillageStatus for the current period)
    day = today if current else end
    if current:
        state = {s.village_id: {"connected": s.connected, "fiber": s.fiber, "4g": s.mobile_4g}
                 for s in VillageStatus.objects.all()}
    else:
        state = replay(end)
    for v in Region.objects.filter(level=Level.VILLAGE, is_poor_village=True):
        s = state.get(v.code, {})
        add("poor_village_broadband", v.code, int(bool(s.get("connected"))), 1)
        add("poor_village_fiber", v.code, int(bool(s.get("fiber"))), 1)
        add("poor_village_4g", v.code, int(bool(s.get("4g"))), 1)
    facilities = list(Facility.objects.all())
    reports = reporting_counties()
    for f in facilities:  # a school or clinic record makes its county report: nothing to leave out here
        if f.type == "school" and _open_on(f, day):
            add("school_broadband", f.region_id, int(f.connected_on is not None and f.connected_on <= day), 1)
        if f.type in ("township_health", "village_clinic") and _open_on(f, day):
            add("clinic_connected", f.region_id, int(f.connected_on is not None and f.connected_on <= day), 1)
    for kind, level, urban in (("ecommerce", Level.VILLAGE, lambda c: c[9] in "01"),
                               ("express", Level.TOWNSHIP, lambda c: c[6] == "0")):
        with_station = ({f.region_id for f in facilities if f.type == kind and _open_on(f, day)} if kind == "express"
                        else {s.region_id for s in Station.objects.all() if _open_on(s, day)})
        indicator = "village_ecommerce" if kind == "ecommerce" else "township_express"
        for r in Region.objects.filter(level=level):
            if not urban(r.code) and r.code[:6] in reports[indicator]:  # only counties that collect the source
                add(indicator, r.code, int(r.code in with_station), 1)
    # rural e-commerce (commerce.indicators): stations and links on the coverage date, purchases of the period
    stations = list(Station.objects.all())
    for village in PopulousVillage.objects.values_list("village_id", flat=True):
        add("station_populous_coverage", village,
            int(any(st.region_id == village and _open_on(st, day) for st in stations)), 1)
    linked = {link.household_id for link in ShopHousehold.objects.select_related("shop")
              if link.shop.status == "approved" and link.started_on <= day
              and (link.ended_on is None or link.ended_on > day)}
    paid: dict[int, Decimal] = defaultdict(Decimal)
    for purchase in Purchase.objects.filter(purchased_on__gte=start, purchased_on__lte=end):
        paid[purchase.household_id] += purchase.amount
    for h in Household.objects.filter(pk__in=linked, status__in=REGISTERED_STATUSES):
        add("shop_linked_households", h.village_id, 1)
        add("purchase_income_per_household", h.village_id, paid.get(h.pk, Decimal(0)), 1)
    named = dict(DemoCounty.objects.values_list("county_id", "year"))
    for county in Region.objects.filter(level=Level.COUNTY, is_poor_county=True).values_list("code", flat=True):
        add("poor_demo_counties", county, int(county in named and named[county] <= day.year), 1)
    _team(add, day, start, end, facilities)
    # internet welfare (welfare.indicators): needs published / met by the end, money within the period, pairings
    from fupin.welfare.models import Disbursement as WelfareDisbursement
    from fupin.welfare.models import Donation, Need, Pairing

    end_of_period = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), TZ)
    helped: set[tuple[int, str]] = set()
    for n in Need.objects.all():
        shown = n.published_at is not None and n.published_at < end_of_period and (
            n.consent_withdrawn_at is None or n.consent_withdrawn_at >= end_of_period)
        if shown:
            add("welfare_needs_published", n.village_id, 1)
            if n.met_at is not None and n.met_at < end_of_period:
                add("welfare_needs_met", n.village_id, 1)
    for model, indicator, field in ((Donation, "welfare_money_raised", "received_on"),
                                    (WelfareDisbursement, "welfare_money_disbursed", "paid_on")):
        for e in model.objects.select_related("need", "project"):  # type: ignore[attr-defined]
            if start <= getattr(e, field) <= end:
                add(indicator, e.need.village_id if e.need_id else e.project.region_id, e.amount)
                if indicator == "welfare_money_disbursed" and e.need_id:
                    helped.add((e.need.household_id, e.need.village_id))
    for _household, village in helped:
        add("welfare_households_helped", village, 1)
    for pairing in Pairing.objects.filter(status="active"):
        if pairing.signed_on <= end:
            add("welfare_pairings", pairing.region_id, 1)
    for (indicator, code), (_expected, reporting) in reporting_rates().items():
        if reporting == 0:  # no county reports: a "no data" row
            facts.setdefault((indicator, code), [Decimal(0), None])
    return {k: (v[0] or Decimal(0), v[1]) for k, v in facts.items()}


REPORTED = {"school_broadband": ("school",), "clinic_connected": ("township_health", "village_clinic"),
            "township_express": ("express",), "school_100m": ("school",), "school_remote_classroom": ("school",),
            "clinic_telemedicine": ("township_health", "village_clinic")}


def _team(add: Any, day: dt.date, start: dt.date, end: dt.date, facilities: list[Facility]) -> None:
    """The team and 网络扶智 indicators (team.indicators), row by row."""
    postings = list(Posting.objects.all())

    def posted(code: str, roles: tuple[str, ...]) -> bool:
        return any(p.region_id == code and p.role in roles and p.start_date <= day
                   and (p.end_date is None or p.end_date > day) for p in postings)

    poor_villages = list(Region.objects.filter(level=Level.VILLAGE, is_poor_village=True))
    for v in poor_villages:
        add("poor_village_team_leader", v.code,
            int(posted(v.code, ("team_leader", "team_member")) and posted(v.code, ("village_leader",))), 1)
    visits: dict[int, int] = defaultdict(int)
    for visit in Visit.objects.filter(visited_on__gte=start, visited_on__lte=end):
        visits[visit.household_id] += 1
    for h in Household.objects.filter(status__in=REGISTERED_STATUSES):
        add("household_with_cadre", h.village_id, int(h.cadre_id is not None), 1)
        if h.cadre_id is not None:
            add("visits_per_household", h.village_id, visits[h.pk], 1)
    attendance = list(Attendance.objects.select_related("training"))
    trained_cadres = {a.cadre_id for a in attendance if a.cadre_id and a.training.starts_on <= end}
    for c in Cadre.objects.all():
        if (c.start_date is None or c.start_date <= day) and (c.end_date is None or c.end_date > day):
            add("cadres_trained", c.region_id, int(c.pk in trained_cadres), 1)
    persons: dict[str, set[int]] = defaultdict(set)
    for a in attendance:
        if a.member_id and start <= a.training.starts_on <= end:
            persons[a.village_id].add(a.member_id)
    for village, ids in persons.items():
        add("persons_trained", village, len(ids))
    for f in facilities:
        if f.type == "school" and _open_on(f, day):
            add("school_100m", f.region_id, int((f.bandwidth or 0) >= 100 and f.connected_on is not None
                                                and f.connected_on <= day), 1)
            add("school_remote_classroom", f.region_id, int(
                f.remote_classroom_on is not None and f.remote_classroom_on <= day
                and (f.remote_classroom_until is None or f.remote_classroom_until > day)), 1)
        if f.type in ("township_health", "village_clinic") and _open_on(f, day):
            add("clinic_telemedicine", f.region_id, int(f.telemedicine_on is not None and f.telemedicine_on <= day), 1)
    for indicator, levels, least in (("ecommerce_trained_5", ("trained", "practitioner", "senior"), 5),
                                     ("ecommerce_practitioners_10", ("practitioner", "senior"), 10),
                                     ("ecommerce_senior_1", ("senior",), 1)):
        for v in poor_villages:
            people = {a.id_number or f"row{a.pk}" for a in attendance
                      if a.village_id == v.code and a.training.topic == "ecommerce" and a.training.starts_on <= end
                      and a.level in levels}
            add(indicator, v.code, int(len(people) >= least), 1)


def reporting_counties() -> dict[str, set[str]]:
    """Per county-collected indicator, the counties with any facility record of its kinds."""
    out = {ind: {f.region_id[:6] for f in Facility.objects.filter(type__in=types)} for ind, types in REPORTED.items()}
    out["village_ecommerce"] = {s.region_id[:6] for s in Station.objects.all() if len(s.region_id) >= 6}
    return out


def reporting_rates() -> dict[tuple[str, str], tuple[int, int]]:
    """{(indicator, region code from the county up): (counties, counties reporting)}."""
    reports = reporting_counties()
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for county in Region.objects.filter(level=Level.COUNTY).values_list("code", flat=True):
        for indicator, counties in reports.items():
            for n in (0, 2, 4, 6):
                expected, reporting = out.get((indicator, county[:n]), (0, 0))
                out[(indicator, county[:n])] = (expected + 1, reporting + int(county in counties))
    return out


def stored(period: Period) -> dict[tuple[str, str], tuple[Decimal, Decimal | None]]:
    return {(v.indicator, v.region_code): (v.numerator, v.denominator)
            for v in IndicatorValue.objects.filter(period=period)}


def value_of(num: Decimal, den: Decimal | None, scale: int = 100) -> Decimal | None:
    if den is None:
        return num.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    if den == 0:
        return None
    return (num * scale / den).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
