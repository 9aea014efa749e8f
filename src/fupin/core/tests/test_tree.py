import pytest
from django.http import Http404
from hypothesis import given
from hypothesis import strategies as st

from fupin.core import tree as ct
from fupin.core.scoping import Scope, narrow_or_404

codes = st.text(alphabet="0123456789", min_size=1, max_size=12)


def test_level_table():
    assert [ct.length_of(level) for level in range(6)] == [0, 2, 4, 6, 9, 12]
    assert [ct.level_of(c) for c in ("", "53", "5333", "533301", "533301205", "533301205201")] == [0, 1, 2, 3, 4, 5]
    assert ct.NODE_LENGTHS == (2, 4, 6, 9, 12)
    with pytest.raises(ValueError):
        ct.level_of("53330")


def test_parent_and_ancestors():
    assert ct.parent_code("533301205201") == "533301205"
    assert ct.parent_code("533301205") == "533301"
    assert ct.parent_code("53") == ""
    assert ct.parent_code("") == ""
    assert ct.ancestors("533301205201") == ["53", "5333", "533301", "533301205"]
    assert ct.ancestors("53") == []
    assert ct.child_length(0) == 2 and ct.child_length(9) == 12 and ct.child_length(12) == 12
    assert ct.parent_length(12) == 9 and ct.parent_length(2) == 0


@pytest.mark.parametrize("text", ["53", "533301205201", "0"])
def test_is_code_accepts_ascii_digits(text):
    assert ct.is_code(text)


@pytest.mark.parametrize("text", ["", None, "53a", "1234567890123", "５３", "٥٣", "²", " 53", "-"])
def test_is_code_rejects_everything_else(text):
    assert not ct.is_code(text)


def test_is_node_code():
    assert ct.is_node_code("533301205")
    assert not ct.is_node_code("53330")
    assert not ct.is_node_code("")


@given(prefix=codes, code=codes)
def test_subtree_bounds_is_exactly_the_prefix(prefix, code):
    lo, hi = ct.subtree_bounds(prefix)
    assert (lo <= code <= hi) == code.startswith(prefix) == ct.in_subtree(code, prefix)


@given(code=codes)
def test_subtree_bounds_of_the_nation_hold_every_code(code):
    lo, hi = ct.subtree_bounds("")
    assert (lo, hi) == ("", "9" * 12)
    assert lo <= code <= hi


@pytest.mark.parametrize("bad", ["53a", "1234567890123", "５３"])
def test_subtree_bounds_rejects_non_codes(bad):
    with pytest.raises(ValueError):
        ct.subtree_bounds(bad)


def test_scope_bounds():
    assert Scope("5333").bounds() == ("5333", "533399999999")
    assert Scope.nation().bounds() == ("", "999999999999")
    lo, hi = Scope.nothing().bounds()
    assert not any(lo <= c <= hi for c in ("", "0", "53", "999999999999"))


def test_narrow_or_404_narrows_inside_the_scope(users):
    county = users["county"]  # 533301
    assert narrow_or_404(county, "533301205").prefix == "533301205"
    assert narrow_or_404(county, "").prefix == "533301"
    assert narrow_or_404(county, None).prefix == "533301"
    assert narrow_or_404(county, "53").prefix == "533301"  # above the user's region: their own subtree
    assert narrow_or_404(users["sysadmin"], "").is_nation
    assert narrow_or_404(users["sysadmin"], "52").prefix == "52"


@pytest.mark.parametrize("code", ["52", "533302", "５３３３０１", "533301a", "1234567890123", "-"])
def test_narrow_or_404_refuses_outside_and_non_codes(users, code):
    with pytest.raises(Http404):
        narrow_or_404(users["county"], code)


def test_narrow_or_404_node_needs_the_whole_node(users):
    county, nation = users["county"], users["sysadmin"]
    assert narrow_or_404(county, "533301", node=True) == Scope("533301")
    assert narrow_or_404(county, "533301205", node=True) == Scope("533301205")
    assert narrow_or_404(nation, "", node=True).is_nation
    for code in ("", "53", "52"):
        with pytest.raises(Http404):
            narrow_or_404(county, code, node=True)


def test_narrow_or_404_refuses_users_without_scope(db):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Http404):
        narrow_or_404(AnonymousUser(), "")


def test_scope_q_filters_the_subtree(users, tree):
    from fupin.regions.models import Region

    codes = set(Region.objects.filter(narrow_or_404(users["sysadmin"], "533301").q("code")).values_list("code", flat=True))
    assert codes and all(c.startswith("533301") for c in codes)
