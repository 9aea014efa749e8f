"""Large exports as background jobs (issue 21 item 8): above FUPIN_EXPORT_BACKGROUND_ROWS the export is queued, the
user follows its progress and downloads the same rows as the synchronous export would have sent; only that user can;
one audit record per download; files deleted after a day; a worker killed midway is recovered or failed cleanly."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from fupin import testing
from fupin.core import audit, exports
from fupin.core.models import AuditEvent, ExportJob
from fupin.core.recovery import MARKER, REASON, recover_interrupted
from fupin.core.roles import Role

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
COUNTY_VILLAGE = "533301205201"


@pytest.fixture
def immediate(settings, tmp_path):
    settings.TASKS = IMMEDIATE  # django-tasks resets its backends on setting_changed
    settings.VAR_DIR = tmp_path / "var"
    return settings


@pytest.fixture
def many(tree, households):
    """Eleven more households in a village of the county (which has 14 then): more than a threshold of 10."""
    from fupin.registry.models import Household

    for _ in range(11):
        testing.make_household(tree[COUNTY_VILLAGE], size=1)
    return Household.objects.filter(village__code__startswith="533301").count()


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def export_events():
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return AuditEvent.objects.filter(id__gt=last, action=AuditEvent.Action.EXPORT)


def table(fmt: str, body: bytes) -> list[list]:
    if fmt == "csv":
        return [row for row in csv.reader(io.StringIO(body.decode("utf-8-sig")))]
    return [list(r) for r in load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True)]


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_large_export_goes_through_a_job_with_the_same_rows(users, many, immediate, fmt):
    c = client_for(users["county"])
    events = export_events()
    direct = c.get("/households/", {"format": fmt, "sort": "number"})
    assert direct.status_code == 200
    expected = table(fmt, content(direct))
    assert len(expected) == 1 + many and many == 14
    assert events.count() == 1

    immediate.FUPIN_EXPORT_BACKGROUND_ROWS = 10
    events = export_events()
    r = c.get("/households/", {"format": fmt, "sort": "number"})
    assert r.status_code == 302 and r["Location"].startswith("/exports/")
    assert not events.exists()  # nothing left the platform yet
    job = ExportJob.objects.get()
    assert (job.status, job.done_rows, job.total, job.what, job.fmt) == ("done", 14, 14, "registry.household", fmt)
    assert job.source == "fupin.registry.exports.household_source"

    page = c.get(r["Location"]).content.decode()  # the pages are Chinese first
    assert "已写出 14 / 14 行" in page and f"/exports/{job.token}/download/" in page and "hx-get" not in page
    polled = c.get(r["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in polled and "已写出 14 / 14 行" in polled and f"下载 households.{fmt}" in polled
    assert not events.exists()  # progress pages are not exports

    download = c.get(f"/exports/{job.token}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith(f'attachment; filename="households.{fmt}"')
    assert table(fmt, content(download)) == expected  # the same header, rows, masking and safe cells
    ev = events.get()  # exactly one audit record, at the download
    assert (ev.object_type, ev.username, ev.detail["format"], ev.detail["rows"]) == (
        "registry.household", "county", fmt, 14)
    assert ev.detail["export_job"] == job.pk and ev.channel == "web"
    if fmt == "xlsx":  # numbers as numbers: years, size and income are numeric cells; household numbers stay text
        row = expected[1]
        assert isinstance(row[0], str) and isinstance(row[1], str)
        assert isinstance(row[4], int) and isinstance(row[7], int) and isinstance(row[9], (int, float))


def test_small_exports_stay_synchronous(users, many, immediate):
    immediate.FUPIN_EXPORT_BACKGROUND_ROWS = many  # not more rows than the threshold
    r = client_for(users["county"]).get("/households/", {"format": "csv"})
    assert r.status_code == 200 and r.streaming
    assert not ExportJob.objects.exists()


def test_only_the_user_who_asked_sees_and_downloads_the_export(users, many, immediate, tree):
    immediate.FUPIN_EXPORT_BACKGROUND_ROWS = 5
    r = client_for(users["county"]).get("/households/", {"format": "xlsx"})
    job = ExportJob.objects.get()
    colleague = testing.make_user("county2", tree["533301"], Role.COUNTY_ADMIN)  # same region and role
    events = export_events()
    for user in (colleague, users["sysadmin"], users["township"]):
        other = client_for(user)
        assert other.get(r["Location"]).status_code == 404
        assert other.get(f"/exports/{job.token}/download/").status_code == 404
        assert job.token not in other.get("/exports/").content.decode()
    assert not events.exists()
    assert Client().get(f"/exports/{job.token}/download/").status_code == 302  # the login page
    assert job.token in client_for(users["county"]).get("/exports/").content.decode()


def test_every_download_is_audited_once_and_files_are_deleted_after_a_day(users, many, immediate):
    immediate.FUPIN_EXPORT_BACKGROUND_ROWS = 5
    c = client_for(users["county"])
    c.get("/households/", {"format": "csv"})
    job = ExportJob.objects.get()
    path = exports.export_path(job)
    assert path.exists() and path.parent == Path(immediate.VAR_DIR) / "exports"
    events = export_events()
    for _ in range(2):
        assert c.get(f"/exports/{job.token}/download/").status_code == 200
    assert events.count() == 2  # one record per download

    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    events = export_events()
    r = c.get(f"/exports/{job.token}/download/")
    assert r.status_code == 302 and r["Location"] == f"/exports/{job.token}/"
    assert not path.exists() and ExportJob.objects.get().status == "expired"
    assert "文件已在一天后删除" in c.get(r["Location"]).content.decode()
    assert not events.exists()


def test_the_workbench_lists_the_users_recent_exports(users, many, immediate):
    immediate.FUPIN_EXPORT_BACKGROUND_ROWS = 5
    c = client_for(users["county"])
    c.get("/households/", {"format": "xlsx"})
    job = ExportJob.objects.get()
    page = c.get("/workbench/").content.decode()
    assert 'data-card="exports"' in page and f"/exports/{job.token}/download/" in page
    assert 'data-card="exports"' not in client_for(users["township"]).get("/workbench/").content.decode()


@pytest.mark.parametrize("url, what", [
    ("/quality/rules/{rule}/?format=xlsx", "quality.findings"),
    ("/audit/?format=csv", "core.auditevent"),
    ("/exchange/share/all/?format=csv", "exchange.share"),
])
def test_the_other_large_lists_use_the_same_jobs(users, many, immediate, tree, url, what):
    from fupin.quality.models import Finding
    from fupin.quality.services import sync_catalogue
    from fupin.registry.models import Household

    rule = "C01_NO_MEDICAL_INSURANCE"
    sync_catalogue()
    now = timezone.now()
    for h in Household.objects.all():
        Finding.objects.create(rule_id=rule, record=f"household:{h.pk}", household=h, region_code=h.village_id,
                               township_code=h.village_id[:9], evidence={}, fingerprint="x", first_seen=now,
                               last_seen=now)
    for _ in range(4):  # the department account serves 贵州
        testing.make_household(tree["520102001001"], size=1)
    for i in range(5):  # the county's audit log
        audit.record(actor=users["county"], action=AuditEvent.Action.READ_PERSONAL, region_code="533301",
                     summary=f"read {i}")
    immediate.FUPIN_EXPORT_BACKGROUND_ROWS = 3
    user = users["exchange" if "share" in url else "county"]
    c = client_for(user)
    r = c.get(url.format(rule=rule))
    assert r.status_code == 302, content(r)[:300]
    job = ExportJob.objects.get()
    assert job.status == "done" and job.done_rows > 3 and job.what == what, job.message
    events = export_events()
    assert c.get(f"/exports/{job.token}/download/").status_code == 200
    assert events.get().object_type == what


# --- a worker killed midway (the pattern of core/tests/reliability/test_faults.py) -------------------------------

PROGRESS_EVERY_5 = {"FUPIN_EXPORT_PROGRESS_ROWS": "5"}  # progress saved every 5 rows, so that a kill lands mid-export


@pytest.mark.reliability
@pytest.mark.django_db(transaction=True)
def test_an_export_killed_midway_is_retried_whole(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.FUPIN_EXPORT_BACKGROUND_ROWS = 10
    tree = testing.make_tree()
    county = testing.make_user("county", tree["533301"], Role.COUNTY_ADMIN)
    for _ in range(150):
        testing.make_household(tree[COUNTY_VILLAGE], size=1)
    r = client_for(county).get("/households/", {"format": "csv"})
    assert r.status_code == 302
    job = ExportJob.objects.get()
    worker = testing.start_slow_worker(tmp_path, **PROGRESS_EVERY_5)
    testing.kill_when(worker, lambda: ExportJob.objects.filter(pk=job.pk, status="running", done_rows__gt=0).exists())
    job.refresh_from_db()
    assert job.status == "running" and 0 < job.done_rows < 150
    assert not exports.export_path(job).exists()  # never a half file to download
    assert client_for(county).get(f"/exports/{job.token}/download/").status_code == 302

    recovered = recover_interrupted()
    assert [x.task_path for x in recovered] == ["fupin.core.exports.run_export_job"] and recovered[0].retried_as
    testing.run_worker_until_idle(tmp_path, **PROGRESS_EVERY_5)
    job.refresh_from_db()
    assert (job.status, job.done_rows) == ("done", 150)
    body = content(client_for(county).get(f"/exports/{job.token}/download/"))
    assert len(table("csv", body)) == 151
    assert not list(tmp_path.glob("exports/*.part"))


@pytest.mark.django_db(transaction=True)
def test_an_export_interrupted_twice_is_failed_with_the_reason(settings, tmp_path):
    from django_tasks_db.models import DBTaskResult

    settings.VAR_DIR = tmp_path
    settings.FUPIN_EXPORT_BACKGROUND_ROWS = 2
    tree = testing.make_tree()
    county = testing.make_user("county", tree["533301"], Role.COUNTY_ADMIN)
    for _ in range(3):
        testing.make_household(tree[COUNTY_VILLAGE], size=1)
    c = client_for(county)
    c.get("/households/", {"format": "xlsx"})
    job = ExportJob.objects.get()
    part = tmp_path / "exports" / f"{job.token}.part"
    part.parent.mkdir(parents=True)
    for _attempt in range(2):  # the worker claims it, writes part of the file and dies, twice
        DBTaskResult.objects.filter(status="READY").update(status="RUNNING", worker_ids=["dead"])
        ExportJob.objects.filter(pk=job.pk).update(status="running", done_rows=1)
        part.write_bytes(b"half a workbook")
        recovered = recover_interrupted()
    assert recovered[0].retried_as is None
    assert DBTaskResult.objects.filter(exception_class_path=MARKER).count() == 2
    job.refresh_from_db()
    assert job.status == "failed" and job.message == REASON
    assert not part.exists() and not exports.export_path(job).exists()
    text = client_for(county).get(f"/exports/{job.token}/").content.decode()
    assert "后台任务进程中途停止" in text and "hx-get" not in text


# --- the streaming workbook writer (core.xlsxout) ---------------------------------------------------------------

def test_the_workbook_writer_keeps_types_and_is_read_by_every_reader():
    from decimal import Decimal

    from python_calamine import CalamineWorkbook

    from fupin.core import xlsx
    from fupin.core.exports import write_xlsx

    row = ["53330120520100001", "a & <b> \x01", 3, None, Decimal("4567.89"), dt.date(2026, 1, 2), 0.5, "", True,
           "=1+1"]
    buf = io.BytesIO()
    write_xlsx(buf, ["户编号", "村", "人口", "无", "收入", "日期", "比率", "空", "是否", "公式"], [row], title="2025/年:度",
               notes=["数据截至 2026-01-01"])
    data = buf.getvalue()
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    assert ws.title == "2025_年_度" and ws["A1"].font.b and not ws["A2"].font.b
    assert next(ws.iter_rows(min_row=2, max_row=2, values_only=True)) == (
        "53330120520100001", "a & <b> ", 3, None, 4567.89, dt.datetime(2026, 1, 2), 0.5, None, True, "'=1+1")
    assert ws["A4"].value == "数据截至 2026-01-01" and ws.max_row == 4  # after a blank row
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert calamine[1][:3] == ["53330120520100001", "a & <b> ", 3.0] and calamine[1][5] == dt.date(2026, 1, 2)
    ours = list(xlsx.Workbook(io.BytesIO(data)).rows("2025_年_度"))
    assert ours[1][0] == "53330120520100001" and ours[1][2] == 3 and float(ours[1][4]) == 4567.89


# --- in a browser: the progress card polls until the file is there -------------------------------------------------

@pytest.mark.browser
def test_the_progress_page_polls_until_the_download_is_offered(browser, live_server, transactional_db, settings):
    from fupin.core.exports import run_export_job

    settings.VAR_DIR = Path(settings.VAR_DIR) / f"browser-{os.getpid()}"
    settings.FUPIN_EXPORT_BACKGROUND_ROWS = 2
    tree = testing.make_tree()
    testing.make_users(tree)
    testing.make_households(tree)
    page = browser.new_page(viewport={"width": 375, "height": 800})
    testing.log_in(page, live_server.url, "county")
    page.goto(live_server.url + "/households/")
    page.click("a.button >> text=导出 Excel")
    page.wait_for_url("**/exports/*/")
    card = page.locator("#export-job")
    assert "排队中" in card.inner_text() and "等待后台任务处理" in card.inner_text()  # no worker yet
    job = ExportJob.objects.get()
    run_export_job.call(job.pk)  # the worker's turn
    page.wait_for_selector("#export-job a:has-text('下载 households.xlsx')", timeout=10_000)  # htmx polled
    assert "已写出 3 / 3 行" in card.inner_text()
    with page.expect_download() as dl:
        page.click("#export-job a:has-text('下载')")
    assert dl.value.suggested_filename == "households.xlsx"
    rows = list(load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes())).active.iter_rows(values_only=True))
    assert rows[0][0] == "户编号" and len(rows) == 4
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_polling_the_progress_page_writes_nothing(users, many, immediate):
    """The card is polled every second: reading it must not take SQLite's write lock (a running import holds it)."""
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    immediate.FUPIN_EXPORT_BACKGROUND_ROWS = 5
    c = client_for(users["county"])
    r = c.get("/households/", {"format": "csv"})
    with CaptureQueriesContext(conn) as q:
        assert c.get(r["Location"], headers={"HX-Request": "true"}).status_code == 200
    writes = [x["sql"] for x in q.captured_queries if x["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    ExportJob.objects.update(created_at=timezone.now() - dt.timedelta(days=31), status="expired")
    assert c.get("/exports/").status_code == 200
    assert not ExportJob.objects.exists()  # forgotten after 30 days


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_registry_in_its_template_goes_through_a_job_when_large(users, many, immediate, fmt):
    """The full registry export (three sheets, or a zip of three CSV files) is written by the worker above the
    threshold, with the same sheets and rows as the synchronous export, audited once at the download."""
    import zipfile

    def sheets(body: bytes) -> dict[str, list[list]]:
        if fmt == "csv":
            with zipfile.ZipFile(io.BytesIO(body)) as zf:
                return {n: list(csv.reader(io.StringIO(zf.read(n).decode("utf-8-sig")))) for n in sorted(zf.namelist())}
        wb = load_workbook(io.BytesIO(body))
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}

    c = client_for(users["county"])
    events = export_events()
    direct = c.get("/households/export/", {"format": fmt})
    assert direct.status_code == 200 and events.count() == 1
    expected = sheets(direct.content)
    assert len(expected) == 3 and len(next(iter(expected.values()))) > 1

    immediate.FUPIN_EXPORT_BACKGROUND_ROWS = 10
    events = export_events()
    r = c.get("/households/export/", {"format": fmt})
    assert r.status_code == 302 and r["Location"].startswith("/exports/")
    assert not events.exists()
    job = ExportJob.objects.get()
    kind = "zip" if fmt == "csv" else "xlsx"
    assert (job.status, job.fmt, job.source) == ("done", kind, "fupin.registry.exports.registry_file")
    rows = sum(len(v) - 1 for v in expected.values())
    assert job.done_rows == rows and job.detail["households"] == many
    download = c.get(f"/exports/{job.token}/download/")
    assert download["Content-Disposition"].startswith(f'attachment; filename="registry-533301.{kind}"')
    assert sheets(content(download)) == expected
    ev = events.get()
    assert (ev.object_type, ev.detail["format"], ev.detail["rows"]) == ("registry.household", kind, rows)
