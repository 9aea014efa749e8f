"""Remote education and health (issue 16 item 6) where users work with facilities: the upload columns (optional,
validated), the village page (shown, added), the facility page (changed), the API, the demo, and the indicators of
schools with ≥ 100 Mbit/s, remote classrooms and telemedicine read from these fields (numerator / denominator equal
a recount)."""

import datetime as dt

import pytest
from django.urls import reverse

from fupin.connectivity import demo, services
from fupin.connectivity.models import Facility
from fupin.connectivity.rows import EventDataError
from fupin.connectivity.tests.factories import add_villages
from fupin.indicators import services as indicator_services
from fupin.indicators.models import IndicatorValue

VILLAGE, TOWNSHIP, OTHER = "533301205201", "533301205", "533301101201"
FULL = "类型,区划代码,名称,接入日期,带宽（Mbps）,学校类型,远程课堂开通日期,远程课堂停用日期,远程诊疗开通日期\n"


def _import(text, user):
    return services.import_facilities(content=text.encode(), filename="f.csv", actor=user)


def test_an_older_file_without_the_new_columns_imports_and_keeps_them(users):
    _import(FULL + f"学校,{VILLAGE},季加村教学点,2019-01-01,20,教学点,2019-09-01,,\n"
            f"村卫生室,{VILLAGE},季加村卫生室,2019-04-01,,,,,2020-06-01\n", users["county"])
    old = "类型,区划代码,名称,接入日期,带宽（Mbps）\n"
    r = _import(old + f"学校,{VILLAGE},季加村教学点,2019-01-01,100\n村卫生室,{VILLAGE},季加村卫生室,2019-05-01,\n",
                users["county"])
    assert (r.created, r.updated) == (0, 2)
    school = Facility.objects.get(name="季加村教学点")
    assert (school.bandwidth, school.school_kind, school.remote_classroom_on) == (100, "teaching_point",
                                                                                   dt.date(2019, 9, 1))
    assert Facility.objects.get(name="季加村卫生室").telemedicine_on == dt.date(2020, 6, 1)
    # a column the file has is taken as it is: an empty cell clears it
    _import("类型,区划代码,名称,远程诊疗开通日期\n" + f"村卫生室,{VILLAGE},季加村卫生室,\n", users["county"])
    assert Facility.objects.get(name="季加村卫生室").telemedicine_on is None


def test_bad_remote_cells_are_refused_by_row_and_column(users):
    bad = (FULL + f"学校,{VILLAGE},甲,,,高中,,,\n"                        # row 2: unknown school kind
           + f"学校,{VILLAGE},乙,,,小学,2020-09-01,2020-03-01,\n"          # row 3: ends before it starts
           + f"学校,{VILLAGE},丙,,,小学,,2020-03-01,\n"                    # row 4: ended but never started
           + f"乡镇卫生院,{TOWNSHIP},古登乡卫生院,,,,,,2099-01-01\n"        # row 5: in the future
           + f"乡镇卫生院,{TOWNSHIP},古登乡卫生院2,,,初中,,,\n")            # row 6: a school column on a clinic
    with pytest.raises(EventDataError) as exc:
        _import(bad, users["county"])
    assert {(e.row, e.column) for e in exc.value.errors} == {
        (2, "学校类型 / school_kind"), (3, "远程课堂停用日期 / remote_classroom_until"),
        (4, "远程课堂开通日期 / remote_classroom_on"), (5, "远程诊疗开通日期 / telemedicine_on"),
        (6, "学校类型 / school_kind")}
    assert not Facility.objects.exists()


