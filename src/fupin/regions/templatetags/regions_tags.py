"""``{{ code|region_name }}``: a region's name where a page has only its code ("533301204" → "六库镇"), with the
names of its ancestors below the province when ``full`` ("怒江州 泸水市 六库镇"). Names change only with the
division tree, so they are cached per process."""

from functools import lru_cache

from django import template

from fupin.core.tree import ancestors

register = template.Library()


@lru_cache(maxsize=4096)
def _name(code: str) -> str:
    from fupin.regions.models import Region

    return Region.objects.filter(code=code).values_list("name", flat=True).first() or ""


@register.filter
def region_name(code: object, full: object = False) -> str:
    code = str(code or "").strip()
    if not code:
        return ""
    if not full:
        return _name(code) or code
    chain = [c for c in ancestors(code)[1:]] + [code] if len(code) > 2 else [code]
    names = [_name(c) for c in chain]
    return " ".join(n for n in names if n) or code
