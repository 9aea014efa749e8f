from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from fupin.core.masking import Masker
from fupin.registry import selectors
from fupin.registry.selectors import HouseholdFilter

router = Router()


class HouseholdRow(Schema):
    id: int
    number: str
    village_code: str
    village_name: str
    head_name: str
    size: int
    status: str
    main_cause: str
    identified_year: int
    exit_year: int | None
    per_capita_income: Decimal | None
    income_year: int | None


class HouseholdPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[HouseholdRow]


class FilterIn(Schema):
    region: str = ""
    q: str = ""
    status: str = ""
    cause: str = ""
    sort: str = "number"
    page: int = 1
    page_size: int = 50


class MemberOut(Schema):
    name: str
    id_number: str
    sex: str
    birth_date: date
    relation: str
    ethnicity: str
    education: str
    schooling: str
    health: str
    labour_skill: str
    has_medical_insurance: bool


class IncomeOut(Schema):
    year: int
    household_size: int
    net_total: Decimal
    per_capita: Decimal


class HouseholdOut(Schema):
    id: int
    number: str
    village_code: str
    status: str
    standard: str
    attribute: str
    main_cause: str
    other_causes: list[str]
    identified_year: int
    exit_year: int | None
    housing_safety: str
    water_safe: bool
    has_broadband: bool
    members: list[MemberOut]
    incomes: list[IncomeOut]


@router.get("/", response=HouseholdPage, summary="Households in the caller's region, filtered, sorted, paged")
def list_households(request: HttpRequest, filters: Query[FilterIn]) -> Any:
    f = HouseholdFilter.from_params(filters.dict())
    size = min(max(filters.page_size, 1), 500)
    page = max(filters.page, 1)
    qs: Any = selectors.households(request.user, f)  # annotated with head_name, size, per_capita, income_year
    masker = Masker(request.user)
    rows = [
        {
            "id": h.id, "number": h.number, "village_code": h.village_id, "village_name": h.village.name,
            "head_name": masker.name(h.head_name or ""), "size": h.size or 0, "status": h.status,
            "main_cause": h.main_cause, "identified_year": h.identified_year, "exit_year": h.exit_year,
            "per_capita_income": h.per_capita, "income_year": h.income_year,
        }
        for h in qs[(page - 1) * size: page * size]
    ]
    return {"count": qs.count(), "page": page, "page_size": size, "results": rows}


@router.get("/{household_id}", response=HouseholdOut, summary="One household dossier (404 outside the caller's scope)")
def get_household(request: HttpRequest, household_id: int) -> Any:
    h = selectors.household_for(request.user, household_id)
    masker = Masker(request.user)
    members = list(selectors.members_of(h))
    masker.reveal(obj=h, summary=f"API dossier {h.number}", detail={"members": len(members)})
    return {
        "id": h.id, "number": h.number, "village_code": h.village_id, "status": h.status, "standard": h.standard,
        "attribute": h.attribute, "main_cause": h.main_cause, "other_causes": h.other_causes,
        "identified_year": h.identified_year, "exit_year": h.exit_year, "housing_safety": h.housing_safety,
        "water_safe": h.water_safe, "has_broadband": h.has_broadband,
        "members": [
            {
                "name": masker.name(m.name), "id_number": masker.id_number(m.id_number), "sex": m.sex,
                "birth_date": m.birth_date, "relation": m.relation, "ethnicity": m.ethnicity,
                "education": m.education, "schooling": m.schooling, "health": m.health,
                "labour_skill": m.labour_skill, "has_medical_insurance": m.has_medical_insurance,
            }
            for m in members
        ],
        "incomes": [
            {"year": i.year, "household_size": i.household_size, "net_total": i.net_total, "per_capita": i.per_capita}
            for i in selectors.incomes_of(h)
        ],
    }
