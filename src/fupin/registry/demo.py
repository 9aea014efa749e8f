"""Synthetic demo registry (演示数据，纯属虚构). Households and members over real villages, with ID numbers
whose region, birth date, sex and check digit agree, family structures, causes, incomes and living
conditions drawn from distributions like those of the real registry (DATA.md); nothing here is a real person.

Streaming: households are generated village by village (villages in code order, the number of households per village
drawn at the start) and written every ``chunk`` households — with COPY / executemany into the database, all in one
transaction, or as Parquet files partitioned by province (``to=``) — so memory is bounded by the chunk whatever the
size. The whole nation (``area="all"``) or any set of provinces get households in the shares of the 2014 registered
poor population (``PROVINCE_SHARES``)."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max

from fupin.core import audit
from fupin.core.bulk import copy_rows
from fupin.core.models import AuditEvent
from fupin.core.sql import reset_sequences
from fupin.core.tree import CODE_LENGTH, is_node_code, subtree_bounds
from fupin.regions.models import Level, Region
from fupin.registry import idnumber
from fupin.registry.history import HOUSEHOLD_SKIP, INCOME_SKIP, MEMBER_SKIP, json_value
from fupin.registry.models import Cadre, Household, HouseholdVersion, Income, Member, Source
from fupin.registry.statuses import POOR_STATUSES

NUJIANG = "5333"  # 怒江傈僳族自治州, a 三区三州 prefecture, always part of the Yunnan demo
LAST_YEAR = 2020  # the last year of exits from poverty (the end of the poverty-alleviation campaign)
FIRST_INCOME_YEAR = 2018
CHUNK = 20_000  # households generated and written at a time (memory is bounded by it)


def today() -> dt.date:
    return dt.date.today()


def last_income_year() -> int:
    """Incomes are recorded for every complete year: up to last year."""
    return today().year - 1


# Shares of the nation's households by province: the registered poor population of 2014 (建档立卡, 万人, rounded;
# synthetic data only). The west and centre weigh far more than the east.
PROVINCE_SHARES = {
    "11": 0.5, "12": 1, "13": 320, "14": 269, "15": 114, "21": 126, "22": 80, "23": 111, "31": 0.5, "32": 30,
    "33": 10, "34": 309, "35": 45, "36": 276, "37": 242, "41": 576, "42": 323, "43": 596, "44": 30, "45": 634,
    "46": 48, "50": 166, "51": 625, "52": 623, "53": 574, "54": 72, "61": 350, "62": 417, "63": 52, "64": 45,
    "65": 212,
}

SURNAMES = (
    "李王张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜"
    "戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文和普木"
)
MALE_CHARS = "伟强军勇磊涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林洋东兴文云福贵发成国荣永德海山春生金祥才"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀英玲桂兰萍红梅琴云莲凤花珍燕翠月玉美琼丹萍春香菊华娥妹妮蓉"

# Yunnan (and 怒江) ethnic mix; other provinces mostly Han. Codes of the ``ethnicity`` list.
ETHNIC_MIX = {
    NUJIANG: (("20", 50), ("14", 16), ("01", 12), ("42", 8), ("40", 4), ("51", 2), ("07", 5), ("27", 3)),
    "53": (("01", 55), ("07", 15), ("16", 7), ("14", 5), ("18", 5), ("08", 4), ("06", 4), ("20", 2), ("24", 2), ("21", 1)),
    "": (("01", 90), ("06", 3), ("07", 3), ("08", 2), ("13", 2)),
}
CAUSES = (("01", 40), ("07", 13), ("09", 12), ("08", 8), ("02", 6), ("03", 6), ("11", 5), ("05", 3), ("04", 2),
          ("10", 2), ("06", 1), ("12", 2))
SIZES = ((1, 15), (2, 22), (3, 23), (4, 21), (5, 12), (6, 5), (7, 2))
STATUSES = (("exited", 70), ("poor", 20), ("monitored", 6), ("returned", 2), ("newly_poor", 2))
UNITS = ("县农业农村局", "县教育体育局", "县卫生健康局", "县人力资源和社会保障局", "县住房和城乡建设局", "县交通运输局",
         "县财政局", "县供销合作社", "乡人民政府", "县水务局")


def _pick(rng: random.Random, weighted: tuple[tuple[Any, int], ...]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


class DemoError(Exception):
    """Bad arguments or missing prerequisites; nothing was written."""


@dataclass
class DemoResult:
    area: str
    households: int = 0
    members: int = 0
    incomes: int = 0
    versions: int = 0
    cadres: int = 0
    villages: int = 0
    rural_population: int = 0
    measures: int = 0
    replaced: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class _Person:
    name: str
    sex: str
    birth: dt.date
    relation: str


class _Generator:
    """Names, birth dates and unique ID numbers. The order codes used are remembered per prefecture only (memory
    bounded by the largest prefecture, not the nation): numbers of a prefecture's own region codes take order codes
    0–399; a number issued under another prefecture's code (an old code, ``idnumber.issuing_code``) takes 400–499,
    remembered per province, so the two never meet."""

    def __init__(self, rng: random.Random, taken_ids: set[str]):
        self.rng = rng
        self.taken = taken_ids
        self.sequence: dict[tuple[str, dt.date, str], int] = defaultdict(int)
        self.foreign: dict[tuple[str, dt.date, str], int] = defaultdict(int)
        self.city = ""
        self.today = today()

    def enter(self, village: str) -> None:
        """Households of ``village`` come next (villages in code order)."""
        if village[:4] != self.city:
            if village[:2] != self.city[:2]:
                self.foreign.clear()
            self.city = village[:4]
            self.sequence.clear()

    def name(self, sex: str, surname: str | None = None) -> str:
        rng = self.rng
        pool = MALE_CHARS if sex == "1" else FEMALE_CHARS
        given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
        return (surname or rng.choice(SURNAMES)) + given

    def birth(self, age: int) -> dt.date:
        """A birth date ``age`` years before today (up to a year earlier), never in the future."""
        return self.today - dt.timedelta(days=int(age * 365.25) + self.rng.randrange(365))

    def id_number(self, county: str, birth: dt.date, sex: str) -> str:
        region = idnumber.issuing_code(county, birth.year)
        own = region.startswith(county[:4])
        used, first, last = (self.sequence, 0, 400) if own else (self.foreign, 400, 500)
        while True:
            key = (region, birth, sex)
            seq = used[key] + first
            used[key] += 1
            if seq >= last:  # order codes exhausted for this day: move the birthday by one day
                birth += dt.timedelta(days=1)
                continue
            number = idnumber.make(region, birth, seq, sex)
            if number not in self.taken:
                self.taken.add(number)
                return number

    def family(self, size: int) -> list[_Person]:
        rng = self.rng
        people: list[_Person] = []
        if size == 1:
            sex = "1" if rng.random() < 0.6 else "2"
            age = rng.randint(55, 92) if rng.random() < 0.75 else rng.randint(25, 60)
            return [_Person(self.name(sex), sex, self.birth(age), "01")]
        head_sex = "1" if rng.random() < 0.85 else "2"
        head_age = rng.randint(26, 78)
        surname = rng.choice(SURNAMES)
        people.append(_Person(self.name(head_sex, surname), head_sex, self.birth(head_age), "01"))
        if rng.random() < 0.88:
            sex = "2" if head_sex == "1" else "1"
            age = max(20, head_age + rng.randint(-6, 4))
            people.append(_Person(self.name(sex), sex, self.birth(age), "02"))
        if len(people) < size and head_age > 55 and rng.random() < 0.6:
            # an adult child's family living with the elderly head
            sex = "1" if rng.random() < 0.55 else "2"
            age = head_age - rng.randint(22, 32)
            people.append(_Person(self.name(sex, surname if sex == "1" else None), sex, self.birth(age),
                                  "03" if sex == "1" else "04"))
            if len(people) < size:
                spouse_sex = "2" if sex == "1" else "1"
                people.append(_Person(self.name(spouse_sex), spouse_sex, self.birth(age + rng.randint(-3, 3)),
                                      "05" if spouse_sex == "2" else "06"))
            while len(people) < size:
                csex = "1" if rng.random() < 0.52 else "2"
                people.append(_Person(self.name(csex, surname), csex, self.birth(rng.randint(0, max(0, age - 20))),
                                      "07" if csex == "1" else "08"))
            return people
        if len(people) < size and head_age < 45 and rng.random() < 0.35:
            psex = "1" if rng.random() < 0.4 else "2"
            people.append(_Person(self.name(psex, surname if psex == "1" else None), psex,
                                  self.birth(min(95, head_age + rng.randint(22, 32))), "11" if psex == "1" else "12"))
        while len(people) < size:
            csex = "1" if rng.random() < 0.52 else "2"
            max_age = max(0, min(head_age - 18, 40))
            people.append(_Person(self.name(csex, surname), csex, self.birth(rng.randint(0, max_age)),
                                  "03" if csex == "1" else "04"))
        return people


def provinces_of(area: str) -> list[str]:
    """The provinces named by ``area``: "all" (the nation) or comma-separated province codes; [] for one region."""
    if area in ("all", ""):
        return sorted(PROVINCE_SHARES)
    if "," in area:
        codes = sorted({c.strip() for c in area.split(",") if c.strip()})
        bad = [c for c in codes if c not in PROVINCE_SHARES]
        if bad:
            raise DemoError(f"not province codes: {', '.join(bad)}")
        return codes
    return []


def _village_rows(area: str, provinces: list[str], from_files: bool) -> list[tuple[str, str]]:
    """(code, name) of the area's villages, in code order: from the database, or (``from_files``, for Parquet
    output that needs no database) from the division files ``load_regions`` reads."""
    if from_files:
        import polars as pl
        from django.conf import settings

        frame = pl.read_csv(settings.DIVISIONS_DIR / "villages.csv", columns=["code", "name"],
                            schema_overrides={"code": pl.Utf8, "name": pl.Utf8})
        frame = frame.filter(pl.col("code").str.slice(0, 2).is_in(provinces) if provinces
                             else pl.col("code").str.starts_with(area)).sort("code")
        return list(frame.iter_rows())  # type: ignore[arg-type]
    qs = Region.objects.filter(level=Level.VILLAGE)
    if provinces:
        from django.db.models import Q

        any_of = Q()
        for p in provinces:
            any_of |= Q(code__range=subtree_bounds(p))
        qs = qs.filter(any_of)
    else:
        qs = qs.filter(code__range=subtree_bounds(area))
    return list(qs.order_by("code").values_list("code", "name"))


def _village_counts(area: str, households: int, seed: int, from_files: bool = False) -> tuple[list[str], Any]:
    """The villages (code order) and the number of demo households of each, drawn at once (a multinomial over
    sampling weights): rural villages (村委会) weigh far more than urban communities, one in seven is a poor village
    where households concentrate, 怒江州 is always represented in Yunnan, and across provinces each province gets
    its share of ``PROVINCE_SHARES``."""
    import numpy as np

    provinces = provinces_of(area)
    rows = _village_rows(area, provinces, from_files)
    if not rows:
        raise DemoError(
            f"no villages of {area} are loaded; run `fupin load_regions --province {area[:2]}` first"
        )
    rng = np.random.default_rng(seed)
    codes = [c for c, _ in rows]
    rural = np.fromiter((("村" in n and "社区" not in n) for _, n in rows), bool, len(rows))
    weight = np.where(rural, 1.0, 0.03) * np.where(rural & (rng.random(len(rows)) < 0.15), 12.0, 1.0)
    weight *= np.fromiter((4.0 if c.startswith(NUJIANG) else 1.0 for c in codes), float, len(rows))
    if len(provinces) > 1:
        prov = np.fromiter((int(c[:2]) for c in codes), int, len(rows))
        for p in provinces:
            mask = prov == int(p)
            total = weight[mask].sum()
            if total:
                weight[mask] *= PROVINCE_SHARES[p] / total
    return codes, rng.multinomial(households, weight / weight.sum())


@dataclass(frozen=True)
class DemoBatch:
    """A freshly written chunk of demo households, for the apps above the registry to add their demo data to. Every
    village's households are in one chunk."""

    lo: str  # the code range of the chunk's villages
    hi: str
    seed: int
    now: dt.datetime
    households: list[tuple[Any, ...]]  # rows in HOUSEHOLD_COLUMNS order


