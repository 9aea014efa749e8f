"""The national synthetic registry, vectorised (issue 19): the same households, members, incomes and cadres as the
demo generator (``registry.demo``: the same distributions, family structures, causes reflected in the members, ID
numbers whose region, birth date, sex and check digit agree), drawn a chunk at a time as numpy arrays instead of one
person at a time in Python, and written as Parquet partitioned by province. It makes 30 million households in
minutes where the per-person generator needed hours.

Independent chunks: a chunk is a run of whole villages of one province, drawn with its own random stream
(``default_rng([seed, chunk number])``), and the ids are derived from positions, not counted (household id = its
position in the nation's plan + 1, member id = household id × 8 + position in the household, cadre id = village
position × 4 + k), so the output depends only on the seed and the chunk size, and provinces can be drawn by several
processes at once. The only state carried from chunk to chunk is the ID numbers' order codes, and it is bounded:
numbers under the prefecture's own region codes take order codes 0–399, remembered for the current prefecture;
numbers issued under an older code of the same province (``idnumber.issuing_code``) take 400–499, remembered for
the current province. Both tables are cleared when the prefecture or province changes, so memory is bounded by the
chunk and the largest province's old codes, never by the nation.

The database path of ``fupin demo`` (the demo of ``make db``, with dossier versions and the extensions of the apps
above) still uses the per-person generator; this module writes files."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from fupin.registry import idnumber
from fupin.registry.demo import (
    CADRE_COLUMNS,
    CAUSES,
    ETHNIC_MIX,
    FEMALE_CHARS,
    FIRST_INCOME_YEAR,
    HOUSEHOLD_COLUMNS,
    INCOME_COLUMNS,
    LAST_YEAR,
    MALE_CHARS,
    MEMBER_COLUMNS,
    NUJIANG,
    SIZES,
    STATUSES,
    SURNAMES,
    UNITS,
    DemoResult,
    arrow_schema,
    last_income_year,
    today,
)
from fupin.registry.models import Cadre, Household, Income, Member, Source
from fupin.registry.statuses import POOR_STATUSES

CHUNK = 20_000  # households drawn at a time by one process (with its order codes, a process stays near 500 MB)
MEMBER_SLOTS = 8  # member id = household id × 8 + position (households have at most 7 members)
CADRE_SLOTS = 4  # cadre id = village position × 4 + k (1–3 cadres per village)
TABLES = ("households", "members", "incomes", "cadres")
_MODELS = {"households": (Household, HOUSEHOLD_COLUMNS), "members": (Member, MEMBER_COLUMNS),
           "incomes": (Income, INCOME_COLUMNS), "cadres": (Cadre, CADRE_COLUMNS)}


def schemas() -> dict[str, pa.Schema]:
    return {name: arrow_schema(model, cols) for name, (model, cols) in _MODELS.items()}


def _weighted(pairs: tuple[tuple[Any, int], ...]) -> tuple[np.ndarray, np.ndarray]:
    values, weights = zip(*pairs, strict=True)
    w = np.asarray(weights, dtype=float)
    return np.asarray(values), np.cumsum(w / w.sum())


class _Draw:
    """numpy draws shaped like ``random.Random``'s in the per-person generator."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def u(self, n: int) -> np.ndarray:
        return self.rng.random(n)

    def chance(self, p: float | np.ndarray, n: int) -> np.ndarray:
        return self.rng.random(n) < p

    def pick(self, pairs: tuple[tuple[Any, int], ...], n: int) -> np.ndarray:
        values, cum = _weighted(pairs)
        return values[np.minimum(np.searchsorted(cum, self.rng.random(n), side="right"), len(values) - 1)]

    def randint(self, lo: int | np.ndarray, hi: int | np.ndarray, n: int) -> np.ndarray:
        """Integers in [lo, hi] (both ends, as ``random.randint``), per row when lo/hi are arrays."""
        lo_a = np.asarray(lo, dtype=np.int64)
        span = np.asarray(hi, dtype=np.int64) - lo_a + 1
        return lo_a + np.floor(self.rng.random(n) * span).astype(np.int64)

    def uniform(self, lo: float, hi: float, n: int) -> np.ndarray:
        return lo + (hi - lo) * self.rng.random(n)


def _text(values: np.ndarray) -> pl.Series:
    return pl.Series(values.astype(str) if values.dtype.kind != "U" else values, dtype=pl.Utf8)


def _digits(numbers: np.ndarray, width: int) -> pl.Series:
    """Integers as zero-padded text of ``width`` digits."""
    return pl.Series(numbers.astype(np.int64)).cast(pl.Utf8).str.zfill(width)


