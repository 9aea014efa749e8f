"""The e-commerce facilities of connectivity move to commerce stations (migration 0002), and connectivity's
village e-commerce coverage reads the stations."""

import datetime as dt
import importlib
from types import SimpleNamespace

from django.db import connection

from fupin.commerce.models import Station, Tier
from fupin.connectivity import indicators as coverage
from fupin.connectivity.models import Facility

move = importlib.import_module("fupin.commerce.migrations.0002_move_ecommerce_facilities")


def test_facilities_become_stations_with_their_tier(tree):
    Facility.objects.create(type="ecommerce", region=tree["533301"], name="泸水市电商中心", opened_on=dt.date(2016, 1, 1))
    Facility.objects.create(type="ecommerce", region=tree["533301205"], name="", source="county list")
    Facility.objects.create(type="ecommerce", region=tree["533301205201"], name="季加村电商服务站",
                            opened_on=dt.date(2017, 3, 1), closed_on=dt.date(2020, 1, 1))
    Facility.objects.create(type="express", region=tree["533301205"], name="古登乡快递")
    move.forward(None, SimpleNamespace(connection=connection))
    assert not Facility.objects.filter(type="ecommerce").exists()
    assert Facility.objects.filter(type="express").count() == 1
    by_region = {s.region_id: s for s in Station.objects.all()}
    assert by_region["533301"].tier == Tier.COUNTY_CENTRE
    assert by_region["533301205"].tier == Tier.TOWNSHIP_STATION
    assert by_region["533301205"].name == "电商服务站" and by_region["533301205"].source == "county list"
    village = by_region["533301205201"]
    assert village.tier == Tier.VILLAGE_POINT and village.closed_on == dt.date(2020, 1, 1)
    move.backward(None, SimpleNamespace(connection=connection))
    assert Facility.objects.filter(type="ecommerce").count() == 3 and not Station.objects.exists()


def test_village_ecommerce_coverage_reads_stations(tree):
    Station.objects.create(tier=Tier.VILLAGE_POINT, region=tree["533301205201"], name="季加村电商服务站",
                           opened_on=dt.date(2017, 3, 1), closed_on=dt.date(2020, 1, 1))
    Station.objects.create(tier=Tier.TOWNSHIP_STATION, region=tree["533301205"], name="古登乡电商服务站")
    on_2018 = coverage.total("village_ecommerce", prefix="533301", on=dt.date(2018, 1, 1))
    assert (on_2018.numerator, on_2018.denominator) == (1, 2)  # 季加 and 赖茂 (the 居委会 is left out)
    assert coverage.total("village_ecommerce", prefix="533301", on=dt.date(2021, 1, 1)).numerator == 0