# Demo data of the apps above the registry, registered by their AppConfig.ready() (the registry imports none of
# them). Each returns counts by DemoResult field, e.g. {"measures": 812}.
EXTENSIONS: list[Callable[[DemoBatch], dict[str, int]]] = []


def extend(fn: Callable[[DemoBatch], dict[str, int]]) -> Callable[[DemoBatch], dict[str, int]]:
    """Register ``fn`` to add demo data to every generated batch (once, however often it is called)."""
    if fn not in EXTENSIONS:
        EXTENSIONS.append(fn)
    return fn


class _Chunk:
    def __init__(self) -> None:
        self.cadres: list[tuple[Any, ...]] = []
        self.households: list[tuple[Any, ...]] = []
        self.members: list[tuple[Any, ...]] = []
        self.incomes: list[tuple[Any, ...]] = []


class _DatabaseSink:
    """Writes each chunk into the registry tables (COPY / executemany), versions and the extensions' data."""

    def __init__(self, result: DemoResult, seed: int, now: dt.datetime):
        self.result, self.seed, self.now = result, seed, now

    def write(self, chunk: _Chunk) -> None:
        r = self.result
        r.cadres += copy_rows(Cadre._meta.db_table, CADRE_COLUMNS, chunk.cadres)
        r.households += copy_rows(Household._meta.db_table, HOUSEHOLD_COLUMNS, chunk.households)
        r.members += copy_rows(Member._meta.db_table, MEMBER_COLUMNS, chunk.members)
        r.incomes += copy_rows(Income._meta.db_table, INCOME_COLUMNS, chunk.incomes)
        r.versions += copy_rows(HouseholdVersion._meta.db_table, VERSION_COLUMNS,
                                _versions(chunk.households, chunk.members, chunk.incomes, self.now))
        village = HOUSEHOLD_COLUMNS.index("village_id")
        batch = DemoBatch(lo=chunk.households[0][village], hi=chunk.households[-1][village], seed=self.seed + r.households,
                          now=self.now, households=chunk.households)
        for extension in EXTENSIONS:  # the apps above add their part (lifecycle: measures, rural population)
            for name, n in extension(batch).items():
                setattr(r, name, getattr(r, name) + n)

    def close(self) -> None:
        reset_sequences(m._meta.db_table for m in (Cadre, Household, Member, Income, HouseholdVersion))


