"""Upload page, background job with progress, error report download, template and export links."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from fupin.registry.models import Household, ImportJob
from fupin.registry.tests.importing import VILLAGE, dump, form, write_xlsx

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def immediate(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.VAR_DIR = tmp_path / "var"  # django-tasks resets its backends on setting_changed


def _login(client, user):
    client.force_login(user)


def _upload(client, path, **extra):
    f = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post(reverse("registry_import"), {"files": [f], **extra})


def test_upload_runs_the_job_and_shows_the_summary(client, users, tmp_path, immediate):
    _login(client, users["clerk"])
    assert client.get(reverse("registry_import")).status_code == 200
    resp = _upload(client, write_xlsx(tmp_path / "f.xlsx", form(2)))
    assert resp.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE, job.message
    assert job.summary["created"] == 2 and job.progress == 1.0 and job.region_code == VILLAGE
    assert Household.objects.filter(village_id=VILLAGE).count() == 2
    page = client.get(resp["Location"])
    assert page.status_code == 200 and "hx-get" not in page.content.decode()
    partial = client.get(resp["Location"], headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b"100%" in partial.content


def test_rejected_job_offers_the_error_report(client, users, tmp_path, immediate):
    data = form(1)
    data["户"][0]["行政村代码"] = "533301205999"
    _login(client, users["clerk"])
    before = dump()
    resp = _upload(client, write_xlsx(tmp_path / "bad.xlsx", data))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REJECTED
    assert dump() == before
    page = client.get(resp["Location"]).content.decode()
    assert reverse("registry_import_report", args=[job.token]) in page
    report = client.get(reverse("registry_import_report", args=[job.token]))
    wb = load_workbook(io.BytesIO(b"".join(report.streaming_content)))
    assert wb["户"].cell(row=2, column=2).fill.fgColor.rgb.endswith("FFC7CE")


def test_dry_run_checkbox(client, users, tmp_path, immediate):
    _login(client, users["clerk"])
    _upload(client, write_xlsx(tmp_path / "f.xlsx", form(1)), dry_run="1")
    job = ImportJob.objects.get()
    assert job.dry_run and job.summary["created"] == 1
    assert not Household.objects.filter(village_id=VILLAGE).exists()


def test_queued_job_is_polled(client, users):
    job = ImportJob.objects.create(actor=users["clerk"], username="clerk", region_code=VILLAGE, progress=0.4)
    _login(client, users["clerk"])
    html = client.get(reverse("registry_import_job", args=[job.token])).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="40"' in html


def test_jobs_are_scoped(client, users):
    job = ImportJob.objects.create(actor=users["clerk"], username="clerk", region_code=VILLAGE)
    _login(client, users["exchange"])  # 贵州
    assert client.get(reverse("registry_import_job", args=[job.token])).status_code == 404


def test_only_writers_may_import(client, users, tmp_path):
    _login(client, users["analyst"])
    assert client.get(reverse("registry_import")).status_code == 403
    assert _upload(client, write_xlsx(tmp_path / "f.xlsx", form(1))).status_code == 403
    assert not ImportJob.objects.exists()


def test_wrong_file_type_is_refused(client, users, tmp_path, immediate):
    _login(client, users["clerk"])
    path = tmp_path / "notes.txt"
    path.write_text("x")
    f = SimpleUploadedFile("notes.pdf", b"%PDF")
    resp = client.post(reverse("registry_import"), {"files": [f]})
    assert resp.status_code == 200 and not ImportJob.objects.exists()


def test_template_download_documents_every_column(client, users):
    from fupin.registry.template import SHEETS

    _login(client, users["clerk"])
    resp = client.get(reverse("registry_template"))
    wb = load_workbook(io.BytesIO(resp.content))
    assert wb.sheetnames == ["户", "家庭成员", "收入", "说明", "代码表"]  # 代码表: hidden, behind the dropdowns
    assert [c.value for c in wb["家庭成员"][1]] == SHEETS[1].headers
    documented = {(r[0], r[1]) for r in wb["说明"].iter_rows(min_row=2, values_only=True)}
    assert all((s.name, c.header) in documented for s in SHEETS for c in s.columns)
    rows = {r[1]: r[4] for r in wb["说明"].iter_rows(min_row=2, values_only=True) if r[0] == "户"}
    assert "因病" in rows["主要致贫原因"]


def test_export_link(client, users, households):
    _login(client, users["county"])
    resp = client.get(reverse("registry_export"))
    wb = load_workbook(io.BytesIO(resp.content))
    numbers = [r[0] for r in wb["户"].iter_rows(min_row=2, values_only=True)]
    assert sorted(numbers) == sorted(h.number for h in households.values() if h.village_id.startswith("533301"))
    zipped = client.get(reverse("registry_export") + "?format=csv")
    assert zipped["Content-Type"] == "application/zip"


def test_progress_of_the_write_phase_reaches_the_page(client, users, tmp_path, immediate, monkeypatch):
    """The write runs in one transaction: the stage it reports must still reach the progress page (another
    connection, which sees only committed rows) while it runs."""
    from fupin.registry import jobs
    from fupin.registry.importing import write as stage

    seen = []
    real = stage.write

    def write(plan, *, actor, progress, laps=None):
        progress("写入 / writing", 0.75)  # inside the import's transaction: the job's row is not updated
        seen.append(jobs.live_progress(ImportJob.objects.get()))  # what the page shows meanwhile
        return real(plan, actor=actor, progress=progress, laps=laps)

    monkeypatch.setattr(stage, "write", write)
    _login(client, users["clerk"])
    _upload(client, write_xlsx(tmp_path / "f.xlsx", form(1)))
    assert seen == [("写入 / writing", 0.75)]
    job = ImportJob.objects.get()
    assert job.status == "done" and jobs.live_progress(job) == ("完成 / done", 1.0)
