"""The two old target tables — ``connectivity.Target`` (coverage targets) and ``indicators.Target`` (indicator
targets), both seeded by migrations and editable by nobody — merge into this one, which has a source clause, a unit
and an edit history. Their disagreements are fixed here, against the seeds:

- e-commerce stations 60 % / 100 %: a target of Yinchuan's plan (seed 004 四(二)) for the populous administrative
  villages of its relocation areas, by the end of 2017 and 2018. connectivity had it for the relocation areas of the
  whole country; indicators had it for every village of the country, by 2018 and 2020. Both become the Yinchuan rows.
- schools 90 % (校校通): Yunnan's target (云南省网络扶贫行动计划 三 9). indicators had it as national; it becomes the
  Yunnan row.
- the national poverty-incidence targets (2 %, 3 % in the western provinces), which only indicators had, come over
  with their source clause.

A row of an old table that matches a seeded target becomes the corrected row of this table (created when
``load_plans`` has not run yet; an existing row is kept as it is). A row an administrator added to an old table is
copied with a code of its own. Each merged row gets a revision saying where it came from and what was corrected, so
the history of every target starts with the merge. The old tables are dropped by connectivity 0004 and indicators
0007, after this migration."""

from decimal import Decimal

from django.db import migrations

MIIT = "工信部实施方案（2018-2020年）"
YN = "云南省网络扶贫行动计划（2019-2020年）"
YC = "银川市智慧城市+扶贫行动实施意见"
EXIT = "《关于建立贫困退出机制的意见》（厅字〔2016〕16号）"
WEST = ("15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65")

# code: (title, indicator, value, unit, strict, year, scope prefix, area type, source)
CANONICAL = {
    "cn-2018-poor-village-broadband": ("贫困村宽带网络覆盖90%以上（2018年）", "poor_village_broadband", "90", False,
                                       2018, "", "poor_village", f"{MIIT}一(二)"),
    "cn-2020-poor-village-broadband": ("12.29万个建档立卡贫困村宽带覆盖比例超过98%（2020年）", "poor_village_broadband",
                                       "98", True, 2020, "", "poor_village", f"{MIIT}一(二)"),
    "cn-2020-sanqu-broadband": ("“三区三州”90%以上建档立卡贫困村通宽带", "poor_village_broadband", "90", False, 2020,
                                "", "is_sanqu_sanzhou", f"{MIIT}十三"),
    "cn-2020-designated-broadband": ("部系统定点县贫困村宽带网络全覆盖", "poor_village_broadband", "100", False, 2020,
                                     "", "is_designated_county", f"{MIIT}十四"),
    "cn-2020-contiguous-broadband": ("片区县贫困村宽带网络全覆盖", "poor_village_broadband", "100", False, 2020, "",
                                     "is_contiguous_area", f"{MIIT}十四"),
    "yn-2020-school-broadband": ("云南省中小学“校校通”接入率达90%", "school_broadband", "90", False, 2020, "53", "",
                                 f"{YN}三 9"),
    "yn-2020-township-express": ("云南省乡镇快递覆盖率80%以上", "township_express", "80", False, 2020, "53", "",
                                 f"{YN}三 6"),
    "yc-2017-relocation-ecommerce": ("移民地区人口集中行政村电商服务站覆盖率60%以上（2017年底）", "village_ecommerce",
                                     "60", False, 2017, "6401", "is_relocation_area", f"{YC}四(二)"),
    "yc-2018-relocation-ecommerce": ("移民地区人口集中行政村电商服务站全覆盖（2018年底）", "village_ecommerce", "100",
                                     False, 2018, "6401", "is_relocation_area", f"{YC}四(二)"),
    "cn-2020-incidence": ("贫困发生率降至2%以下", "incidence", "2", False, 2020, "", "", f"{EXIT}一"),
    **{f"west-{p}-2020-incidence": ("贫困发生率降至3%以下（西部地区）", "incidence", "3", False, 2020, p, "",
                                    f"{EXIT}一") for p in WEST},
}

# connectivity.Target code → merged code, and what was corrected
FROM_CONNECTIVITY = {
    "poor-broadband-2018": ("cn-2018-poor-village-broadband", ""),
    "poor-broadband-2020": ("cn-2020-poor-village-broadband", ""),
    "sanqu-sanzhou-broadband": ("cn-2020-sanqu-broadband", ""),
    "designated-broadband": ("cn-2020-designated-broadband", ""),
    "contiguous-broadband": ("cn-2020-contiguous-broadband", ""),
    "yunnan-schools": ("yn-2020-school-broadband", ""),
    "yunnan-express": ("yn-2020-township-express", ""),
    "relocation-ecommerce-2017": ("yc-2017-relocation-ecommerce", "范围由全国移民地区改为银川市移民地区（种子004 四(二)）"),
    "relocation-ecommerce-2018": ("yc-2018-relocation-ecommerce", "范围由全国移民地区改为银川市移民地区（种子004 四(二)）"),
}