def arrow_schema(model: Any, columns: tuple[str, ...]) -> Any:
    """The Arrow types of ``model``'s ``columns`` (money as double, times in UTC)."""
    import pyarrow as pa

    out = []
    for c in columns:
        f = model._meta.get_field(c[:-3] if c.endswith("_id") and c != "id" else c)
        f = getattr(f, "target_field", None) or f if f.is_relation else f
        kind = f.get_internal_type()
        t = {"CharField": pa.string(), "TextField": pa.string(), "JSONField": pa.string(), "BooleanField": pa.bool_(),
             "DateField": pa.date32(), "DateTimeField": pa.timestamp("us", tz="UTC"), "DecimalField": pa.float64(),
             "SmallIntegerField": pa.int16(), "PositiveSmallIntegerField": pa.int16()}.get(kind, pa.int64())
        out.append(pa.field(c, t))
    return pa.schema(out)


def generate(
    *,
    households: int,
    area: str = "53",
    seed: int = 2014,
    replace: bool = False,
    actor: Any = None,
    progress: Callable[[str, int], None] | None = None,
    to: Any = None,
    chunk: int | None = None,
    processes: int | None = None,
) -> DemoResult:
    """``households`` demo households over the villages of ``area`` (a region code, "all", or provinces "52,53"),
    written to the database in one transaction (``chunk`` households at a time, default ``CHUNK``), or (``to``: a
    directory) as Parquet partitioned by province by the vectorised generator (``registry.synth``: ``chunk``
    default ``synth.CHUNK``, provinces shared among ``processes``)."""
    if households <= 0:
        raise DemoError(f"--households must be a positive number, not {households}")
    if chunk is not None and chunk <= 0:
        raise DemoError(f"--chunk must be a positive number, not {chunk}")
    provinces = provinces_of(area)
    if not provinces and (not is_node_code(area) or len(area) == CODE_LENGTH):
        raise DemoError(f"{area!r} is not a province, city, county or township code, nor 'all'")
    if to is None and not provinces and not Region.objects.filter(code=area).exists():
        raise DemoError(
            f"region {area} is not loaded (or does not exist); run `fupin load_regions --province {area[:2]}` first"
        )
    started = time.perf_counter()
    say = progress or (lambda _s, _n: None)
    rng = random.Random(seed)
    result = DemoResult(area=area)
    now = dt.datetime.now(dt.UTC)
    if to is not None:
        from fupin.registry import synth

        codes, counts = _village_counts(area, households, seed, from_files=True)
        synth.to_parquet(codes, counts, to, result, seed=seed, chunk=chunk or synth.CHUNK, processes=processes, say=say)
        result.seconds = time.perf_counter() - started
        return result
    bounds = [subtree_bounds(p) for p in provinces] or [subtree_bounds(area)]
    with transaction.atomic():
        existing = sum(Household.objects.filter(village__code__range=b, source=Source.DEMO).count() for b in bounds)
        if existing:
            if not replace:
                raise DemoError(
                    f"demo data already exists in {area} ({existing:,} households); use --replace to regenerate"
                )
            result.replaced = sum(_delete_demo(lo, hi) for lo, hi in bounds)
        codes, counts = _village_counts(area, households, seed)
        taken: set[str] = set()
        for p in provinces or [area[:2]]:
            taken.update(Member.objects.filter(is_active=True, id_number__startswith=p).values_list("id_number", flat=True))
        seq_in_village: dict[str, int] = defaultdict(int)
        for lo, hi in bounds:
            for number in Household.objects.filter(village__code__range=(lo, hi)).values_list("number", flat=True).iterator():
                if len(number) == 17 and number[12:].isdigit():
                    v = number[:12]
                    seq_in_village[v] = max(seq_in_village[v], int(number[12:]))
        sink = _DatabaseSink(result, seed, now)
        _stream(rng, codes, counts, area, taken, (Household.objects.aggregate(m=Max("id"))["m"] or 0) + 1,
                (Member.objects.aggregate(m=Max("id"))["m"] or 0) + 1, (Cadre.objects.aggregate(m=Max("id"))["m"] or 0) + 1,
                seq_in_village, sink, result, say, chunk=chunk or CHUNK, now=now)
        audit.record(
            actor=actor,
            action=AuditEvent.Action.BULK,
            object_type="registry.household",
            region_code=area if not provinces else "",
            summary=f"demo: {result.households} synthetic households in {area} (seed {seed})",
            detail={"households": result.households, "members": result.members, "seed": seed, "replaced": result.replaced},
        )
    result.seconds = time.perf_counter() - started
    return result


