"""Import of the collection form: creation, history snapshots, idempotence, updates, encodings, atomicity."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.core.models import AuditEvent
from fupin.registry import history, services
from fupin.registry.importing import existing
from fupin.registry.importing import write as stage
from fupin.registry.models import Household, HouseholdVersion, Income, Member
from fupin.registry.tests.importing import VILLAGE, dump, form, write_csvs, write_xlsx


def test_creates_households_with_history_equal_to_snapshot(users, tmp_path):
    r = services.import_registry([write_xlsx(tmp_path / "f.xlsx", form(3))], actor=users["clerk"])
    assert r.ok, r.errors
    assert (r.created, r.updated, r.unchanged, r.rejected) == (3, 0, 0, 0)
    assert Household.objects.filter(village_id=VILLAGE).count() == 3
    h = Household.objects.get(number=f"{VILLAGE}90001")
    assert h.source == "import" and h.main_cause == "01" and h.other_causes == ["07", "09"]
    assert h.cultivated_land == Decimal("3.50") and h.road_distance_km == Decimal("1.5") and not h.has_broadband
    head = h.members.get(relation="01")
    assert head.sex == "1" and head.birth_date == dt.date(1970, 3, 4) and head.ethnicity == "20"
    inc = h.incomes.get(year=2020)
    assert inc.wage_other == Decimal("9000.50") and inc.household_size == 3
    assert inc.per_capita == ((Decimal("9000.5") + 3000 + 200 + Decimal("150.25") - 500) / 3).quantize(Decimal("0.01"))
    assert h.latest_income_year == 2020 and h.latest_per_capita == inc.per_capita
    assert not HouseholdVersion.objects.exists()  # registered households: their import block is the version
    for hh in Household.objects.all():
        [version] = history.timeline(hh)
        assert version.kind == "import" and version.username == "clerk" and version.valid_from == dt.date.today()
        assert version.snapshot == history.snapshot(hh)
        assert history.as_of(hh, dt.date.today()).snapshot == version.snapshot
        assert history.as_of(hh, dt.date.today() - dt.timedelta(days=1)) is None
    event = AuditEvent.objects.get(action="bulk")
    assert event.detail["created"] == 3 and event.username == "clerk"


def test_reimport_is_unchanged_and_writes_nothing(users, tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", form(2))
    services.import_registry([path], actor=users["clerk"])
    before = dump()
    r = services.import_registry([path], actor=users["clerk"])
    assert (r.created, r.updated, r.unchanged) == (0, 0, 2)
    assert dump() == before


def test_update_counts_members_replaced_and_versions(users, tmp_path):
    data = form(3)
    services.import_registry([write_xlsx(tmp_path / "a.xlsx", data)], actor=users["clerk"])
    number = f"{VILLAGE}90002"
    head_id = Member.objects.get(household__number=number, relation="01").pk
    data["户"][1]["主要致贫原因"] = "因残"
    son = next(m for m in data["家庭成员"] if m["户编号"] == number and m["与户主关系"] == "之子")
    data["家庭成员"].remove(son)
    data["收入"] = [r for r in data["收入"] if not (r["户编号"] == number and r["年度"] == "2019")]
    for r in data["收入"]:
        if r["户编号"] == number:
            r["年度家庭人口数"] = "2"
    new = form(1, start=7)
    for sheet, rows in new.items():
        data[sheet].extend(rows)
    r = services.import_registry([write_xlsx(tmp_path / "b.xlsx", data)], actor=users["clerk"])
    assert r.ok, r.errors
    assert (r.created, r.updated, r.unchanged) == (1, 1, 2)
    h = Household.objects.get(number=number)
    assert h.main_cause == "02"
    assert h.members.filter(is_active=True).count() == 2
    assert h.members.get(is_active=False).relation == "03"  # the son left: kept, inactive
    assert Member.objects.get(household=h, relation="01").pk == head_id  # kept its row
    assert list(h.incomes.values_list("year", flat=True)) == [2020]
    updated, registered = history.timeline(h)
    assert registered.reason.startswith("导入登记") and updated.reason.startswith("导入更新")
    assert HouseholdVersion.objects.get(household=h) == updated and updated.chunk_id is not None
    assert updated.snapshot == history.snapshot(h)
    assert registered.snapshot["household"]["main_cause"] == "01" and len(registered.snapshot["members"]) == 3
    paths = {c["path"] for c in updated.changes}
    assert "household.main_cause" in paths and "incomes.2019" in paths
    assert len(history.timeline(Household.objects.get(number=f"{VILLAGE}90001"))) == 1  # unchanged: no version
    # A later change through a service is compared with the imported dossier and keeps it in the history.
    services.update_household(actor=users["clerk"], household=h, data={"housing_safety": "C"}, reason="鉴定")
    latest = history.timeline(h)[0]
    assert [c["path"] for c in latest.changes] == ["household.housing_safety"]
    assert [v.kind for v in history.timeline(h)] == ["update", "import", "import"]


def test_person_moving_between_households_of_the_file(users, tmp_path):
    data = form(2)
    services.import_registry([write_xlsx(tmp_path / "a.xlsx", data)], actor=users["clerk"])
    son = next(m for m in data["家庭成员"] if m["户编号"].endswith("90001") and m["与户主关系"] == "之子")
    son["户编号"] = f"{VILLAGE}90002"
    son["与户主关系"] = "其他"
    r = services.import_registry([write_xlsx(tmp_path / "b.xlsx", data)], actor=users["clerk"])
    assert r.ok, r.errors
    assert r.updated == 2
    assert Member.objects.get(id_number=son["证件号码"], is_active=True).household.number.endswith("90002")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(users, tmp_path, encoding):
    paths = write_csvs(tmp_path / "csv", form(2), encoding=encoding)
    if encoding == "gbk":
        assert paths[1].read_bytes().find("李".encode("gbk")) >= 0
    r = services.import_registry(paths, actor=users["clerk"])
    assert r.ok, r.errors
    assert r.created == 2
    assert Member.objects.filter(name__startswith="李户主").count() == 2


def test_csv_sheets_are_recognised_by_headers_in_any_order(users, tmp_path):
    paths = write_csvs(tmp_path / "csv", form(1))
    renamed = []
    for i, p in enumerate(reversed(paths)):
        q = p.with_name(f"file{i}.csv")
        p.rename(q)
        renamed.append(q)
    assert services.import_registry(renamed, actor=users["clerk"]).created == 1


def test_dry_run_writes_nothing(users, tmp_path):
    before = dump()
    r = services.import_registry([write_xlsx(tmp_path / "f.xlsx", form(2))], actor=users["clerk"], dry_run=True)
    assert r.ok and r.created == 2
    assert dump() == before


def test_killing_the_write_midway_leaves_the_database_as_before(users, households, tmp_path, monkeypatch):
    data = form(3)
    services.import_registry([write_xlsx(tmp_path / "a.xlsx", form(1, start=5))], actor=users["clerk"])
    data["户"][0]["主要致贫原因"] = "因学"
    before = dump()
    real = stage._append
    calls = []

    def failing(table, frame, encoded):
        calls.append(table)
        if table == Income._meta.db_table:  # households and members are written by now
            assert Household.objects.filter(number=data["户"][0]["户编号"]).exists()
            raise RuntimeError("killed")
        return real(table, frame, encoded)

    monkeypatch.setattr(stage, "_append", failing)
    with pytest.raises(RuntimeError, match="killed"):
        services.import_registry([write_xlsx(tmp_path / "b.xlsx", data)], actor=users["clerk"])
    assert Member._meta.db_table in calls
    assert dump() == before
    assert not AuditEvent.objects.filter(action="bulk", detail__created=3).exists()


def test_only_registry_writers_may_import(users, tmp_path):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.import_registry([write_xlsx(tmp_path / "f.xlsx", form(1))], actor=users["analyst"])


@settings(max_examples=40, deadline=None)
@given(st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2, allow_nan=False, allow_infinity=False))
def test_money_cells_parse_exactly(value):
    import polars as pl

    from fupin.core.uploads import Table
    from fupin.registry.importing.parse import Errors, parse_sheet
    from fupin.registry.template import INCOMES

    row = {h: None for h in INCOMES.headers} | {"户编号": "1", "年度": "2020", "其他工资性收入": str(value)}
    frame = pl.DataFrame([row], schema={h: pl.Utf8 for h in INCOMES.headers}).with_columns(_row=pl.lit(2, pl.Int64))
    errs = Errors()
    out = parse_sheet(Table(INCOMES.name, INCOMES.upload_columns, frame), INCOMES, errs)
    assert errs.conflicts() == []
    assert out["wage_other"][0] == f"{value:.2f}"


def test_import_block_never_speaks_for_a_later_household_with_a_reused_id(users, tmp_path):
    services.import_registry([write_xlsx(tmp_path / "f.xlsx", form(2))], actor=users["clerk"])
    h = Household.objects.get(number=f"{VILLAGE}90002")
    assert len(history.timeline(h)) == 1
    values = {f.attname: getattr(h, f.attname) for f in Household._meta.concrete_fields
              if f.attname not in ("created_at", "updated_at")}
    h.delete()
    again = Household.objects.create(**values)  # entered later under the same id
    assert history.timeline(again) == [] and history.as_of(again, dt.date.today()) is None


def test_dossier_as_of_an_imported_day_reads_the_import_block(users, client, tmp_path):
    services.import_registry([write_xlsx(tmp_path / "f.xlsx", form(1))], actor=users["clerk"])
    h = Household.objects.get(number=f"{VILLAGE}90001")
    client.force_login(users["clerk"])
    page = client.get(f"/households/{h.pk}/", {"as_of": dt.date.today().isoformat()})
    assert page.status_code == 200 and page.context["version"].kind == "import"
    assert "李户主1" in page.content.decode()
    assert client.get(f"/api/v1/households/{h.pk}/history").json()[0]["kind"] == "import"


def test_array_literal_quotes_every_value():
    assert existing.array_literal(['a"b', "c\\d", "e,f", "{g}"]) == '{"a\\"b","c\\\\d","e,f","{g}"}'
    assert existing.array_literal([1, 22]) == '{"1","22"}'


@pytest.mark.parametrize(("sheet", "column", "value"), [
    ("家庭成员", "文化程度", "高中"), ("家庭成员", "是否享受低保", "是"), ("家庭成员", "残疾类别", "视力残疾"),
    ("收入", "低保金", "10.5"), ("户", "其他致贫原因", "缺技术"), ("户", "脱贫年度", "2016"),
])
def test_a_single_changed_cell_makes_the_household_updated(users, tmp_path, sheet, column, value):
    data = form(2)
    services.import_registry([write_xlsx(tmp_path / "a.xlsx", data)], actor=users["clerk"])
    data[sheet][-1][column] = value  # a row of the second household
    if column == "残疾类别":
        data[sheet][-1]["残疾等级"] = "一级"
    r = services.import_registry([write_xlsx(tmp_path / "b.xlsx", data)], actor=users["clerk"])
    assert r.ok, r.errors
    assert (r.updated, r.unchanged) == (1, 1)