def _chars(alphabet: str, index: np.ndarray) -> pl.Series:
    return pl.Series(list(alphabet), dtype=pl.Utf8).gather(pl.Series(index.astype(np.uint32)))


class _Names:
    """Chinese names: a surname and one or two given characters from the sex's pool."""

    def __init__(self, draw: _Draw):
        self.draw = draw

    def make(self, male: np.ndarray, surname: np.ndarray | None = None) -> pl.Series:
        d, n = self.draw, len(male)
        sur = surname if surname is not None else d.randint(0, len(SURNAMES) - 1, n)
        is_male = pl.lit(pl.Series(male))
        given = [pl.select(pl.when(is_male).then(_chars(MALE_CHARS, d.randint(0, len(MALE_CHARS) - 1, n)))
                           .otherwise(_chars(FEMALE_CHARS, d.randint(0, len(FEMALE_CHARS) - 1, n)))).to_series()
                 for _ in range(2)]
        second = pl.lit(pl.Series(d.chance(0.7, n)))
        return pl.select(pl.concat_str([
            _chars(SURNAMES, sur), given[0], pl.when(second).then(given[1]).otherwise(pl.lit("")),
        ])).to_series()


@dataclass
class _OrderCodes:
    """The next order code per (region, birth date, sex), for the numbers of the current prefecture (own codes,
    0–399) and of the current province (older codes, 400–499): sorted keys and counts."""

    keys: np.ndarray
    counts: np.ndarray
    prefecture: str = ""
    province: str = ""

    @classmethod
    def empty(cls) -> _OrderCodes:
        return cls(np.empty(0, np.int64), np.empty(0, np.int64))

    def enter(self, village: str) -> None:
        """Keep only what the next villages (from ``village`` on, in code order) can meet again."""
        if village[:4] == self.prefecture:
            return
        # own codes belong to one prefecture; older codes of the same province may come again in its next prefecture
        keep = (self.keys & 1) == 0 if village[:2] == self.province else np.zeros(len(self.keys), bool)
        self.keys, self.counts = self.keys[keep], self.counts[keep]
        self.prefecture, self.province = village[:4], village[:2]

    def take(self, keys: np.ndarray) -> np.ndarray:
        """The next sequence number of each key, in row order (a key seen k times gets k consecutive numbers)."""
        order = np.argsort(keys, kind="stable")
        ks = keys[order]
        starts = np.ones(len(ks), bool)
        starts[1:] = ks[1:] != ks[:-1]
        first = np.flatnonzero(starts)
        group = np.cumsum(starts) - 1
        unique = ks[first]
        n_per = np.diff(np.append(first, len(ks)))
        pos = np.searchsorted(self.keys, unique)
        clipped = np.minimum(pos, max(len(self.keys) - 1, 0))
        found = (pos < len(self.keys)) & (self.keys[clipped] == unique) if len(self.keys) else np.zeros(len(unique), bool)
        base = np.where(found, self.counts[clipped] if len(self.keys) else 0, 0)
        seq_sorted = base[group] + (np.arange(len(ks)) - first[group])
        seq = np.empty(len(keys), np.int64)
        seq[order] = seq_sorted
        if found.any():
            self.counts[clipped[found]] += n_per[found]
        if (~found).any():
            keys_all = np.concatenate([self.keys, unique[~found]])
            counts_all = np.concatenate([self.counts, n_per[~found]])
            o = np.argsort(keys_all, kind="stable")
            self.keys, self.counts = keys_all[o], counts_all[o]
        return seq


def _key(region: np.ndarray, day: np.ndarray, male: np.ndarray, own: np.ndarray) -> np.ndarray:
    """(region, day number, sex, own) packed into one int64: region in the top bits (see ``_OrderCodes.enter``)."""
    return (region.astype(np.int64) << 28) | ((day.astype(np.int64) + 100_000) << 2) | (male.astype(np.int64) << 1) \
        | own.astype(np.int64)


_EPOCH = np.datetime64("1970-01-01", "D")
_WEIGHTS = np.array(idnumber.WEIGHTS, dtype=np.int64)
_CHECK = np.array(list(idnumber.CHECK_CHARS))


def _ymd(days: np.ndarray) -> np.ndarray:
    d = days.astype("datetime64[D]")
    y = d.astype("datetime64[Y]")
    m = d.astype("datetime64[M]")
    return ((y.astype(np.int64) + 1970) * 10_000 + (m - y.astype("datetime64[M]")).astype(np.int64) * 100 + 100
            + (d - m.astype("datetime64[D]")).astype(np.int64) + 1)


