import io

import openpyxl

from fupin.commerce import services
from fupin.team.models import Attendance as Trainee


def _xlsx(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "村代码", "层级", "培训成效"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_attendance_links_members_and_is_all_or_nothing(bureau, households, tmp_path):
    course = services.create_course(actor=bureau, title="农村电商实操培训", organiser="泸水市商务局",
                                    region_code="533301", starts_on="2021-04-01", hours="16")
    member = households["533301205201"].members.first()
    rows = [[member.name, member.id_number, "533301205201", "从业", "开设网店"],
            ["王小二", None, "533301101201", None, None]]
    bad = [*rows, ["李四", "530102199001011234", "533323101201", "培训", ""]]  # bad check digit, outside the county
    path = tmp_path / "errors.xlsx"
    result = services.import_attendance(actor=bureau, course_id=course.pk, content=_xlsx(bad), filename="a.xlsx",
                                        error_path=path)
    assert not result.ok and not Trainee.objects.exists()
    assert {(c.row, c.column) for c in result.conflicts} == {(4, "身份证号"), (4, "村代码")}
    assert path.exists()
    result = services.import_attendance(actor=bureau, course_id=course.pk, content=_xlsx(rows), filename="a.xlsx")
    assert result.ok and result.created == 2 and result.counts["linked_members"] == 1
    linked = Trainee.objects.get(member__isnull=False)
    assert linked.member_id == member.pk and linked.level == "practitioner" and linked.outcome == "开设网店"
    assert Trainee.objects.get(member__isnull=True).level == "trained"
    again = services.import_attendance(actor=bureau, course_id=course.pk, content=_xlsx(rows[:1]), filename="a.xlsx")
    assert not again.ok and again.conflicts[0].column == "身份证号"


def test_course_pages(client, bureau, households):
    from django.urls import reverse

    client.force_login(bureau)
    r = client.post(reverse("commerce_courses"), {"title": "直播带货培训", "organiser": "泸水市商务局",
                                                  "region": "533301", "starts_on": "2021-05-01", "hours": "8"})
    assert r.status_code == 302
    member = households["533301205201"].members.first()
    f = io.BytesIO(_xlsx([[member.name, member.id_number, "533301205201", "高级人才", ""]]))
    f.name = "list.xlsx"
    r = client.post(r["Location"], {"file": f})
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert member.name not in page and member.name[0] + "*" in page  # the bureau sees names masked
