"""Resident ID numbers (GB 11643-1999): 6-digit region of issue, 8-digit birth date, 3-digit sequence
(odd for men, even for women), and a check digit.

Both first normalize the text (NFKC: full-width digits from a Chinese IME become ASCII).
``check_one`` validates a single number with python-stdnum (format, check digit, birth date and the
region code as valid in the year of birth). ``check_many`` is the vectorized check for bulk loads,
written as polars expressions; it checks format, check digit and birth date and is tested against
stdnum with hypothesis. ``issuing_code`` gives, for a county and a birth year, a region code that was
in force that year, so synthetic people get numbers a real validator accepts.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import polars as pl
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError
from stdnum.util import isdigits

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def check_digit(first17: str) -> str:
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def make(region6: str, birth: dt.date, sequence: int, sex: str) -> str:
    """A number for a person: ``sequence`` (0–499) gives the 3-digit order code with the sex's parity."""
    order = sequence * 2 + (1 if sex == "1" else 2)
    if not 1 <= order <= 999:
        raise ValueError("sequence out of range")
    first17 = f"{region6}{birth:%Y%m%d}{order:03d}"
    return first17 + check_digit(first17)


@dataclass(frozen=True)
class IdInfo:
    birth_date: dt.date
    sex: str  # "1" male, "2" female (code list ``sex``)
    region: str


class IdNumberError(ValueError):
    pass


def normalize(number: str | None) -> str:
    """Full-width and other compatibility digits (typed with a Chinese IME) become ASCII; blanks go."""
    return unicodedata.normalize("NFKC", number or "").strip().upper()


def check_one(number: str, *, today: dt.date | None = None) -> IdInfo:
    """Validate one 18-digit number; raise IdNumberError with a bilingual message saying what is wrong."""
    number = normalize(number)
    if len(number) != 18 or not isdigits(number[:17]) or number[17] not in "0123456789X":
        raise IdNumberError("身份证号码应为18位，前17位为数字，末位为数字或X / must be 18 characters: 17 digits and a digit or X")
    try:
        if number[-1] != ric.calc_check_digit(number):
            raise IdNumberError("身份证号码校验位错误 / wrong check digit")
        birth = ric.get_birth_date(number)
    except ValidationError as exc:
        raise IdNumberError("身份证号码中的出生日期无效 / the birth date in the number is not a date") from exc
    if not EARLIEST_BIRTH <= birth <= (today or dt.date.today()):
        raise IdNumberError("身份证号码中的出生日期超出范围 / the birth date in the number is out of range")
    try:
        ric.get_birth_place(number)
    except (ValidationError, KeyError) as exc:
        # stdnum raises KeyError on some unknown region codes instead of a ValidationError.
        raise IdNumberError(
            "身份证号码的地区码在出生年份不存在 / the region code was not in use in the year of birth"
        ) from exc
    return IdInfo(birth_date=birth, sex="1" if int(number[16]) % 2 else "2", region=number[:6])


def normalize_many(numbers: pl.Series) -> pl.Series:
    """``normalize`` for a column: NFKC (only when some text is not ASCII), stripped, upper case."""
    if not numbers.str.contains(r"^[\x00-\x7F]*$").fill_null(True).all():
        numbers = numbers.str.normalize("NFKC")
    return numbers.str.strip_chars().str.to_uppercase()


