from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from fupin.regions import selectors

router = Router()


class RegionOut(Schema):
    code: str
    full_code: str
    name: str
    level: int
    parent_code: str | None
    child_count: int
    village_count: int
    is_poor_county: bool
    is_sanqu_sanzhou: bool
    is_designated_county: bool
    is_contiguous_area: bool
    is_relocation_area: bool
    is_poor_village: bool
    poor_exit_year: int | None

    @staticmethod
    def resolve_parent_code(obj: Any) -> str | None:
        return obj.parent_id


@router.get("/", response=list[RegionOut], summary="Top regions of the caller, or the children of `parent`")
def list_regions(request: HttpRequest, parent: str | None = None) -> Any:
    if parent:
        return list(selectors.children(selectors.region_for(request.user, parent)))
    return list(selectors.top_regions(request.user))


@router.get("/{code}", response=RegionOut, summary="One region (404 outside the caller's scope)")
def get_region(request: HttpRequest, code: str) -> Any:
    return selectors.region_for(request.user, code)
