"""Export then import: the same template both ways, so import(export(x)) changes nothing."""

import pytest
from django.conf import settings
from django.core.management import call_command

from fupin import testing
from fupin.core.models import AuditEvent
from fupin.core.roles import Role
from fupin.regions.services import load_regions
from fupin.registry import exporter, services
from fupin.registry.demo import generate
from fupin.registry.models import Household
from fupin.registry.tests.importing import dump


@pytest.fixture
def yunnan(db):
    load_regions(directory=settings.DIVISIONS_DIR, provinces=["53"])
    generate(households=150, seed=11)


@pytest.fixture
def admin53(yunnan):
    from fupin.regions.models import Region

    return testing.make_user("admin53", Region.objects.get(code="53"), Role.COUNTY_ADMIN)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_import_of_export_changes_nothing(admin53, tmp_path, fmt):
    before = dump()
    out = tmp_path / ("x.xlsx" if fmt == "xlsx" else "csv")
    result, _ = exporter.export_registry(actor=admin53, region="53", output=out, fmt=fmt)
    assert result.clear and result.households == 150
    assert AuditEvent.objects.filter(action="export", region_code="53").exists()
    r = services.import_registry(result.paths, actor=admin53)
    assert r.ok, r.errors[:5]
    assert (r.created, r.updated, r.unchanged, r.rejected) == (0, 0, 150, 0)
    assert dump() == before


def test_export_of_a_subtree_only(admin53, tmp_path):
    result, _ = exporter.export_registry(actor=admin53, region="5333", output=tmp_path / "c", fmt="csv")
    assert 0 < result.households == Household.objects.filter(village__code__startswith="5333").count() < 150


def test_reimport_into_an_empty_registry_recreates_it(admin53, tmp_path):
    result, _ = exporter.export_registry(actor=admin53, region="53", output=tmp_path / "c", fmt="csv")
    fields = ["number", "village_id", "status", "main_cause", "other_causes", "cultivated_land", "exit_year",
              "latest_income_year", "latest_per_capita"]
    before = sorted(Household.objects.values_list(*fields))
    Household.objects.all().delete()
    r = services.import_registry(result.paths, actor=admin53)
    assert r.created == 150
    assert sorted(Household.objects.values_list(*fields)) == before
    # the importer's latest income (computed in polars) is what the SQL of the services computes
    from fupin.registry.services import refresh_latest_income

    imported = sorted(Household.objects.values_list("number", "latest_income_year", "latest_per_capita"))
    refresh_latest_income(Household.objects.all())
    assert sorted(Household.objects.values_list("number", "latest_income_year", "latest_per_capita")) == imported


def test_masked_export_cannot_be_imported(yunnan, tmp_path):
    from fupin.regions.models import Region

    analyst = testing.make_user("an", Region.objects.get(code="53"), Role.ANALYST, Role.COUNTY_ADMIN)
    analyst.groups.filter(name=Role.COUNTY_ADMIN).delete()
    analyst = type(analyst).objects.get(pk=analyst.pk)
    result, _ = exporter.export_registry(actor=analyst, region="53", output=tmp_path / "m", fmt="csv")
    assert not result.clear
    text = (tmp_path / "m" / "家庭成员.csv").read_text(encoding="utf-8-sig")
    assert "********" in text
    clerk = testing.make_user("c53", Region.objects.get(code="53"), Role.CLERK)
    r = services.import_registry(result.paths, actor=clerk)
    assert not r.ok and any(e.column == "证件号码" for e in r.errors)


def test_export_outside_scope_is_refused(yunnan):
    from django.core.exceptions import PermissionDenied

    from fupin.regions.models import Region

    clerk = testing.make_user("c", Region.objects.get(code="5333"), Role.CLERK)
    with pytest.raises(PermissionDenied):
        exporter.export_registry(actor=clerk, region="5301", fmt="xlsx")


def test_export_command(admin53, tmp_path, capsys):
    call_command("export_registry", str(tmp_path / "all.xlsx"), "--region", "53", "--user", "admin53")
    assert "150 households" in capsys.readouterr().out
    assert (tmp_path / "all.xlsx").stat().st_size > 0
