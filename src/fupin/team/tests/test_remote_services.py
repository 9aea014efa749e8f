"""Schools and clinics carry remote education and health (issue 16) through connectivity's facility upload."""

import datetime as dt

import pytest

from fupin.connectivity import services
from fupin.connectivity.models import Facility
from fupin.connectivity.rows import EventDataError

HEADER = "类型,区划代码,名称,接入日期,带宽（Mbps）,学校类型,远程课堂开通日期,远程诊疗开通日期\n"


def test_facility_upload_sets_school_kind_remote_classroom_and_telemedicine(users, tree):
    good = (HEADER + "学校,533301205,古登乡中心学校,2018-09-01,100,小学,2019-09-01,\n"
            "学校,533301205201,季加村教学点,,,教学点,,\n"
            "村卫生室,533301205201,季加村卫生室,2019-04-01,,,,2020-06-01\n")
    services.import_facilities(content=good.encode(), filename="f.csv", actor=users["county"])
    school = Facility.objects.get(name="古登乡中心学校")
    assert (school.school_kind, school.bandwidth, school.remote_classroom_on) == ("primary", 100, dt.date(2019, 9, 1))
    assert Facility.objects.get(name="季加村教学点").school_kind == "teaching_point"
    assert Facility.objects.get(name="季加村卫生室").telemedicine_on == dt.date(2020, 6, 1)
    bad = HEADER + "村卫生室,533301205201,季加村卫生室,,,小学,2019-09-01,\n"  # school columns on a clinic
    with pytest.raises(EventDataError):
        services.import_facilities(content=bad.encode(), filename="g.csv", actor=users["county"])