def _stream(rng: random.Random, codes: list[str], counts: Any, area: str, taken: set[str], next_household: int,
            next_member: int, next_cadre: int, seq_in_village: dict[str, int], sink: Any, result: DemoResult,
            say: Callable[[str, int], None], *, chunk: int = CHUNK, now: dt.datetime | None = None) -> None:
    """Generate village by village and hand every ``chunk`` households (whole villages) to ``sink``."""
    now = now or dt.datetime.now(dt.UTC)
    gen = _Generator(rng, taken)
    part = _Chunk()
    generating = writing = 0.0
    t0 = time.perf_counter()
    for village, count in zip(codes, counts.tolist(), strict=True):
        if not count:
            continue
        gen.enter(village)
        mix = ETHNIC_MIX.get(village[:4]) or ETHNIC_MIX.get(village[:2], ETHNIC_MIX[""])
        cadre_ids = []
        for _ in range(rng.randint(1, 3)):
            sex = "1" if rng.random() < 0.7 else "2"
            part.cadres.append((next_cadre, gen.name(sex), rng.choice(UNITS),
                                f"1{rng.choice('3589')}{rng.randrange(10**9):09d}", village, Source.DEMO))
            cadre_ids.append(next_cadre)
            next_cadre += 1
        result.villages += 1
        for _ in range(count):
            hid = next_household
            next_household += 1
            seq_in_village[village] = seq = seq_in_village.get(village, 0) + 1
            hh, members, incomes = _household(rng, gen, hid, village, seq, mix, rng.choice(cadre_ids), now)
            part.households.append(hh)
            for m in members:
                part.members.append((next_member, hid, *m))
                next_member += 1
            part.incomes.extend(incomes)
        if len(part.households) >= chunk:
            t1 = time.perf_counter()
            generating += t1 - t0
            sink.write(part)
            t0 = time.perf_counter()
            writing += t0 - t1
            part = _Chunk()
            say("written", result.households)
    generating += time.perf_counter() - t0
    t1 = time.perf_counter()
    if part.households:
        sink.write(part)
    sink.close()
    writing += time.perf_counter() - t1
    say("written", result.households)
    result.timings["generate"] = generating
    result.timings["write"] = writing


