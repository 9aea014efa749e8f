"""The household list's income band: the latest year's income per person against that year's line."""

from fupin.registry.models import Household, Income
from fupin.registry.services import refresh_latest_income
from fupin.testing import make_household

from .dossier_helpers import login


def _with_income(village, year, per_person):
    h = make_household(village, size=1)
    Income.objects.filter(household=h).delete()
    Income.objects.create(household=h, year=year, household_size=1, wage_other=per_person)
    refresh_latest_income(Household.objects.filter(pk=h.pk))
    return h


def test_income_bands(users, tree):
    v = tree["533301205201"]
    below = _with_income(v, 2020, 3999)          # below 4,000
    on_line = _with_income(v, 2020, 4000)        # the line itself: near
    near = _with_income(v, 2019, 5000)           # 2019 line 3,747: up to 5,620.5 is near
    above = _with_income(v, 2019, 5700)          # above 1.5 × 3,747
    old_low = _with_income(v, 2016, 2900)        # 2016 line 2,952: below
    none = make_household(v, size=1)
    Income.objects.filter(household=none).delete()
    # the latest year counts, not an older richer one
    Income.objects.create(household=below, year=2018, household_size=1, wage_other=99999)
    refresh_latest_income(Household.objects.all())  # the factories write incomes without the service
    c = login("clerk")

    def numbers(band):
        r = c.get("/households/", {"band": band, "format": "csv"})
        lines = b"".join(r.streaming_content).decode("utf-8-sig").splitlines()[1:]
        return {line.split(",")[0] for line in lines}

    assert numbers("below") == {below.number, old_low.number}
    assert numbers("near") == {on_line.number, near.number}
    assert numbers("above") == {above.number}
    assert numbers("none") == {none.number}
    assert len(numbers("")) == 6
    assert numbers("nonsense") == numbers("")


def test_band_filter_on_the_page_with_htmx_sort_and_pagination(users, tree):
    v = tree["533301205201"]
    for i in range(25):
        _with_income(v, 2020, 1000 + i)
    _with_income(v, 2020, 9000)
    c = login("clerk")
    html = c.get("/households/", {"band": "below", "sort": "-income"}).content.decode()
    assert 'name="band"' in html and '<option value="below" selected>' in html
    assert "page=2" in html and "band=below" in html
    part = c.get("/households/", {"band": "below", "sort": "-income", "page": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in part and part.count("<tr><td") == 5
