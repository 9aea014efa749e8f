"""The vectorized ID check agrees with python-stdnum; generated numbers are valid for stdnum."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric
from stdnum.exceptions import ValidationError
from stdnum.util import isdigits

from fupin.registry import idnumber

TODAY = dt.date(2026, 11, 23)


def stdnum_valid_ignoring_region(number: str) -> bool:
    """stdnum's checks of length, format, check digit and birth date (the region is checked elsewhere)."""
    try:
        n = ric.compact(idnumber.normalize(number))
        if len(n) != 18 or not isdigits(n[:17]):
            return False
        if n[-1] != ric.calc_check_digit(n):
            return False
        born = ric.get_birth_date(n)
    except (ValidationError, ValueError):
        return False
    return idnumber.EARLIEST_BIRTH <= born <= TODAY


valid_ids = st.builds(
    lambda region, birth, seq, sex: idnumber.make(region, birth, seq, sex),
    st.from_regex(r"\A[1-6]\d{5}\Z"),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    st.integers(0, 498),
    st.sampled_from(["1", "2"]),
)
near_ids = valid_ids.flatmap(
    lambda s: st.one_of(
        st.just(s),
        st.integers(0, 17).flatmap(lambda i: st.sampled_from("0123456789X").map(lambda c: s[:i] + c + s[i + 1:])),
        st.just(s[:17]),
        st.just(s.lower()),
    )
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(near_ids, st.text(max_size=20)), min_size=1, max_size=40))
def test_vectorized_check_agrees_with_stdnum(numbers):
    result = idnumber.check_many(numbers, today=TODAY)
    for number, valid, born, sex in zip(
        numbers, result["valid"], result["birth_date"], result["sex"], strict=True
    ):
        assert valid == stdnum_valid_ignoring_region(number), number
        if valid:
            n = idnumber.normalize(number)
            assert born == ric.get_birth_date(n)
            assert sex == ("1" if int(n[16]) % 2 else "2")


@settings(deadline=None)
@given(valid_ids)
def test_make_gives_numbers_with_the_right_check_digit(number):
    assert number[-1] == ric.calc_check_digit(number)


@settings(deadline=None)
@given(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2020, 12, 31)))
def test_issuing_code_is_valid_for_stdnum_in_the_birth_year(birth):
    region = idnumber.issuing_code("533301", birth.year)  # 泸水: 533321 until 2016, 533301 after
    number = idnumber.make(region, birth, 1, "1")
    assert ric.is_valid(number), number
    assert idnumber.check_one(number).birth_date == birth


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("53332119800506008", "18"),
        ("533321198005060081", "check digit"),
        ("53332119801306008" + idnumber.check_digit("53332119801306008"), "birth date"),
        ("99010119900307447" + idnumber.check_digit("99010119900307447"), "region"),
    ],
)
def test_check_one_says_what_is_wrong(number, message):
    with pytest.raises(idnumber.IdNumberError, match=message):
        idnumber.check_one(number)


def test_full_width_digits_from_an_ime_are_accepted():
    number = idnumber.make("533321", dt.date(1980, 5, 6), 3, "2")
    full_width = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert idnumber.check_one(full_width).birth_date == dt.date(1980, 5, 6)
    assert idnumber.check_many([full_width])["valid"].to_list() == [True]


def test_check_one_guards_stdnum_keyerror(monkeypatch):
    def boom(_n):
        raise KeyError("county")

    monkeypatch.setattr(idnumber.ric, "get_birth_place", boom)
    with pytest.raises(idnumber.IdNumberError, match="region"):
        idnumber.check_one("53332119800506008X")