def _delete_demo(lo: str, hi: str) -> int:
    demo = Household.objects.filter(village__code__range=(lo, hi), source=Source.DEMO)
    n = demo.count()
    HouseholdVersion.objects.filter(household__in=demo).delete()
    Income.objects.filter(household__in=demo).delete()
    Member.objects.filter(household__in=demo).delete()
    demo.delete()
    Cadre.objects.filter(region__code__range=(lo, hi), source=Source.DEMO).delete()
    return n


CADRE_COLUMNS = ("id", "name", "unit", "phone", "region_id", "source")
HOUSEHOLD_COLUMNS = (
    "id", "number", "village_id", "status", "standard", "attribute", "main_cause", "other_causes", "phone",
    "bank_name", "bank_account", "is_military_family", "is_only_child", "is_two_daughters", "identified_year",
    "exit_year", "cadre_id", "cultivated_land", "irrigated_land", "forest_land", "has_production_power",
    "has_living_power", "has_radio_tv", "has_broadband", "road_distance_km", "road_type", "housing_area",
    "housing_safety", "water_difficult", "water_safe", "fuel_type", "has_sanitary_toilet", "in_cooperative",
    "source", "created_at", "updated_at", "latest_income_year", "latest_per_capita",
)
MEMBER_COLUMNS = (
    "id", "household_id", "name", "id_type", "id_number", "sex", "birth_date", "relation", "ethnicity", "political",
    "education", "schooling", "health", "disability_category", "disability_grade", "labour_skill", "work_location",
    "work_months", "welfare_job_months", "speaks_mandarin", "has_medical_insurance",
    "has_serious_illness_insurance", "has_pension_insurance", "receives_dibao", "receives_tekun", "is_active",
)
INCOME_COLUMNS = (
    "household_id", "year", "household_size", "wage_welfare_job", "wage_other", "business", "property_dividend",
    "property_other", "transfer_family_planning", "transfer_dibao", "transfer_tekun", "transfer_pension",
    "transfer_ecological", "transfer_other", "reward", "business_expense",
)


