import pytest
from django.core.management import CommandError, call_command

from fupin.regions.models import Region
from fupin.regions.services import FlagFileError, RegionDataError, set_region_flags


def test_area_flags_apply_to_the_subtree(tree):
    set_region_flags(content="区划代码,三区三州,贫困县\n5333,是,\n533323,,1\n".encode())
    assert Region.objects.filter(is_sanqu_sanzhou=True).count() == 10  # 怒江州 and everything below
    assert not Region.objects.get(code="53").is_sanqu_sanzhou
    assert set(Region.objects.filter(is_poor_county=True).values_list("code", flat=True)) == {
        "533323", "533323101", "533323101201"
    }


def test_poor_village_and_exit_year(tree):
    set_region_flags(content=b"code,poor_village,exit_year\n533301205201,1,2019\n")
    v = Region.objects.get(code="533301205201")
    assert v.is_poor_village and v.poor_exit_year == 2019


def test_gb18030_file(tree):
    set_region_flags(content="区划代码,名称,片区县\n533301,泸水市,是\n".encode("gb18030"))
    assert Region.objects.get(code="533301205201").is_contiguous_area


def test_bad_file_changes_nothing_and_lists_every_error(tree):
    content = "区划代码,贫困县,退出年度\n533301,是,\n999999,是,\n533301,也许,\n533301205201,,1999\n533301,,2019\n".encode()
    with pytest.raises(FlagFileError) as exc:
        set_region_flags(content=content)
    assert [(e.row, e.column, e.value) for e in exc.value.conflicts] == [
        (3, "区划代码", "999999"), (4, "贫困县", "也许"), (5, "退出年度", "1999"), (6, "区划代码", "533301")]
    assert not Region.objects.filter(is_poor_county=True).exists()


def test_unknown_columns_are_refused(tree):
    with pytest.raises(RegionDataError, match="Unknown column"):
        set_region_flags(content="区划代码,富裕县\n533301,是\n".encode())


def test_command(tree, tmp_path):
    f = tmp_path / "flags.csv"
    f.write_text("区划代码,定点县\n533301,是\n", encoding="utf-8")
    call_command("set_region_flags", str(f))
    assert Region.objects.get(code="533301").is_designated_county
    f.write_text("区划代码,定点县\n12,是\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("set_region_flags", str(f))
    with pytest.raises(CommandError, match="file not found"):
        call_command("set_region_flags", str(tmp_path / "missing.csv"))


def test_shipped_sanqu_sanzhou_list_loads_on_real_data(db):
    from pathlib import Path

    from django.conf import settings

    from fupin.regions.services import load_regions

    load_regions(directory=settings.DIVISIONS_DIR, provinces=["53"])
    path = Path(__file__).resolve().parents[1] / "data" / "sanqu_sanzhou.csv"
    # Only Yunnan is loaded: rows of other provinces are refused as a whole, nothing changes.
    with pytest.raises(FlagFileError):
        set_region_flags(content=path.read_bytes())
    assert not Region.objects.filter(is_sanqu_sanzhou=True).exists()
    yunnan_rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith(("区划", "53"))]
    set_region_flags(content="\n".join(yunnan_rows).encode())
    assert Region.objects.get(code="533301").is_sanqu_sanzhou  # 泸水市 in 怒江州
    assert Region.objects.get(code="533401").is_sanqu_sanzhou  # 香格里拉市 in 迪庆州
    assert not Region.objects.get(code="530102").is_sanqu_sanzhou  # 五华区, Kunming


def test_a_workbook_with_a_title_row_and_numeric_codes(tree, tmp_path):
    """The flag file through the upload kit: an .xlsx with a title row and codes typed as numbers."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["贫困村名单"])
    wb.active.append(["区划代码", "贫困村", "退出年度"])
    wb.active.append([533301205201, "是", 2019])
    wb.save(tmp_path / "flags.xlsx")
    set_region_flags(content=(tmp_path / "flags.xlsx").read_bytes(), filename="flags.xlsx")
    v = Region.objects.get(code="533301205201")
    assert v.is_poor_village and v.poor_exit_year == 2019