def test_village_page_shows_and_adds_schools_and_clinics(client, users):
    Facility.objects.create(type="township_health", region_id=TOWNSHIP, name="古登乡卫生院",
                            telemedicine_on=dt.date(2019, 3, 1))
    Facility.objects.create(type="school", region_id=OTHER, name="赖茂小学", school_kind="primary")
    client.force_login(users["county"])
    url = reverse("connectivity_village", args=[VILLAGE])
    r = client.post(url, {"action": "facility", "type": "school", "name": "季加村教学点", "connected_on": "2019-01-01",
                          "bandwidth": "100", "school_kind": "teaching_point", "remote_classroom_on": "2019-09-01",
                          "remote_classroom_until": "", "classrooms": ""})
    assert r.status_code == 302
    school = Facility.objects.get(name="季加村教学点")
    assert (school.region_id, school.school_kind, school.remote_classroom_on) == (VILLAGE, "teaching_point",
                                                                                   dt.date(2019, 9, 1))
    r = client.post(url, {"action": "facility", "type": "village_clinic", "name": "季加村卫生室",
                          "telemedicine_on": "2030-01-01"})
    assert r.status_code == 200 and not Facility.objects.filter(name="季加村卫生室").exists()
    page = r.content.decode()
    assert "远程诊疗开通日期" in page and 'value="季加村卫生室"' in page  # the error, and the form keeps the input
    r = client.post(url, {"action": "facility", "type": "base_stations", "name": "x", "year": "2020"})
    assert r.status_code == 200 and not Facility.objects.filter(type="base_stations").exists()
    page = client.get(url).content.decode()
    assert "教学点" in page and "远程课堂开通日期 2019-09-01" in page  # its kind and remote classroom
    assert "古登乡卫生院" in page and "远程诊疗开通日期 2019-03-01" in page  # the township's health centre
    assert "赖茂小学" not in page  # another village's school
    # a clerk of the village sees the school, not the township's centre (outside the clerk's region), and cannot add
    client.force_login(users["clerk"])
    page = client.get(url).content.decode()
    assert "季加村教学点" in page and "古登乡卫生院" not in page and 'value="facility"' not in page
    r = client.post(url, {"action": "facility", "type": "school", "name": "新学校"})
    assert r.status_code == 200 and not Facility.objects.filter(name="新学校").exists()


def test_facility_page_changes_a_school_and_is_scoped(client, users):
    school = Facility.objects.create(type="school", region_id=VILLAGE, name="季加小学", bandwidth=50,
                                     connected_on=dt.date(2018, 1, 1), classrooms=2)
    outside = Facility.objects.create(type="school", region_id="533323101201", name="腊竹底小学")
    client.force_login(users["county"])
    url = reverse("connectivity_facility", args=[school.pk])
    page = client.get(url).content.decode()
    assert "季加小学" in page and 'name="school_kind"' in page and 'name="telemedicine_on"' not in page
    r = client.post(url, {"name": "季加完小", "school_kind": "primary", "bandwidth": "200", "connected_on": "2018-01-01",
                          "classrooms": "2", "remote_classroom_on": "2020-03-01", "remote_classroom_until": ""})
    assert r.status_code == 302
    school.refresh_from_db()
    assert (school.name, school.school_kind, school.bandwidth, school.remote_classroom_on) == (
        "季加完小", "primary", 200, dt.date(2020, 3, 1))
    r = client.post(url, {"name": "季加完小", "school_kind": "college", "bandwidth": "200"})
    assert r.status_code == 200 and "学校类型" in r.content.decode()
    school.refresh_from_db()
    assert school.school_kind == "primary"
    assert client.get(reverse("connectivity_facility", args=[outside.pk])).status_code == 404
    list_page = client.get(reverse("connectivity_facilities") + "?kind=primary").content.decode()
    assert "季加完小" in list_page and "远程课堂开通日期 2020-03-01" in list_page
    assert "腊竹底小学" not in list_page
    client.force_login(users["clerk"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "x"}).status_code == 403


def test_api_reads_and_writes_the_remote_fields(client, users):
    client.force_login(users["county"])
    r = client.post("/api/v1/connectivity/facilities",
                    {"type": "village_clinic", "code": VILLAGE, "name": "季加村卫生室", "telemedicine_on": "2020-06-01"},
                    content_type="application/json")
    assert r.status_code == 201 and r.json()["telemedicine_on"] == "2020-06-01"
    r = client.post("/api/v1/connectivity/facilities",
                    {"type": "school", "code": VILLAGE, "name": "季加小学", "school_kind": "教学点",
                     "remote_classroom_on": "2019-09-01"}, content_type="application/json")
    assert r.status_code == 201 and (r.json()["school_kind"], r.json()["remote_classroom_on"]) == (
        "teaching_point", "2019-09-01")
    r = client.post("/api/v1/connectivity/facilities",
                    {"type": "village_clinic", "code": VILLAGE, "name": "x", "remote_classroom_on": "2019-09-01"},
                    content_type="application/json")
    assert r.status_code == 422 and "远程课堂开通日期 / remote_classroom_on" in r.json()["errors"]


