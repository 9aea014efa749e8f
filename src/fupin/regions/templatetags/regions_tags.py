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


@register.inclusion_tag("regions/_picker.html", takes_context=True)
def region_picker(context: dict, name: str = "region", value: object = "", deepest: int = 5) -> dict:
    """``{% region_picker "region" f.region %}``: cascading selects (province → … → village) inside the user's
    scope, replacing a typed division code; the chosen code travels in a hidden input named ``name``. Each
    change asks the server (htmx) for the next level; without script the form still submits what is chosen."""
    from fupin.regions.selectors import picker_levels

    request = context.get("request")
    user = getattr(request, "user", None)
    code = str(value or "")
    levels = picker_levels(user, code, int(deepest))
    own = getattr(user, "region_id", "") or ""
    return {"name": name, "value": code, "deepest": deepest, "levels": levels, "own_name": _name(own) if own else ""}
