"""``bench pgscale`` (issue 19): the generator's Parquet becomes the collection form's CSV files, which the real import
service takes with no error and the same counts; on PostgreSQL the whole benchmark runs at a tiny size."""

import itertools
import json
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Sum

from fupin.core.roles import Role
from fupin.core.sql import is_postgres
from fupin.indicators import scale_bench
from fupin.registry import services
from fupin.registry.demo import HOUSEHOLD_COLUMNS, INCOME_COLUMNS, MEMBER_COLUMNS, arrow_schema, generate
from fupin.registry.models import Household, HouseholdVersion, Income, Member
from fupin.testing import make_user


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    return json.dumps(value) if isinstance(value, list) else value


def _to_parquet(root):
    """The demo registry in the database written as the generator's Parquet (``registry.synth``'s layout), then removed
    from the database."""
    for name, model, columns in (("households", Household, HOUSEHOLD_COLUMNS), ("members", Member, MEMBER_COLUMNS),
                                 ("incomes", Income, INCOME_COLUMNS)):
        schema = arrow_schema(model, columns)
        rows = list(model.objects.order_by("pk").values_list(*columns))
        arrays = [pa.array([_plain(v) for v in col], f.type)
                  for col, f in zip(zip(*rows, strict=True), schema, strict=True)]
        target = root / name / "province=53"
        target.mkdir(parents=True)
        pq.write_table(pa.Table.from_arrays(arrays, schema=schema), target / "part-00000.parquet")
    HouseholdVersion.objects.all().delete()
    Income.objects.all().delete()
    Member.objects.all().delete()
    Household.objects.all().delete()


def test_parquet_to_template_csv_imports_with_the_same_counts(tree, tmp_path):
    generate(households=60, area="53", seed=11)
    persons = sorted(Member.objects.filter(is_active=True).values_list("id_number", flat=True))
    incomes = Income.objects.count()
    net = Income.objects.aggregate(s=Sum("net_total"))["s"]
    numbers = sorted(Household.objects.values_list("number", flat=True))
    root = tmp_path / "registry"
    _to_parquet(root)
    assert scale_bench.provinces_in(root) == ["53"]

    parts = scale_bench.plan_parts(root, "53", limit=20)
    assert len(parts) > 1 and sum(p.households for p in parts) == len(numbers)
    assert all(a.hi < b.lo for a, b in itertools.pairwise(parts))  # disjoint, in code order
    actor = make_user("importer", tree["53"], Role.COUNTY_ADMIN)
    for i, part in enumerate(parts):
        frames = scale_bench.read_part(root, part)
        assert frames["households"].height == part.households
        result = services.import_registry(scale_bench.write_template_csv(frames, tmp_path / f"csv{i}"), actor=actor)
        assert result.ok, result.errors[:3]
        assert result.created == part.households
    assert sorted(Household.objects.values_list("number", flat=True)) == numbers
    assert sorted(Member.objects.filter(is_active=True).values_list("id_number", flat=True)) == persons
    assert Income.objects.count() == incomes
    assert Income.objects.aggregate(s=Sum("net_total"))["s"] == net


@pytest.mark.skipif(is_postgres(), reason="the refusal on SQLite")
def test_refused_on_sqlite(tmp_path):
    with pytest.raises(CommandError, match="PostgreSQL only"):
        scale_bench.bench_pgscale(SimpleNamespace(stdout=StringIO(), stderr=StringIO()), {"from_dir": str(tmp_path)})


