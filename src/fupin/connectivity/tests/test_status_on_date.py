"""The status of a village on any past date follows from its dated events, whatever order they were entered in."""

import datetime as dt

import pytest

from fupin.connectivity import indicators, services
from fupin.connectivity.models import VillageStatus

D = dt.date
V = "533301205201"


def _event(user, day, kind, value="", funds=""):
    return services.record_event(actor=user, data={"code": V, "date": day, "kind": kind, "value": value, "funds": funds})


@pytest.fixture
def history(users):
    admin = users["sysadmin"]
    _event(admin, "2016-05-01", "4G")
    _event(admin, "2017-03-10", "光纤")
    _event(admin, "2017-03-10", "运营商", "中国电信")
    _event(admin, "2018-06-01", "断网")          # a landslide cuts everything
    _event(admin, "2018-07-15", "fiber", "是")    # fiber repaired; 4G not yet
    _event(admin, "2019-01-01", "运营商", "中国移动")
    _event(admin, "2016-01-20", "普遍服务试点", "2", "35.5")  # entered late, dated early
    _event(admin, "2019-09-01", "fiber", "否")    # fiber cut again; no 4G either → unconnected
    return admin


@pytest.mark.parametrize(("day", "connected", "fiber", "g4", "operator"), [
    (D(2016, 4, 30), False, False, False, None),   # only the pilot so far
    (D(2016, 5, 1), True, False, True, ""),
    (D(2017, 3, 10), True, True, True, "中国电信"),
    (D(2018, 6, 1), False, False, False, "中国电信"),
    (D(2018, 7, 14), False, False, False, "中国电信"),
    (D(2018, 7, 15), True, True, False, "中国电信"),
    (D(2019, 1, 1), True, True, False, "中国移动"),
    (D(2019, 9, 1), False, False, False, "中国移动"),
])
def test_status_on_past_dates(history, day, connected, fiber, g4, operator):
    s = indicators.status_on(day, V).get(V)
    assert s is not None
    assert bool(s["connected"]) is connected
    assert bool(s["fiber"]) is fiber
    assert bool(s["mobile_4g"]) is g4
    if operator is not None:
        assert s["operator"] == operator
    assert s["pilot_batch"] == 2
    assert s["fiber_date"] == (None if not fiber else D(2018, 7, 15) if day >= D(2018, 7, 15) else D(2017, 3, 10))


def test_no_event_before_the_first(history):
    assert indicators.status_on(D(2015, 12, 31), V) == {}


def test_current_status_is_the_replay_of_all_events(history):
    st = VillageStatus.objects.get(village_id=V)
    assert not st.connected and not st.fiber and st.operator == "中国移动" and st.pilot_batch == 2
    assert str(st.pilot_funds) == "35.50"
    services.record_event(actor=history, data={"code": V, "date": "2020-02-02", "kind": "4g", "value": "1"})
    st.refresh_from_db()
    assert st.connected and st.mobile_4g and str(st.mobile_4g_date) == "2020-02-02"
    assert str(st.connected_date) == "2020-02-02"


def test_same_day_disconnection_entered_after_connection_wins(users):
    _event(users["sysadmin"], "2020-01-01", "fiber")
    _event(users["sysadmin"], "2020-01-01", "disconnected")
    assert not indicators.status_on(D(2020, 1, 1), V)[V]["connected"]
