"""Synthetic department batches over the registry, with planted cases (演示数据，纯属虚构).

Every batch agrees with the registry except for ``planted`` persons per rule, so a comparison must
find exactly those: the test of the rules and the demo of the verification pages. The batches also
carry people who are not in the registry (departments serve everyone), which must raise nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from fupin.core.permissions import SYSTEM
from fupin.exchange import services, snapshot
from fupin.exchange.models import Batch
from fupin.registry import idnumber


@dataclass
class DemoBatches:
    expected: dict[str, int] = field(default_factory=dict)
    batches: dict[str, int] = field(default_factory=dict)  # dataset → rows
    planted: dict[str, list[str]] = field(default_factory=dict)  # rule → ID numbers


def _outsiders(rng: random.Random, n: int, taken: set[str]) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 60))
        number = idnumber.make("530102", birth, rng.randrange(400), rng.choice("12"))
        if number not in taken:
            taken.add(number)
            out.append(number)
    return out


def generate(*, as_of: dt.date, planted: int = 5, seed: int = 7, actor: Any = SYSTEM, region_code: str = "") -> DemoBatches:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "persons.parquet"
        snapshot.export_persons(path, as_of)
        persons = pl.read_parquet(path).sort("member_id")
    rules = services.ensure_rules()
    p_line = float(rules["DIBAO_MISSING"].params.get("income_line", 4500))
    min_age = int(rules["DROPOUT"].params.get("min_age", 7))
    max_age = int(rules["DROPOUT"].params.get("max_age", 15))
    min_capital = float(rules["COMPANY"].params.get("min_capital", 100000))
    max_area = float(rules["PROPERTY"].params.get("max_residential_area", 300))
    min_oop = float(rules["MEDICAL_EXPENSE"].params.get("min_out_of_pocket", 10000))
    ids: list[str] = persons["id_number"].to_list()
    taken = set(ids)
    out = DemoBatches()

    def pick(rule: str, frame: pl.DataFrame, k: int | None = None) -> list[str]:
        pool = sorted(frame["id_number"].unique().to_list())
        chosen = rng.sample(pool, min(k if k is not None else planted, len(pool)))
        out.planted[rule] = chosen
        out.expected[rule] = len(chosen)
        return chosen

    def noise(k: int) -> list[str]:
        return _outsiders(rng, k, taken)

    frames: dict[str, pl.DataFrame] = {}

    # 公安户籍: one hukou per registry household, the head is the hukou head; planted members sit in another's hukou.
    hukou = persons.select("id_number", hukou_no=pl.lit("H") + pl.col("household_number"),
                           is_hukou_head=pl.when(pl.col("relation") == "01").then(pl.lit("1")).otherwise(pl.lit("0")),
                           household_id="household_id")
    heads = hukou.filter(pl.col("is_hukou_head") == "1")
    movable = persons.filter(pl.col("relation") != "01").unique("household_id", keep="first")
    moved = pick("DUPLICATE", movable)
    head_hukous = sorted(heads["hukou_no"].to_list())
    own = dict(zip(hukou["id_number"].to_list(), hukou["hukou_no"].to_list(), strict=True))
    new_hukou = {}
    for pid in moved:
        target = rng.choice(head_hukous)
        while target == own[pid]:
            target = rng.choice(head_hukous)
        new_hukou[pid] = target
    if new_hukou:
        hukou = hukou.with_columns(
            hukou_no=pl.col("id_number").replace_strict(new_hukou, default=pl.col("hukou_no"), return_dtype=pl.Utf8))
    extra = noise(50)
    frames["ps_household"] = pl.concat([
        hukou.select("id_number", "hukou_no", "is_hukou_head"),
        pl.DataFrame({"id_number": extra, "hukou_no": [f"X{i:06d}" for i in range(len(extra))],
                      "is_hukou_head": ["1"] * len(extra)}),
    ])

    dead = pick("DECEASED", persons)
    frames["ps_death"] = pl.DataFrame({"id_number": dead + noise(20),
                                       "death_date": [(as_of - dt.timedelta(days=rng.randrange(30, 300))).isoformat()
                                                      for _ in range(len(dead) + 20)]})

    dibao = persons.filter(pl.col("receives_dibao"))
    missing = set(pick("DIBAO_MISSING", dibao.filter(pl.col("per_capita") <= p_line)))
    unrecorded = pick("DIBAO_UNRECORDED", persons.filter(~pl.col("receives_dibao")))
    listed = [i for i in dibao["id_number"].to_list() if i not in missing] + unrecorded + noise(30)
    frames["ca_dibao"] = pl.DataFrame({"id_number": listed, "start_date": ["2019-01-01"] * len(listed),
                                       "monthly_amount": ["300"] * len(listed)})
    tekun = persons.filter(pl.col("receives_tekun"))["id_number"].to_list() + noise(5)
    frames["ca_tekun"] = pl.DataFrame({"id_number": tekun, "start_date": ["2018-07-01"] * len(tekun)})

    school = persons.filter(pl.col("age").is_between(min_age, max_age))
    absent = pick("DROPOUT", school)
    dropped = set(absent[: len(absent) // 2])  # half listed as dropouts, half not found at all
    enrolled = [i for i in school["id_number"].to_list() if i not in absent]
    older = persons.filter(pl.col("age").is_between(max_age + 1, max_age + 4))["id_number"].to_list()
    edu_ids = enrolled + sorted(dropped) + older + noise(30)
    edu_status = ["enrolled"] * len(enrolled) + ["dropout"] * len(dropped) + ["graduated"] * len(older) + ["enrolled"] * 30
    frames["edu_enrolment"] = pl.DataFrame({"id_number": edu_ids, "school": ["演示学校"] * len(edu_ids),
                                            "status": edu_status})

    uninsured = set(pick("NO_MEDICAL_INSURANCE", persons))
    insured = [i for i in ids if i not in uninsured] + noise(50)
    frames["medical_insurance"] = pl.DataFrame({"id_number": insured, "scheme": ["resident"] * len(insured),
                                                "year": [str(as_of.year)] * len(insured)})

    no_cert = set(pick("DISABLED_NO_CERT", persons.filter(pl.col("health") == "04")))
    certified = [i for i in persons.filter(pl.col("health") == "04")["id_number"].to_list() if i not in no_cert]
    certified += noise(10)
    frames["disability_cert"] = pl.DataFrame({
        "id_number": certified, "certificate_no": [f"C{i:08d}" for i in range(len(certified))],
        "category": [str(rng.randint(1, 7)) for _ in certified], "grade": [str(rng.randint(1, 4)) for _ in certified]})

    heavy = pick("MEDICAL_EXPENSE", persons)
    light = [i for i in ids if i not in set(heavy) and rng.random() < 0.3]
    exp_ids = heavy + light + noise(20)
    oop = [round(min_oop + rng.uniform(1000, 40000)) for _ in heavy] + [round(rng.uniform(0, min_oop * 0.9))
                                                                          for _ in light]
    oop += [round(min_oop * 3)] * 20
    frames["medical_expense"] = pl.DataFrame({"id_number": exp_ids, "year": [str(as_of.year - 1)] * len(exp_ids),
                                              "total_cost": [str(v * 3) for v in oop], "out_of_pocket": [str(v) for v in oop]})

    cars = pick("VEHICLE", persons)
    bikes = [i for i in ids if i not in set(cars) and rng.random() < 0.05]
    vehicle_ids = cars + bikes + noise(30)
    vtypes = [rng.choice("KH") for _ in cars] + [rng.choice("MNT") for _ in bikes] + ["K"] * 30
    frames["vehicles"] = pl.DataFrame({"id_number": vehicle_ids, "plate": [f"云Q{i:05d}" for i in range(len(vehicle_ids))],
                                       "vehicle_type": vtypes, "registered_on": ["2019-05-01"] * len(vehicle_ids)})

    owners = pick("COMPANY", persons)
    small = [i for i in ids if i not in set(owners) and rng.random() < 0.02]
    biz_ids = owners + small + noise(20)
    frames["market_business"] = pl.DataFrame({
        "id_number": biz_ids, "credit_code": [f"92530000MA{i:08d}" for i in range(len(biz_ids))],
        "company_name": [f"演示商贸有限公司{i}" for i in range(len(biz_ids))],
        "role": ["legal"] * len(owners) + [rng.choice(("sole", "legal")) for _ in small] + ["legal"] * 20,
        "registered_capital": [str(min_capital * 2)] * len(owners) + [str(min_capital / 10)] * len(small)
                              + [str(min_capital * 5)] * 20})

    rich = pick("PROPERTY", persons)
    homes = [i for i in ids if i not in set(rich) and rng.random() < 0.4]
    re_ids = rich + homes + noise(20)
    uses = [("commercial" if n % 2 else "residential") for n in range(len(rich))] + ["residential"] * (len(homes) + 20)
    areas = [str(max_area + 50)] * len(rich) + [str(round(rng.uniform(40, max_area * 0.9))) for _ in homes]
    areas += ["500"] * 20
    frames["real_estate"] = pl.DataFrame({"id_number": re_ids, "certificate_no": [f"云(2020)第{i:07d}号"
                                                                                 for i in range(len(re_ids))],
                                          "use": uses, "area": areas})

    payroll = pick("PAYROLL", persons) + noise(40)
    frames["payroll"] = pl.DataFrame({"id_number": payroll, "employer": ["某县某局（演示）"] * len(payroll)})

    safe_heads = persons.filter((pl.col("relation") == "01") & pl.col("housing_safety").is_in(["A", "B", ""]))
    unsafe = pick("HOUSING_UNSAFE", safe_heads)
    cd_heads = persons.filter((pl.col("relation") == "01") & pl.col("housing_safety").is_in(["C", "D"]))["id_number"]
    renovated = [i for i in safe_heads["id_number"].to_list() if i not in set(unsafe) and rng.random() < 0.05]
    h_ids = unsafe + cd_heads.to_list() + renovated
    frames["housing_danger"] = pl.DataFrame({
        "id_number": h_ids, "grade": [rng.choice("CD") for _ in h_ids],
        "renovated": ["0"] * (len(unsafe) + cd_heads.len()) + ["1"] * len(renovated)})

    jobs = [i for i in ids if rng.random() < 0.2] + noise(20)
    frames["hr_employment"] = pl.DataFrame({"id_number": jobs, "employer": ["演示务工单位"] * len(jobs),
                                            "start_date": ["2020-03-01"] * len(jobs)})
    pens = persons.filter(pl.col("age") >= 60)["id_number"].to_list()
    frames["hr_pension"] = pl.DataFrame({"id_number": pens, "scheme": ["resident"] * len(pens),
                                         "monthly_amount": ["120"] * len(pens)})

    for dataset, frame in frames.items():
        buf = io.BytesIO()
        frame.write_parquet(buf)
        batch = services.upload_batch(actor=actor, dataset=dataset, content=buf.getvalue(),
                                      file_name=f"demo-{dataset}.parquet", as_of=as_of, region_code=region_code)
        if batch.status != Batch.Status.ACCEPTED:
            raise RuntimeError(f"demo batch {dataset} rejected: {batch.report}")
        out.batches[dataset] = batch.rows
    return out
