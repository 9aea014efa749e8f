"""Re-running a comparison: open doubts are not duplicated; resolved ones stay resolved unless the data change."""

from fupin.core.permissions import SYSTEM
from fupin.exchange import services
from fupin.exchange.models import Doubt

from .helpers import AS_OF, member_of, vehicles


def test_rerun_adds_no_duplicate_doubts(planted):
    first = services.run_comparison(actor=SYSTEM, as_of=AS_OF)
    n = Doubt.objects.count()
    assert n == sum(planted.expected.values()) and first.summary["new"] == n
    second = services.run_comparison(actor=SYSTEM, as_of=AS_OF)
    assert Doubt.objects.count() == n
    assert second.summary["new"] == 0 and second.summary["updated"] == n
    assert set(Doubt.objects.values_list("first_run", flat=True)) == {first.pk}
    assert set(Doubt.objects.values_list("last_run", flat=True)) == {second.pk}


def test_dismissed_stays_dismissed_unless_the_data_change(households, users):
    m = member_of("533301205201")
    vehicles(m.id_number)
    services.run_comparison(actor=SYSTEM, as_of=AS_OF)
    d = Doubt.objects.get()
    services.verify_doubt(actor=users["township"], doubt_id=d.pk, confirmed=False, reason="车辆已转让")
    services.run_comparison(actor=SYSTEM, as_of=AS_OF)
    vehicles(m.id_number)  # a new version with the same data
    run = services.run_comparison(actor=SYSTEM, as_of=AS_OF)
    d.refresh_from_db()
    assert d.state == Doubt.State.DISMISSED and run.summary["unchanged_resolved"] == 1
    assert Doubt.objects.count() == 1
    vehicles(m.id_number, plate="云Q99999")  # the department now reports another car
    run = services.run_comparison(actor=SYSTEM, as_of=AS_OF)
    d.refresh_from_db()
    assert d.state == Doubt.State.OPEN and d.reopened == 1 and run.summary["reopened"] == 1
    assert d.verifier is None and d.reason == ""
    assert Doubt.objects.count() == 1


def test_doubts_no_longer_found_are_marked_but_kept(households):
    a, b = member_of("533301205201"), member_of("533323101201")
    vehicles(a.id_number, b.id_number)
    services.run_comparison(actor=SYSTEM, as_of=AS_OF)
    vehicles(a.id_number)
    run = services.run_comparison(actor=SYSTEM, as_of=AS_OF)
    assert run.summary["cleared"] == 1
    assert dict(Doubt.objects.values_list("id_number", "active")) == {a.id_number: True, b.id_number: False}


def test_the_background_job_runs_the_same_comparison(households, settings):
    """``run_comparison --enqueue`` queues the job for the worker; run by it, it finds what the command finds."""
    from io import StringIO

    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    m = member_of("533301205201")
    vehicles(m.id_number)
    out = StringIO()
    call_command("run_comparison", "--enqueue", "--as-of", AS_OF.isoformat(), stdout=out)
    assert out.getvalue().startswith("queued ")
    d = Doubt.objects.get()
    assert d.id_number == m.id_number and d.rule_id == "VEHICLE"
