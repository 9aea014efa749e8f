"""Village basic data through the upload kit: all rows or none, every bad cell named, scoped to the uploader."""

from __future__ import annotations

from fupin.quality import services
from fupin.quality.models import VillageRecord

HEADER = "村代码,日期,总户数,总人口,到乡镇是否通硬化路,未实现饮水安全户数,危房户数\n"


def test_upload_writes_all_rows_and_replaces_the_same_date(db, tree, users):
    text = HEADER + "533301205201,2026-01-01,120,480,是,3,2\n533301101201,2026/1/1,90,350,否,,\n"
    s = services.upload_village_data(actor=users["county"], content=text.encode("gbk"), filename="村.csv")
    assert s.ok and (s.created, s.updated) == (2, 0)
    r = VillageRecord.objects.get(region_id="533301101201")
    assert (r.households, r.hardened_road, r.unsafe_water_households) == (90, False, None)
    s = services.upload_village_data(actor=users["county"], content=(HEADER + "533301205201,2026-01-01,121,480,是,3,2\n")
                                     .encode(), filename="村.csv")
    assert (s.created, s.updated) == (0, 1)
    assert VillageRecord.objects.get(region_id="533301205201").households == 121


def test_bad_rows_reject_the_whole_file_naming_each_cell(db, tree, users):
    text = (HEADER + "533301205201,2026-01-01,120,480,是,3,2\n"  # fine
            "533323101201,2026-01-01,50,200,是,,\n"  # 福贡县: outside the county administrator's region
            "533301205999,2026-01-01,50,200,是,,\n"  # no such village
            "533301101201,2026-01-01,-5,200,也许,,\n")  # negative count, neither yes nor no
    s = services.upload_village_data(actor=users["county"], content=text.encode(), filename="村.csv")
    assert not s.ok and not VillageRecord.objects.exists()
    assert sorted((c.row, c.column) for c in s.conflicts) == [
        (3, "村代码"), (4, "村代码"), (5, "到乡镇是否通硬化路"), (5, "总户数")]
    assert "outside your region" in " ".join(str(c) for c in s.conflicts)


def test_upload_page(client, db, tree, users):
    client.force_login(users["clerk"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile("v.csv", (HEADER + "533301205201,2026-01-01,120,480,是,3,2\n").encode())
    page = client.post("/quality/villages/", {"file": f}).content.decode()
    assert "新建 1 条" in page and "533301205201" in page


def test_village_persons_feed_the_rural_population_of_the_incidence(db, tree, users):
    """#14 item 5: the incidence denominator comes from the village basic data, the latest record of each year."""
    from fupin.lifecycle.models import RuralPopulation

    text = (HEADER + "533301205201,2025-03-01,120,480,是,3,2\n533301205201,2025-11-30,121,475,是,3,2\n"
            "533301205201,2026-01-01,121,470,是,3,2\n")
    s = services.upload_village_data(actor=users["county"], content=text.encode(), filename="村.csv")
    assert s.ok
    got = dict(RuralPopulation.objects.filter(region_id="533301205201").values_list("year", "persons"))
    assert got == {2025: 475, 2026: 470}
    # a later upload of an earlier date of 2025 does not override the later record of that year
    services.upload_village_data(actor=users["county"], content=(HEADER + "533301205201,2025-06-01,120,490,是,3,2\n")
                                 .encode(), filename="村.csv")
    assert RuralPopulation.objects.get(region_id="533301205201", year=2025).persons == 475
    # a correction of the latest record does
    services.upload_village_data(actor=users["county"], content=(HEADER + "533301205201,2025-11-30,121,478,是,3,2\n")
                                 .encode(), filename="村.csv")
    assert RuralPopulation.objects.get(region_id="533301205201", year=2025).persons == 478
