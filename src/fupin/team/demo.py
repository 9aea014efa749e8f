"""Synthetic team data (演示数据，纯属虚构) for the villages of an area that have demo households: for every poor
village (every village with households when none is flagged poor) a first secretary (with a predecessor rotated out
in 2021 for a third of them), a work team (leader and member) and a village leader; visits of the households'
responsible cadres over the last six months; per county a training of each topic with attendance (team members and
registered persons, e-commerce trainees at the three levels), certificates and follow-ups of the trainees. Schools
with their kind and remote classrooms and clinics with telemedicine come with the facilities of
``connectivity.demo``. Deterministic for a seed; bulk writes in one transaction, visits by INSERT … SELECT."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from fupin.core.scoping import Scope
from fupin.core.sql import date_param, reset_sequences
from fupin.core.tree import subtree_bounds
from fupin.regions.models import Region
from fupin.registry import idnumber
from fupin.registry.models import Cadre, CadreKind, Household, Member, Source
from fupin.registry.statuses import REGISTERED_STATUSES
from fupin.team.models import (
    Attendance,
    FollowUp,
    Posting,
    PostingRole,
    Training,
    TrainingMode,
    TrainingTopic,
    Visit,
)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国志强丽华伟明海燕文军玉兰春梅晓东德才云峰秀英永福"
UNITS = ("省委组织部", "州委宣传部", "市扶贫办", "县农业农村局", "县教育体育局", "县卫生健康局", "县供销社", "县商务局",
         "中国电信云南分公司", "县人民医院")
FINDINGS = ("家中住房安全，饮水正常，务工收入稳定", "户主腿伤未愈，已联系乡卫生院随访", "子女在校就读，享受雨露计划补助",
            "草果已采收，联系示范网店收购", "宽带已入户，指导使用手机网购和缴费", "宣讲产业奖补政策，登记发展意愿")
TRAININGS = ((TrainingTopic.NETWORK, "网络扶贫带头人能力提升培训", TrainingMode.OFFLINE, Decimal("16")),
             (TrainingTopic.ECOMMERCE, "农村电商实操培训（直播带货）", TrainingMode.OFFLINE, Decimal("24")),
             (TrainingTopic.YULU, "雨露计划职业技能培训", TrainingMode.OFFLINE, Decimal("40")),
             (TrainingTopic.PARTY, "农村党员远程教育专题学习", TrainingMode.ONLINE, Decimal("4")))


@dataclass
class DemoResult:
    villages: int = 0
    cadres: int = 0
    postings: int = 0
    visits: int = 0
    trainings: int = 0
    attendance: int = 0
    follow_ups: int = 0
    skipped: bool = False
    seconds: float = 0.0


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max((end - start).days, 1)))


@transaction.atomic
def generate(*, area: str = "53", seed: int = 1, if_empty: bool = False) -> DemoResult:
    started = time.perf_counter()
    result = DemoResult()
    lo, hi = subtree_bounds(area)
    if if_empty and Posting.objects.filter(region__code__range=(lo, hi)).exists():
        result.skipped = True
        return result
    rng = random.Random(seed)
    today = timezone.localdate()
    with_households = sorted(set(Household.objects.filter(village__code__range=(lo, hi))
                                 .values_list("village_id", flat=True)))
    poor = set(Region.objects.filter(code__in=with_households, is_poor_village=True).values_list("code", flat=True))
    villages = [v for v in with_households if v in poor] or with_households
    result.villages = len(villages)
    taken = set(Cadre.objects.exclude(id_number="").values_list("id_number", flat=True))

    def person(county: str) -> str:
        while True:
            birth = dt.date(rng.randint(1965, 1998), rng.randint(1, 12), rng.randint(1, 28))
            number = idnumber.make(idnumber.issuing_code(county, birth.year), birth, rng.randrange(400), "1"
                                   if rng.random() < 0.7 else "2")
            if number not in taken:
                taken.add(number)
                return number

    # Person records and postings: built in memory, written with bulk_create (ids come back on both databases).
    plan: list[tuple[Cadre, str, str, dt.date, dt.date | None]] = []
    for village in villages:
        county = village[:6]
        start = _day(rng, dt.date(2018, 1, 1), dt.date(2021, 6, 30))
        roles = [(CadreKind.FIRST_SECRETARY, PostingRole.FIRST_SECRETARY), (CadreKind.WORK_TEAM, PostingRole.TEAM_LEADER),
                 (CadreKind.WORK_TEAM, PostingRole.TEAM_MEMBER),
                 (rng.choice((CadreKind.RICH_LEADER, CadreKind.NETWORK_LEADER)), PostingRole.VILLAGE_LEADER)]
        rotated = rng.random() < 0.33
        for kind, role in roles:
            begin = dt.date(2021, 5, 1) if rotated and role == PostingRole.FIRST_SECRETARY else start
            unit = "村民委员会" if role == PostingRole.VILLAGE_LEADER else rng.choice(UNITS)
            c = Cadre(name=_name(rng), unit=unit, phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                      region_id=village, source=Source.DEMO, id_number=person(county), kind=kind, start_date=begin)
            plan.append((c, village, role, begin, None))
            if rotated and role == PostingRole.FIRST_SECRETARY:  # the predecessor, rotated out
                old = Cadre(name=_name(rng), unit=rng.choice(UNITS), phone="", region_id=village, source=Source.DEMO,
                            id_number=person(county), kind=kind, start_date=dt.date(2018, 3, 1),
                            end_date=dt.date(2021, 5, 1))
                plan.append((old, village, role, dt.date(2018, 3, 1), dt.date(2021, 5, 1)))
    Cadre.objects.bulk_create([p[0] for p in plan], batch_size=2000)
    Posting.objects.bulk_create(
        [Posting(cadre=c, region_id=v, role=role, start_date=s, end_date=e, end_reason="轮换" if e else "")
         for c, v, role, s, e in plan], batch_size=2000)
    result.cadres = result.postings = len(plan)

    # Visits: for the households with a responsible cadre, one visit in each of the last six months for most.
    now = timezone.now()
    before = Visit.objects.count()
    with connection.cursor() as cur:
        for months_ago in range(6):
            year, month = today.year, today.month - months_ago
            while month <= 0:
                year, month = year - 1, month + 12
            day = min(dt.date(year, month, 1) + dt.timedelta(days=rng.randrange(20)), today)
            cur.execute(
                f"INSERT INTO {Visit._meta.db_table} (cadre_id, household_id, visited_on, findings, created_at) "
                f"SELECT h.cadre_id, h.id, %s, %s, %s FROM {Household._meta.db_table} h WHERE h.cadre_id IS NOT NULL "
                f"AND h.village_id BETWEEN %s AND %s AND h.status IN ({', '.join(['%s'] * len(REGISTERED_STATUSES))}) "
                f"AND (h.id + %s) %% 4 <> 0",
                [date_param(day), FINDINGS[months_ago % len(FINDINGS)], connection.ops.adapt_datetimefield_value(now),
                 lo, hi, *REGISTERED_STATUSES, months_ago],
            )
    result.visits = Visit.objects.count() - before

    # Training: per county one event of each topic; team members at the network training, registered persons at
    # the others (e-commerce trainees at the three levels of 004 四(三)).
    by_county: dict[str, list[str]] = {}
    for v in villages:
        by_county.setdefault(v[:6], []).append(v)
    team_of: dict[str, list[Cadre]] = {}
    for c, v, _role, _s, e in plan:
        if e is None:
            team_of.setdefault(v, []).append(c)
    rows: list[Attendance] = []
    for n, (county, county_villages) in enumerate(sorted(by_county.items())):
        name = Region.objects.filter(code=county).values_list("name", flat=True).first() or county
        year = 2020 + n % 6  # the counties' trainings spread over 2020–2025
        for topic, title, mode, hours in TRAININGS:
            organiser = f"{name}{'商务局' if topic == TrainingTopic.ECOMMERCE else '委组织部'}"
            t = Training.objects.create(title=f"{name}{title}", organiser=organiser, region_id=county, topic=topic,
                                        mode=mode, hours=hours,
                                        starts_on=_day(rng, dt.date(year, 3, 1), dt.date(year, 10, 31)))
            result.trainings += 1
            for v in county_villages:
                if topic == TrainingTopic.NETWORK:
                    rows += [Attendance(training=t, village_id=v, name=c.name, id_number=c.id_number, cadre=c,
                                        certificate=f"T{t.pk}-{c.pk}") for c in team_of.get(v, [])]
                    continue
                people = list(Member.objects.filter(household__village_id=v, is_active=True,
                                                     birth_date__lte=dt.date(2004, 1, 1))
                              .values_list("id", "name", "id_number")[: 14 if topic == TrainingTopic.ECOMMERCE else 4])
                for i, (mid, mname, number) in enumerate(people):
                    level = ("senior" if i == 0 else "practitioner" if i < 9 else "trained") \
                        if topic == TrainingTopic.ECOMMERCE and rng.random() < 0.8 else "trained"
                    rows.append(Attendance(training=t, village_id=v, name=mname, id_number=number, member_id=mid,
                                           level=level, outcome=rng.choice(("", "外出务工", "开设网店", "返乡创业"))
                                           if topic == TrainingTopic.ECOMMERCE else "",
                                           certificate=f"{'DS' if topic == TrainingTopic.ECOMMERCE else 'YL'}"
                                           f"{t.starts_on:%Y}-{t.pk}-{len(rows) + 1:06d}"
                                           if topic in (TrainingTopic.ECOMMERCE, TrainingTopic.YULU) else ""))
    Attendance.objects.bulk_create(rows, batch_size=5000)
    result.attendance = len(rows)

    # Follow-ups (学员跟踪回访) of the e-commerce trainees with an outcome: a first a few months after the training and
    # a later one with the trainee's outcome (one only, with the outcome, when the later day is still to come).
    follow: list[FollowUp] = []
    for a in rows:
        if not a.outcome or a.pk is None:
            continue
        first = a.training.starts_on + dt.timedelta(days=rng.randrange(60, 150))
        if first > today:
            continue
        second = first + dt.timedelta(days=rng.randrange(90, 240))
        if second <= today:
            follow.append(FollowUp(attendance_id=a.pk, visited_on=first, outcome="跟踪了解，正在落实",
                                   note=rng.choice(("已联系乡镇人社所", "参加了县里的电商对接会", "家人支持"))))
        follow.append(FollowUp(attendance_id=a.pk, visited_on=second if second <= today else first, outcome=a.outcome,
                               note=rng.choice(("月收入约3000元", "网店月销百余单", "带动邻户两户", ""))))
    FollowUp.objects.bulk_create(follow, batch_size=5000)
    result.follow_ups = len(follow)

    reset_sequences(m._meta.db_table for m in (Visit,))
    result.seconds = time.perf_counter() - started
    return result


def attach_cadre(user: Any, village_code: str) -> Cadre | None:
    """Give a demo user the person record of a responsible cadre with households in (or near) a village."""
    from fupin.registry.models import Cadre as CadreModel

    county = Scope(village_code[:6]).q("households__village__code")
    cadre = (CadreModel.objects.filter(households__village_id=village_code).distinct().order_by("id").first()
             or CadreModel.objects.filter(county).order_by("id").first())
    if cadre is None:
        return None
    CadreModel.objects.filter(user=user).exclude(pk=cadre.pk).update(user=None)
    cadre.user = user
    cadre.save(update_fields=["user"])
    return cadre
