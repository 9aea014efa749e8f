"""The coverage targets of the plans (seeds 002, 000, 004), as data an administrator can change."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

TARGETS = [
    # code, indicator, scope prefix, scope flag, threshold %, strictly above, due, title
    ("poor-broadband-2018", "poor_village_broadband", "", "", "90", False, dt.date(2018, 12, 31),
     "宽带网络覆盖90%以上的贫困村（2018年）"),
    ("poor-broadband-2020", "poor_village_broadband", "", "", "98", True, dt.date(2020, 12, 31),
     "建档立卡贫困村宽带网络覆盖比例超过98%（2020年）"),
    ("sanqu-sanzhou-broadband", "poor_village_broadband", "", "is_sanqu_sanzhou", "90", False, dt.date(2020, 12, 31),
     "“三区三州”90%以上建档立卡贫困村通宽带"),
    ("designated-broadband", "poor_village_broadband", "", "is_designated_county", "100", False,
     dt.date(2020, 12, 31), "部系统定点县贫困村宽带网络全覆盖"),
    ("contiguous-broadband", "poor_village_broadband", "", "is_contiguous_area", "100", False,
     dt.date(2020, 12, 31), "片区县贫困村宽带网络全覆盖"),
    ("yunnan-schools", "school_broadband", "53", "", "90", False, dt.date(2020, 12, 31),
     "全省中小学“校校通”接入率达90%（云南）"),
    ("yunnan-express", "township_express", "53", "", "80", False, dt.date(2020, 12, 31),
     "乡镇快递覆盖率80%以上（云南）"),
    ("relocation-ecommerce-2017", "village_ecommerce", "", "is_relocation_area", "60", False,
     dt.date(2017, 12, 31), "移民地区行政村电子商务服务站覆盖率60%以上（2017年底）"),
    ("relocation-ecommerce-2018", "village_ecommerce", "", "is_relocation_area", "100", False,
     dt.date(2018, 12, 31), "移民地区行政村电子商务服务站全覆盖（2018年底）"),
]


def seed(apps, schema_editor):
    Target = apps.get_model("connectivity", "Target")
    for code, indicator, prefix, flag, threshold, strict, due, title in TARGETS:
        Target.objects.update_or_create(code=code, defaults={
            "indicator": indicator, "scope_prefix": prefix, "scope_flag": flag, "threshold": Decimal(threshold),
            "strict": strict, "due": due, "title": title})


def unseed(apps, schema_editor):
    apps.get_model("connectivity", "Target").objects.filter(code__in=[t[0] for t in TARGETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("connectivity", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
