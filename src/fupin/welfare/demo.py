"""Demo data of the welfare platform in a county: donors and the alliance, needs of registered households through
the real services (consent, township review, donations, disbursements, one withdrawn), brand projects, a project the
county published for enterprises, pairings with commitments and quarterly reports."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count

from fupin.core.permissions import SYSTEM
from fupin.core.tree import subtree_bounds
from fupin.regions.models import Region
from fupin.registry.models import Household
from fupin.registry.statuses import REGISTERED_STATUSES
from fupin.welfare import services
from fupin.welfare.models import Commitment, CommitmentKind, Donor, Need, WelfareProject

PERSONS = ["爱心网友小王", "春雨助学志愿者", "山海公益团", "远方的朋友", "一位退休教师", "深圳打工青年"]
ENTERPRISES = ["云岭网络科技有限公司", "彩云数字商务有限公司", "滇西物流集团", "南方电商平台公益基金会"]
STORIES = {
    "school": "家中孩子今年考入县一中，学费、住宿费和生活费一学期约需三千元，家庭收入主要靠种植草果，难以负担。",
    "illness": "家中主要劳动力今年确诊慢性病，需要长期服药和定期复查，医保报销后自付部分仍较多。",
    "housing": "房屋经鉴定为C级危房，屋顶漏雨，需要更换屋面和加固墙体，危房改造补助之外尚有缺口。",
    "asset": "家中想发展中蜂养殖，需要购买蜂箱和蜂种，村里合作社提供技术指导和收购。",
}


class DemoError(Exception):
    pass


@transaction.atomic
def create(county: str = "533301", *, needs: int = 12, seed: int = 17) -> dict[str, int]:
    rng = random.Random(seed)
    lo, hi = subtree_bounds(county)
    # the villages with the most registered households: their surnames are common enough to be shown
    villages = list(Household.objects.filter(village__code__range=(lo, hi), status__in=REGISTERED_STATUSES)
                    .values("village_id").annotate(n=Count("id")).filter(n__gte=5).order_by("-n", "village_id")
                    .values_list("village_id", flat=True)[:6])
    if not villages:
        raise DemoError(f"no village of {county} has 5 registered households; run `fupin demo` first")
    donors = [services.register_donor(actor=SYSTEM, display_name=n, kind=Donor.Kind.PERSON, anonymous=i == 4)
              for i, n in enumerate(PERSONS)]
    region = Region.objects.get(code=county)
    enterprises = [services.register_donor(actor=SYSTEM, display_name=n, kind=Donor.Kind.ENTERPRISE, region=region,
                                           contact="扶贫办对接人", alliance_member=i != 2)
                   for i, n in enumerate(ENTERPRISES)]
    households = list(Household.objects.filter(village_id__in=villages, status__in=REGISTERED_STATUSES)
                      .order_by("village_id", "number")[: needs * 8])
    rng.shuffle(households)
    kinds = list(STORIES)
    today = dt.date(2026, 11, 30)
    created = 0
    for i, h in enumerate(households[:needs]):
        kind = kinds[i % len(kinds)]
        goal = Decimal(rng.choice([2000, 3000, 5000, 8000, 12000]))
        need = services.propose_need(actor=SYSTEM, household=h, kind=kind, story=STORIES[kind], goal=goal,
                                     consent_by="户主本人", consent_on=today - dt.timedelta(days=40 - i),
                                     consent_method=rng.choice(["signed", "thumbprint"]))
        created += 1
        if i == needs - 1:
            continue  # one awaiting the township's review
        try:
            need = services.review_need(actor=SYSTEM, need=need, publish=True)
        except services.WelfareError:  # the family could be recognised (a short notice runs there): stays proposed
            continue
        share = [Decimal("1.0"), Decimal("0.6"), Decimal("0.3"), Decimal("0")][i % 4]
        raised = (goal * share).quantize(Decimal("1"))
        givers = rng.sample(donors + enterprises, k=3)
        for j, donor in enumerate(givers):  # N+1: several donors for one family
            amount = (raised / 3).quantize(Decimal("0.01")) if j < 2 else raised - 2 * (raised / 3).quantize(Decimal("0.01"))
            if amount > 0:
                services.pledge(actor=SYSTEM, donor=donor, need=need, amount=amount)
                services.record_donation(actor=SYSTEM, donor=donor, need=need, amount=amount,
                                         channel=rng.choice(["platform", "bank"]), reference=f"TX2026{need.pk:04d}{j}",
                                         link="https://gongyi.example.org/project/" + str(need.pk) if j == 0 else "",
                                         received_on=today - dt.timedelta(days=20 - j))
        if raised > 0:
            d = services.disburse(actor=SYSTEM, need=need, amount=raised, paid_on=today - dt.timedelta(days=5),
                                  purpose={"school": "学费和住宿费", "illness": "药费", "housing": "建材和人工",
                                           "asset": "蜂箱和蜂种"}[kind], evidence=f"收据 No.{need.pk:05d}")
            services.confirm_disbursement(actor=SYSTEM, disbursement=d, how="户主签字确认")
        if i == needs - 2:
            services.withdraw_consent(actor=SYSTEM, need=need, note="户主不再同意公开")
    projects = [
        services.save_project(actor=SYSTEM, name="春蕾助学·怒江行动", organiser="南方电商平台公益基金会", brand="春蕾计划",
                              kind=WelfareProject.Kind.EDUCATION, region=region, goal=Decimal(300000),
                              starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2027, 2, 28), households_served=120,
                              villages_served=len(villages), description="资助建档立卡家庭初高中学生完成学业，每生每学期一千五百元。",
                              results="第一学期已资助学生 96 名，全部按时到校。"),
        services.save_project(actor=SYSTEM, name="母亲邮包·冬季温暖", organiser="滇西物流集团", brand="母亲邮包",
                              kind=WelfareProject.Kind.GOODS, region=region, goal=Decimal(80000),
                              starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2027, 1, 31), households_served=3,
                              villages_served=2, description="为困难母亲送去冬衣、棉被和日用品。"),
        services.save_project(actor=SYSTEM, name="草果初加工车间", organiser=f"{region.name}人民政府", brand="",
                              kind=WelfareProject.Kind.INDUSTRY, region=region, goal=Decimal(500000),
                              starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2027, 5, 31), households_served=260,
                              villages_served=4, published_by_county=True,
                              description="县里发布的产业项目，欢迎企业认领：建设草果烘干和分拣车间，带动周边农户就业。"),
    ]
    for p in projects:
        services.publish_project(actor=SYSTEM, project=p)
    services.take_up_project(actor=SYSTEM, project=projects[2], donor=enterprises[0])
    # who the student-aid project serves (for the county only; the portal shows the counts)
    for h in households[:6]:
        services.serve(actor=SYSTEM, project=projects[0], household=h)
    for code in villages[:3]:
        services.serve(actor=SYSTEM, project=projects[0], village=Region.objects.get(code=code))
    # a county project published and waiting for an enterprise, and one still in draft (to try publishing)
    services.publish_project(actor=SYSTEM, project=services.save_project(
        actor=SYSTEM, name="电商服务站提升工程", organiser=f"{region.name}商务局", kind=WelfareProject.Kind.INDUSTRY,
        region=region, goal=Decimal(200000), starts_on=dt.date(2027, 1, 1), ends_on=dt.date(2027, 12, 31),
        households_served=180, villages_served=6, published_by_county=True,
        description="县里发布、等待企业认领：为六个行政村的电商服务站配置冷链和直播设备，培训带头人。"))
    services.save_project(actor=SYSTEM, name="山区儿童营养午餐", organiser="春雨助学志愿者协会", brand="营养午餐",
                          kind=WelfareProject.Kind.EDUCATION, region=region, goal=Decimal(60000),
                          starts_on=dt.date(2027, 3, 1), ends_on=dt.date(2027, 7, 15), households_served=40,
                          villages_served=2, description="草稿：为两所村小的学生提供营养午餐。")
    for k, p in enumerate(projects[:2]):
        giver = enterprises[3 - k]
        amount = p.goal * Decimal("0.4")
        services.record_donation(actor=SYSTEM, donor=giver, project=p, amount=amount, channel="platform",
                                 reference=f"PJ2026{p.pk:04d}", received_on=dt.date(2026, 10, 15),
                                 link="https://gongyi.example.org/project/p" + str(p.pk))
        services.disburse(actor=SYSTEM, project=p, amount=amount * Decimal("0.75"), paid_on=dt.date(2026, 11, 10),
                          purpose="第一批资助发放", evidence=f"拨付凭证 PJ-{p.pk:03d}")
    paired = [region, *Region.objects.filter(code__in=villages[:2])]
    for k, (enterprise, place) in enumerate(zip(enterprises, paired, strict=False)):
        pairing = services.save_pairing(
            actor=SYSTEM, enterprise=enterprise, region=place, agreement=f"{enterprise.display_name}与{place.name}结对帮扶协议（2026—2028）",
            signed_on=dt.date(2026, 1, 15), year=2026,
            commitments={CommitmentKind.MONEY: Decimal(200000 - 50000 * k), CommitmentKind.PURCHASE: Decimal(500000),
                         CommitmentKind.JOBS: Decimal(20 + 5 * k), CommitmentKind.TRAINING: Decimal(100)})
        for c in Commitment.objects.filter(pairing=pairing):  # three quarters reported against each commitment
            for q in (1, 2, 3):
                services.report_quarter(actor=SYSTEM, commitment=c, quarter=q,
                                        achieved=(c.target * Decimal(rng.randint(15, 30)) / 100).quantize(Decimal("1")))
    pledges_to_come()
    return {"needs": created, "projects": WelfareProject.objects.count(), "donors": len(donors) + len(enterprises),
            "pairings": len(paired), "public": Need.objects.filter(status__in=Need.PUBLIC_STATUSES).count()}


def pledges_to_come(*, today: dt.date | None = None) -> int:
    """The demo donor account (``attach_donor``) pledged to two published needs and has not transferred yet: one
    pledge of yesterday, one of six weeks ago (late: backdated with an UPDATE, demo only), on its workbench."""
    from django.utils import timezone

    donor = Donor.objects.filter(user__isnull=False, display_name=PERSONS[0]).first()
    if donor is None or donor.pledges.exists():
        return 0
    today = today or timezone.localdate()
    open_needs = list(Need.objects.filter(status=Need.Status.PUBLISHED, consent_withdrawn_at__isnull=True)
                      .exclude(donations__donor=donor).order_by("id")[:2])
    for days, need in zip((1, 42), open_needs, strict=False):
        p = services.pledge(actor=SYSTEM, donor=donor, need=need, amount=Decimal(500 if days == 1 else 1000))
        type(p).objects.filter(pk=p.pk).update(
            created_at=timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time(10))))
    return len(open_needs)


def attach_donor(user: Any) -> Donor:
    """The demo donor account's own donor record (a netizen who gave to two needs)."""
    donor = Donor.objects.filter(user=user).first()
    if donor is None:
        donor = Donor.objects.filter(user__isnull=True, display_name=PERSONS[0]).first()
        if donor is None:
            donor = Donor.objects.create(display_name=PERSONS[0], kind=Donor.Kind.PERSON)
        donor.user = user
        donor.save(update_fields=["user"])
    return donor
