"""The catalogue of indicators: one entry per indicator, with what its numerator and denominator count. The SQL
that computes them lives in ``compute.py`` keyed by the same codes; a test checks that both agree.

``value = numerator / denominator × scale`` (scale 100 for percentages); an indicator without a denominator is
a count or an amount and its value is the numerator. ``direction`` is +1 when more is better (coverage), -1 when
less is better (incidence, open doubts), 0 when neither (counts that only describe).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Unit:
    HOUSEHOLDS = "households"
    PERSONS = "persons"
    PERCENT = "percent"
    YUAN = "yuan"
    COUNT = "count"
    PER_THOUSAND = "per_thousand"


UNIT_LABELS: dict[str, Promise | str] = {
    Unit.HOUSEHOLDS: _("households"),
    Unit.PERSONS: _("persons"),
    Unit.PERCENT: "%",
    Unit.YUAN: _("yuan"),
    Unit.COUNT: _("count"),
    Unit.PER_THOUSAND: _("per 1,000 persons"),
}


@dataclass(frozen=True)
class Indicator:
    code: str
    name: Promise
    unit: str
    direction: int
    numerator: Promise  # what is counted
    denominator: Promise | None = None  # what it is divided by (None: a count or an amount)
    exclusions: Promise | None = None  # what is left out, said explicitly
    scale: int = 1  # 100 for percentages
    source: str = "registry"  # registry | lifecycle | exchange | monitoring | connectivity | commerce | team
    group: Promise | None = None  # heading under which dashboards show it

    @property
    def unit_label(self) -> Promise | str:
        return UNIT_LABELS.get(self.unit, self.unit)


INDICATORS: dict[str, Indicator] = {}


def register(*indicators: Indicator) -> None:
    for ind in indicators:
        if ind.code in INDICATORS:
            raise ValueError(f"indicator {ind.code} defined twice")
        INDICATORS[ind.code] = ind


def get(code: str) -> Indicator:
    try:
        return INDICATORS[code]
    except KeyError:
        raise KeyError(f"unknown indicator {code!r}") from None


# --- dashboard headings ------------------------------------------------------------------------------------

REGISTRY = _("Registered poor population")
EXIT = _("Exit, return and monitoring")
INCOME = _("Income")
ASSURANCE = _("Two assurances and three guarantees")
VERIFICATION = _("Data comparison and early warning")
NETWORK = _("Network coverage")
SERVICES = _("Schools, clinics and e-commerce")
COMMERCE = _("Rural e-commerce")

# Households the household indicators read (identified in or before the period's year and in one of
# registry.statuses.REGISTERED_STATUSES now). Registered (建档立卡) among them: all but the monitoring objects that
# never exited (compute._REGISTERED_SQL). Left out: applicants, households removed from the registry (清退) and
# non-registered rural households. Poor now: registry.statuses.POOR_STATUSES.

_REGISTERED_BASE = _(
    "households of the registry (建档立卡) identified in or before the period's year whose status is now poor, "
    "exited, returned or newly poor, or monitored after their exit (脱贫不稳定户)"
)
_REGISTERED_EXCLUDED = _("applicants, households removed from the registry, non-registered households and monitoring "
                         "objects that were never registered (边缘易致贫户, and 突发严重困难户 that were not poor)")
_POOR_AT_END = _(
    "registered households poor at the end of the period: poor, returned or newly poor now, or exited in a later "
    "year than the period's"
)
_ACTIVE_MEMBERS = _("active members of those households (members removed from a household are not counted)")

register(
    Indicator(
        code="registered_households", name=_("Registered poor households"), unit=Unit.HOUSEHOLDS, direction=0,
        numerator=_REGISTERED_BASE, exclusions=_REGISTERED_EXCLUDED, group=REGISTRY,
    ),
    Indicator(
        code="registered_persons", name=_("Registered poor persons"), unit=Unit.PERSONS, direction=0,
        numerator=_ACTIVE_MEMBERS, exclusions=_REGISTERED_EXCLUDED, group=REGISTRY,
    ),
    Indicator(
        code="poor_households", name=_("Poor households remaining"), unit=Unit.HOUSEHOLDS, direction=-1,
        numerator=_POOR_AT_END,
        exclusions=_("a household that returned to poverty counts as poor in every year after its identification, "
                     "because the dossier keeps the year of its exit but not the date of its return"),
        group=REGISTRY,
    ),
    Indicator(
        code="poor_persons", name=_("Poor persons remaining"), unit=Unit.PERSONS, direction=-1,
        numerator=_("active members of the poor households remaining"), group=REGISTRY,
    ),
    Indicator(
        code="incidence", name=_("Poverty incidence"), unit=Unit.PERCENT, direction=-1, scale=100,
        numerator=_("active members of the poor households remaining, in villages with a rural population figure"),
        denominator=_("rural population of those villages: the latest figure (lifecycle.RuralPopulation) of the "
                      "period's year or an earlier year"),
        exclusions=_("villages without any rural population figure up to the period's year are left out of both "
                     "the numerator and the denominator (their poor persons still count in poor persons remaining)"),
        source="lifecycle", group=REGISTRY,
    ),
    Indicator(
        code="exited_households", name=_("Households exited this year"), unit=Unit.HOUSEHOLDS, direction=1,
        numerator=_("registered households whose exit year is the period's year (for a month: the year to date)"),
        exclusions=_("households removed from the registry"), source="lifecycle", group=EXIT,
    ),
    Indicator(
        code="exited_persons", name=_("Persons exited this year"), unit=Unit.PERSONS, direction=1,
        numerator=_("active members of the households exited this year"), source="lifecycle", group=EXIT,
    ),
    Indicator(
        code="exited_total_households", name=_("Households out of poverty"), unit=Unit.HOUSEHOLDS, direction=0,
        numerator=_("registered households (脱贫户) that exited in or before the period's year and are not poor now "
                    "(monitored ones included: 脱贫不稳定户)"),
        exclusions=_("households that returned to poverty"), source="lifecycle", group=EXIT,
    ),
    Indicator(
        code="exited_total_persons", name=_("Persons out of poverty"), unit=Unit.PERSONS, direction=0,
        numerator=_("active members of the households out of poverty"), source="lifecycle", group=EXIT,
    ),
    Indicator(
        code="returned_households", name=_("Households returned to poverty"), unit=Unit.HOUSEHOLDS, direction=-1,
        numerator=_("registered households whose status is now 'returned to poverty'"),
        exclusions=_("reads the current registry status: a household that returned and exited again is not counted"),
        source="lifecycle", group=EXIT,
    ),
    Indicator(
        code="monitoring_objects", name=_("Monitoring objects"), unit=Unit.HOUSEHOLDS, direction=0,
        numerator=_("households whose status is now 'monitoring object' (监测对象), registered before or not"),
        exclusions=_("reads the current registry status"), source="lifecycle", group=EXIT,
    ),
    Indicator(
        code="monitoring_persons", name=_("Persons in monitoring objects"), unit=Unit.PERSONS, direction=0,
        numerator=_("active members of the monitoring objects"), source="lifecycle", group=EXIT,
    ),
    Indicator(
        code="monitoring_unstable", name=_("Monitoring objects: unstable after exit"), unit=Unit.HOUSEHOLDS,
        direction=0, numerator=_("monitoring objects of the category 脱贫不稳定户 (category of the open monitoring "
                                 "record; without one, a household that exited)"),
        source="lifecycle", group=EXIT,
    ),
    Indicator(
        code="monitoring_marginal", name=_("Monitoring objects: marginal, at risk of poverty"), unit=Unit.HOUSEHOLDS,
        direction=0, numerator=_("monitoring objects of the category 边缘易致贫户 (without an open monitoring record: "
                                 "a household that never exited)"),
        source="lifecycle", group=EXIT,
    ),
    Indicator(
        code="monitoring_sudden", name=_("Monitoring objects: sudden severe hardship"), unit=Unit.HOUSEHOLDS,
        direction=0, numerator=_("monitoring objects of the category 突发严重困难户"), source="lifecycle", group=EXIT,
    ),
    Indicator(
        code="risk_eliminated", name=_("Monitoring risks eliminated"), unit=Unit.HOUSEHOLDS, direction=1,
        numerator=_("monitoring records whose risk was eliminated (end date) within the period"),
        exclusions=_("records still open at the end of the period"), source="lifecycle", group=EXIT,
    ),
    Indicator(
        code="income_median", name=_("Median per-capita net income"), unit=Unit.YUAN, direction=1,
        numerator=_("the exact median, per region, of the per-capita net income of the period's year (net income ÷ "
                    "household size in that year, rounded to the cent) of registered households"),
        exclusions=_("households without an income recorded for the period's year"), group=INCOME,
    ),
    Indicator(
        code="income_below_line", name=_("Households below the poverty line"), unit=Unit.PERCENT, direction=-1,
        scale=100,
        numerator=_("registered households whose per-capita net income of the period's year is below the year's "
                    "national poverty line"),
        denominator=_("registered households with an income recorded for the period's year"),
        exclusions=_("years without a national poverty line; households without an income for the year"),
        group=INCOME,
    ),
    Indicator(
        code="income_near_line", name=_("Households near the poverty line"), unit=Unit.PERCENT, direction=-1,
        scale=100,
        numerator=_("registered households whose per-capita net income is from the national poverty line to 1.5 "
                    "times it"),
        denominator=_("registered households with an income recorded for the period's year"),
        exclusions=_("years without a national poverty line; households without an income for the year"),
        group=INCOME,
    ),
    Indicator(
        code="income_above_line", name=_("Households well above the poverty line"), unit=Unit.PERCENT, direction=1,
        scale=100,
        numerator=_("registered households whose per-capita net income is above 1.5 times the national poverty line"),
        denominator=_("registered households with an income recorded for the period's year"),
        exclusions=_("years without a national poverty line; households without an income for the year"),
        group=INCOME,
    ),
    Indicator(
        code="assurance_met", name=_("Three guarantees and safe water met"), unit=Unit.PERCENT, direction=1,
        scale=100,
        numerator=_("registered households meeting the non-income exit criteria of lifecycle.evaluation: no active "
                    "member aged 6–15 at the period's end out of school, every active member with basic medical "
                    "insurance, housing safe (grade A or B), drinking water safe and not difficult to get"),
        denominator=_("registered households"),
        exclusions=_("income (不愁吃、不愁穿) is left out: see all exit criteria met beside it; reads the current "
                     "registry state of members, housing and water"),
        group=ASSURANCE,
    ),
    Indicator(
        code="exit_criteria_met", name=_("All exit criteria met"), unit=Unit.PERCENT, direction=1, scale=100,
        numerator=_("registered households meeting every exit criterion of lifecycle.evaluation: per-capita net income "
                    "of the period's year above the household's poverty line (the provincial line for the provincial "
                    "standard) and the three guarantees and safe water"),
        denominator=_("registered households"),
        exclusions=_("years without a national poverty line; a household without an income for the year fails"),
        group=ASSURANCE,
    ),
    Indicator(
        code="doubts_open", name=_("Doubts open"), unit=Unit.COUNT, direction=-1,
        numerator=_("doubts of the data comparison raised by the end of the period and not resolved by then"),
        source="exchange", group=VERIFICATION,
    ),
    Indicator(
        code="doubts_resolved", name=_("Doubts resolved"), unit=Unit.COUNT, direction=1,
        numerator=_("doubts confirmed or dismissed within the period"), source="exchange", group=VERIFICATION,
    ),
    Indicator(
        code="alerts_in_time", name=_("Alerts handled in time"), unit=Unit.PERCENT, direction=1, scale=100,
        numerator=_("of those alerts, the ones visited (or resolved) on or before their deadline"),
        denominator=_("early-warning alerts whose deadline falls within the period and has passed, or that were "
                      "handled already"),
        exclusions=_("alerts not yet due and not yet handled"), source="monitoring", group=VERIFICATION,
    ),
    Indicator(
        code="quality_findings", name=_("Data-quality findings per 1,000 persons"), unit=Unit.PER_THOUSAND,
        direction=-1, scale=1000,
        numerator=_("data-quality findings (quality app) in the region's villages first seen by the end of the period "
                    "and open (neither fixed by a later run nor exempted) when the value is computed"),
        denominator=_("persons of registered households"),
        exclusions=_("findings on villages without registered persons; a frozen period keeps the count of its last "
                     "refresh"),
        source="quality", group=VERIFICATION,
    ),
    # Coverage: the definitions of connectivity.indicators, computed by its SQL (compute.py calls it).
    Indicator(
        code="poor_village_broadband", name=_("Poor villages with broadband"), unit=Unit.PERCENT, direction=1,
        scale=100,
        numerator=_("registered poor villages whose latest fiber, 4G or broadband-access event on or before the "
                    "date says connected and was not followed by a disconnection"),
        denominator=_("registered poor villages"),
        exclusions=_("villages not registered as poor; a village without any event counts as unconnected"),
        source="connectivity", group=NETWORK,
    ),
    Indicator(
        code="poor_village_fiber", name=_("Poor villages with fiber"), unit=Unit.PERCENT, direction=1, scale=100,
        numerator=_("registered poor villages whose latest fiber event says connected (not cut since)"),
        denominator=_("registered poor villages"), source="connectivity", group=NETWORK,
    ),
    Indicator(
        code="poor_village_4g", name=_("Poor villages with 4G"), unit=Unit.PERCENT, direction=1, scale=100,
        numerator=_("registered poor villages whose latest 4G event says covered (not cut since)"),
        denominator=_("registered poor villages"), source="connectivity", group=NETWORK,
    ),
    Indicator(
        code="school_broadband", name=_("Schools with broadband"), unit=Unit.PERCENT, direction=1, scale=100,
        numerator=_("schools open on the date whose connection date is on or before it"),
        denominator=_("schools open on the date"), exclusions=_("closed schools; schools not yet opened"),
        source="connectivity", group=SERVICES,
    ),
    Indicator(
        code="clinic_connected", name=_("Clinics connected"), unit=Unit.PERCENT, direction=1, scale=100,
        numerator=_("township health centres and village clinics open on the date connected to the medical "
                    "platform on or before it"),
        denominator=_("township health centres and village clinics open on the date"),
        exclusions=_("closed clinics; clinics not yet opened"), source="connectivity", group=SERVICES,
    ),
    Indicator(
        code="village_ecommerce", name=_("Villages with an e-commerce station"), unit=Unit.PERCENT, direction=1,
        scale=100,
        numerator=_("administrative villages with an e-commerce service station open on the date"),
        denominator=_("administrative villages"),
        exclusions=_("urban residents' committees (village codes 001–199)"), source="connectivity",
        group=SERVICES,
    ),
    Indicator(
        code="township_express", name=_("Townships with express delivery"), unit=Unit.PERCENT, direction=1,
        scale=100,
        numerator=_("townships with an express delivery point open on the date"), denominator=_("townships"),
        exclusions=_("urban sub-districts (township codes 001–099)"), source="connectivity", group=SERVICES,
    ),
)

# Rural e-commerce (R7): computed by commerce.indicators (compute.py calls it).
register(
    Indicator(
        code="station_populous_coverage", name=_("Populous villages with an e-commerce station"), unit=Unit.PERCENT,
        direction=1, scale=100,
        numerator=_("of those villages, the ones where a station of any tier located in the village is open on the "
                    "date"),
        denominator=_("administrative villages marked as populous (人口相对集中的行政村)"),
        exclusions=_("villages not marked as populous; a township's or county's station does not cover a village"),
        source="commerce", group=COMMERCE,
    ),
    Indicator(
        code="shop_linked_households", name=_("Households linked to a demonstration shop"), unit=Unit.HOUSEHOLDS,
        direction=1,
        numerator=_("registered households (建档立卡) linked on the date to at least one approved demonstration shop"),
        exclusions=_("links to shops not (yet) approved; links started after or ended on or before the date"),
        source="commerce", group=COMMERCE,
    ),
    Indicator(
        code="purchase_income_per_household", name=_("Purchase income per linked household"), unit=Unit.YUAN,
        direction=1,
        numerator=_("amounts the shops paid within the period to the households counted as linked at its end"),
        denominator=_("registered households linked to an approved demonstration shop at the period's end"),
        exclusions=_("purchases from households no longer linked at the period's end"),
        source="commerce", group=COMMERCE,
    ),
    Indicator(
        code="poor_demo_counties", name=_("Poor counties that are e-commerce demonstration counties"),
        unit=Unit.PERCENT, direction=1, scale=100,
        numerator=_("of those counties, the ones named 电子商务进农村综合示范县 in the period's year or before"),
        denominator=_("poor counties (贫困县)"),
        exclusions=_("counties not flagged as poor; a demonstration county named after the period's year"),
        source="commerce", group=COMMERCE,
    ),
)

# The team and 网络扶智 (issue 16): computed by team.indicators.leaves (compute.py calls it).
TEAM = _("Teams, training and remote services")
register(
    Indicator(
        code="poor_village_team_leader", name=_("Poor villages with a work team and a leader"), unit=Unit.PERCENT,
        direction=1, scale=100,
        numerator=_("of those villages, the ones where a work team (leader or member) and a village leader are "
                    "posted on the date"),
        denominator=_("registered poor villages"), source="team", group=TEAM,
    ),
    Indicator(
        code="household_with_cadre", name=_("Households with a responsible cadre"), unit=Unit.PERCENT, direction=1,
        scale=100, numerator=_("registered households with a responsible cadre (the current assignment)"),
        denominator=_("registered households"),
        exclusions=_("the assignment is today's: a past period shows today's cadres"), source="team", group=TEAM,
    ),
    Indicator(
        code="visits_per_household", name=_("Visits per household with a cadre"), unit=Unit.COUNT, direction=1,
        numerator=_("visits logged within the period to registered households with a responsible cadre"),
        denominator=_("registered households with a responsible cadre"), source="team", group=TEAM,
    ),
    Indicator(
        code="cadres_trained", name=_("Team members trained"), unit=Unit.PERCENT, direction=1, scale=100,
        numerator=_("of those team members, the ones who attended a training by the period's end"),
        denominator=_("team members serving on the date, at the region node each serves"), source="team",
        group=TEAM,
    ),
    Indicator(
        code="persons_trained", name=_("Registered persons trained"), unit=Unit.PERSONS, direction=1,
        numerator=_("registered persons (matched by ID number) who attended a training that started within the "
                    "period, counted in the village of the attendance record"),
        exclusions=_("people whose ID number is not a registered member's"), source="team", group=TEAM,
    ),
    Indicator(
        code="school_100m", name=_("Schools with 100 Mbit/s or more"), unit=Unit.PERCENT, direction=1, scale=100,
        numerator=_("schools open on the date connected on or before it with a bandwidth of at least 100 Mbit/s"),
        denominator=_("schools open on the date"), exclusions=_("counties without school records (not reported)"),
        source="team", group=TEAM,
    ),
    Indicator(
        code="school_remote_classroom", name=_("Schools with a remote classroom"), unit=Unit.PERCENT, direction=1,
        scale=100, numerator=_("schools open on the date whose remote classroom is in use on the date"),
        denominator=_("schools open on the date"), exclusions=_("counties without school records (not reported)"),
        source="team", group=TEAM,
    ),
    Indicator(
        code="clinic_telemedicine", name=_("Clinics offering telemedicine"), unit=Unit.PERCENT, direction=1,
        scale=100,
        numerator=_("township health centres and village clinics open on the date offering telemedicine since "
                    "on or before it"),
        denominator=_("township health centres and village clinics open on the date"),
        exclusions=_("counties without clinic records (not reported)"), source="team", group=TEAM,
    ),
    Indicator(
        code="ecommerce_trained_5", name=_("Poor villages with 5 or more people trained in e-commerce"),
        unit=Unit.PERCENT, direction=1, scale=100,
        numerator=_("of those villages, the ones with at least 5 distinct people at e-commerce trainings by the "
                    "period's end (any level)"),
        denominator=_("registered poor villages"), source="team", group=COMMERCE,
    ),
    Indicator(
        code="ecommerce_practitioners_10", name=_("Poor villages with 10 or more e-commerce practitioners"),
        unit=Unit.PERCENT, direction=1, scale=100,
        numerator=_("of those villages, the ones with at least 10 distinct trainees of level practitioner or senior "
                    "talent by the period's end"),
        denominator=_("registered poor villages"), source="team", group=COMMERCE,
    ),
    Indicator(
        code="ecommerce_senior_1", name=_("Poor villages with a senior e-commerce talent"), unit=Unit.PERCENT,
        direction=1, scale=100,
        numerator=_("of those villages, the ones with at least one trainee of level senior talent by the period's "
                    "end"),
        denominator=_("registered poor villages"), source="team", group=COMMERCE,
    ),
)

# Projects, funds and the action plan (R10): computed by projects.indicators.leaves (compute.py calls it).
PROJECTS = _("Projects, funds and the action plan")
register(
    Indicator(
        code="project_funds_allocated", name=_("Funds allocated to projects"), unit=Unit.YUAN, direction=1,
        numerator=_("money allocated to projects located in the region from fund lines of the period's year, by the "
                    "period's end"),
        exclusions=_("allocations between fund lines (they reach projects later or not at all)"), source="projects",
        group=PROJECTS,
    ),
    Indicator(
        code="project_funds_spent", name=_("Share of project funds spent"), unit=Unit.PERCENT, direction=1, scale=100,
        numerator=_("disbursements out of those allocations paid by the period's end"),
        denominator=_("money allocated to projects in the region from fund lines of the period's year, by its end"),
        source="projects", group=PROJECTS,
    ),
    Indicator(
        code="projects_accepted_on_time", name=_("Projects accepted on time"), unit=Unit.PERCENT, direction=1,
        scale=100,
        numerator=_("of those projects, the ones accepted on or before their planned completion"),
        denominator=_("projects whose planned completion falls in the period and has passed, or that were accepted"),
        exclusions=_("rejected projects; projects not yet due and not yet accepted"), source="projects",
        group=PROJECTS,
    ),
    Indicator(
        code="households_reached", name=_("Households reached by projects"), unit=Unit.HOUSEHOLDS, direction=1,
        numerator=_("distinct households recorded as beneficiaries of projects of the period's year (directly or "
                    "through an assistance measure naming the project), by the household's village"),
        exclusions=_("rejected projects"), source="projects", group=PROJECTS,
    ),
    Indicator(
        code="tasks_done_on_time", name=_("Plan tasks done on time"), unit=Unit.PERCENT, direction=1, scale=100,
        numerator=_("of those tasks, the ones reported done on or before their deadline"),
        denominator=_("tasks of the plans of the region whose deadline falls in the period and has passed, or that "
                      "are done"),
        exclusions=_("national plans (they have no region); tasks not yet due and not yet done"), source="projects",
        group=PROJECTS,
    ),
)

# Internet welfare (R9): computed by welfare.indicators.leaves (compute.py calls it).
WELFARE = _("Internet welfare and pairing")
register(
    Indicator(
        code="welfare_needs_published", name=_("Welfare needs published"), unit=Unit.COUNT, direction=1,
        numerator=_("needs of registered households published by the period's end, by the household's village"),
        exclusions=_("needs whose consent was withdrawn by the period's end; needs awaiting review or returned"),
        source="welfare", group=WELFARE,
    ),
    Indicator(
        code="welfare_needs_met", name=_("Welfare needs met"), unit=Unit.COUNT, direction=1,
        numerator=_("of those needs, the ones paid in full by the period's end"),
        exclusions=_("needs whose consent was withdrawn by the period's end"), source="welfare", group=WELFARE,
    ),
    Indicator(
        code="welfare_money_raised", name=_("Welfare money raised"), unit=Unit.YUAN, direction=1,
        numerator=_("donations received within the period for needs (by village) and welfare projects (by the "
                    "region served)"),
        exclusions=_("pledges not yet received"), source="welfare", group=WELFARE,
    ),
    Indicator(
        code="welfare_money_disbursed", name=_("Welfare money disbursed"), unit=Unit.YUAN, direction=1,
        numerator=_("disbursements paid within the period out of needs and welfare projects"),
        source="welfare", group=WELFARE,
    ),
    Indicator(
        code="welfare_households_helped", name=_("Households helped through welfare needs"), unit=Unit.HOUSEHOLDS,
        direction=1,
        numerator=_("distinct households paid out of their needs within the period, by village"),
        exclusions=_("households reached only through welfare projects (their identities are not recorded)"),
        source="welfare", group=WELFARE,
    ),
    Indicator(
        code="welfare_pairings", name=_("Enterprise pairings in force"), unit=Unit.COUNT, direction=1,
        numerator=_("pairings of an enterprise with a county or village, in force and signed by the period's end, "
                    "by the paired region"),
        exclusions=_("ended pairings"), source="welfare", group=WELFARE,
    ),
)
