from io import StringIO

from django.core.management import call_command

from fupin.quality.models import Finding, Run
from fupin.quality.tests.helpers import AS_OF
from fupin.registry.models import Member


def test_run_quality_command_runs_and_reports(base):
    Member.objects.filter(household=base["poor"], relation="02").update(has_medical_insurance=False)
    out = StringIO()
    call_command("run_quality", "--as-of", AS_OF.isoformat(), stdout=out)
    assert "C01_NO_MEDICAL_INSURANCE" in out.getvalue()
    assert "findings: 1 new" in out.getvalue()
    assert Run.objects.count() == 1 and Finding.objects.count() == 1


def test_the_background_job_runs_the_same_rules(base, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    Member.objects.filter(household=base["poor"], relation="02").update(has_medical_insurance=False)
    out = StringIO()
    call_command("run_quality", "--enqueue", "--as-of", AS_OF.isoformat(), stdout=out)
    assert out.getvalue().startswith("queued ")
    assert Finding.objects.get().rule_id == "C01_NO_MEDICAL_INSURANCE"
