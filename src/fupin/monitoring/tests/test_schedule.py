"""What the nightly scheduler decides: due once a day after the run time, not while a run is queued or running,
not when one finished today; and the state it reads from the task queue and the warning runs."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from fupin.monitoring import schedule
from fupin.monitoring.models import Run
from fupin.monitoring.schedule import State, is_due, next_check

AT = dt.time(2, 0)


def local(*args):
    return dt.datetime(*args, tzinfo=timezone.get_current_timezone())


IDLE = State(busy=False, last_finished=None)


def test_due_after_the_run_time_only():
    assert is_due(local(2026, 3, 1, 1, 59), AT, IDLE) == (False, "not before 02:00")
    assert is_due(local(2026, 3, 1, 2, 0), AT, IDLE) == (True, "due")
    assert is_due(local(2026, 3, 1, 23, 0), AT, IDLE)[0]  # started late: catches up once


def test_not_due_while_queued_or_running_or_when_a_run_finished_today():
    now = local(2026, 3, 1, 2, 0)
    assert is_due(now, AT, State(busy=True, last_finished=None)) == (False, "a run is already queued or running")
    assert is_due(now, AT, State(busy=False, last_finished=local(2026, 3, 1, 0, 30)))[0] is False
    assert is_due(now, AT, State(busy=False, last_finished=local(2026, 2, 28, 23, 59)))[0] is True
    # finished today in UTC terms but yesterday in local time (UTC+8) is yesterday's run
    utc = dt.UTC
    assert is_due(now, AT, State(busy=False, last_finished=dt.datetime(2026, 2, 28, 15, 59, tzinfo=utc)))[0] is True
    assert is_due(now, AT, State(busy=False, last_finished=dt.datetime(2026, 2, 28, 16, 1, tzinfo=utc)))[0] is False


def test_next_check_is_the_next_run_time():
    assert next_check(local(2026, 3, 1, 1, 0), AT) == local(2026, 3, 1, 2, 0)
    assert next_check(local(2026, 3, 1, 2, 0), AT) == local(2026, 3, 2, 2, 0)
    assert next_check(local(2026, 12, 31, 23, 0), AT) == local(2027, 1, 1, 2, 0)


def test_run_time_setting(settings):
    settings.FUPIN_MONITORING_AT = "23:30"
    assert schedule.run_time() == dt.time(23, 30)
    settings.FUPIN_MONITORING_AT = "2am"
    with pytest.raises(ValueError, match="HH:MM"):
        schedule.run_time()


def test_once_enqueues_when_due_and_not_again(db, settings):
    settings.FUPIN_MONITORING_AT = "00:00"  # always past
    out = StringIO()
    call_command("schedule", "--once", stdout=out)
    assert "enqueued run_monitoring" in out.getvalue()
    assert schedule.current_state().busy
    out = StringIO()
    call_command("schedule", "--once", stdout=out)
    assert "not enqueued: a run is already queued or running" in out.getvalue()
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
    Run.objects.create(as_of=timezone.localdate(), finished_at=timezone.now())
    assert schedule.current_state() == State(busy=False, last_finished=Run.objects.get().finished_at)
    out = StringIO()
    call_command("schedule", "--once", stdout=out)
    assert "not enqueued: a run finished today" in out.getvalue()
