"""R1: the division tree loads from the china-division CSVs, completely or not at all, idempotently."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from fupin.core.models import AuditEvent
from fupin.regions.models import Region
from fupin.regions.services import RegionDataError, load_regions

MINI = {
    "provinces.csv": 'code,name\n53,"云南省"\n52,"贵州省"\n',
    "cities.csv": 'code,name,provinceCode\n5333,"怒江傈僳族自治州",53\n5201,"贵阳市",52\n',
    "areas.csv": 'code,name,cityCode,provinceCode\n533301,"泸水市",5333,53\n520102,"南明区",5201,52\n',
    "streets.csv": (
        "code,name,areaCode,provinceCode,cityCode\n533301101,\"六库街道\",533301,53,5333\n"
        "520102001,\"新华路街道\",520102,52,5201\n"
    ),
    "villages.csv": (
        "code,name,streetCode,provinceCode,cityCode,areaCode\n"
        "533301101001,\"新城社区居委会\",533301101,53,5333,533301\n"
        "533301101201,\"赖茂村委会\",533301101,53,5333,533301\n"
        "520102001001,\"富水南路社区\",520102001,52,5201,520102\n"
    ),
}


@pytest.fixture
def mini(tmp_path) -> Path:
    for name, text in MINI.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_loads_the_tree_with_parents_and_counts(db, mini):
    result = load_regions(directory=mini)
    assert result.total == 11 and result.created == 11
    village = Region.objects.get(code="533301101201")
    assert village.level == 5 and village.parent_id == "533301101"
    assert village.full_code == "533301101201"
    province = Region.objects.get(code="53")
    assert province.child_count == 1 and province.village_count == 2
    assert Region.objects.get(code="533301101").child_count == 2
    assert AuditEvent.objects.filter(action="bulk", object_type="regions.region").count() == 1


def test_rerun_is_idempotent_and_keeps_flags(db, mini):
    load_regions(directory=mini)
    Region.objects.filter(code="533301").update(is_poor_county=True)
    (mini / "villages.csv").write_text(
        MINI["villages.csv"].replace("赖茂村委会", "赖茂村"), encoding="utf-8"
    )
    result = load_regions(directory=mini)
    assert result.created == 0 and result.updated == 11
    assert Region.objects.count() == 11
    assert Region.objects.get(code="533301").is_poor_county
    assert Region.objects.get(code="533301101201").name == "赖茂村"


def test_one_province(db, mini):
    result = load_regions(directory=mini, provinces=["52"])
    assert result.provinces == ["52"] and result.total == 5
    assert not Region.objects.filter(code__startswith="53").exists()


def test_unknown_province_writes_nothing(db, mini):
    with pytest.raises(RegionDataError, match="Unknown province code"):
        load_regions(directory=mini, provinces=["53", "99"])
    assert Region.objects.count() == 0


def test_missing_data_writes_nothing(db, tmp_path):
    with pytest.raises(RegionDataError, match="make assets"):
        load_regions(directory=tmp_path)
    assert Region.objects.count() == 0


def test_orphan_or_malformed_rows_write_nothing(db, mini):
    (mini / "villages.csv").write_text(MINI["villages.csv"] + '533399101001,"孤儿村",533399101,53,5333,533399\n')
    with pytest.raises(RegionDataError, match="parent missing"):
        load_regions(directory=mini)
    (mini / "villages.csv").write_text(MINI["villages.csv"] + '5333011010,"短码",533301101,53,5333,533301\n')
    with pytest.raises(RegionDataError, match="12-digit"):
        load_regions(directory=mini)
    assert Region.objects.count() == 0


def test_command_errors_are_one_line_with_nonzero_exit(db, mini, tmp_path):
    with pytest.raises(CommandError, match="Unknown province code"):
        call_command("load_regions", "--province", "99", "--data-dir", str(mini))
    with pytest.raises(CommandError, match="not found"):
        call_command("load_regions", "--data-dir", str(tmp_path / "nowhere"))


def test_real_npm_data_one_province(db):
    """The real NBS data from the npm package (installed by `make setup`): Yunnan loads completely."""
    result = load_regions(directory=settings.DIVISIONS_DIR, provinces=["53"])
    assert result.by_level == {1: 1, 2: 16, 3: 129, 4: 1461, 5: 14888}
    assert Region.objects.get(code="5333").name == "怒江傈僳族自治州"
    assert Region.objects.get(code="533301").village_count > 50
