"""The import's memory-saving paths (issue 22 item 6): the text of the file kept on disk between stages and
removed afterwards, workbook rows normalised block by block, history blocks gathered per block — the same
registry, history and refusals as before."""

from __future__ import annotations

import random
import tempfile

import pytest

from fupin.core import uploads
from fupin.registry import history, services
from fupin.registry.importing import checks
from fupin.registry.models import Household
from fupin.registry.template import HOUSEHOLDS, INCOMES, MEMBERS
from fupin.registry.tests.importing import dump, form, write_xlsx


@pytest.fixture
def spill_dir(tmp_path, monkeypatch):
    """The temporary folder of the test: what the import spills goes there."""
    folder = tmp_path / "spill"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_small_blocks_give_the_same_registry_and_history(users, tmp_path, monkeypatch):
    """Rows read 4 at a time, history kept 2 households a block, members and incomes in shuffled order: every
    household's registered and updated versions are exactly its dossier, as with one block of everything."""
    monkeypatch.setattr(uploads, "BLOCK_ROWS", 4)
    monkeypatch.setattr(history, "CHUNK_HOUSEHOLDS", 2)
    monkeypatch.setattr(checks, "PARSE_ROWS", 5)
    sheets = form(7)
    rng = random.Random(22)
    rng.shuffle(sheets[MEMBERS.name])
    rng.shuffle(sheets[INCOMES.name])
    r = services.import_registry([write_xlsx(tmp_path / "a.xlsx", sheets)], actor=users["clerk"])
    assert r.ok, r.errors
    assert (r.created, r.counts["members"], r.counts["incomes"]) == (7, 21, 14)
    assert len(dump()["history_chunks"]) == 4  # 2 + 2 + 2 + 1 households
    for hh in Household.objects.all():
        [version] = history.timeline(hh)
        assert version.snapshot == history.snapshot(hh)
    for row in sheets[HOUSEHOLDS.name][1:6:2]:
        row["耕地面积（亩）"] = "4.75"
    for row in sheets[MEMBERS.name]:
        if row["户编号"] == sheets[HOUSEHOLDS.name][3]["户编号"] and row["与户主关系"] == "之子":
            row["文化程度"] = "高中"
    r = services.import_registry([write_xlsx(tmp_path / "b.xlsx", sheets)], actor=users["clerk"])
    assert r.ok, r.errors
    assert (r.created, r.updated, r.unchanged) == (0, 3, 4)
    changed = [hh for hh in Household.objects.order_by("id") if len(history.timeline(hh)) == 2]
    assert len(changed) == 3
    for hh in changed:
        updated, registered = history.timeline(hh)
        assert updated.snapshot == history.snapshot(hh)
        assert registered.snapshot["household"]["cultivated_land"] == "3.50"


def test_cells_parsed_slice_by_slice_give_the_errors_of_one_pass(users, tmp_path, monkeypatch):
    bad = form(6)
    bad[HOUSEHOLDS.name][1]["户状态"] = "富裕户"
    bad[HOUSEHOLDS.name][4]["耕地面积（亩）"] = "3.125"
    bad[MEMBERS.name][2]["民族"] = "火星族"
    bad[MEMBERS.name][13]["务工时间（月）"] = "13"
    bad[INCOMES.name][3]["年度"] = "2099"
    bad[INCOMES.name][10]["生态补偿金"] = "-1"
    path = write_xlsx(tmp_path / "bad.xlsx", bad)

    def errors():
        r = services.import_registry([path], actor=users["clerk"], dry_run=True)
        return [(c.sheet, c.row, c.column, c.value, c.message) for c in r.errors]

    whole = errors()
    monkeypatch.setattr(checks, "PARSE_ROWS", 2)
    assert errors() == whole
    assert len(whole) == 6 and len({e[0] for e in whole}) == 3


def spilled(folder):
    return [p for p in folder.glob("fupin-upload-*/*")]


def test_the_spilled_text_is_removed_whatever_the_outcome(users, tmp_path, spill_dir, monkeypatch):
    seen = []
    real = checks.validate

    def validate(tables, **kwargs):
        seen.append(len(spilled(spill_dir)))  # the three sheets on disk while they are checked
        return real(tables, **kwargs)

    monkeypatch.setattr(checks, "validate", validate)
    path = write_xlsx(tmp_path / "f.xlsx", form(3))
    assert services.import_registry([path], actor=users["clerk"]).ok
    assert seen == [3]
    assert list(spill_dir.glob("fupin-upload-*")) == []
    bad = form(3)
    bad[MEMBERS.name][0]["证件号码"] = "123"
    report = tmp_path / "errors.xlsx"
    r = services.import_registry([write_xlsx(tmp_path / "bad.xlsx", bad)], actor=users["clerk"], report_path=report)
    assert not r.ok and report.exists()
    assert seen == [3, 3]
    assert list(spill_dir.glob("fupin-upload-*")) == []

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(checks, "validate", broken)
    with pytest.raises(RuntimeError):
        services.import_registry([path], actor=users["clerk"])
    assert list(spill_dir.glob("fupin-upload-*")) == []
