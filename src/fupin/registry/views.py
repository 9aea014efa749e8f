from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from fupin.core.codes import choices, label
from fupin.core.exports import table_response
from fupin.core.masking import Masker
from fupin.core.pagination import paginate, query_without
from fupin.regions.selectors import ancestors
from fupin.registry import exports, selectors
from fupin.registry.selectors import HouseholdFilter


@login_required
def household_list(request: HttpRequest) -> HttpResponseBase:
    f = HouseholdFilter.from_params(request.GET)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return table_response(fmt, "households", exports.HEADER, exports.household_rows(request.user, f))
    page = paginate(request, selectors.households(request.user, f))
    masker = Masker(request.user)
    for h in page.object_list:
        h.head_display = masker.name(h.head_name or "")
        h.status_label = label("household_status", h.status)
        h.cause_label = label("poverty_cause", h.main_cause)
    context = {
        "page": page,
        "f": f,
        "statuses": choices("household_status"),
        "causes": choices("poverty_cause"),
        "query": query_without(request, "page"),
        "sort_query": query_without(request, "page", "sort"),
    }
    template = "registry/_household_table.html" if request.headers.get("HX-Request") else "registry/household_list.html"
    return render(request, template, context)


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_for(request.user, pk)
    masker = Masker(request.user)
    members = list(selectors.members_of(household))
    incomes = list(selectors.incomes_of(household))
    masker.reveal(obj=household, summary=f"dossier {household.number}", detail={"members": len(members)})
    rows = [
        {
            "name": masker.name(m.name),
            "id_number": masker.id_number(m.id_number),
            "sex": label("sex", m.sex),
            "birth_date": m.birth_date,
            "relation": label("relation", m.relation),
            "ethnicity": label("ethnicity", m.ethnicity),
            "education": label("education", m.education),
            "schooling": label("schooling", m.schooling),
            "health": label("health", m.health),
            "labour": label("labour_skill", m.labour_skill),
            "work": label("work_location", m.work_location),
            "medical": m.has_medical_insurance,
        }
        for m in members
    ]
    chart = {
        "years": [i.year for i in incomes],
        "per_capita": [float(i.per_capita) for i in incomes],
    }
    return render(request, "registry/household_detail.html", {
        "h": household,
        "crumbs": [*ancestors(household.village), household.village],
        "members": rows,
        "incomes": incomes,
        "chart_data": chart,
        "status_label": label("household_status", household.status),
        "attribute_label": label("household_attribute", household.attribute),
        "cause_label": label("poverty_cause", household.main_cause),
        "other_causes": [label("poverty_cause", c) for c in household.other_causes],
        "housing_label": label("housing_safety", household.housing_safety),
        "masked": not masker.clear,
        "cadre_phone": masker.phone(household.cadre.phone) if household.cadre else "",
        "phone": masker.phone(household.phone),
    })
