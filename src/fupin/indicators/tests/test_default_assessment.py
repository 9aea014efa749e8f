"""The default county assessment carries the projects' indicators (#18 item 6) and is created once."""

from django.core.management import call_command

from fupin.core.models import AuditEvent
from fupin.indicators import definitions
from fupin.indicators.models import AssessmentScheme
from fupin.projects import indicators as project_indicators


def test_the_default_scheme_assesses_the_projects_and_is_not_overwritten(db):
    call_command("default_assessment", "2025")
    scheme = AssessmentScheme.objects.get(year=2025)
    weights = {w.indicator: w.weight for w in scheme.weights.all()}
    assert {"project_funds_spent", "projects_accepted_on_time", "tasks_done_on_time"} <= set(weights)
    assert set(weights) <= set(definitions.INDICATORS)
    assert all(definitions.INDICATORS[c].direction != 0 for c in weights)
    assert set(weights) & set(project_indicators.CODES)
    assert AuditEvent.objects.filter(object_type="indicators.assessmentscheme", object_id=str(scheme.pk)).count() == 1
    scheme.weights.filter(indicator="tasks_done_on_time").update(weight=50)
    call_command("default_assessment", "2025")
    assert AssessmentScheme.objects.filter(year=2025).count() == 1
    assert scheme.weights.get(indicator="tasks_done_on_time").weight == 50
