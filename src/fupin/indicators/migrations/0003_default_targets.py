"""Default indicator targets, as data an administrator can change. For an indicator whose direction is +1 the
value must reach the threshold by the due date; for direction −1 (incidence) it must be below it.

Sources (../shared/seeds and the plans they quote):
- incidence: 《关于建立贫困退出机制的意见》(2016): a poor county exits when its poverty incidence is below 2 %,
  below 3 % in the western region (西部地区, the twelve provinces of lifecycle.evaluation.WEST_PROVINCES);
- poor-village broadband: 《网络扶贫行动计划》(seed 002 二): broadband in more than 90 % of registered poor villages by
  2018 and more than 98 % by 2020 (R6.3);
- schools: 校校通 90 % (seed 002 十四, R6.3);
- e-commerce service stations: 60 % → 100 % of administrative villages (seed 004 四(二), R7.1).
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

WEST = ("15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65")
END_2020 = dt.date(2020, 12, 31)

TARGETS = [
    # indicator, scope prefix, scope flag, threshold, due, title
    ("incidence", "", "", "2", END_2020, "贫困发生率降至2%以下 / poverty incidence below 2%"),
    *[("incidence", p, "", "3", END_2020, "贫困发生率降至3%以下（西部地区） / poverty incidence below 3% (western region)")
      for p in WEST],
    ("poor_village_broadband", "", "", "90", dt.date(2018, 12, 31),
     "90%以上贫困村通宽带（2018年） / broadband in 90% of poor villages (2018)"),
    ("poor_village_broadband", "", "", "98", END_2020,
     "贫困村通宽带比例超过98%（2020年） / broadband in more than 98% of poor villages (2020)"),
    ("poor_village_broadband", "", "is_sanqu_sanzhou", "90", END_2020,
     "“三区三州”90%以上贫困村通宽带 / broadband in 90% of the poor villages of 三区三州"),
    ("school_broadband", "", "", "90", END_2020, "中小学宽带接入率达90%（校校通） / broadband in 90% of schools"),
    ("village_ecommerce", "", "", "60", dt.date(2018, 12, 31),
     "行政村电商服务站覆盖率60%以上 / e-commerce stations in 60% of villages"),
    ("village_ecommerce", "", "", "100", END_2020,
     "行政村电商服务站全覆盖 / e-commerce stations in every village"),
]


def seed(apps, schema_editor):
    Target = apps.get_model("indicators", "Target")
    for indicator, prefix, flag, threshold, due, title in TARGETS:
        Target.objects.update_or_create(
            indicator=indicator, scope_prefix=prefix, scope_flag=flag, due=due,
            defaults={"threshold": Decimal(threshold), "title": title},
        )


def unseed(apps, schema_editor):
    Target = apps.get_model("indicators", "Target")
    for indicator, prefix, flag, _threshold, due, _title in TARGETS:
        Target.objects.filter(indicator=indicator, scope_prefix=prefix, scope_flag=flag, due=due).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0002_changed_region")]
    operations = [migrations.RunPython(seed, unseed)]
