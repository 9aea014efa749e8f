"""The site's navigation as data: groups of entries, each naming its page (a URL name), its label, the roles it
is meant for and the URL names that mark it current. A new capability adds one ``Entry`` to ``ENTRIES`` (and, when
it is a new area, one ``Group`` to ``GROUPS``); ``base.html`` renders whatever ``for_user`` returns.

Visibility here is convenience, not access control: every page still checks its own scope and roles
(``core.scoping``, ``core.permissions``). An entry without ``roles`` is shown to every user with a region scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fupin.core.roles import Role


@dataclass(frozen=True)
class Group:
    key: str
    label: str | Promise


@dataclass(frozen=True)
class Entry:
    group: str  # Group.key
    url_name: str
    label: str | Promise
    # Roles the entry is shown to (a superuser sees every entry); empty: every user with a region scope.
    roles: frozenset[str] = frozenset()
    # URL names (or prefixes ending in "_") under which this entry is the current one; default: url_name.
    current: tuple[str, ...] = ()
    region: bool = True  # needs a region scope (users without one, e.g. shop operators, do not see it)
    # The user's own records (a cadre's households, a donor's donations): shown to its roles only, not to a
    # superuser, whose account has no such records (the page would refuse it).
    own: bool = False

    def is_current(self, url_name: str) -> bool:
        for name in self.current or (self.url_name,):
            if url_name == name or (name.endswith("_") and url_name.startswith(name)):
                return True
        return False


GROUPS: tuple[Group, ...] = (
    Group("registry", _("Registry")),
    Group("lifecycle", _("Lifecycle")),
    Group("monitoring", _("Early warning")),
    Group("comparison", _("Data comparison")),
    Group("coverage", _("Network coverage")),
    Group("commerce", _("E-commerce")),
    Group("team", _("Work team")),
    Group("projects", _("Projects and funds")),
    Group("indicators", _("Indicators")),
    Group("portal", _("Portal administration")),
    Group("system", _("System")),
)

REGISTRY = frozenset({Role.CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN, Role.ANALYST, Role.SYSADMIN,
                      Role.EXCHANGE})
WORKERS = frozenset({Role.CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN, Role.SYSADMIN})
READERS = frozenset({Role.ANALYST})
EVERY_REGION_ROLE: frozenset[str] = frozenset()  # every user with a region scope

ENTRIES: tuple[Entry, ...] = (
    Entry("registry", "households", _("Households"), REGISTRY, ("households", "household", "household_")),
    Entry("registry", "regions", _("Regions"), REGISTRY, ("regions", "region")),
    Entry("registry", "registry_import", _("Import households"), WORKERS, ("registry_import", "registry_import_")),
    Entry("registry", "quality_overview", _("Data quality"), WORKERS | READERS, ("quality_",)),
    Entry("lifecycle", "lifecycle_queue", _("Procedures"), WORKERS | READERS,
          ("lifecycle_queue", "lifecycle_case", "lifecycle_household", "lifecycle_start_notice",
           "lifecycle_measure_edit")),
    Entry("lifecycle", "lifecycle_exit", _("Exit evaluation"), WORKERS | READERS, ("lifecycle_exit",)),
    Entry("lifecycle", "lifecycle_notices", _("Public notices"), WORKERS | READERS, ("lifecycle_notice",)),
    Entry("monitoring", "monitoring_queue", _("Alerts"), WORKERS | READERS, ("monitoring_queue", "monitoring_alert")),
    Entry("monitoring", "monitoring_reports", _("Risk reports"), WORKERS, ("monitoring_reports",)),
    Entry("monitoring", "monitoring_flows", _("Flows"), WORKERS | READERS, ("monitoring_flows",)),
    Entry("comparison", "exchange_queue", _("Doubts to verify"), WORKERS | READERS,
          ("exchange_queue", "exchange_doubt")),
    Entry("comparison", "exchange_batches", _("Department batches"), WORKERS | READERS | {Role.EXCHANGE},
          ("exchange_batches", "exchange_batch", "exchange_share")),
    Entry("comparison", "exchange_statistics", _("Comparison statistics"), WORKERS | READERS,
          ("exchange_statistics",)),
    Entry("coverage", "connectivity", _("Coverage overview"), EVERY_REGION_ROLE, ("connectivity",)),
    Entry("coverage", "connectivity_villages", _("Village ledger"), EVERY_REGION_ROLE,
          ("connectivity_villages", "connectivity_village", "connectivity_import")),
    Entry("coverage", "connectivity_rankings", _("Provincial rankings"), EVERY_REGION_ROLE,
          ("connectivity_rankings", "connectivity_ranking")),
    Entry("coverage", "connectivity_facilities", _("Facilities"), EVERY_REGION_ROLE,
          ("connectivity_facilities", "connectivity_facility")),
    Entry("commerce", "commerce", _("E-commerce overview"), frozenset({Role.COMMERCE_BUREAU, Role.COUNTY_ADMIN,
          Role.ANALYST, Role.SYSADMIN, Role.SHOP_OPERATOR}), ("commerce", "commerce_stations", "commerce_purchase",
          "commerce_upload", "commerce_courses", "commerce_course"), region=False),
    Entry("commerce", "commerce_shops", _("Demonstration shops"), frozenset({Role.COMMERCE_BUREAU,
          Role.COUNTY_ADMIN, Role.ANALYST, Role.SYSADMIN, Role.SHOP_OPERATOR}), ("commerce_shops", "commerce_shop"),
          region=False),
    Entry("team", "team", _("Team coverage"), frozenset({Role.COUNTY_ADMIN, Role.SYSADMIN, Role.ANALYST,
                                                          Role.TOWNSHIP_REVIEWER, Role.CLERK}),
          ("team", "team_coverage", "team_village")),
    Entry("team", "team_members", _("Team members"), frozenset({Role.COUNTY_ADMIN, Role.SYSADMIN, Role.ANALYST,
                                                                Role.TOWNSHIP_REVIEWER}), ("team_member",)),
    Entry("team", "team_mine", _("My households"), frozenset({Role.CADRE}), ("team_mine", "team_visit"),
          own=True),
    Entry("team", "team_visits", _("Visits"), frozenset({Role.CADRE, Role.CLERK, Role.TOWNSHIP_REVIEWER,
                                                         Role.COUNTY_ADMIN, Role.SYSADMIN}), ("team_visits",)),
    Entry("team", "team_trainings", _("Trainings"), frozenset({Role.COUNTY_ADMIN, Role.SYSADMIN, Role.ANALYST,
                                                               Role.TOWNSHIP_REVIEWER, Role.CLERK}),
          ("team_training", "team_trainee")),
    Entry("projects", "projects", _("Project library"), frozenset({Role.COUNTY_ADMIN, Role.FINANCE, Role.ANALYST,
          Role.SYSADMIN, Role.TOWNSHIP_REVIEWER}), ("projects", "projects_new", "projects_detail")),
    Entry("projects", "projects_funds", _("Fund lines"), frozenset({Role.FINANCE, Role.COUNTY_ADMIN, Role.ANALYST,
          Role.SYSADMIN}), ("projects_funds", "projects_spending", "projects_alerts")),
    Entry("projects", "projects_plans", _("Action plans"), frozenset({Role.LEAD_UNIT, Role.COUNTY_ADMIN,
          Role.ANALYST, Role.SYSADMIN, Role.FINANCE}), ("projects_plans", "projects_plan", "projects_dispatch",
          "projects_task", "projects_targets")),
    Entry("indicators", "indicators_dashboard", _("Indicator dashboard"), EVERY_REGION_ROLE,
          ("indicators_dashboard",)),
    Entry("indicators", "indicators_ranking", _("Rankings"), EVERY_REGION_ROLE, ("indicators_ranking",)),
    Entry("indicators", "indicators_assessment", _("Assessment"), frozenset({Role.COUNTY_ADMIN, Role.ANALYST,
          Role.SYSADMIN}), ("indicators_assessment", "indicators_scheme_")),
    Entry("indicators", "indicators_reports", _("Reports"), frozenset({Role.COUNTY_ADMIN, Role.ANALYST,
          Role.SYSADMIN, Role.TOWNSHIP_REVIEWER}), ("indicators_report",)),
    Entry("portal", "welfare", _("Welfare needs"), frozenset({Role.CLERK, Role.TOWNSHIP_REVIEWER,
                                                             Role.COUNTY_ADMIN, Role.SYSADMIN, Role.ANALYST}),
          ("welfare", "welfare_need", "welfare_propose", "welfare_review", "welfare_withdraw")),
    Entry("portal", "welfare_projects", _("Welfare projects and pairing"), frozenset({
        Role.CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN, Role.SYSADMIN, Role.ANALYST}),
          ("welfare_project", "welfare_project_", "welfare_pairing", "welfare_pairing_")),
    Entry("portal", "welfare_donors", _("Donors and the alliance"), frozenset({Role.COUNTY_ADMIN, Role.SYSADMIN}),
          ("welfare_donors", "welfare_donor_edit")),
    Entry("portal", "welfare_donor", _("My donations"), frozenset({Role.DONOR}), ("welfare_donor", "welfare_pledge"),
          region=False, own=True),
    Entry("portal", "portal_manage_articles", _("Articles"), frozenset({Role.WELFARE_EDITOR, Role.COUNTY_ADMIN,
                                                                          Role.SYSADMIN}),
          ("portal_manage_article",)),
    Entry("portal", "portal_manage_reports", _("Published reports"), frozenset({Role.COUNTY_ADMIN, Role.SYSADMIN}),
          ("portal_manage_reports",)),
    Entry("portal", "portal_manage_feedback", _("Public feedback"), frozenset({Role.TOWNSHIP_REVIEWER,
                                                                               Role.COUNTY_ADMIN}),
          ("portal_manage_feedback",)),
    Entry("system", "audit_log", _("Audit log"), frozenset({Role.SYSADMIN, Role.COUNTY_ADMIN}), ("audit_log",),
          region=False),
    Entry("system", "tokens", _("API tokens"), frozenset(), ("tokens",), region=False),
)


def _visible(entry: Entry, user: Any, roles: frozenset[str], has_region: bool) -> bool:
    if entry.region and not has_region:
        return False
    if not entry.roles or (user.is_superuser and not entry.own):
        return True
    return bool(entry.roles & roles)


def for_user(user: Any, url_name: str = "", *, has_region: bool = True) -> list[dict[str, Any]]:
    """The groups and entries ``user`` sees, in order, with ``current`` set on the page being shown; groups
    without a visible entry are left out."""
    if not getattr(user, "is_authenticated", False):
        return []
    roles = frozenset(user.role_codes)
    groups: list[dict[str, Any]] = []
    for group in GROUPS:
        items = []
        for entry in ENTRIES:
            if entry.group != group.key or not _visible(entry, user, roles, has_region):
                continue
            try:
                href = reverse(entry.url_name)
            except NoReverseMatch:  # an app not installed in this deployment
                continue
            items.append({"href": href, "label": entry.label, "current": entry.is_current(url_name)})
        if items:
            groups.append({"key": group.key, "label": group.label, "items": items,
                           "current": any(i["current"] for i in items)})
    return groups


def main_pages(user: Any, *, has_region: bool = True) -> list[str]:
    """The URL names of every entry ``user`` sees (the page-timing benchmark and the screenshots walk them)."""
    roles = frozenset(user.role_codes)
    return [e.url_name for e in ENTRIES if _visible(e, user, roles, has_region)]


def context(request: Any) -> dict[str, Any]:
    """Template context (settings.TEMPLATES): the navigation of the signed-in user and the labels of their roles."""
    from fupin.core.scoping import scope_of

    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return {"navigation": [], "user_role_labels": []}
    match = getattr(request, "resolver_match", None)
    scope = scope_of(user)
    return {
        "navigation": for_user(user, match.url_name if match else "", has_region=scope.prefix is not None),
        "user_role_labels": user.role_labels,
    }
