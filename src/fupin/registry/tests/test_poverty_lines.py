"""The portrait and the income bands read the poverty lines administrators edit (lifecycle.PovertyLine)."""

from decimal import Decimal

from fupin.lifecycle.models import PovertyLine
from fupin.registry import portrait


def test_lines_come_from_the_edited_table(db):
    assert portrait.poverty_line(2020) == Decimal(4000)  # seeded with the published national line
    PovertyLine.objects.filter(year=2020, standard="national").update(amount=Decimal(4200))
    assert portrait.poverty_line(2020) == Decimal(4200)
    assert portrait.poverty_line(2031) == Decimal(4200)  # after the table: its last year


def test_published_lines_are_the_fallback_of_an_empty_table(db):
    PovertyLine.objects.all().delete()
    assert portrait.poverty_line(2016) == portrait.PUBLISHED_LINES[2016]
