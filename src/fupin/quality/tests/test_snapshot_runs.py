"""``run_quality`` over the national snapshot (``--snapshot DIR``) finds what the run over the database finds — the same
findings with the same evidence and fingerprints, for every rule whose planted case applies — also when the snapshot
was written for another reference date (ages and months are recomputed for the run's), and refuses a directory
without a snapshot or without a relation the rules read. The planted cases of ``test_rules`` are applied together in
rounds, as in ``test_loaded``."""

import datetime as dt
import shutil
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction

from fupin.core.permissions import SYSTEM
from fupin.quality import national, services
from fupin.quality.models import Finding, Run
from fupin.quality.rules import RULES
from fupin.quality.tests.helpers import AS_OF
from fupin.quality.tests.test_rules import plant_together
from fupin.registry.models import Member


def findings() -> list[tuple]:
    return sorted(Finding.objects.values_list("rule_id", "record", "household_id", "region_code", "township_code",
                                              "fingerprint", "state"))


def evidence() -> dict[tuple[str, str], dict]:
    return {(f.rule_id, f.record): f.evidence for f in Finding.objects.all()}


@pytest.mark.parametrize("taken_for", [AS_OF, AS_OF - dt.timedelta(days=400)], ids=["same-date", "other-date"])
def test_the_snapshot_gives_the_findings_of_the_database(base, users, tmp_path, taken_for):
    remaining, compared = set(RULES), set()
    for round_ in range(4):
        point = transaction.savepoint()
        plant_together(remaining, base, users)
        directory = tmp_path / str(round_)
        national.take(directory, taken_for)
        inner = transaction.savepoint()
        from_database = services.run_quality(actor=SYSTEM, as_of=AS_OF)
        expected, expected_evidence = findings(), evidence()
        transaction.savepoint_rollback(inner)
        assert not Finding.objects.exists()
        # the snapshot's own date when it is the run's; the run's date given when the snapshot was taken for another
        from_snapshot = services.run_quality(actor=SYSTEM, snapshot_dir=directory,
                                             as_of=None if taken_for == AS_OF else AS_OF)
        assert from_snapshot.as_of == AS_OF
        assert from_snapshot.summary["errors"] == from_database.summary["errors"] == {}
        assert from_snapshot.summary["hits"] == from_database.summary["hits"]
        assert findings() == expected
        assert evidence() == expected_evidence
        record = from_snapshot.summary["snapshot"]
        assert record["directory"] == str(directory) and record["as_of"] == taken_for.isoformat()
        assert record["taken_at"] == national.read_manifest(directory)["taken_at"]
        assert record["stale"] == ([] if taken_for == AS_OF else ["52", "53"])
        assert "snapshot" not in from_database.summary
        transaction.savepoint_rollback(point)
        found = {code for code, n in from_database.summary["hits"].items() if n}
        compared |= found
        remaining -= found
        if not remaining:
            break
    assert len(compared) >= len(RULES) * 9 // 10, sorted(set(RULES) - compared)


def test_a_rerun_over_the_snapshot_merges_into_the_findings(base, tmp_path):
    Member.objects.filter(household=base["poor"], relation="02").update(has_medical_insurance=False)
    first = services.run_quality(actor=SYSTEM, as_of=AS_OF)
    finding = Finding.objects.get()
    national.take(tmp_path, AS_OF)
    again = services.run_quality(actor=SYSTEM, snapshot_dir=tmp_path)
    assert (again.summary["new"], again.summary["fixed"]) == (0, 0)
    finding.refresh_from_db()
    assert (finding.first_run_id, finding.state) == (first.pk, Finding.State.OPEN)
    Member.objects.filter(household=base["poor"], relation="02").update(has_medical_insurance=True)
    national.take(tmp_path, AS_OF, force=True)  # an edit outside the services leaves no mark the snapshot sees
    fixed = services.run_quality(actor=SYSTEM, snapshot_dir=tmp_path)
    assert fixed.summary["fixed"] == 1
    finding.refresh_from_db()
    assert finding.state == Finding.State.FIXED


def test_a_directory_without_a_snapshot_is_refused(base, tmp_path):
    with pytest.raises(ValidationError, match=r"没有全国快照.* / no national snapshot"):
        services.run_quality(actor=SYSTEM, snapshot_dir=tmp_path)
    assert not Run.objects.exists()
    with pytest.raises(CommandError, match="no national snapshot"):
        call_command("run_quality", "--snapshot", str(tmp_path))


def test_a_snapshot_without_a_relation_the_rules_read_is_refused(base, tmp_path):
    national.take(tmp_path, AS_OF)
    shutil.rmtree(tmp_path / "measures")
    with pytest.raises(ValidationError, match=r"缺少所需的数据：measures / .* lacks relations the run needs: measures"):
        services.run_quality(actor=SYSTEM, snapshot_dir=tmp_path)
    assert not Run.objects.exists()
    # a rule that does not read it runs
    run = services.run_quality(actor=SYSTEM, snapshot_dir=tmp_path, rule_codes=["C01_NO_MEDICAL_INSURANCE"])
    assert run.summary["errors"] == {} and run.summary["snapshot"]["relations"] == ["persons"]


def test_the_command_reads_the_snapshot(base, tmp_path):
    Member.objects.filter(household=base["poor"], relation="02").update(has_medical_insurance=False)
    national.take(tmp_path, AS_OF)
    out = StringIO()
    call_command("run_quality", "--snapshot", str(tmp_path), stdout=out)
    assert f"run {Run.objects.get().pk} as of {AS_OF}" in out.getvalue()
    assert f"read the snapshot in {tmp_path} taken" in out.getvalue()
    assert "findings: 1 new" in out.getvalue()


@pytest.mark.spark
def test_spark_reads_the_snapshot_and_finds_what_duckdb_finds(base, users, tmp_path, spark_session):
    """On Spark the run reads the snapshot's files themselves when they were written for the run's date, and copies
    with the dated columns recomputed when not; either way the findings are DuckDB's."""
    from fupin.exchange.engine import SparkBackend

    plant_together(set(RULES), base, users)
    for taken_for in (AS_OF, AS_OF - dt.timedelta(days=400)):
        directory = tmp_path / taken_for.isoformat()
        national.take(directory, taken_for)
        point = transaction.savepoint()
        on_duckdb = services.run_quality(actor=SYSTEM, snapshot_dir=directory, as_of=AS_OF)
        expected, expected_evidence = findings(), evidence()
        transaction.savepoint_rollback(point)
        on_spark = services.run_quality(actor=SYSTEM, snapshot_dir=directory, as_of=AS_OF,
                                        backend=SparkBackend(session=spark_session))
        assert on_spark.backend == "spark" and on_spark.summary["errors"] == {}
        assert on_spark.summary["hits"] == on_duckdb.summary["hits"]
        assert sum(on_spark.summary["hits"].values()) > 50
        assert findings() == expected and evidence() == expected_evidence
        Finding.objects.all().delete()
