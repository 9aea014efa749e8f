"""C2 of issue #20: faults. The background worker (``fupin db_worker``, as ``make serve`` starts it) killed with
SIGKILL in the middle of an import, a comparison, an indicator refresh and a report: the job is applied whole or not
at all, and ``fupin recover_tasks`` marks it failed with the reason and queues it again once; run again, it completes.
The database connection lost while requests run (backends terminated by pg_terminate_backend on PostgreSQL — the
shared server is never restarted — or a closed connection on SQLite): a clean error page, and the next request is
served without a restart. The disk full during an upload (the write patched to raise ENOSPC): a clear error and
nothing written."""

from __future__ import annotations

import errno
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from fupin import testing
from fupin.core.recovery import MARKER, recover_interrupted
from fupin.core.roles import Role

pytestmark = pytest.mark.reliability


def task_results(path: str):
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.filter(task_path=path).order_by("enqueued_at"))


def assert_recovered_and_completed(path: str, var: Path) -> None:
    recovered = recover_interrupted()
    assert [r.task_path for r in recovered] == [path]
    first = task_results(path)[0]
    assert first.status == "FAILED" and first.exception_class_path == MARKER and "nothing" in first.traceback
    assert recovered[0].retried_as is not None
    testing.run_worker_until_idle(var)
    assert [r.status for r in task_results(path)] == ["FAILED", "SUCCESSFUL"]


@pytest.fixture
def var(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    testing.ensure_code_lists()  # an earlier browser test's live server may have flushed them (the retry validates codes)
    return tmp_path


@pytest.mark.django_db(transaction=True)
def test_import_killed_midway_writes_nothing_then_is_retried_whole(var):
    from fupin.registry.models import Household, ImportJob, Member
    from fupin.registry.services import start_import
    from fupin.registry.tests import importing

    tree = testing.make_tree()
    clerk = testing.make_user("clerk", tree["533301205201"], Role.CLERK)
    files = importing.write_csvs(var / "upload", importing.form(400))
    uploads = [SimpleUploadedFile(p.name, p.read_bytes()) for p in files]
    job = start_import(actor=clerk, files=uploads, dry_run=False)
    worker = testing.start_slow_worker(var)
    testing.kill_when(worker, lambda: ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING,
                                                       progress__gt=0).exists())
    time.sleep(0.5)
    assert Household.objects.count() == 0 and Member.objects.count() == 0  # not a row of the half-done import
    assert_recovered_and_completed("fupin.registry.services.run_import_job", var)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Household.objects.count() == 400 and Member.objects.count() == 1200  # applied whole on the retry


@pytest.mark.django_db(transaction=True)
def test_import_interrupted_twice_is_marked_failed_with_the_reason(var):
    """A job that kills its worker every time (out of memory) is not retried forever: the second time it is failed,
    and the import page says why."""
    from django_tasks_db.models import DBTaskResult

    from fupin.registry.models import ImportJob
    from fupin.registry.services import start_import
    from fupin.registry.tests import importing

    tree = testing.make_tree()
    clerk = testing.make_user("clerk", tree["533301205201"], Role.CLERK)
    files = importing.write_csvs(var / "upload", importing.form(2))
    job = start_import(actor=clerk, files=[SimpleUploadedFile(p.name, p.read_bytes()) for p in files], dry_run=False)
    for _attempt in range(2):  # the worker claims it and dies, twice
        DBTaskResult.objects.filter(status="READY").update(status="RUNNING", worker_ids=["dead"])
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
        recovered = recover_interrupted()
    assert recovered[0].retried_as is None
    assert not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "worker stopped" in job.message


@pytest.mark.django_db(transaction=True)
def test_comparison_killed_midway_leaves_no_run_then_is_retried(var):
    from fupin.exchange.models import Doubt, Run
    from fupin.exchange.tasks import run_comparison

    tree = testing.make_tree()
    for _ in range(20):
        testing.make_household(tree["533301205201"])
    run_comparison.enqueue()
    worker = testing.start_slow_worker(var)
    from django_tasks_db.models import DBTaskResult

    testing.kill_when(worker, lambda: DBTaskResult.objects.filter(status="RUNNING").exists())
    finished = Run.objects.exclude(finished_at=None).count()
    doubts = Doubt.objects.count()
    assert (finished, doubts) == (0, 0) or finished == 1  # whole or nothing, never doubts of an unfinished run
    assert_recovered_and_completed("fupin.exchange.tasks.run_comparison", var)
    assert Run.objects.exclude(finished_at=None).count() == 1


