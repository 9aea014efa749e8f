"""The demo: planted errors in the demo county are found by their rules, and the county sees findings."""

from io import StringIO

from django.core.management import call_command

from fupin.quality.demo import PLANTS
from fupin.quality.models import Finding
from fupin.registry.demo import generate


def test_demo_quality_plants_errors_that_the_rules_find(tree):
    generate(households=300, area="53", seed=11)
    out = StringIO()
    call_command("demo_quality", "--area", "533301", "--per-rule", "3", stdout=out)
    assert "quality run" in out.getvalue()
    for code in PLANTS:
        assert Finding.objects.filter(rule_id=code, region_code__startswith="533301", state="open").exists(), code
    call_command("demo_quality", "--if-empty", stdout=out)
    assert "nothing planted" in out.getvalue()
