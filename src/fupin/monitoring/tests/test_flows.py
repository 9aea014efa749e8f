"""Flow statistics count relief (救助) from dated 综合保障 measures, the risk types of the monitoring objects
included, and the moves between states for the Sankey; the Excel export opens and holds every table; other
regions count nothing."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from fupin import testing
from fupin.core.models import AuditEvent
from fupin.core.roles import Role
from fupin.lifecycle.models import Case, Kind, Measure, MonitoringRecord, Stage
from fupin.monitoring import flows

from .conftest import MINE, OTHER

START, END = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
IN = timezone.make_aware(dt.datetime(2026, 2, 10, 10))
BEFORE = timezone.make_aware(dt.datetime(2025, 12, 31, 23))


def _case(h, kind, before, opener, closed=IN, **extra):
    return Case.objects.create(household=h, kind=kind, stage=Stage.APPROVED, year=2026, reason="x", opened_by=opener,
                               previous_status=before, closed_at=closed, **extra)


def _measure(h, type_, start):
    return Measure.objects.create(household=h, type=type_, description="x", start_date=start, responsible="李")


@pytest.fixture
def history(tree, users):
    v, other = tree[MINE], tree[OTHER]
    clerk = users["clerk"]
    h = {n: testing.make_household(v, status=s) for n, s in (
        ("sick", "monitored"), ("flooded", "monitored"), ("recovered", "non_poor"), ("exited", "exited"),
        ("late", "monitored"), ("relieved", "exited"))}
    h["four"] = testing.make_household(v, size=4, status="monitored")
    h["elsewhere"] = testing.make_household(other, status="monitored")
    _case(h["sick"], Kind.MONITORING, "exited", clerk, risks=["01", "04"], category="01")
    _case(h["flooded"], Kind.MONITORING, "non_poor", clerk, risks=["04"], category="03")
    _case(h["four"], Kind.MONITORING, "exited", clerk, risks=["04", "04"], category="01")
    included = _case(h["recovered"], Kind.MONITORING, "non_poor", clerk, closed=BEFORE, risks=["07"], category="02")
    eliminated = _case(h["recovered"], Kind.ELIMINATION, "monitored", clerk, elimination_method="01")
    MonitoringRecord.objects.create(household=h["recovered"], category="02", risks=["07"], started_on=START,
                                    included_by=included, ended_on=END, eliminated_by=eliminated)
    _case(h["exited"], Kind.EXIT, "poor", clerk)
    _case(h["late"], Kind.MONITORING, "exited", clerk, closed=timezone.make_aware(dt.datetime(2026, 4, 1, 1)),
          risks=["05"], category="01")
    _case(h["elsewhere"], Kind.MONITORING, "exited", clerk, risks=["05"], category="01")
    _measure(h["relieved"], "09", dt.date(2026, 3, 31))
    _measure(h["relieved"], "09", dt.date(2026, 1, 5))  # the same household twice: counted once
    _measure(h["exited"], "09", dt.date(2025, 12, 31))  # before the period
    _measure(h["sick"], "05", dt.date(2026, 2, 1))  # health assistance, not relief
    _measure(h["elsewhere"], "09", dt.date(2026, 2, 1))  # outside the township
    return h


def test_relief_risk_types_and_moves(history, users):
    with translation.override("zh-hans"):
        f = flows.flows(users["township"], start=START, end=END)
        sankey = f.sankey
    kinds = {r["kind"]: (r["households"], r["persons"]) for r in f.by_kind}
    assert kinds["relief"] == (1, 3)
    assert kinds["monitoring"] == (3, 10) and kinds["elimination"] == (1, 3) and kinds["exit"] == (1, 3)
    assert kinds["return"] == (0, 0)
    assert {r["risk"]: (r["households"], r["persons"]) for r in f.by_risk} == {"01": (1, 3), "04": (3, 10)}
    assert next(r for r in f.by_risk if r["risk"] == "04")["label"] == "因自然灾害"
    moves = {(m["before"], m["after"]): (m["households"], m["persons"]) for m in f.moves}
    assert moves == {("exited", "monitored"): (2, 7), ("non_poor", "monitored"): (1, 3),
                     ("monitored", "non_poor"): (1, 3), ("poor", "exited"): (1, 3)}
    names = {n["name"] for n in sankey["nodes"]}
    assert "已脱贫 →" in names and "→ 监测对象" in names and "监测对象 →" in names and "→ 一般农户" in names
    link = next(x for x in sankey["links"] if x["source"] == "已脱贫 →" and x["target"] == "→ 监测对象")
    assert link["value"] == 2 and link["persons"] == 7
    # the county next door sees none of it
    fugong = testing.make_user("fugong", history["elsewhere"].village.parent, Role.TOWNSHIP_REVIEWER)
    f = flows.flows(fugong, start=START, end=END)
    kinds = {r["kind"]: r["households"] for r in f.by_kind}
    assert kinds["relief"] == 1 and kinds["monitoring"] == 1 and kinds["exit"] == 0
    assert [(m["before"], m["after"]) for m in f.moves] == [("exited", "monitored")]


def test_page_shows_the_sankey_and_the_excel_export_opens(client, history, users):
    client.force_login(users["township"])
    url = reverse("monitoring_flows") + f"?start={START}&end={END}"
    page = client.get(url).content.decode()
    assert 'id="flow-sankey"' in page and 'id="sankey-data"' in page and "monitoring/flows.js" in page
    assert "综合保障" in page and "因自然灾害" in page
    r = client.get(url + "&format=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    by_code = {row[1]: row[3:] for row in rows[1:]}
    assert by_code["relief"] == (1, 3) and by_code["risk:04"] == (3, 10)
    assert by_code["exited>monitored"] == (2, 7) and by_code["monitored>non_poor"] == (1, 3)
    assert by_code["monitoring:01"][0] == 3  # by main cause (make_household: 01)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="monitoring.flows").count() == 1


def test_no_chart_without_moves(client, users, tree):
    client.force_login(users["township"])
    page = client.get(reverse("monitoring_flows") + "?start=2020-01-01&end=2020-01-02").content.decode()
    assert 'id="flow-sankey"' not in page and "echarts" not in page
