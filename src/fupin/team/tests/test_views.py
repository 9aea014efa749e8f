"""The county administrator's pages: coverage (page and Excel), members, a village's team with assign and rotate,
trainings with the upload form."""

import io

import openpyxl
from django.urls import reverse

from fupin.team.models import Posting

VILLAGE = "533301205201"


def test_county_admin_assigns_and_rotates_in_the_pages(client, county_admin, cadres, tree, households):
    tree[VILLAGE].is_poor_village = True
    tree[VILLAGE].save()
    client.force_login(county_admin)
    assert "没有第一书记的贫困村" in client.get(reverse("team")).content.decode()
    r = client.post(reverse("team_village", args=[VILLAGE]), {"action": "post", "cadre": cadres[0].pk,
                                                               "role": "first_secretary", "start_date": "2020-01-01"})
    assert r.status_code == 302 and Posting.objects.get().cadre_id == cadres[0].pk
    r = client.post(reverse("team_village", args=[VILLAGE]), {"action": "rotate", "on": "2022-01-01",
                                                               "cadre": [cadres[1].pk, ""],
                                                               "role": ["first_secretary", "team_member"]})
    assert r.status_code == 302
    page = client.get(reverse("team_village", args=[VILLAGE]) + "?on=2021-06-01").content.decode()
    assert "王书记" in page and "李队员" in page  # the team on that day, and the history
    page = client.get(reverse("team_coverage", args=["leader"])).content.decode()
    assert VILLAGE in page
    r = client.get(reverse("team_coverage", args=["no_cadre"]) + "?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert sheet.cell(1, 1).value == "户编号" and sheet.max_row >= 2
    for name in ("team_members", "team_trainings", "team_visits"):
        assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("team_member", args=[cadres[0].pk])).status_code == 200
    r = client.post(reverse("team_trainings"), {"title": "网络技能培训", "organiser": "组织部", "region": "533301",
                                                "starts_on": "2021-05-01", "hours": "8", "topic": "network",
                                                "mode": "offline"})
    assert r.status_code == 302 and client.get(r["Location"]).status_code == 200


def test_a_large_coverage_list_is_exported_by_a_background_job(client, county_admin, households, settings, tmp_path):
    """Above FUPIN_EXPORT_BACKGROUND_ROWS the list is written by a job (a nationwide list has ~140,000 rows) with the
    same rows as the direct export, downloaded by the user who asked."""
    from fupin.core.models import ExportJob

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.VAR_DIR = tmp_path
    client.force_login(county_admin)
    url = reverse("team_coverage", args=["no_cadre"]) + "?format=csv"
    direct = client.get(url)
    expected = b"".join(direct.streaming_content) if direct.streaming else direct.content
    assert expected.decode("utf-8-sig").count("\n") >= 3  # a header and some households without a cadre
    settings.FUPIN_EXPORT_BACKGROUND_ROWS = 1
    r = client.get(url)
    assert r.status_code == 302 and r["Location"].startswith("/exports/")
    job = ExportJob.objects.get()
    assert job.status == "done" and job.source == "fupin.team.views.coverage_export_rows"
    download = client.get(f"/exports/{job.token}/download/")
    got = b"".join(download.streaming_content) if download.streaming else download.content
    assert got == expected
