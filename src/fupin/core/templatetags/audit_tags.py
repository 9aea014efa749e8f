"""The audit log in words: what kind of record an event concerns (the model's verbose name, never
``registry.household``), by which channel, and — in Chinese — a description made of the action and the record
instead of the summary the code wrote in English for inspectors (kept in the CSV and Excel export)."""

from django import template
from django.apps import apps
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

register = template.Library()

# Records named in the audit log that are not models (a search, a list, an export of several rows); marked
# with gettext_noop so that makemessages keeps them.
PSEUDO = {
    "registry.search": gettext_noop("household search"),
    "quality.findings": gettext_noop("data-quality findings"),
    "quality.parameters": gettext_noop("data-quality rule parameters"),
    "exchange.share": gettext_noop("department data share"),
    "monitoring.flows": gettext_noop("flow statistics"),
    "probe.person": gettext_noop("check whether a person is registered elsewhere"),
    "probe.household": gettext_noop("check whether a household number is registered elsewhere"),
    "commerce.demo": gettext_noop("e-commerce demo data"),
}


@register.filter
def object_label(object_type: str) -> str:
    if not object_type:
        return ""
    if object_type in PSEUDO:
        return _(PSEUDO[object_type])
    app_label, _sep, model = object_type.partition(".")
    try:
        return str(apps.get_model(app_label, model)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


@register.filter
def channel_label(channel: str) -> str:
    kind = (channel or "").split(":", 1)[0]
    return {"web": _("web page"), "api": _("API"), "cli": _("command line"), "task": _("background job")}.get(
        kind, channel)


@register.simple_tag
def event_text(event: object) -> str:
    """The summary in English; in Chinese, the action and the record in words."""
    if (get_language() or "").startswith("en"):
        return str(getattr(event, "summary", ""))
    what = object_label(str(getattr(event, "object_type", "")))
    ident = str(getattr(event, "object_id", "") or "")
    action = event.get_action_display()  # type: ignore[attr-defined]
    return f"{action}：{what}{(' ' + ident) if ident else ''}" if what else str(action)


@register.filter
def role_label(code: str) -> str:
    """A role code ("clerk") as its name (村级录入员); several codes separated by commas each named."""
    from fupin.core.roles import Role

    names = [str(Role(c).label) if c in Role.values else c for c in str(code or "").replace(" ", "").split(",") if c]
    return "、".join(names)
