from hypothesis import given
from hypothesis import strategies as st

from fupin.core.masking import Masker, mask_id_number, mask_name, mask_phone


@given(st.text(min_size=1, max_size=10))
def test_mask_name_keeps_only_the_first_character(name):
    masked = mask_name(name)
    assert masked[0] == name[0]
    assert set(masked[1:]) == {"*"}
    assert len(masked) == max(2, len(name))


@given(st.from_regex(r"\A\d{17}[\dX]\Z"))
def test_mask_id_number_hides_birth_date_and_sequence(number):
    masked = mask_id_number(number)
    assert len(masked) == 18
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:]
    assert masked[6:14] == "********"


def test_mask_phone():
    assert mask_phone("13912345678") == "139****5678"
    assert mask_phone("123") == "***"


def test_masker_by_role(users):
    assert Masker(users["clerk"]).clear
    assert Masker(users["township"]).clear
    assert Masker(users["county"]).clear
    assert not Masker(users["analyst"]).clear
    assert not Masker(users["exchange"]).clear
    assert not Masker(users["sysadmin"]).clear
    assert Masker(users["analyst"]).name("张三丰") == "张**"
