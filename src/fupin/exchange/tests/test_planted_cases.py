"""On the demo registry with generated department batches, every planted case is found and no others."""

from fupin.core.permissions import SYSTEM
from fupin.exchange import services
from fupin.exchange.models import Doubt
from fupin.exchange.rules import RULES

from .conftest import AS_OF


def test_every_planted_case_is_found_and_no_other(planted):
    assert set(planted.expected) == set(RULES), "every rule has planted cases"
    assert all(n > 0 for n in planted.expected.values()), planted.expected
    run = services.run_comparison(actor=SYSTEM, as_of=AS_OF)
    assert run.summary["skipped"] == {}
    assert run.summary["hits"] == planted.expected
    for code, ids in planted.planted.items():
        found = set(Doubt.objects.filter(rule_id=code).values_list("id_number", flat=True))
        assert found == set(ids), code
    assert Doubt.objects.count() == sum(planted.expected.values())


def test_doubts_are_routed_to_township_or_county(planted):
    services.run_comparison(actor=SYSTEM, as_of=AS_OF)
    for d in Doubt.objects.all():
        assert d.route_code == d.region_code[: 6 if RULES[d.rule_id].route == "county" else 9]
        assert d.household.village_id == d.region_code
        assert d.deadline > AS_OF
