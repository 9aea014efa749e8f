"""The vectorised national generator (registry.synth): what it writes is a registry the platform accepts — valid and
unique ID numbers agreeing with birth date and sex, families with one head, the household's cause reflected in its
members, incomes consistent with the household — reproducible by seed whatever the number of processes, and the
order codes' memory cleared at each new prefecture."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest

from fupin.registry import idnumber, synth
from fupin.registry.demo import generate


def _read(directory, table: str, columns: str = "*", where: str = ""):
    return duckdb.sql(f"SELECT {columns} FROM read_parquet('{directory}/{table}/**/*.parquet', hive_partitioning = true)"
                      f" {where}")


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    directory = tmp_path_factory.mktemp("synth")
    r = generate(households=6000, area="all", seed=7, to=directory, chunk=700, processes=1)
    return directory, r


def test_counts_and_schema(national):
    directory, r = national
    assert r.households == 6000 and r.members > 15000 and r.incomes > 40000 and r.cadres >= r.villages
    for table, schema in synth.schemas().items():
        files = sorted((directory / table).glob("province=*/part-*.parquet"))
        assert files, table
        assert pq.read_schema(files[0]).remove_metadata().equals(schema), table
    assert _read(directory, "households", "count(*)").fetchone()[0] == 6000
    # each file's rows belong to the province of its partition
    assert _read(directory, "households", "count(*)", "WHERE substr(village_id, 1, 2) <> province").fetchone()[0] == 0
    assert _read(directory, "members", "count(DISTINCT province)").fetchone()[0] > 20


def test_id_numbers_are_valid_unique_and_agree_with_the_person(national):
    directory, _ = national
    frame = _read(directory, "members", "id_number, birth_date, sex").pl()
    assert frame["id_number"].n_unique() == frame.height
    checked = idnumber.check_many(frame["id_number"], today=dt.date.today())
    assert checked["valid"].all()
    assert (checked["birth_date"] == frame["birth_date"]).all()
    assert (checked["sex"] == frame["sex"]).all()
    for number in frame["id_number"].sample(300, seed=1).to_list():  # python-stdnum agrees on format and check digit
        try:
            idnumber.check_one(number)
        except idnumber.IdNumberError as exc:
            assert "地区码" in str(exc)  # a county whose code was not yet in force (as in the per-person generator)


def test_families_causes_and_incomes_are_consistent(national):
    directory, _ = national
    con = duckdb.connect()
    con.execute(f"CREATE VIEW h AS SELECT * FROM read_parquet('{directory}/households/**/*.parquet')")
    con.execute(f"CREATE VIEW m AS SELECT * FROM read_parquet('{directory}/members/**/*.parquet')")
    con.execute(f"CREATE VIEW i AS SELECT * FROM read_parquet('{directory}/incomes/**/*.parquet')")
    con.execute(f"CREATE VIEW c AS SELECT * FROM read_parquet('{directory}/cadres/**/*.parquet')")
    one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    assert one("SELECT count(*) FROM (SELECT household_id FROM m GROUP BY 1 HAVING count(*) FILTER "
               "(WHERE relation = '01') <> 1)") == 0
    assert one("SELECT count(*) FROM m WHERE household_id * 8 > id OR id >= household_id * 8 + 8") == 0
    assert one("SELECT count(*) FROM h WHERE main_cause = '01' AND NOT EXISTS "
               "(SELECT 1 FROM m WHERE m.household_id = h.id AND health IN ('02', '03'))") == 0
    assert one("SELECT count(*) FROM h WHERE main_cause = '02' AND NOT EXISTS "
               "(SELECT 1 FROM m WHERE m.household_id = h.id AND health = '04')") == 0
    assert one("SELECT count(*) FROM m WHERE (health = '04') <> (disability_category <> '')") == 0
    assert one("SELECT count(*) FROM i JOIN (SELECT household_id, count(*) n FROM m GROUP BY 1) s USING (household_id)"
               " WHERE s.n <> i.household_size") == 0
    assert one("SELECT count(*) FROM h JOIN i ON i.household_id = h.id AND i.year = h.latest_income_year WHERE "
               "abs(h.latest_per_capita - (wage_welfare_job + wage_other + business + property_dividend + property_other"
               " + transfer_family_planning + transfer_dibao + transfer_tekun + transfer_pension + transfer_ecological"
               " + transfer_other + reward - business_expense) / household_size) > 0.006") == 0
    assert one("SELECT count(*) FROM h WHERE latest_income_year IS NULL OR exit_year IS NOT NULL AND status IN "
               "('poor', 'newly_poor')") == 0
    assert one("SELECT count(*) FROM h ANTI JOIN c ON c.id = h.cadre_id") == 0
    assert one("SELECT count(*) FROM h JOIN c ON c.id = h.cadre_id WHERE c.region_id <> h.village_id") == 0
    assert one("SELECT count(DISTINCT number) FROM h") == 6000
    # the shares of the nation: the west and centre far above the east
    west = one("SELECT count(*) FROM h WHERE substr(village_id, 1, 2) IN ('45', '51', '52', '53')")
    east = one("SELECT count(*) FROM h WHERE substr(village_id, 1, 2) IN ('11', '12', '31', '32', '33', '44')")
    assert west > 10 * east


def test_same_seed_same_files_whatever_the_processes(national, tmp_path):
    directory, _ = national
    generate(households=6000, area="all", seed=7, to=tmp_path / "two", chunk=700, processes=2)
    for table in synth.TABLES:
        order = "id" if table != "incomes" else "household_id, year"
        cols = "* EXCLUDE (created_at, updated_at)" if table == "households" else "*"
        a = _read(directory, table, cols, f"ORDER BY {order}").fetchall()
        b = _read(tmp_path / "two", table, cols, f"ORDER BY {order}").fetchall()
        assert a == b, table
    generate(households=6000, area="all", seed=8, to=tmp_path / "other", chunk=700, processes=1)
    assert _read(directory, "members", "id_number", "ORDER BY id LIMIT 50").fetchall() != \
        _read(tmp_path / "other", "members", "id_number", "ORDER BY id LIMIT 50").fetchall()


def test_order_codes_count_on_and_forget_the_last_prefecture():
    codes = synth._OrderCodes.empty()
    codes.enter("530102")
    region = np.array([530102, 530102, 530102, 530103], np.int64)
    day = np.array([100, 100, 100, 100])
    male = np.array([True, True, False, True])
    own = np.ones(4, bool)
    keys = synth._key(region, day, male, own)
    assert codes.take(keys).tolist() == [0, 1, 0, 0]
    assert codes.take(keys).tolist() == [2, 3, 1, 1]  # counted on from the last chunk
    older = synth._key(np.array([530102]), np.array([100]), np.array([True]), np.zeros(1, bool))
    assert codes.take(older).tolist() == [0]  # an older code's numbers count apart (they take 400–499)
    codes.enter("530301")  # a new prefecture of the same province: its own codes start again, older ones go on
    assert codes.take(keys[:1]).tolist() == [0]
    assert codes.take(older).tolist() == [1]
    codes.enter("520101")  # a new province: everything starts again
    assert codes.take(older).tolist() == [0]


def test_a_day_whose_order_codes_run_out_moves_to_the_next(monkeypatch):
    people = synth._People()
    monkeypatch.setattr(people, "issuing", lambda county, year: county)
    n = 450
    numbers, days = people.numbers(["530102001001"], np.zeros(n, np.int64), np.full(n, 5000, np.int64),
                                   np.ones(n, bool))
    assert numbers.n_unique() == n
    assert (days[:400] == 5000).all() and (days[400:] == 5001).all()
    assert idnumber.check_many(numbers)["valid"].all()


def test_plan_chunks_hold_whole_villages_of_one_province():
    villages = ["110101001001", "110101001002", "120101001001", "120101001002", "120101001003"]
    plan = synth.Plan.make(villages, np.array([3, 4, 0, 5, 2]), chunk=4)
    # a chunk closes at a province's end or once it holds ``chunk`` households
    assert plan.chunks == [(0, 2), (2, 4), (4, 5)]
    assert [plan.first_household(c) for c in plan.chunks] == [1, 8, 13]
