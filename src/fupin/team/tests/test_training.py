import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from fupin.team import services
from fupin.team.models import Attendance


def _xlsx(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "村代码", "层级", "培训成效", "证书编号"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_attendance_upload_with_one_bad_row_writes_nothing(county_admin, cadres, households, tmp_path):
    t = services.create_training(actor=county_admin, title="网络技能培训", organiser="泸水市委组织部",
                                 region_code="533301", starts_on="2021-04-01", hours="8", topic="network",
                                 mode="online")
    member = households["533301205201"].members.first()
    good = [[member.name, member.id_number, "533301205201", None, None, "C-1"],
            [cadres[0].name, cadres[0].id_number, "533301205201", None, None, ""]]
    bad = [*good, ["李四", "5301021990010112", "533301101201", None, None, None]]
    result = services.import_attendance(actor=county_admin, training_id=t.pk, content=_xlsx(bad),
                                        filename="a.xlsx", error_path=tmp_path / "e.xlsx")
    assert not result.ok and not Attendance.objects.exists() and (tmp_path / "e.xlsx").exists()
    result = services.import_attendance(actor=county_admin, training_id=t.pk, content=_xlsx(good), filename="a.xlsx")
    assert result.ok and result.created == 2
    assert result.counts == {"linked_members": 1, "linked_team_members": 1}
    assert Attendance.objects.get(member=member).certificate == "C-1"
    assert Attendance.objects.get(cadre=cadres[0]).member_id is None


def test_commerce_courses_are_trainings_and_the_bureau_fills_only_them(county_admin, tree, households):
    from fupin import testing
    from fupin.commerce import services as commerce
    from fupin.core.roles import Role

    bureau = testing.make_user("bureau", tree["533301"], Role.COMMERCE_BUREAU)
    course = commerce.create_course(actor=bureau, title="电商实操", organiser="商务局", region_code="533301",
                                    starts_on="2021-04-01", hours="16")
    assert course.topic == "ecommerce"
    other = services.create_training(actor=county_admin, title="党员远程教育", organiser="组织部", region_code="533301",
                                     starts_on="2021-04-01", hours="2", topic="party")
    with pytest.raises(PermissionDenied):
        services.create_training(actor=bureau, title="x", organiser="y", region_code="533301",
                                 starts_on="2021-04-01", hours="2")
    from django.http import Http404

    with pytest.raises(Http404):
        commerce.import_attendance(actor=bureau, course_id=other.pk, content=_xlsx([]), filename="a.xlsx")
