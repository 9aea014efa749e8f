"""The project lint (tools/custom_check.py) catches what it promises and passes the code base."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
_spec = importlib.util.spec_from_file_location("custom_check", ROOT / "tools" / "custom_check.py")
assert _spec and _spec.loader
custom_check = importlib.util.module_from_spec(_spec)
sys.modules["custom_check"] = custom_check  # dataclasses look their module up
_spec.loader.exec_module(custom_check)


def rules(relative, text):
    return [(f.line, f.rule) for f in custom_check.check_text(relative, text)]


@pytest.mark.parametrize(("text", "rule"), [
    ('qs.filter(region_code__startswith=region)', "subtree-startswith"),
    ('Region.objects.filter(code__startswith="53")', "subtree-startswith"),
    ('Household.objects.filter(village__code__startswith=p)', "subtree-startswith"),
    ('pg = connection.vendor == "postgresql"', "connection-vendor"),
    ('LEVELS = {2: 1, 4: 2, 6: 3, 9: 4, 12: 5}', "level-table"),
    ('GROUP = {0: 2, 2: 4, 4: 6}[len(prefix)]', "level-table"),
    ('x = [c[:n] for n in (2, 4, 6, 9)]', "level-table"),
    ('lo, hi = ("", "9" * 12)', "whole-country-range"),
])
def test_each_rule_fails_with_its_line(text, rule):
    assert rules("monitoring/selectors.py", "x = 1\n" + text + "\n") == [(2, rule)]


def test_the_one_module_of_each_piece_may_hold_it():
    assert rules("core/sql.py", 'return connection.vendor == "postgresql"\n') == []
    assert rules("core/tree.py", 'LENGTHS = {0: 0, 1: 2, 2: 4, 3: 6}\nhi = "9" * 12\n') == []


def test_tests_and_migrations_are_exempt():
    assert rules("monitoring/tests/test_x.py", 'qs.filter(region_code__startswith="53")\n') == []
    assert rules("registry/migrations/0005_x.py", 'if schema_editor.connection.vendor == "x": pass\n') == []


def test_private_helpers_of_another_app():
    assert rules("indicators/reports.py", "from fupin.registry.svgchart import COLOURS, _nice_max\n") == [
        (1, "private-import")]
    assert rules("indicators/compute.py", "from fupin.connectivity import indicators as cov\nx = cov._open_on('f')\n"
                 ) == [(2, "private-import")]
    # the same app's private helpers, public names and Django's _meta are fine
    assert rules("registry/exporter.py", "from fupin.registry.importer import _db_expr\n") == []
    assert rules("indicators/compute.py", "from fupin.registry.models import Household\nt = Household._meta.db_table\n"
                 ) == []


def test_a_line_may_opt_out_by_name():
    assert rules("regions/selectors.py", 'qs.filter(code__startswith=t)  # custom-check: allow subtree-startswith\n') == []
    assert rules("regions/selectors.py", 'qs.filter(code__startswith=t)  # custom-check: allow connection-vendor\n') == [
        (1, "subtree-startswith")]


def test_the_code_base_passes():
    assert [str(f) for f in custom_check.check_paths([ROOT / "src" / "fupin"])] == []
