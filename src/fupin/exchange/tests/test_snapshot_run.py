"""``run_comparison`` over the national snapshot (``--snapshot DIR``: its ``comparison_persons``) raises the doubts the
run over the database raises — same rules, persons, evidence and fingerprints — also when the snapshot was written
for another reference date (the ages are recomputed for the run's), and refuses a directory without a snapshot or
without its persons."""

import datetime as dt
import shutil
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction

from fupin.core.permissions import SYSTEM
from fupin.exchange import services
from fupin.exchange.models import Doubt, Run
from fupin.quality import national

from .conftest import AS_OF


def doubts() -> list[tuple]:
    return sorted(Doubt.objects.values_list("rule_id", "household_id", "id_number", "region_code", "route_code",
                                            "severity", "fingerprint", "state", "active", "deadline"))


def evidence() -> dict[tuple, dict]:
    return {(d.rule_id, d.household_id, d.id_number): d.evidence for d in Doubt.objects.all()}


@pytest.mark.parametrize("taken_for", [AS_OF, AS_OF - dt.timedelta(days=200)], ids=["same-date", "other-date"])
def test_the_snapshot_gives_the_doubts_of_the_database(planted, tmp_path, taken_for):
    national.take(tmp_path, taken_for)
    point = transaction.savepoint()
    from_database = services.run_comparison(actor=SYSTEM, as_of=AS_OF)
    expected, expected_evidence = doubts(), evidence()
    transaction.savepoint_rollback(point)
    assert expected and not Doubt.objects.exists()
    from_snapshot = services.run_comparison(actor=SYSTEM, snapshot_dir=tmp_path,
                                            as_of=None if taken_for == AS_OF else AS_OF)
    assert from_snapshot.as_of == AS_OF
    assert from_snapshot.summary["hits"] == from_database.summary["hits"] == planted.expected
    assert from_snapshot.summary["persons"] == from_database.summary["persons"]
    assert doubts() == expected
    assert evidence() == expected_evidence
    record = from_snapshot.summary["snapshot"]
    assert record["directory"] == str(tmp_path) and record["as_of"] == taken_for.isoformat()
    assert record["taken_at"] == national.read_manifest(tmp_path)["taken_at"]
    assert record["stale"] == ([] if taken_for == AS_OF else ["53"])
    assert (tmp_path / national.COMPARISON).is_dir(), "the snapshot's own files stay"
    assert list((tmp_path / "exchange" / "snapshots").glob("*")) == [], "a recomputed copy is removed"


def test_a_rerun_over_the_snapshot_merges_into_the_doubts(planted, tmp_path):
    first = services.run_comparison(actor=SYSTEM, as_of=AS_OF)
    national.take(tmp_path, AS_OF)
    again = services.run_comparison(actor=SYSTEM, snapshot_dir=tmp_path)
    s = again.summary
    assert (s["new"], s["reopened"], s["cleared"]) == (0, 0, 0) and s["updated"] == sum(planted.expected.values())
    assert set(Doubt.objects.values_list("first_run_id", flat=True)) == {first.pk}
    assert set(Doubt.objects.values_list("last_run_id", flat=True)) == {again.pk}


def test_a_directory_without_a_snapshot_or_its_persons_is_refused(planted, tmp_path):
    with pytest.raises(ValidationError, match=r"没有全国快照.* / no national snapshot"):
        services.run_comparison(actor=SYSTEM, snapshot_dir=tmp_path)
    national.take(tmp_path, AS_OF)
    shutil.rmtree(tmp_path / national.COMPARISON)
    with pytest.raises(ValidationError, match=r"缺少所需的数据：comparison_persons / .* lacks relations the run needs"):
        services.run_comparison(actor=SYSTEM, snapshot_dir=tmp_path)
    assert not Run.objects.exists()
    with pytest.raises(CommandError, match="lacks relations the run needs: comparison_persons"):
        call_command("run_comparison", "--snapshot", str(tmp_path))


def test_the_command_reads_the_snapshot(planted, tmp_path):
    national.take(tmp_path, AS_OF)
    out = StringIO()
    call_command("run_comparison", "--snapshot", str(tmp_path), stdout=out)
    assert f"run {Run.objects.get().pk} as of {AS_OF}" in out.getvalue()
    assert f"persons from the snapshot in {tmp_path} taken" in out.getvalue()
    assert f"doubts: {sum(planted.expected.values())} new" in out.getvalue()
