"""The national snapshot: Parquet partitioned by province, rewritten only for provinces that changed, read by the
engines as it is."""

import datetime as dt
import json

import duckdb
from django.core.management import call_command

from fupin.quality import national
from fupin.registry.demo import generate
from fupin.registry.models import Household, Member
from fupin.registry.statuses import REGISTERED_STATUSES

AS_OF = dt.date(2026, 3, 1)


def test_only_changed_provinces_are_written_again(tree, tmp_path):
    generate(households=40, area="53", seed=5)
    first = national.take(tmp_path, AS_OF)
    assert set(first.written) == {"53"} and first.unchanged == []
    manifest = json.loads((tmp_path / national.MANIFEST).read_text())
    assert manifest["taken_at"] == first.taken_at and manifest["provinces"]["53"]["as_of"] == "2026-03-01"
    for relation in (*national.PER_PROVINCE, national.COMPARISON):
        assert (tmp_path / relation / "province=53" / "part-0.parquet").exists(), relation
    persons = Member.objects.filter(is_active=True, household__status__in=REGISTERED_STATUSES).count()
    con = duckdb.connect()
    got = con.execute(f"SELECT count(*), min(province) FROM read_parquet('{tmp_path}/persons/**/*.parquet', "
                      "hive_partitioning = true)").fetchone()
    assert got == (persons, 53)
    assert first.written["53"][national.COMPARISON] == persons

    again = national.take(tmp_path, AS_OF)
    assert again.written == {} and again.unchanged == ["53"]

    h = Household.objects.first()
    h.phone = "13900000000"
    h.save()
    third = national.take(tmp_path, AS_OF)
    assert set(third.written) == {"53"}
    assert json.loads((tmp_path / national.MANIFEST).read_text())["taken_at"] == third.taken_at


def test_command_writes_every_province_with_force(tree, tmp_path, capsys):
    generate(households=10, area="53", seed=6)
    call_command("snapshot", "--to", str(tmp_path), "--as-of", "2026-03-01")
    call_command("snapshot", "--to", str(tmp_path), "--force")
    out = capsys.readouterr().out
    assert "1 provinces written, 0 unchanged" in out.splitlines()[-1]
