"""Code lists of the lifecycle (household statuses non_poor/applicant, measure types, fund sources,
monitoring categories and risks, elimination) and the national poverty lines at current prices."""

from django.db import migrations

LISTS = ("household_status", "measure_type", "fund_source", "monitoring_category", "monitoring_risk", "risk_elimination")

# 国家扶贫标准（2010 年不变价 2300 元）按当年价格, yuan per person per year.
NATIONAL_LINES = {2014: 2736, 2015: 2855, 2016: 2952, 2017: 3335, 2018: 3535, 2019: 3747, 2020: 4000}


def forwards(apps, schema_editor):
    from fupin.core.codes import load_file

    CodeItem = apps.get_model("core", "CodeItem")
    data = load_file()
    for list_code in LISTS:
        for sort, item in enumerate(data[list_code]):
            CodeItem.objects.update_or_create(
                list_code=list_code, code=item["code"],
                defaults={"name": item["name"], "name_en": item["name_en"], "sort": sort},
            )
    PovertyLine = apps.get_model("lifecycle", "PovertyLine")
    for year, amount in NATIONAL_LINES.items():
        PovertyLine.objects.get_or_create(
            year=year, standard="national", province="",
            defaults={"amount": amount, "note": "国家扶贫标准，现价 / national line at current prices"},
        )


def backwards(apps, schema_editor):
    apps.get_model("lifecycle", "PovertyLine").objects.filter(standard="national", year__in=NATIONAL_LINES).delete()


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0001_initial"), ("core", "0002_roles_and_codelists")]
    operations = [migrations.RunPython(forwards, backwards)]
