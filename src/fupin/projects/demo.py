"""Synthetic projects and funds for the demo (演示数据，纯属虚构): for the counties of an area that have demo
households, a year's fund lines from the centre down to each county (five sources, and a city's 智慧城市+扶贫 line
with its three sub-lines), projects of every type at every stage, allocations to them, monthly disbursements, the
beneficiary households taken from the demo households' assistance measures (which then name their project), project
notices; and the seeds' real plans (``services.load_plans``) with some progress reports, so that the work ledger
shows done, open and overdue tasks. Written with bulk inserts; one audit record."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count

from fupin.core import audit
from fupin.core.models import AuditEvent
from fupin.core.permissions import SYSTEM
from fupin.core.tree import subtree_bounds
from fupin.projects import services
from fupin.projects.models import (
    Allocation,
    Beneficiary,
    Disbursement,
    FundLevel,
    FundLine,
    FundSource,
    Meeting,
    ProgressReport,
    Project,
    ProjectNotice,
    ProjectStep,
    ProjectType,
    ProjectVillage,
    Stage,
    Task,
)
from fupin.regions.models import Region

ORDER = [Stage.REGISTERED, Stage.APPROVED, Stage.NOTICE, Stage.IMPLEMENTING, Stage.ACCEPTED, Stage.EVALUATED]
NAMES = {
    ProjectType.INDUSTRY: ("草果种植基地", "中蜂养殖合作社", "核桃提质增效"),
    ProjectType.INFRASTRUCTURE: ("通组道路硬化", "人饮工程", "村级活动场所"),
    ProjectType.NETWORK: ("贫困村光纤入户", "4G 基站补盲", "村级信息服务站"),
    ProjectType.ECOMMERCE: ("村级电商服务站", "农特产品网店", "快递物流进村"),
    ProjectType.EDUCATION: ("学校宽带接入", "远程教学点", "多媒体教室"),
    ProjectType.HEALTH: ("村卫生室远程诊疗", "乡镇卫生院信息化", "家庭医生签约终端"),
    ProjectType.HOUSING: ("农村危房改造", "易地扶贫搬迁配套", "抗震安居"),
    ProjectType.TRAINING: ("电商技能培训", "劳动力转移就业培训", "致富带头人培训"),
}
LEADS = {
    ProjectType.INDUSTRY: "农业农村局", ProjectType.INFRASTRUCTURE: "交通运输局", ProjectType.NETWORK: "工业和信息化局",
    ProjectType.ECOMMERCE: "商务局", ProjectType.EDUCATION: "教育体育局", ProjectType.HEALTH: "卫生健康局",
    ProjectType.HOUSING: "住房和城乡建设局", ProjectType.TRAINING: "人力资源和社会保障局",
}
# The demo users' county (home.services.DEMO_COUNTY, 泸水市): it always takes part, so that demo_county and
# demo_finance_county see projects. Named here, not imported: the home app sits above this one.
DEMO_COUNTY = "533301"
PAYEES = ("县通信工程有限公司", "州建设工程有限公司", "农民专业合作社", "县电商公共服务中心", "县劳务服务公司")


@dataclass
class DemoResult:
    lines: int = 0
    projects: int = 0
    allocations: int = 0
    disbursements: int = 0
    beneficiaries: int = 0
    tasks: int = 0
    skipped: bool = False


def _counties(area: str, limit: int) -> list[str]:
    from fupin.registry.models import Household

    rows = (Household.objects.filter(village__code__range=subtree_bounds(area)).values("village__parent__parent_id")
            .annotate(n=Count("id")).order_by("-n")[:limit])
    codes = [r["village__parent__parent_id"] for r in rows if r["village__parent__parent_id"]]
    if DEMO_COUNTY not in codes and DEMO_COUNTY.startswith(area) and Household.objects.filter(
            village__code__range=subtree_bounds(DEMO_COUNTY)).exists():
        codes = [DEMO_COUNTY, *codes[:limit - 1]]
    return codes


@transaction.atomic
def generate(*, area: str = "53", year: int | None = None, seed: int = 2019, counties: int = 6) -> DemoResult:
    rng = random.Random(seed)
    today = services.today()
    year = year or today.year - 1
    result = DemoResult()
    codes = _counties(area, counties)
    province = Region.objects.filter(code=area[:2]).first()
    if province is None:
        return result
    lines: list[FundLine] = []

    def line(code: str, level: str, source: str, name: str, region: str | None, own: int,
             parent: FundLine | None = None) -> FundLine:
        obj = FundLine.objects.create(code=code, year=year, level=level, source=source, name=name, region_id=region,
                                      own_amount=Decimal(own), parent=parent, document="演示数据")
        lines.append(obj)
        balance[obj.code] = Decimal(own)
        return obj

    allocations: list[Allocation] = []
    balance: dict[str, Decimal] = {}

    def give(src: FundLine, amount: int, *, to: FundLine | None = None, project: Project | None = None,
             on: dt.date) -> None:
        region = to.region_id if to is not None else project.region_id if project is not None else ""
        amount = min(amount, int(balance[src.code]))  # a line never passes on more than it holds
        if amount <= 0:
            return
        balance[src.code] -= amount
        if to is not None:
            balance[to.code] += amount
        allocations.append(Allocation(source=src, to_line=to, project=project, region_id=region or "",
                                      amount=Decimal(amount), allocated_on=on, document=f"演示〔{year}〕号"))

    central = line(f"{year}-c-special", FundLevel.CENTRAL, FundSource.SPECIAL, "中央财政专项扶贫资金（演示）", None,
                   4_000_000_000)
    prov = line(f"{year}-{province.code}-special", FundLevel.PROVINCIAL, FundSource.SPECIAL,
                f"{province.name}财政专项扶贫资金（演示）", province.code, 60_000_000)
    give(central, 300_000_000, to=prov, on=dt.date(year, 1, 20))
    cities = sorted({c[:4] for c in codes})
    per_city: dict[str, FundLine] = {}
    for c in cities:
        r = Region.objects.get(code=c)
        per_city[c] = line(f"{year}-{c}-special", FundLevel.CITY, FundSource.SPECIAL, f"{r.name}财政专项扶贫资金（演示）",
                           c, 5_000_000)
        give(prov, 40_000_000, to=per_city[c], on=dt.date(year, 2, 15))
    county_lines: dict[str, dict[str, FundLine]] = {}
    for c in codes:
        r = Region.objects.get(code=c)
        county_lines[c] = {"special": line(f"{year}-{c}-special", FundLevel.COUNTY, FundSource.SPECIAL,
                                           f"{r.name}财政专项扶贫资金（演示）", c, 1_000_000)}
        give(per_city[c[:4]], 6_000_000, to=county_lines[c]["special"], on=dt.date(year, 3, 10))
        for source, label, own in ((FundSource.SECTOR, "行业资金", 3_000_000), (FundSource.EAST_WEST, "东西部协作资金", 2_000_000),
                                   (FundSource.PAIRED, "定点帮扶资金", 800_000), (FundSource.SOCIAL, "社会帮扶资金", 300_000)):
            county_lines[c][source] = line(f"{year}-{c}-{source}", FundLevel.COUNTY, source, f"{r.name}{label}（演示）",
                                           c, own)
    # The city's 智慧城市+扶贫 line (seed 004 七(二): 2 million a year) with its three sub-lines.
    first_city = cities[0] if cities else None
    if first_city:
        smart = line(f"{year}-{first_city}-smart", FundLevel.CITY, FundSource.SMART_CITY, "智慧城市+扶贫行动项目资金（演示）",
                     first_city, 2_000_000)
        for i, (name, amount) in enumerate((("网络基础设施配套", 1_000_000), ("贫困户资运费补贴", 600_000),
                                            ("村级电商以奖代补", 400_000))):
            sub = line(f"{year}-{first_city}-smart-{i + 1}", FundLevel.CITY, FundSource.SMART_CITY, name, first_city, 0,
                       parent=smart)
            give(smart, amount, to=sub, on=dt.date(year, 3, 1))
    result.lines = len(lines)

    from fupin.lifecycle.models import Measure
    from fupin.registry.models import Household

    projects: list[Project] = []
    steps: list[ProjectStep] = []
    notices: list[ProjectNotice] = []
    beneficiaries: list[Beneficiary] = []
    villages: list[ProjectVillage] = []
    disbursements: list[Disbursement] = []
    measure_links: dict[int, list[int]] = {}
    n = 0
    for c in codes:
        county = Region.objects.get(code=c)
        township_villages = list(Household.objects.filter(village__code__range=subtree_bounds(c)).values_list(
            "village_id", flat=True).distinct()[:40])
        if not township_villages:
            continue
        for k, ptype in enumerate(list(ProjectType)[:8] * 2):
            n += 1
            stage = ORDER[(k + len(projects) // 16) % len(ORDER)] if k else Stage.IMPLEMENTING
            village = rng.choice(township_villages)
            start = dt.date(year, rng.randint(2, 5), rng.randint(1, 28))
            end = start + dt.timedelta(days=rng.randint(120, 300))
            budget = rng.choice((150_000, 280_000, 450_000, 600_000, 900_000))
            p = Project(code=f"YN{year}-{c}-{k + 1:03d}", name=f"{county.name}{rng.choice(NAMES[ptype])}项目（演示）",
                        year=year, type=ptype, lead_unit=f"{county.name}{LEADS.get(ptype, '扶贫开发办公室')}",
                        region_id=village, budget=Decimal(budget), description="演示数据，纯属虚构",
                        planned_start=start, planned_end=end, stage=stage, synthetic=True,
                        accepted_on=min(end, today) if ORDER.index(stage) >= ORDER.index(Stage.ACCEPTED) else None,
                        performance=rng.choice("优良良中") if stage == Stage.EVALUATED else "")
            projects.append(p)
    Project.objects.bulk_create(projects)
    result.projects = len(projects)
    for p in projects:
        reached = ORDER.index(Stage(p.stage))
        when = dt.datetime.combine(p.planned_start - dt.timedelta(days=40), dt.time(9, tzinfo=dt.UTC))
        before = ""
        for i, s in enumerate(ORDER[:reached + 1]):
            action = ["register", "approve", "notice", "implement", "accept", "evaluate"][i]
            steps.append(ProjectStep(project=p, action=action, username="demo", at=when + dt.timedelta(days=10 * i),
                                     stage_before=before, stage_after=s, note="演示数据"))
            before = s
        if p.stage == Stage.NOTICE:
            notices.append(ProjectNotice(project=p, kind=ProjectNotice.Kind.PROJECT, starts_on=today,
                                         ends_on=today + dt.timedelta(days=9),
                                         text=f"{p.name}，牵头单位：{p.lead_unit}，预算 {p.budget} 元（演示数据）。"))
        villages.append(ProjectVillage(project=p, village_id=p.region_id, benefit="项目所在村"))
        if reached >= ORDER.index(Stage.APPROVED):
            src = county_lines[p.region_id[:6]]
            special = int(p.budget) * 6 // 10
            give(src["special"], special, project=p, on=p.planned_start)
            other = rng.choice([FundSource.SECTOR, FundSource.EAST_WEST, FundSource.PAIRED])
            give(src[other], int(p.budget) - special, project=p, on=p.planned_start + dt.timedelta(days=15))
    Allocation.objects.bulk_create(allocations)
    result.allocations = len(allocations)
    ProjectStep.objects.bulk_create(steps)
    ProjectNotice.objects.bulk_create(notices)
    ProjectVillage.objects.bulk_create(villages)
    # Monthly payments out of implemented projects: some nearly spent, some idle since their first payment.
    for a in allocations:
        if a.project is None:
            continue
        p = a.project
        if ORDER.index(Stage(p.stage)) < ORDER.index(Stage.IMPLEMENTING):
            continue
        share = Decimal(rng.choice((30, 60, 85, 100))) / 100 if p.stage == Stage.IMPLEMENTING else Decimal(1)
        months = rng.randint(2, 6)
        each = (a.amount * share / months).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
        for m in range(months):
            paid_on = min(a.allocated_on + dt.timedelta(days=30 * (m + 1)), today)
            disbursements.append(Disbursement(project=p, line=a.source, region_id=p.region_id,
                                              voucher=f"{p.code}-{a.source_id}-{m + 1:02d}", paid_on=paid_on,
                                              amount=each, payee=rng.choice(PAYEES)))
    Disbursement.objects.bulk_create(disbursements, batch_size=2000)
    result.disbursements = len(disbursements)
    # Fund-use notices (资金使用公示) of the accepted projects, running now.
    given: dict[int, Decimal] = {}
    paid: dict[int, Decimal] = {}
    for a in allocations:
        if a.project is not None:
            given[a.project.pk] = given.get(a.project.pk, Decimal(0)) + a.amount
    for d in disbursements:
        paid[d.project.pk] = paid.get(d.project.pk, Decimal(0)) + d.amount
    ProjectNotice.objects.bulk_create([
        ProjectNotice(project=p, kind=ProjectNotice.Kind.FUNDS, starts_on=today, ends_on=today + dt.timedelta(days=14),
                      text=f"{p.name}：到位资金 {given.get(p.pk, 0)} 元，已支出 {paid.get(p.pk, 0)} 元（演示数据）。")
        for p in projects if p.stage == Stage.ACCEPTED])
    # Beneficiaries: demo households of the project's village with an assistance measure, which names the project.
    for p in projects:
        ms = list(Measure.objects.filter(household__village_id=p.region_id, project__isnull=True)
                  .values_list("pk", "household_id", "description", "funds")[:rng.randint(3, 12)])
        seen: set[int] = set()
        for pk, household_id, description, funds in ms:
            measure_links.setdefault(p.pk, []).append(pk)
            if household_id not in seen:
                seen.add(household_id)
                beneficiaries.append(Beneficiary(project=p, household_id=household_id, benefit=description[:200],
                                                 amount=funds))
    Beneficiary.objects.bulk_create(beneficiaries, batch_size=2000)
    for pk, ids in measure_links.items():
        Measure.objects.filter(pk__in=ids).update(project_id=pk)
    result.beneficiaries = len(beneficiaries)
    # The seeds' plans, with progress reported on some Yunnan tasks.
    counts = services.load_plans(actor=SYSTEM)
    result.tasks = counts["tasks"]
    yunnan = list(Task.objects.filter(plan__code="yunnan-2019-2020").order_by("id"))
    reports = []
    for t in yunnan:
        if int(t.number) % 3 == 0:
            continue  # left without report: overdue on the dispatch list
        done = int(t.number) % 2 == 1
        progress = 100 if done else rng.choice((40, 60, 75))
        reports.append(ProgressReport(task=t, period="2019-Q4", text="（演示）已部署推进，完成阶段性工作。",
                                      progress=min(progress, 50), unit=t.lead_units[0],
                                      figures={"覆盖行政村": str(rng.randint(100, 900))},
                                      reported_at=dt.datetime(2019, 12, 20, 9, tzinfo=dt.UTC)))
        reports.append(ProgressReport(task=t, period="2020-Q4", text="（演示）按计划推进。", progress=progress,
                                      unit=t.lead_units[0], reported_at=dt.datetime(2020, 12, 20, 9, tzinfo=dt.UTC)))
        t.progress = progress
        t.last_report_on = dt.date(2020, 12, 20)
        t.done_on = dt.date(2020, rng.randint(6, 12), 15) if done else None
    ProgressReport.objects.bulk_create(reports)
    Task.objects.bulk_update(yunnan, ["progress", "last_report_on", "done_on"])
    # A dispatch meeting (调度会, seed 002 十五) whose decisions became tasks, one of them overdue.
    if yunnan:
        plan = yunnan[0].plan
        meeting = Meeting.objects.create(plan=plan, held_on=dt.date(2020, 9, 10), title="（演示）第三季度网络扶贫调度会",
                                         minutes="听取各牵头单位进展汇报，研究未通光纤贫困村清零工作。")
        Task.objects.bulk_create([
            Task(plan=plan, number=f"M{meeting.pk}-1", title="怒江州未通光纤贫困村清单化推进", meeting=meeting,
                 text="（演示）对怒江州未通光纤的建档立卡贫困村逐村建立清单，明确完成时限。",
                 lead_units=["省通信管理局"], lead_units_text="省通信管理局", co_units=["怒江州人民政府"], deadline=dt.date(2020, 11, 30)),
            Task(plan=plan, number=f"M{meeting.pk}-2", title="电商服务站运营情况核查", meeting=meeting,
                 text="（演示）核查已建村级电商服务站的运营情况。", lead_units=["省商务厅"], lead_units_text="省商务厅", co_units=["省扶贫办"],
                 deadline=dt.date(2020, 12, 31), progress=100, done_on=dt.date(2020, 12, 10)),
        ])
    audit.record(actor=SYSTEM, action=AuditEvent.Action.BULK, object_type="projects.project", region_code=area,
                 summary=f"demo projects (synthetic): {result}")
    return result


def is_empty() -> bool:
    return not (FundLine.objects.exists() or Project.objects.exists())


def run(*, area: str = "53", if_empty: bool = False, **kw: Any) -> DemoResult:
    if if_empty and not is_empty():
        return DemoResult(skipped=True)
    return generate(area=area, **kw)