def _age(birth: dt.date) -> int:
    return today().year - birth.year


def _household(
    rng: random.Random, gen: _Generator, hid: int, village: str, seq: int, mix: tuple[tuple[str, int], ...],
    cadre_id: int, now: dt.datetime,
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    status = _pick(rng, STATUSES)
    size = _pick(rng, SIZES)
    people = gen.family(size)
    cause = _pick(rng, CAUSES)
    others = sorted({_pick(rng, CAUSES) for _ in range(rng.choice((0, 1, 1, 2)))} - {cause})
    identified = _pick(rng, ((2014, 70), (2015, 10), (2016, 10), (2017, 4), (2018, 3), (2019, 3)))
    if status == "newly_poor":
        identified = 2020
    exit_year = None
    if status in ("exited", "monitored", "returned"):
        exit_year = max(identified + 1, _pick(rng, ((2016, 12), (2017, 22), (2018, 28), (2019, 30), (2020, 8))))
        exit_year = min(exit_year, LAST_YEAR)
    kind = _pick(rng, (("01", 68), ("02", 27), ("03", 5)))
    exited = status in ("exited", "monitored")
    attribute = {"01": "05", "02": "06", "03": "07"}[kind] if exited else kind
    if status == "monitored":
        attribute = "08"
    ethnicity = _pick(rng, mix)
    county = village[:6]

    members: list[tuple[Any, ...]] = []
    sick_planted = cause != "01"
    disabled_planted = cause != "02"
    student_planted = cause != "03"
    workers = 0
    for idx, p in enumerate(people):
        age = _age(p.birth)
        health = _pick(rng, (("01", 76), ("02", 12), ("03", 5), ("04", 7))) if age >= 16 else "01"
        if not sick_planted and (age >= 30 or idx == len(people) - 1):
            health, sick_planted = rng.choice(("02", "03")), True
        if not disabled_planted and (age >= 16 or idx == len(people) - 1):
            health, disabled_planted = "04", True
        dis_cat = str(rng.randint(1, 7)).zfill(2) if health == "04" else ""
        dis_grade = str(rng.randint(1, 4)).zfill(2) if health == "04" else ""
        schooling = "01"
        if age < 3:
            schooling = "02"
        elif age < 6:
            schooling = "03"
        elif age < 12:
            schooling = "04"
        elif age < 15:
            schooling = "05"
        elif age < 19 and rng.random() < 0.75:
            schooling = _pick(rng, (("06", 55), ("07", 45)))
        elif age < 23 and rng.random() < (0.9 if not student_planted else 0.2):
            schooling = _pick(rng, (("08", 50), ("10", 40), ("09", 10)))
        if schooling in ("04", "05", "06", "07", "08", "09", "10"):
            student_planted = True
        education = ""
        if age >= 16 and schooling == "01":
            education = _pick(rng, (("01", 12), ("02", 38), ("03", 36), ("04", 9), ("05", 3), ("06", 2)) if age < 50
                              else (("01", 40), ("02", 45), ("03", 13), ("04", 2)))
        if age < 16 or schooling != "01":
            labour = "05"
        elif health == "03" or (health == "04" and dis_grade in ("01", "02")) or age >= 70:
            labour = "04"
        elif health in ("02", "04") or age >= 60:
            labour = "03"
        else:
            labour = "02" if rng.random() < 0.12 else "01"
        work_location, work_months, welfare_months = "", 0, 0
        if labour in ("01", "02") and rng.random() < 0.55:
            work_location = _pick(rng, (("01", 25), ("02", 25), ("03", 30), ("04", 20)))
            work_months = rng.randint(3, 12)
            workers += 1
        elif labour in ("01", "02", "03") and rng.random() < 0.12:
            welfare_months = 12
            workers += 1
        dibao = kind == "02" and rng.random() < 0.9
        tekun = kind == "03"
        political = "01" if age > 30 and rng.random() < 0.04 else ("03" if 14 <= age <= 28 and rng.random() < 0.3 else "05")
        members.append((
            p.name, "1", gen.id_number(county, p.birth, p.sex), p.sex, p.birth, p.relation, ethnicity, political,
            education, schooling, health, dis_cat, dis_grade, labour, work_location, work_months, welfare_months,
            age < 60 or rng.random() < 0.6, rng.random() < 0.995, rng.random() < 0.9,
            age >= 16 and schooling == "01" and rng.random() < 0.88, dibao, tekun, True,
        ))

    # Income: per-capita net income around a level that depends on the status, growing yearly.
    base = {"exited": 7200, "monitored": 5600, "returned": 3300, "poor": 3400, "newly_poor": 3100}[status]
    per_capita_2020 = max(900.0, rng.lognormvariate(0, 0.35) * base)
    # After 2020 the incomes of exited households go on growing; the others' stay about where they were.
    growth = 1.07 if status == "exited" else 1.0
    incomes = []
    last = last_income_year()
    for year in range(FIRST_INCOME_YEAR, last + 1):
        if year < identified:
            continue
        pc = per_capita_2020 / (1.11 ** (LAST_YEAR - year)) if year <= LAST_YEAR else (
            per_capita_2020 * growth ** (year - LAST_YEAR))
        if status == "returned" and year < last:
            pc *= 1.6  # income fell in the last year: the return to poverty
        total = pc * size
        shares = {
            "wage_other": 0.45 if workers else 0.05,
            "wage_welfare_job": 0.08 if workers else 0.0,
            "business": 0.25,
            "property_dividend": 0.03,
            "transfer_dibao": 0.12 if kind == "02" else 0.0,
            "transfer_tekun": 0.25 if kind == "03" else 0.0,
            "transfer_pension": 0.06,
            "transfer_ecological": 0.04,
            "transfer_other": 0.03,
            "reward": 0.02,
        }
        scale = sum(shares.values())
        expense = total * 0.18 * shares["business"] / scale
        values = {k: round(Decimal(total * v / scale + (expense if k == "business" else 0)), 2) for k, v in shares.items()}
        incomes.append((
            hid, year, size, values["wage_welfare_job"], values["wage_other"], values["business"],
            values["property_dividend"], Decimal(0), Decimal(0), values["transfer_dibao"], values["transfer_tekun"],
            values["transfer_pension"], values["transfer_ecological"], values["transfer_other"], values["reward"],
            round(Decimal(expense), 2),
        ))

    poor_now = status in POOR_STATUSES
    housing = _pick(rng, (("A", 45), ("B", 43), ("C", 9), ("D", 3))) if poor_now else _pick(rng, (("A", 55), ("B", 45)))
    water_safe = rng.random() < (0.85 if poor_now else 0.995)
    land = round(Decimal(rng.uniform(0.3, 8.0)), 2)
    household = (
        hid, f"{village}{seq:05d}", village, status, "01" if rng.random() < 0.95 else "02", attribute, cause,
        _json_list(others), f"1{rng.choice('3589')}{rng.randrange(10**9):09d}", rng.choice(("农村信用社", "农业银行", "邮储银行")),
        f"6{rng.randrange(10**17):017d}", rng.random() < 0.02, rng.random() < 0.03, rng.random() < 0.02, identified,
        exit_year, cadre_id, land, round(land * Decimal(rng.uniform(0, 0.6)), 2),
        round(Decimal(rng.uniform(0, 20)), 2), rng.random() < 0.97, True, rng.random() < 0.97,
        rng.random() < (0.25 if poor_now else 0.45), round(Decimal(rng.uniform(0, 3)), 1),
        _pick(rng, (("01", 70), ("02", 20), ("03", 10))), round(Decimal(rng.uniform(25, 140)), 1), housing,
        not water_safe and rng.random() < 0.6, water_safe, _pick(rng, (("01", 55), ("03", 30), ("04", 8), ("05", 4), ("02", 3))),
        rng.random() < 0.55, rng.random() < 0.4, Source.DEMO, now, now, *_latest(incomes),
    )
    return household, members, incomes


VERSION_COLUMNS = ("household_id", "valid_from", "recorded_at", "kind", "username", "reason", "snapshot", "changes")


def _row_dict(columns: tuple[str, ...], row: tuple[Any, ...], skip: set[str]) -> dict[str, Any]:
    return {c: json_value(v) for c, v in zip(columns, row, strict=True) if c not in skip}


def _versions(
    hh_rows: list[tuple[Any, ...]], member_rows: list[tuple[Any, ...]], income_rows: list[tuple[Any, ...]],
    now: dt.datetime,
) -> Iterator[tuple[Any, ...]]:
    """One version per synthetic household: its current dossier, valid from its last lifecycle event, in the
    same structure as ``history.snapshot`` (a test checks that)."""
    h_skip = {c for c in HOUSEHOLD_COLUMNS if c in HOUSEHOLD_SKIP or c in ("id", "created_at", "updated_at")}
    m_skip = {"id", "household_id"} | MEMBER_SKIP
    i_skip = {"household_id"} | INCOME_SKIP
    members: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in member_rows:
        members[row[1]].append(_row_dict(MEMBER_COLUMNS, row, m_skip))
    incomes: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in income_rows:
        incomes[row[0]].append(_row_dict(INCOME_COLUMNS, row, i_skip))
    status_at = HOUSEHOLD_COLUMNS.index("status")
    year_at = HOUSEHOLD_COLUMNS.index("identified_year")
    exit_at = HOUSEHOLD_COLUMNS.index("exit_year")
    causes_at = HOUSEHOLD_COLUMNS.index("other_causes")
    for row in hh_rows:
        hid, status = row[0], row[status_at]
        household = _row_dict(HOUSEHOLD_COLUMNS, row, h_skip)
        household["other_causes"] = json.loads(row[causes_at])
        if status in ("returned", "monitored"):
            valid = dt.date(2020, 6, 30)
        elif row[exit_at]:
            valid = dt.date(row[exit_at], 12, 1)
        else:
            valid = dt.date(row[year_at], 3, 1)
        snap = {"household": household, "members": members[hid], "incomes": incomes[hid]}
        yield (hid, valid, now, HouseholdVersion.Kind.CREATE, "demo", "演示数据（合成） / synthetic demo data",
               json.dumps(snap, ensure_ascii=False), "[]")


def _latest(incomes: list[tuple[Any, ...]]) -> tuple[int | None, Decimal | None]:
    """The latest year's per-capita net income, as services.refresh_latest_income computes it."""
    if not incomes:
        return None, None
    row = incomes[-1]
    net = sum(row[3:15], Decimal(0)) - row[15]
    return row[1], (net / row[2]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _json_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{i}"' for i in items) + "]"