@pytest.mark.django_db(transaction=True)
def test_indicator_refresh_and_report_killed_midway_are_retried_whole(var, users, households):
    from fupin.indicators.models import IndicatorValue, Report
    from fupin.indicators.tasks import refresh_indicators

    refresh_indicators.enqueue(full=True)
    worker = testing.start_slow_worker(var)
    from django_tasks_db.models import DBTaskResult

    testing.kill_when(worker, lambda: DBTaskResult.objects.filter(status="RUNNING").exists())
    assert_recovered_and_completed("fupin.indicators.tasks.refresh_indicators", var)
    values = IndicatorValue.objects.count()
    assert values > 0

    from fupin.indicators import services
    from fupin.indicators.models import Period

    period = Period.objects.order_by("-starts_on").first()
    report = services.start_report(actor=users["county"], kind=Report.Kind.BULLETIN, period=period,
                                   region_code="533301")
    worker = testing.start_slow_worker(var)
    testing.kill_when(worker, lambda: Report.objects.filter(pk=report.pk, status=Report.Status.RUNNING).exists())
    report.refresh_from_db()
    assert report.status != Report.Status.DONE and not report.pdf_path  # no half-written report offered
    assert_recovered_and_completed("fupin.indicators.reports.build_report", var)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE and Path(report.pdf_path).stat().st_size > 1000
    assert IndicatorValue.objects.count() == values


# --- the database connection lost while requests run --------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_lost_database_connection_gives_a_clean_error_page_and_recovers(users, households):
    client = Client(raise_request_exception=False)
    client.force_login(users["county"])
    assert client.get("/households/").status_code == 200
    if connection.vendor == "postgresql":
        # every other backend of the test database — the server itself is shared and is never restarted
        with connection.cursor() as c:
            c.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                      "AND pid <> pg_backend_pid()")
        # and our own, from another connection: the next query of the request fails as after a server restart
        import psycopg

        own_pid = connection.connection.info.backend_pid

        killer = psycopg.connect(testing.database_url().replace("postgres://", "postgresql://"), autocommit=True)
        killer.execute("SELECT pg_terminate_backend(%s)", [own_pid])
        killer.close()
    else:
        connection.connection.close()  # SQLite: the file handle is gone under the request
    broken = client.get("/households/")
    assert broken.status_code == 500
    page = broken.content.decode()
    assert "Traceback" not in page and "psycopg" not in page and "sqlite3" not in page
    assert "服务器" in page or "出错" in page  # the standalone bilingual 500 page
    connection.close()  # what Django does at the end of every request (close_old_connections)
    assert client.get("/households/").status_code == 200  # served again, no restart


# --- the disk full during an upload ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_disk_full_during_upload_gives_a_clear_error_and_writes_nothing(users, var, monkeypatch):
    """Simulated by the write raising ENOSPC (no tmpfs can be mounted in CI)."""
    from fupin.registry.models import Household, ImportJob
    from fupin.registry.tests import importing

    files = importing.write_csvs(var / "upload", importing.form(3))
    real_open = Path.open

    def full_disk(self, mode="r", *args, **kwargs):
        if "w" in mode and "imports" in str(self):
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", full_disk)
    client = Client(raise_request_exception=False)
    client.force_login(users["clerk"])
    response = client.post("/households/import/", {
        "files": [SimpleUploadedFile(p.name, p.read_bytes()) for p in files], "dry_run": ""})
    assert response.status_code == 507
    assert "磁盘空间不足" in response.content.decode()
    assert ImportJob.objects.count() == 0 and Household.objects.count() == 0
    assert not any((var / "imports").rglob("*")) if (var / "imports").exists() else True