def _check_digits(region: np.ndarray, ymd: np.ndarray, order: np.ndarray) -> np.ndarray:
    first17 = region.astype(np.int64) * 10**11 + ymd.astype(np.int64) * 1000 + order
    total = np.zeros(len(first17), np.int64)
    for i, w in enumerate(_WEIGHTS):
        total += (first17 // 10 ** (16 - i)) % 10 * w
    return _CHECK[total % 11]


class _People:
    """The ID numbers of a chunk's persons (county code and birth date given): the region code in force in the birth
    year, the order code (odd for men, even for women), the check digit."""

    def __init__(self) -> None:
        self.codes = _OrderCodes.empty()
        self._issuing: dict[int, int] = {}

    def issuing(self, county: np.ndarray, year: np.ndarray) -> np.ndarray:
        """The region code in force in the birth year: the county's own, else one of the codes of its prefecture (or
        province) in force then — chosen by the county, so that the people of a county created later are spread
        over the older codes instead of all taking the first (whose order codes would run out)."""
        pair = county.astype(np.int64) * 10_000 + year
        unique, inverse = np.unique(pair, return_inverse=True)
        out = np.empty(len(unique), np.int64)
        for i, p in enumerate(unique.tolist()):
            code = self._issuing.get(p)
            if code is None:
                county_code = p // 10_000
                choices = idnumber.issuing_codes(f"{county_code:06d}", p % 10_000)
                code = self._issuing[p] = int(choices[county_code * 7919 % len(choices)])
            out[i] = code
        return out[inverse]

    def numbers(self, villages: list[str], village_of: np.ndarray, birth_days: np.ndarray,
                male: np.ndarray) -> tuple[pl.Series, np.ndarray]:
        """ID numbers, and the birth days (a day later where a day's order codes ran out, as the demo does)."""
        county = np.array([int(v[:6]) for v in villages], np.int64)[village_of]
        days = birth_days.copy()
        seq = np.empty(len(days), np.int64)
        region = np.empty(len(days), np.int64)
        todo = np.arange(len(days))
        # villages in code order: prefecture by prefecture; each group's numbers share the state of its prefecture
        pref = county // 100
        bounds = np.flatnonzero(np.diff(pref)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(days)], strict=True):
            if f"{county[lo]:06d}"[:2] != self.codes.province:
                self._issuing.clear()  # a process draws its provinces one after the other: none comes back
            self.codes.enter(f"{county[lo]:06d}")
            todo = np.arange(lo, hi)
            for _shift in range(366):
                if not len(todo):
                    break
                year = _ymd(days[todo]) // 10_000
                reg = self.issuing(county[todo], year)
                own = reg // 100 == pref[todo]
                s = self.codes.take(_key(reg, days[todo], male[todo], own))
                s = np.where(own, s, s + 400)
                over = np.where(own, s >= 400, s >= 500)
                region[todo], seq[todo] = reg, s
                todo = todo[over]
                days[todo] += 1
            if len(todo):  # pragma: no cover - a year of birthdays without a free order code
                raise ValueError(f"order codes exhausted in prefecture {pref[lo]}")
        ymd = _ymd(days)
        order = seq * 2 + np.where(male, 1, 2)
        check = _check_digits(region, ymd, order)
        text = pl.select(pl.concat_str([_digits(region, 6), _digits(ymd, 8), _digits(order, 3),
                                        pl.Series(check, dtype=pl.Utf8)])).to_series()
        return text, days


@dataclass(frozen=True)
class Plan:
    """Villages (code order), the households of each, and the chunks: runs of whole villages of one province."""

    villages: list[str]
    counts: np.ndarray
    chunks: list[tuple[int, int]]  # village index ranges [lo, hi)

    @classmethod
    def make(cls, villages: list[str], counts: np.ndarray, chunk: int) -> Plan:
        counts = np.asarray(counts, np.int64)
        province = np.array([int(v[:2]) for v in villages], np.int64)
        chunks: list[tuple[int, int]] = []
        lo, total = 0, 0
        for i in range(len(villages)):
            if i > lo and (province[i] != province[lo] or total >= chunk):
                chunks.append((lo, i))
                lo, total = i, 0
            total += int(counts[i])
        if lo < len(villages):
            chunks.append((lo, len(villages)))
        return cls(villages, counts, [c for c in chunks if counts[c[0]:c[1]].sum()])

    def first_household(self, chunk: tuple[int, int]) -> int:
        return int(self.counts[: chunk[0]].sum()) + 1


