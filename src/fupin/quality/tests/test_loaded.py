"""The run's own path — the snapshot loaded into DuckDB with only the relations and columns the rules name, the
rules run there with their hits kept in the table ``hits`` — gives exactly the hits, evidence and fingerprints of
the Parquet path (every column exported, ``runner.evaluate`` on DuckDB), for every rule. The planted cases of
``test_rules`` are applied together in rounds, as in ``test_backends``."""

import pytest
from django.db import transaction

from fupin.exchange.engine import DuckDBBackend
from fupin.quality import runner, services, snapshot
from fupin.quality.rules import RULES
from fupin.quality.tests.helpers import AS_OF
from fupin.quality.tests.test_rules import plant_together


def test_loaded_snapshot_gives_the_hits_of_the_parquet_path(base, users, tmp_path):
    remaining, compared = set(RULES), 0
    for round_ in range(4):
        point = transaction.savepoint()
        plant_together(remaining, base, users)
        chosen = services._chosen(AS_OF, sorted(remaining))
        classic = runner.evaluate(snapshot.export(tmp_path / str(round_), AS_OF), chosen, DuckDBBackend())
        local = DuckDBBackend()
        try:
            snapshot.load(local.con, AS_OF, needs=snapshot.words(runner.texts(chosen)), latest_incomes=True)
            loaded = runner.evaluate_loaded(local, chosen)
            assert loaded.errors == classic.errors == {}
            assert loaded.counts == classic.counts
            for code in remaining:
                expected = sorted((f"{RULES[code].subject}:{r['record_id']}", r["household_id"], r["region_code"],
                                   r["evidence"], r["fingerprint"]) for r in classic.hits[code].to_pylist())
                got = sorted(local.con.execute("SELECT record, household_id, region_code, evidence, fingerprint "
                                               "FROM hits WHERE rule_id = ?", [code]).fetchall())
                assert got == expected, code
                compared += bool(expected)
        finally:
            local.close()
        transaction.savepoint_rollback(point)
        remaining -= {code for code, n in classic.counts.items() if n}
        if not remaining:
            break
    assert compared >= len(RULES) * 9 // 10


@pytest.mark.parametrize(("code", "relations", "absent"), [
    ("C01_NO_MEDICAL_INSURANCE", {"persons", "households"}, {"id_number", "birth_date", "age", "phone"}),
    ("P10_NO_MEMBERS", {"persons", "households"}, {"phone"}),
    ("M19_RISK_COUNT", {"households", "monitoring", "risks"}, {"phone"}),
])
def test_load_reads_only_what_the_rules_name(base, code, relations, absent):
    chosen = services._chosen(AS_OF, [code])
    con = DuckDBBackend().con
    rows = snapshot.load(con, AS_OF, needs=snapshot.words(runner.texts(chosen)))
    assert set(rows) == relations
    columns = {c for name in relations for (c,) in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [name]).fetchall()}
    assert not columns & absent
    assert {"record_id", "household_id", "region_code", "status"} <= columns
    con.close()


def test_latest_incomes_holds_the_latest_year_only(base):
    from fupin.registry.models import Income

    for h in base.values():  # an older year beside the latest one
        Income.objects.create(household=h, year=2024, household_size=3)
    con = DuckDBBackend().con
    every = snapshot.load(con, AS_OF, needs={"incomes", "is_latest"})["incomes"]
    latest = snapshot.load(con, AS_OF, needs={"incomes", "is_latest"}, latest_incomes=True)["incomes"]
    assert (every, latest) == (2 * len(base), len(base))
    assert con.execute("SELECT bool_and(is_latest) FROM incomes").fetchone() == (True,)
    con.close()
