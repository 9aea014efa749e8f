from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

router = Router()


class MeOut(Schema):
    username: str
    region_code: str | None
    region_name: str | None
    roles: list[str]
    sees_personal_data: bool


@router.get("/me", response=MeOut, summary="The calling user, their region and roles")
def me(request: HttpRequest) -> Any:
    from fupin.core.masking import Masker

    user: Any = request.user
    return {
        "username": user.username,
        "region_code": user.region_id,
        "region_name": user.region.name if user.region_id else None,
        "roles": sorted(user.role_codes),
        "sees_personal_data": Masker(user).clear,
    }