ECOMMERCE_FIX = "全国所有行政村2018/2020年改为银川市移民地区人口集中行政村2017/2018年（种子004 四(二)）"


def _from_indicators(indicator, prefix, flag, threshold, due):
    """indicators.Target row → (merged code, correction), or None when it matches no seeded target."""
    t = Decimal(threshold)
    if indicator == "incidence" and not flag and due.year == 2020:
        if prefix == "" and t == 2:
            return "cn-2020-incidence", ""
        if prefix in WEST and t == 3:
            return f"west-{prefix}-2020-incidence", ""
    if indicator == "poor_village_broadband" and not prefix:
        key = (flag, int(t), due.year)
        return {("", 90, 2018): ("cn-2018-poor-village-broadband", ""),
                ("", 98, 2020): ("cn-2020-poor-village-broadband", "“达到98%”改为“超过98%”（种子002 二）"),
                ("is_sanqu_sanzhou", 90, 2020): ("cn-2020-sanqu-broadband", "")}.get(key)
    if indicator == "school_broadband" and not prefix and not flag and t == 90:
        return "yn-2020-school-broadband", "90%“校校通”是云南省的目标，不是全国目标（云南省网络扶贫行动计划 三 9）"
    if indicator == "village_ecommerce" and not prefix and not flag and t == 60 and due.year == 2018:
        return "yc-2017-relocation-ecommerce", ECOMMERCE_FIX
    if indicator == "village_ecommerce" and not prefix and not flag and t == 100 and due.year == 2020:
        return "yc-2018-relocation-ecommerce", ECOMMERCE_FIX
    return None


def _state(t):
    return {"title": t.title, "indicator": t.indicator, "value": str(t.value), "unit": t.unit, "strict": t.strict,
            "year": t.year, "scope_prefix": t.scope_prefix, "area_type": t.area_type, "source": t.source}


def merge(apps, schema_editor):
    Target = apps.get_model("targets", "Target")
    Revision = apps.get_model("targets", "TargetRevision")
    OldConn = apps.get_model("connectivity", "Target")
    OldInd = apps.get_model("indicators", "Target")

    def merged(code, before, correction, old_table):
        title, indicator, value, strict, year, prefix, area, source = CANONICAL[code]
        target, _created = Target.objects.get_or_create(code=code, defaults={
            "title": title, "indicator": indicator, "value": Decimal(value), "unit": "percent", "strict": strict,
            "year": year, "scope_prefix": prefix, "area_type": area, "source": source})
        reason = f"由{old_table}合并（#18）" + (f"；更正：{correction}" if correction else "")
        Revision.objects.create(target=target, before=before, after=_state(target), reason=reason[:300],
                                username="migration")

    def copied(code, row, area, year, strict, old_table):
        target, _ = Target.objects.get_or_create(code=code, defaults={
            "title": row.title[:200], "indicator": row.indicator, "value": row.threshold, "unit": "percent",
            "strict": strict, "year": year, "scope_prefix": row.scope_prefix, "area_type": area,
            "source": f"由{old_table}迁移，出处待补"})
        Revision.objects.create(target=target, before={}, after=_state(target), reason=f"由{old_table}迁移（#18）",
                                username="migration")

    for row in OldConn.objects.all():
        before = {"table": "connectivity.Target", "code": row.code, "indicator": row.indicator,
                  "scope_prefix": row.scope_prefix, "scope_flag": row.scope_flag, "threshold": str(row.threshold),
                  "strict": row.strict, "due": row.due.isoformat(), "title": row.title}
        hit = FROM_CONNECTIVITY.get(row.code)
        if hit:
            merged(hit[0], before, hit[1], "覆盖目标表")
        else:
            copied(f"conn-{row.code}"[:60], row, row.scope_flag, row.due.year, row.strict, "覆盖目标表")
    for row in OldInd.objects.all():
        before = {"table": "indicators.Target", "indicator": row.indicator, "scope_prefix": row.scope_prefix,
                  "scope_flag": row.scope_flag, "threshold": str(row.threshold), "due": row.due.isoformat(),
                  "title": row.title}
        hit = _from_indicators(row.indicator, row.scope_prefix, row.scope_flag, row.threshold, row.due)
        if hit:
            merged(hit[0], before, hit[1], "指标目标表")
        else:
            copied(f"ind-{row.pk}-{row.indicator}".replace("_", "-")[:60], row, row.scope_flag, row.due.year, False,
                   "指标目标表")


def unmerge(apps, schema_editor):
    """Back: the old tables are re-seeded by their own migrations; the merged rows stay (load_plans owns them)."""


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0001_initial"),
        ("connectivity", "0003_status_fiber_village_index"),
        ("indicators", "0006_populations_reporting_reconstructed"),
    ]
    operations = [migrations.RunPython(merge, unmerge)]