def draw_chunk(plan: Plan, number: int, seed: int, people: _People, now: dt.datetime) -> dict[str, pa.Table]:
    """Chunk ``number`` of ``plan`` as Arrow tables (households, members, incomes, cadres)."""
    lo, hi = plan.chunks[number]
    d = _Draw(np.random.default_rng([seed, number]))
    names = _Names(d)
    villages = plan.villages[lo:hi]
    counts = plan.counts[lo:hi]
    present = np.flatnonzero(counts)
    H = int(counts.sum())
    v_of = np.repeat(np.arange(len(villages)), counts)  # village (index in the chunk) of each household
    hid = plan.first_household((lo, hi)) + np.arange(H, dtype=np.int64)
    seq_in_village = np.arange(H) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    village_text = pl.Series(villages, dtype=pl.Utf8)

    # cadres: 1–3 per village with households
    n_cadres = d.randint(1, 3, len(present))
    c_village = np.repeat(present, n_cadres)
    c_k = np.arange(len(c_village)) - np.repeat(np.cumsum(n_cadres) - n_cadres, n_cadres)
    c_id = (lo + c_village) * CADRE_SLOTS + c_k + 1
    c_male = d.chance(0.7, len(c_village))
    cadres = {
        "id": c_id, "name": names.make(c_male), "unit": _text(np.array(UNITS)[d.randint(0, len(UNITS) - 1, len(c_village))]),
        "phone": _phone(d, len(c_village)), "region_id": village_text.gather(pl.Series(c_village.astype(np.uint32))),
        "source": pl.Series([Source.DEMO.value] * len(c_village), dtype=pl.Utf8),
    }
    per_village = np.zeros(len(villages), np.int64)
    per_village[present] = n_cadres
    household_cadre = (lo + v_of) * CADRE_SLOTS + np.floor(d.u(H) * per_village[v_of]).astype(np.int64) + 1

    # households
    status = d.pick(STATUSES, H)
    size = d.pick(SIZES, H).astype(np.int64)
    cause = d.pick(CAUSES, H)
    k_other = np.array([0, 1, 1, 2])[d.randint(0, 3, H)]
    o1, o2 = d.pick(CAUSES, H), d.pick(CAUSES, H)
    o1 = np.where((k_other >= 1) & (o1 != cause), o1, "")
    o2 = np.where((k_other >= 2) & (o2 != cause) & (o2 != o1), o2, "")
    a, b = np.where(o1 <= o2, o1, o2), np.where(o1 <= o2, o2, o1)  # sorted; "" first
    others = pl.select(
        pl.when(pl.lit(_text(a)) != "").then(pl.concat_str([pl.lit('["'), pl.lit(_text(a)), pl.lit('", "'),
                                                            pl.lit(_text(b)), pl.lit('"]')]))
        .when(pl.lit(_text(b)) != "").then(pl.concat_str([pl.lit('["'), pl.lit(_text(b)), pl.lit('"]')]))
        .otherwise(pl.lit("[]"))).to_series()
    identified = d.pick(((2014, 70), (2015, 10), (2016, 10), (2017, 4), (2018, 3), (2019, 3)), H).astype(np.int64)
    identified = np.where(status == "newly_poor", 2020, identified)
    exit_draw = d.pick(((2016, 12), (2017, 22), (2018, 28), (2019, 30), (2020, 8)), H).astype(np.int64)
    has_exit = np.isin(status, ("exited", "monitored", "returned"))
    exit_year = np.minimum(np.maximum(identified + 1, exit_draw), LAST_YEAR)
    kind = d.pick((("01", 68), ("02", 27), ("03", 5)), H)
    exited = np.isin(status, ("exited", "monitored"))
    attribute = np.where(exited, np.select([kind == "01", kind == "02"], ["05", "06"], "07"), kind)
    attribute = np.where(status == "monitored", "08", attribute)
    mixes = {key: d.pick(mix, H) for key, mix in (("nujiang", ETHNIC_MIX[NUJIANG]), ("yunnan", ETHNIC_MIX["53"]),
                                                   ("other", ETHNIC_MIX[""]))}
    v_pref = np.array([v[:4] for v in villages])[v_of]
    v_prov = np.array([v[:2] for v in villages])[v_of]
    ethnicity = np.where(v_pref == NUJIANG, mixes["nujiang"], np.where(v_prov == "53", mixes["yunnan"], mixes["other"]))
    poor_now = np.isin(status, POOR_STATUSES)

    # members: positions in the household and the family structure of demo._Generator.family
    P = int(size.sum())
    m_h = np.repeat(np.arange(H), size)  # household (index in the chunk) of each member
    pos = np.arange(P) - np.repeat(np.cumsum(size) - size, size)
    single = size == 1
    head_male = np.where(single, d.chance(0.6, H), d.chance(0.85, H))
    head_age = np.where(single, np.where(d.chance(0.75, H), d.randint(55, 92, H), d.randint(25, 60, H)),
                        d.randint(26, 78, H))
    surname = d.randint(0, len(SURNAMES) - 1, H)
    spouse = ~single & d.chance(0.88, H)
    k0 = 1 + spouse
    elder = ~single & (k0 < size) & (head_age > 55) & d.chance(0.6, H)
    with_parent = ~single & ~elder & (k0 < size) & (head_age < 45) & d.chance(0.35, H)
    child_male_h = d.chance(0.55, H)  # the adult child of an elderly head
    child_age_h = head_age - d.randint(22, 32, H)
    HEAD, SPOUSE, ADULT, ADULT_SPOUSE, GRAND, PARENT, CHILD = range(7)
    k0m, posm = k0[m_h], pos
    role = np.select(
        [posm == 0, (posm == 1) & spouse[m_h], elder[m_h] & (posm == k0m), elder[m_h] & (posm == k0m + 1),
         elder[m_h] & (posm > k0m + 1), with_parent[m_h] & (posm == k0m)],
        [HEAD, SPOUSE, ADULT, ADULT_SPOUSE, GRAND, PARENT], CHILD)
    hm, ha, cm, ca = head_male[m_h], head_age[m_h], child_male_h[m_h], child_age_h[m_h]
    male = np.select([role == HEAD, role == SPOUSE, role == ADULT, role == ADULT_SPOUSE, role == PARENT],
                     [hm, ~hm, cm, ~cm, d.chance(0.4, P)], d.chance(0.52, P))
    age = np.select(
        [role == HEAD, role == SPOUSE, role == ADULT, role == ADULT_SPOUSE, role == GRAND, role == PARENT],
        [ha, np.maximum(20, ha + d.randint(-6, 4, P)), ca, ca + d.randint(-3, 3, P),
         d.randint(0, np.maximum(0, ca - 20), P), np.minimum(95, ha + d.randint(22, 32, P))],
        d.randint(0, np.maximum(0, np.minimum(ha - 18, 40)), P))
    relation = np.select(
        [role == HEAD, role == SPOUSE, role == ADULT, role == ADULT_SPOUSE, role == GRAND, role == PARENT],
        [np.full(P, "01"), np.full(P, "02"), np.where(male, "03", "04"), np.where(male, "06", "05"),
         np.where(male, "07", "08"), np.where(male, "11", "12")], np.where(male, "03", "04"))
    family_name = np.isin(role, (HEAD, GRAND, CHILD)) | (np.isin(role, (ADULT, PARENT)) & male)
    sur_m = np.where(family_name, surname[m_h], d.randint(0, len(SURNAMES) - 1, P))
    today_days = (np.datetime64(today(), "D") - _EPOCH).astype(np.int64)
    birth_days = today_days - (np.floor(age * 365.25).astype(np.int64) + d.randint(0, 364, P))
    years_old = today().year - _ymd(birth_days) // 10_000  # demo._age: by calendar years

    # health, disability, schooling, work (demo._household), the household's cause reflected in a member
    m_cause = cause[m_h]
    adult = years_old >= 16
    health = np.where(adult, d.pick((("01", 76), ("02", 12), ("03", 5), ("04", 7)), P), "01")
    last = pos == size[m_h] - 1
    health = _plant(health, m_h, H, (m_cause == "01") & ((years_old >= 30) | last), d.pick((("02", 1), ("03", 1)), P))
    health = _plant(health, m_h, H, (m_cause == "02") & (adult | last), np.full(P, "04"))
    disabled = health == "04"
    dis_cat = np.where(disabled, np.char.zfill(d.randint(1, 7, P).astype(str), 2), "")
    dis_grade = np.where(disabled, np.char.zfill(d.randint(1, 4, P).astype(str), 2), "")
    school_secondary = (years_old < 19) & d.chance(0.75, P)
    school_college = ~school_secondary & (years_old < 23) & (d.u(P) < np.where(m_cause == "03", 0.9, 0.2))
    schooling = np.select(
        [years_old < 3, years_old < 6, years_old < 12, years_old < 15, school_secondary, school_college],
        [np.full(P, "02"), np.full(P, "03"), np.full(P, "04"), np.full(P, "05"),
         d.pick((("06", 55), ("07", 45)), P), d.pick((("08", 50), ("10", 40), ("09", 10)), P)], "01")
    out_of_school = schooling == "01"
    education = np.where(adult & out_of_school, np.where(
        years_old < 50, d.pick((("01", 12), ("02", 38), ("03", 36), ("04", 9), ("05", 3), ("06", 2)), P),
        d.pick((("01", 40), ("02", 45), ("03", 13), ("04", 2)), P)), "")
    labour = np.select(
        [~adult | ~out_of_school, (health == "03") | (disabled & np.isin(dis_grade, ("01", "02"))) | (years_old >= 70),
         np.isin(health, ("02", "04")) | (years_old >= 60)],
        ["05", "04", "03"], np.where(d.chance(0.12, P), "02", "01"))
    migrant = np.isin(labour, ("01", "02")) & d.chance(0.55, P)
    welfare_job = ~migrant & np.isin(labour, ("01", "02", "03")) & d.chance(0.12, P)
    work_location = np.where(migrant, d.pick((("01", 25), ("02", 25), ("03", 30), ("04", 20)), P), "")
    work_months = np.where(migrant, d.randint(3, 12, P), 0)
    welfare_months = np.where(welfare_job, 12, 0)
    workers = np.bincount(m_h, weights=(migrant | welfare_job), minlength=H) > 0
    m_kind = kind[m_h]
    political = np.where((years_old > 30) & d.chance(0.04, P), "01",
                         np.where((years_old >= 14) & (years_old <= 28) & d.chance(0.3, P), "03", "05"))
    ids, birth_days = people.numbers(villages, v_of[m_h], birth_days, male)
    members = {
        "id": hid[m_h] * MEMBER_SLOTS + pos, "household_id": hid[m_h], "name": names.make(male, sur_m),
        "id_type": pl.Series(["1"] * P, dtype=pl.Utf8), "id_number": ids, "sex": _text(np.where(male, "1", "2")),
        "birth_date": (birth_days + 0).astype("datetime64[D]"), "relation": _text(relation),
        "ethnicity": _text(ethnicity[m_h]), "political": _text(political), "education": _text(education),
        "schooling": _text(schooling), "health": _text(health), "disability_category": _text(dis_cat),
        "disability_grade": _text(dis_grade), "labour_skill": _text(labour), "work_location": _text(work_location),
        "work_months": work_months, "welfare_job_months": welfare_months,
        "speaks_mandarin": (years_old < 60) | d.chance(0.6, P), "has_medical_insurance": d.chance(0.995, P),
        "has_serious_illness_insurance": d.chance(0.9, P),
        "has_pension_insurance": adult & out_of_school & d.chance(0.88, P),
        "receives_dibao": (m_kind == "02") & d.chance(0.9, P), "receives_tekun": m_kind == "03",
        "is_active": np.ones(P, bool),
    }

    # incomes: every year from FIRST_INCOME_YEAR (or the year of identification) to the last complete year
    base = np.select([status == "exited", status == "monitored", status == "returned", status == "poor"],
                     [7200.0, 5600.0, 3300.0, 3400.0], 3100.0)
    pc2020 = np.maximum(900.0, np.exp(d.rng.normal(0, 0.35, H)) * base)
    growth = np.where(status == "exited", 1.07, 1.0)
    last_year = last_income_year()
    years = np.arange(FIRST_INCOME_YEAR, last_year + 1)
    i_h = np.repeat(np.arange(H), len(years))
    i_year = np.tile(years, H)
    keep = i_year >= identified[i_h]
    i_h, i_year = i_h[keep], i_year[keep]
    pc = np.where(i_year <= LAST_YEAR, pc2020[i_h] / 1.11 ** (LAST_YEAR - i_year),
                  pc2020[i_h] * growth[i_h] ** (i_year - LAST_YEAR))
    pc = np.where((status[i_h] == "returned") & (i_year < last_year), pc * 1.6, pc)
    total = pc * size[i_h]
    w, k = workers[i_h], kind[i_h]
    shares: dict[str, Any] = {
        "wage_other": np.where(w, 0.45, 0.05), "wage_welfare_job": np.where(w, 0.08, 0.0), "business": 0.25,
        "property_dividend": 0.03, "transfer_dibao": np.where(k == "02", 0.12, 0.0),
        "transfer_tekun": np.where(k == "03", 0.25, 0.0), "transfer_pension": 0.06, "transfer_ecological": 0.04,
        "transfer_other": 0.03, "reward": 0.02,
    }
    scale = sum(np.broadcast_to(v, total.shape) for v in shares.values())
    expense = total * 0.18 * 0.25 / scale
    money = {c: np.round(total * np.broadcast_to(v, total.shape) / scale + (expense if c == "business" else 0), 2)
             for c, v in shares.items()}
    zero = np.zeros(len(i_h))
    incomes = {"household_id": hid[i_h], "year": i_year, "household_size": size[i_h], **money,
               "property_other": zero, "transfer_family_planning": zero, "business_expense": np.round(expense, 2)}
    net = sum(v for v in money.values()) - incomes["business_expense"]
    is_last = np.r_[i_h[1:] != i_h[:-1], True]  # the last year of each household (incomes are in household order)
    latest_pc = np.full(H, np.nan)
    latest_year = np.zeros(H, np.int64)
    latest_pc[i_h[is_last]] = np.round(net[is_last] / size[i_h[is_last]], 2)
    latest_year[i_h[is_last]] = i_year[is_last]

    land = np.round(d.uniform(0.3, 8.0, H), 2)
    water_safe = d.u(H) < np.where(poor_now, 0.85, 0.995)
    housing = np.where(poor_now, d.pick((("A", 45), ("B", 43), ("C", 9), ("D", 3)), H), d.pick((("A", 55), ("B", 45)), H))
    now_col = pa.array(np.full(H, np.datetime64(now.replace(tzinfo=None), "us")), pa.timestamp("us", tz="UTC"))
    households = {
        "id": hid, "number": pl.select(pl.concat_str([village_text.gather(pl.Series(v_of.astype(np.uint32))),
                                                      _digits(seq_in_village, 5)])).to_series(),
        "village_id": village_text.gather(pl.Series(v_of.astype(np.uint32))), "status": _text(status),
        "standard": _text(np.where(d.chance(0.95, H), "01", "02")), "attribute": _text(attribute),
        "main_cause": _text(cause), "other_causes": others, "phone": _phone(d, H),
        "bank_name": _text(np.array(["农村信用社", "农业银行", "邮储银行"])[d.randint(0, 2, H)]),
        "bank_account": pl.select(pl.concat_str([pl.lit("6"), _digits(d.rng.integers(0, 10**17, H), 17)])).to_series(),
        "is_military_family": d.chance(0.02, H), "is_only_child": d.chance(0.03, H), "is_two_daughters": d.chance(0.02, H),
        "identified_year": identified, "exit_year": pa.array(exit_year, pa.int64(), mask=~has_exit),
        "cadre_id": household_cadre, "cultivated_land": land, "irrigated_land": np.round(land * d.uniform(0, 0.6, H), 2),
        "forest_land": np.round(d.uniform(0, 20, H), 2), "has_production_power": d.chance(0.97, H),
        "has_living_power": np.ones(H, bool), "has_radio_tv": d.chance(0.97, H),
        "has_broadband": d.u(H) < np.where(poor_now, 0.25, 0.45), "road_distance_km": np.round(d.uniform(0, 3, H), 1),
        "road_type": _text(d.pick((("01", 70), ("02", 20), ("03", 10)), H)),
        "housing_area": np.round(d.uniform(25, 140, H), 1), "housing_safety": _text(housing),
        "water_difficult": ~water_safe & d.chance(0.6, H), "water_safe": water_safe,
        "fuel_type": _text(d.pick((("01", 55), ("03", 30), ("04", 8), ("05", 4), ("02", 3)), H)),
        "has_sanitary_toilet": d.chance(0.55, H), "in_cooperative": d.chance(0.4, H),
        "source": pl.Series([Source.DEMO.value] * H, dtype=pl.Utf8), "created_at": now_col, "updated_at": now_col,
        "latest_income_year": latest_year, "latest_per_capita": latest_pc,
    }
    return {name: _table(cols, name) for name, cols in
            (("households", households), ("members", members), ("incomes", incomes), ("cadres", cadres))}