def check_many(numbers: Sequence[str] | pl.Series, *, today: dt.date | None = None) -> pl.DataFrame:
    """Vectorized check of many numbers. Returns columns ``valid`` (bool), ``birth_date`` (date) and
    ``sex`` ("1"/"2"), null where the number is invalid. Region validity is not checked here.

    The well-formed numbers (17 ASCII digits and a digit or X) lie side by side in the column's own byte
    buffer (Arrow), read as an ``n × 18`` array without copying: the weighted digit sum is one matrix
    product and the birth date is checked arithmetically (a million numbers in about 0.1 s)."""
    today = today or dt.date.today()
    s = normalize_many(pl.Series("id", numbers, dtype=pl.Utf8))
    if not len(s):
        return pl.DataFrame(schema={"valid": pl.Boolean, "birth_date": pl.Date, "sex": pl.Utf8})
    shape_ok = s.str.contains(r"^[0-9]{17}[0-9X]$").fill_null(False)
    padded = pl.select(pl.when(shape_ok).then(s).otherwise(pl.lit("0" * 18)).alias("id")).to_series()
    grid = _byte_grid(padded, 18).astype(np.int32) - ord("0")
    weighted = grid[:, :17] @ np.array(WEIGHTS, dtype=np.int32) % 11
    expected = np.frombuffer(CHECK_CHARS.encode("ascii"), dtype=np.uint8)[weighted].astype(np.int32) - ord("0")
    check_ok = (grid[:, 17] == expected) & shape_ok.to_numpy()
    year = grid[:, 6] * 1000 + grid[:, 7] * 100 + grid[:, 8] * 10 + grid[:, 9]
    month = grid[:, 10] * 10 + grid[:, 11]
    day = grid[:, 12] * 10 + grid[:, 13]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int32)[np.clip(month, 0, 12)]
    month_days = month_days + ((month == 2) & leap)
    is_date = (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    ymd = year * 10000 + month * 100 + day
    in_range = (ymd >= _ymd(EARLIEST_BIRTH)) & (ymd <= _ymd(today))
    valid = check_ok & is_date & in_range
    keep = np.where(valid, ymd, 20000101)
    birth = pl.select(pl.date(pl.lit(pl.Series(keep // 10000)), pl.lit(pl.Series(keep // 100 % 100)),
                               pl.lit(pl.Series(keep % 100)))).to_series()
    out = pl.DataFrame({"valid": pl.Series(valid, dtype=pl.Boolean), "birth_date": birth,
                        "odd": pl.Series(grid[:, 16] % 2 == 1, dtype=pl.Boolean)})
    return out.select(
        "valid",
        pl.when(pl.col("valid")).then(pl.col("birth_date")).alias("birth_date"),
        pl.when(pl.col("valid")).then(pl.when(pl.col("odd")).then(pl.lit("1")).otherwise(pl.lit("2"))).alias("sex"),
    )


def _ymd(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _byte_grid(texts: pl.Series, width: int) -> np.ndarray:
    """ASCII texts all ``width`` long, as an ``n × width`` array of their bytes (the Arrow data buffer)."""
    array = texts.to_arrow()
    if hasattr(array, "combine_chunks"):
        array = array.combine_chunks()
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64 if "large" in str(array.type) else np.int32)
    start = int(offsets[array.offset])
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)[start : start + len(texts) * width]
    return data.reshape(len(texts), width)


@lru_cache(maxsize=1)
def _validity() -> dict[str, list[tuple[int, int]]]:
    """Region code → years in force, from stdnum's database of historical county codes."""
    periods: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for _l1, prov, _p2, _props, cities in numdb.get("cn/loc").prefixes:
        for _l2, low, high, props, _sub in cities:
            if low != high or "county" not in props:
                continue
            code = prov + low
            for part in props["county"].split(","):
                if part.startswith("["):
                    span = part[1:].split("]")[0]
                    start, end = span.split("-")
                    periods[code].append((int(start or 0), int(end or 9999)))
                else:
                    periods[code].append((0, 9999))
    return dict(periods)


def region_periods() -> dict[str, list[tuple[int, int]]]:
    """Region code of ID numbers → the (first, last) years it was in force (for set-based checks)."""
    return _validity()


def _valid_in(code: str, year: int) -> bool:
    return any(a <= year <= b for a, b in _validity().get(code, ()))


@lru_cache(maxsize=100_000)
def issuing_code(county: str, year: int) -> str:
    """A region code in force in ``year``: the county's own, else one of its prefecture, else its province."""
    return issuing_codes(county, year)[0]


@lru_cache(maxsize=100_000)
def issuing_codes(county: str, year: int) -> tuple[str, ...]:
    """The region codes ``issuing_code`` may choose from, best first: the county's own code when it was in force in
    ``year``, else the codes of its prefecture in force then, else those of its province, else the county's own."""
    if _valid_in(county, year):
        return (county,)
    for prefix in (county[:4], county[:2]):
        found = tuple(c for c in _county_codes_under(prefix) if _valid_in(c, year))
        if found:
            return found
    return (county,)


@cache
def _county_codes_under(prefix: str) -> tuple[str, ...]:
    """The county-level region codes (not ending in 00) under ``prefix``, in code order."""
    return tuple(sorted(c for c in _validity() if c.startswith(prefix) and c[4:] != "00"))