def _recount(day):
    """(numerator, denominator) of the three indicators for the county 533301 from the rows, in Python."""
    open_ = [f for f in Facility.objects.filter(region__code__startswith="533301")
             if (f.opened_on is None or f.opened_on <= day) and (f.closed_on is None or f.closed_on > day)]
    schools = [f for f in open_ if f.type == "school"]
    clinics = [f for f in open_ if f.type in ("township_health", "village_clinic")]
    return {
        "school_100m": (sum(1 for f in schools if (f.bandwidth or 0) >= 100 and f.connected_on
                            and f.connected_on <= day), len(schools)),
        "school_remote_classroom": (sum(1 for f in schools if f.remote_classroom_on and f.remote_classroom_on <= day
                                        and (f.remote_classroom_until is None or f.remote_classroom_until > day)),
                                    len(schools)),
        "clinic_telemedicine": (sum(1 for f in clinics if f.telemedicine_on and f.telemedicine_on <= day),
                                len(clinics)),
    }


def test_uploaded_fields_make_the_indicators(users):
    _import(FULL
            + f"学校,{TOWNSHIP},古登乡中心学校,2018-09-01,100,九年一贯制,2019-09-01,,\n"
            + f"学校,{VILLAGE},季加村教学点,2019-01-01,20,教学点,2019-09-01,2021-03-01,\n"  # stopped before the end
            + f"学校,{OTHER},赖茂小学,2022-01-01,200,小学,,,\n"                            # connected after 2021
            + f"乡镇卫生院,{TOWNSHIP},古登乡卫生院,2017-01-01,,,,,2019-03-01\n"
            + f"村卫生室,{VILLAGE},季加村卫生室,2019-04-01,,,,,\n", users["county"])
    period = indicator_services.ensure_period("2021")
    indicator_services.refresh(period)
    want = _recount(dt.date(2021, 12, 31))
    assert want == {"school_100m": (1, 3), "school_remote_classroom": (1, 3), "clinic_telemedicine": (1, 2)}
    for code, (n, d) in want.items():
        v = IndicatorValue.objects.get(period=period, indicator=code, region_code="533301")
        assert (v.numerator, v.denominator) == (n, d), code


def test_demo_has_school_kinds_remote_classrooms_and_telemedicine(tree):
    add_villages(tree, per_township=40)
    demo.generate(area="53", seed=3)
    schools = Facility.objects.filter(type="school")
    assert set(schools.values_list("school_kind", flat=True)) == {"primary", "junior", "nine_year", "teaching_point"}
    assert schools.exclude(remote_classroom_on=None).exists() and schools.filter(remote_classroom_on=None).exists()
    assert not schools.filter(remote_classroom_on__lt=dt.date(2017, 1, 1)).exists()
    assert all(f.connected_on and f.remote_classroom_on >= f.connected_on
               for f in schools.exclude(remote_classroom_on=None))
    clinics = Facility.objects.filter(type__in=("township_health", "village_clinic"))
    assert clinics.exclude(telemedicine_on=None).exists() and clinics.filter(telemedicine_on=None).exists()
    assert not Facility.objects.exclude(type="school").exclude(school_kind="").exists()
    assert not Facility.objects.exclude(type__in=("township_health", "village_clinic")).exclude(
        telemedicine_on=None).exists()
    period = indicator_services.ensure_period("2020")
    indicator_services.refresh(period)
    want = _recount(dt.date(2020, 12, 31))
    for code, (n, d) in want.items():
        v = IndicatorValue.objects.get(period=period, indicator=code, region_code="533301")
        assert (v.numerator, v.denominator) == (n, d) and d > 0, code