def _plant(values: np.ndarray, household: np.ndarray, H: int, eligible: np.ndarray, planted: np.ndarray) -> np.ndarray:
    """``planted`` on the first eligible member of each household that has one (members in household order)."""
    rows = np.flatnonzero(eligible)
    if not len(rows):
        return values
    first = rows[np.r_[True, household[rows][1:] != household[rows][:-1]]]
    out = values.copy()
    out[first] = planted[first]
    return out


def _phone(d: _Draw, n: int) -> pl.Series:
    return pl.select(pl.concat_str([pl.lit("1"), _chars("3589", d.randint(0, 3, n)),
                                    _digits(d.rng.integers(0, 10**9, n), 9)])).to_series()


_SCHEMAS: dict[str, pa.Schema] = {}


def _table(columns: dict[str, Any], name: str) -> pa.Table:
    schema = _SCHEMAS.get(name) or _SCHEMAS.setdefault(name, schemas()[name])
    arrays = []
    for f in schema:
        value = columns[f.name]
        if isinstance(value, pl.Series):
            value = value.to_arrow()
        arrays.append(value.cast(f.type) if isinstance(value, pa.Array | pa.ChunkedArray) else pa.array(value, f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _province_slices(table: pa.Table, province: np.ndarray) -> Iterator[tuple[str, pa.Table]]:
    bounds = np.flatnonzero(province[1:] != province[:-1]) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(province)], strict=True):
        yield f"{province[lo]:02d}", table.slice(lo, hi - lo)


