"""Evidence reads as Chinese with labels and units (issue 21): every key any rule writes is declared, values are
formatted and coded values named, masking still applies."""

import re

import pytest
from django.utils import translation

from fupin.core import evidence as ev
from fupin.core.masking import Masker


def _select_columns(sql: str) -> list[str]:
    """The output column names of the first SELECT of ``sql`` (alias, or the column's own name)."""
    body = sql.split("SELECT", 1)[1]
    depth, start, parts = 0, 0, []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and ch == ",":
            parts.append(body[start:i])
            start = i + 1
        elif depth == 0 and re.match(r"\s+FROM\s", body[i:i + 6]):
            parts.append(body[start:i])
            break
        i += 1
    names = []
    for part in parts:
        part = part.strip()
        m = re.search(r"\bAS\s+(\w+)\s*$", part, re.IGNORECASE)
        names.append(m.group(1) if m else part.split(".")[-1].strip())
    return names


def test_every_comparison_rule_declares_its_evidence():
    from fupin.exchange.rules import RULES

    for spec in RULES.values():
        keys = _select_columns(spec.sql)[3:]  # id_number, household_id, village_code, then the evidence
        assert keys, spec.code
        assert not ev.undeclared(keys, spec.evidence_fields), spec.code


def test_every_quality_rule_declares_its_evidence():
    from fupin.quality.rules import RULES, evidence_fields

    for rule in RULES.values():
        keys = [k for k in _select_columns(rule.sql) if k not in ("record_id", "household_id", "region_code")]
        assert not ev.undeclared(keys, evidence_fields(rule)), rule.code


def test_every_warning_rule_declares_its_evidence():
    import inspect

    from fupin.monitoring import rules

    source = inspect.getsource(rules)
    keys = set()
    for block in re.findall(r"\{c(?:tx)?\.json\}\((.*?)\) AS evidence", source, re.DOTALL):
        keys |= set(re.findall(r"'(\w+)',", block))
    assert {"line", "line_source", "per_capita"} <= keys
    for spec in rules.RULES.values():
        assert not ev.undeclared(keys, spec.evidence_fields), spec.code


@pytest.mark.django_db
def test_rows_label_format_and_name_codes(django_user_model):
    from fupin.exchange.rules import RULES

    user = django_user_model.objects.create_user("evidence-analyst")
    with translation.override("zh-hans"):
        rows = dict(ev.rows({"vehicles": 2, "plates": "云Q12345,云Q54321", "types": "K,H", "id_number":
                             "533321199001010016"}, RULES["VEHICLE"].evidence_fields, Masker(user)))
        assert rows["登记机动车"] == "2 辆"
        assert rows["车辆类型"] == "载客汽车、载货汽车"
        assert rows["证件号码"] == "533321********0016"  # masked for a role without personal data
        money = dict(ev.rows({"per_capita": 12345.5, "line_source": "monitoring"},
                             next(iter(__import__("fupin.monitoring.rules", fromlist=["RULES"]).RULES.values())
                                  ).evidence_fields,
                             Masker(user)))
        assert money["人均纯收入"] == "12,345.50 元"
        assert "types" not in " ".join(rows) and "per_capita" not in " ".join(money)


def test_rates_as_percentages_and_grouping():
    spec = ev.Field("x", ev.RATE)
    assert ev.display(spec, 0.026) == "2.6%"
    assert ev.grouped(1234567) == "1,234,567"