@pytest.mark.skipif(not is_postgres(), reason="PostgreSQL only")
def test_whole_benchmark_at_a_tiny_size(tree, tmp_path):
    generate(households=40, area="53", seed=12)
    root = tmp_path / "registry"
    _to_parquet(root)
    rows = scale_bench.bench_pgscale(SimpleNamespace(stdout=StringIO(), stderr=StringIO()),
                                     {"from_dir": str(root), "milestones": "10,40", "part_households": 15})
    labels = [label for label, _s, _f in rows]
    assert sum("MILESTONE" in label for label in labels) == 2
    assert any("all warning rules" in label for label in labels)
    assert any(label.strip().startswith("exact ID number, nation") for label in labels)
    assert Household.objects.count() == 40
    # again on the registry as it is, indicators only: the two incremental refreshes, no import, no warning rules
    again = scale_bench.bench_pgscale(SimpleNamespace(stdout=StringIO(), stderr=StringIO()),
                                      {"existing": True, "measure": "indicators"})
    labels = [label for label, _s, _f in again]
    assert sum("incremental refresh" in label for label in labels) == 2
    assert not any("warning rules" in label or "import part" in label for label in labels)
    assert Household.objects.count() == 40
    # the floor: a part COPYed into the real tables and rolled back, beside a bare COPY
    members = Member.objects.count()
    floor = scale_bench.bench_pgscale(SimpleNamespace(stdout=StringIO(), stderr=StringIO()),
                                      {"existing": True, "measure": "floor", "from_dir": str(root)})
    [(_label, seconds, figures)] = [row for row in floor if "floor" in row[0]]
    assert seconds > 0 and "indexed / bare" in figures and "households" in figures
    assert (Household.objects.count(), Member.objects.count()) == (40, members)
    assert not Household.objects.filter(number__startswith="F").exists()
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [scale_bench.BARE["households"]])
        assert cur.fetchone()[0] is None
    with pytest.raises(CommandError, match="--from"):
        scale_bench.bench_pgscale(SimpleNamespace(stdout=StringIO(), stderr=StringIO()),
                                  {"existing": True, "measure": "floor"})


def test_unknown_measures_are_refused():
    with pytest.raises(CommandError, match="unknown pages2"):
        scale_bench.measures({"measure": "pages2,indicators"})
    assert scale_bench.measures({"measure": "none"}) == set()


def test_what_the_national_generator_draws_imports_with_no_error(db, tmp_path):
    """The vectorised generator's files (``registry.synth``) are a registry the import service accepts as it is:
    no error, the same households, persons and income years."""
    from django.conf import settings

    from fupin.regions.models import Region
    from fupin.regions.services import load_regions

    load_regions(directory=settings.DIVISIONS_DIR, provinces=["53"])
    root = tmp_path / "registry"
    drawn = generate(households=400, area="5333", seed=5, to=root, processes=1)  # 怒江: old and new county codes
    actor = make_user("importer", Region.objects.get(code="53"), Role.COUNTY_ADMIN)
    for i, part in enumerate(scale_bench.plan_parts(root, "53", limit=150)):
        frames = scale_bench.read_part(root, part)
        result = services.import_registry(scale_bench.write_template_csv(frames, tmp_path / f"csv{i}"), actor=actor)
        assert result.ok, result.errors[:3]
    assert Household.objects.count() == drawn.households == 400
    assert Member.objects.filter(is_active=True).count() == drawn.members
    assert Income.objects.count() == drawn.incomes


@pytest.mark.skipif(not is_postgres(), reason="PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_two_streams_import_every_part_once(tmp_path):
    """``--streams 2``: the parts are imported two at a time, each in its own thread and connection (so committed, not
    inside the test's transaction); every household arrives once, the waves and the milestone are reported."""
    from fupin import testing

    testing.ensure_code_lists()  # an earlier transactional test may have flushed them
    testing.make_tree()
    generate(households=60, area="53", seed=13)
    root = tmp_path / "registry"
    _to_parquet(root)
    rows = scale_bench.bench_pgscale(SimpleNamespace(stdout=StringIO(), stderr=StringIO()),
                                     {"from_dir": str(root), "milestones": "60", "part_households": 12,
                                      "measure": "none", "streams": 2})
    labels = [label for label, _s, _f in rows]
    assert sum(label.startswith("import part ") for label in labels) == len(scale_bench.plan_parts(root, "53", 12)) > 2
    assert any(label.startswith("import wave of") and "2 streams" in label for label in labels)
    assert sum("MILESTONE" in label for label in labels) == 1
    assert Household.objects.count() == 60
    assert Member.objects.filter(household__number__in=Household.objects.values("number")).count() == Member.objects.count()
