"""The PostgreSQL bulk path of the import (fupin.core.bulkload): foreign keys checked set-based instead of per
row, secondary indexes rebuilt after a large load — the same result, the same indexes, the same refusals."""

import polars as pl
import pytest
from django.db import connection, transaction

from fupin.core import bulkload
from fupin.registry import services
from fupin.registry.importing import existing
from fupin.registry.models import Household, Income, Member
from fupin.registry.tests.importing import VILLAGE, dump, form, person, write_xlsx

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the bulk path is PostgreSQL's")

TABLES = (Household._meta.db_table, Member._meta.db_table, Income._meta.db_table)


def indexes() -> list[tuple[str, str]]:
    with connection.cursor() as cur:
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY indexname",
                    [list(TABLES)])
        return cur.fetchall()


@pytest.fixture
def appends(monkeypatch):
    """The bulk appends of the test, as planned by ``BulkAppend.begin``."""
    seen: list[bulkload.BulkAppend] = []
    real = bulkload.BulkAppend.begin

    def begin(self, locked=()):
        real(self, locked)
        seen.append(self)

    monkeypatch.setattr(bulkload.BulkAppend, "begin", begin)
    return seen


@pytest.fixture
def rebuild_always(monkeypatch, settings, appends):
    """Every import takes the rebuild path, however small."""
    monkeypatch.setattr(bulkload, "REBUILD_MIN_ROWS", 1)
    settings.FUPIN_BULK_REBUILD_SHARE = 0.01
    return appends


def test_rebuilt_indexes_are_the_same_and_the_import_is_whole(users, tmp_path, rebuild_always):
    before = indexes()
    r = services.import_registry([write_xlsx(tmp_path / "f.xlsx", form(4))], actor=users["clerk"])
    assert r.ok, r.errors
    [bulk] = rebuild_always
    assert bulk.rebuild and bulk.replica  # the test database's role is a superuser
    assert indexes() == before
    assert Member.objects.filter(household__village_id=VILLAGE).count() == 12
    assert Income.objects.filter(household__village_id=VILLAGE).count() == 8


def test_a_rebuilt_unique_index_still_refuses_a_second_active_registration(users, tmp_path, rebuild_always, monkeypatch):
    """Validation would refuse the person first; with it bypassed, the rebuilt partial unique index does."""
    services.import_registry([write_xlsx(tmp_path / "a.xlsx", form(1))], actor=users["clerk"])
    data = form(1, start=2)
    data["家庭成员"][2]["证件号码"] = person(1, "1")  # the head of the first household, active there
    data["家庭成员"][2]["出生日期"] = "1970-03-04"
    monkeypatch.setattr(existing, "holders", lambda ids: pl.DataFrame(schema={"id_number": pl.Utf8, "holder": pl.Utf8}))
    before, index_list = dump(), indexes()
    with pytest.raises(Exception, match="member_active_id_unique"):
        services.import_registry([write_xlsx(tmp_path / "b.xlsx", data)], actor=users["clerk"])
    assert dump() == before and indexes() == index_list


def test_killed_during_a_rebuild_import_leaves_rows_and_indexes_as_before(users, tmp_path, rebuild_always, monkeypatch):
    services.import_registry([write_xlsx(tmp_path / "a.xlsx", form(1, start=7))], actor=users["clerk"])
    before, index_list = dump(), indexes()

    def killed(self):
        raise RuntimeError("killed")

    monkeypatch.setattr(bulkload.BulkAppend, "finish", killed)  # rows appended, indexes still dropped
    with pytest.raises(RuntimeError, match="killed"):
        services.import_registry([write_xlsx(tmp_path / "b.xlsx", form(3))], actor=users["clerk"])
    assert dump() == before and indexes() == index_list


@pytest.mark.parametrize("factor", [0, 10**9], ids=["index lookups", "hash of the parent"])
def test_set_based_check_finds_an_orphan_appended_with_triggers_skipped(users, tmp_path, monkeypatch, factor):
    monkeypatch.setattr(bulkload, "LOOKUP_FACTOR", factor)
    services.import_registry([write_xlsx(tmp_path / "a.xlsx", form(1))], actor=users["clerk"])
    head = Member.objects.get(relation="01", household__village_id=VILLAGE)
    with pytest.raises(bulkload.ForeignKeyViolation, match=r"registry_member.*household_id.*987654321"), \
            transaction.atomic():
        bulk = bulkload.BulkAppend({Member._meta.db_table: 1})
        bulk.begin()
        assert bulk.replica
        with bulk.appending(), connection.cursor() as cur:
            # without the per-row trigger this orphan would be accepted; the set-based check must catch it
            cur.execute(
                "INSERT INTO registry_member (name, id_type, id_number, sex, birth_date, relation, ethnicity, political,"
                " education, schooling, health, disability_category, disability_grade, labour_skill, work_location,"
                " work_months, welfare_job_months, speaks_mandarin, has_medical_insurance,"
                " has_serious_illness_insurance, has_pension_insurance, receives_dibao, receives_tekun, is_active,"
                " household_id) SELECT name, id_type, '110101199001011237', sex, birth_date, relation, ethnicity,"
                " political, education, schooling, health, disability_category, disability_grade, labour_skill,"
                " work_location, work_months, welfare_job_months, speaks_mandarin, has_medical_insurance,"
                " has_serious_illness_insurance, has_pension_insurance, receives_dibao, receives_tekun, FALSE,"
                " 987654321 FROM registry_member WHERE id = %s",
                [head.pk],
            )
        bulk.finish()
    assert not Member.objects.filter(household_id=987654321).exists()


def test_the_join_settings_of_the_lookups_end_with_the_check(users, tmp_path, monkeypatch):
    monkeypatch.setattr(bulkload, "LOOKUP_FACTOR", 0)
    with transaction.atomic():
        services.import_registry([write_xlsx(tmp_path / "a.xlsx", form(2))], actor=users["clerk"])
        with connection.cursor() as cur:
            cur.execute("SELECT current_setting('enable_hashjoin'), current_setting('enable_mergejoin')")
            assert cur.fetchone() == ("on", "on")
    assert Member.objects.filter(household__village_id=VILLAGE).count() > 2


def test_foreign_keys_come_from_the_catalogue(db):
    fks = {(fk.columns[0], fk.parent) for fk in bulkload.foreign_keys(Household._meta.db_table)}
    assert fks == {("village_id", "regions_region"), ("cadre_id", "registry_cadre")}
    [fk] = bulkload.foreign_keys(Income._meta.db_table)
    assert (fk.columns, fk.parent, fk.parent_columns) == (["household_id"], "registry_household", ["id"])


def test_without_the_privilege_per_row_triggers_stay(users, tmp_path, monkeypatch, appends):
    monkeypatch.setattr(bulkload, "_may_skip_triggers", lambda tables: False)
    seen = appends
    r = services.import_registry([write_xlsx(tmp_path / "f.xlsx", form(2))], actor=users["clerk"])
    assert r.ok and not seen[0].replica and not seen[0].rebuild
    assert Household.objects.filter(village_id=VILLAGE).count() == 2