def write_chunk(tables: dict[str, pa.Table], directory: Path, number: int) -> None:
    """Write a chunk's tables as ``<table>/province=<code>/part-<number>.parquet`` (a chunk is one province)."""
    province = tables["households"].column("village_id")[0].as_py()[:2]
    for name, table in tables.items():
        target = directory / name / f"province={province}"
        target.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, target / f"part-{number:05d}.parquet", compression="zstd", compression_level=1)


def _run(plan: Plan, numbers: list[int], seed: int, directory: Path, now: dt.datetime,
         say: Callable[[int], None] | None = None) -> dict[str, int]:
    people = _People()
    written = dict.fromkeys(TABLES, 0)
    for number in numbers:
        tables = draw_chunk(plan, number, seed, people, now)
        write_chunk(tables, directory, number)
        for name, table in tables.items():
            written[name] += table.num_rows
        del tables
        pa.default_memory_pool().release_unused()  # Arrow's allocator keeps freed chunks otherwise
        if say:
            say(written["households"])
    written["peak_kib"] = _peak_kib()
    return written


def _peak_kib() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def to_parquet(villages: list[str], counts: np.ndarray, directory: Path, result: DemoResult, *, seed: int,
               chunk: int = CHUNK, processes: int | None = None, say: Callable[[str, int], None] | None = None) -> None:
    """Draw the plan's households chunk by chunk into ``directory``; provinces are shared among ``processes``
    (default: the machine's cores, at most 4), each process drawing its provinces in code order."""
    import multiprocessing

    plan = Plan.make(villages, counts, chunk)
    directory = Path(directory)
    now = dt.datetime.now(dt.UTC)
    processes = max(1, min(processes or min(os.cpu_count() or 1, 4), len(plan.chunks)))
    started = time.perf_counter()
    if processes == 1:
        totals = [_run(plan, list(range(len(plan.chunks))), seed, directory, now,
                       (lambda n: say("written", n)) if say else None)]
    else:
        # provinces (runs of chunks) to the process with the fewest households so far, largest province first
        by_province: dict[str, list[int]] = {}
        for i, (lo, _hi) in enumerate(plan.chunks):
            by_province.setdefault(villages[lo][:2], []).append(i)
        size = {p: sum(int(plan.counts[plan.chunks[i][0]:plan.chunks[i][1]].sum()) for i in c)
                for p, c in by_province.items()}
        shares: list[list[int]] = [[] for _ in range(processes)]
        load = [0] * processes
        for p in sorted(by_province, key=lambda p: -size[p]):
            k = load.index(min(load))
            shares[k] += by_province[p]
            load[k] += size[p]
        from fupin.registry.spawned import synth_provinces

        # spawned, not forked: polars' and Arrow's thread pools do not survive a fork
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            totals = pool.map(synth_provinces, [(plan.villages, plan.counts, plan.chunks, sorted(s), seed, directory, now)
                                                for s in shares if s])
    result.households += sum(t["households"] for t in totals)
    result.members += sum(t["members"] for t in totals)
    result.incomes += sum(t["incomes"] for t in totals)
    result.cadres += sum(t["cadres"] for t in totals)
    result.villages += int(np.count_nonzero(plan.counts))
    result.timings["generate"] = time.perf_counter() - started
    result.timings["processes"] = processes
    result.timings["peak_mib_per_process"] = max(t["peak_kib"] for t in totals) / 1024
