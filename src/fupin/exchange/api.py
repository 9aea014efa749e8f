"""The exchange API: departments push batches and pull the registered persons they serve (R4.3).
Only department exchange accounts (and administrators for uploads); everything scoped and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import File, Form, Query, Router, Schema, UploadedFile

from fupin.core.models import AuditEvent
from fupin.core.roles import Role
from fupin.core.scoping import is_code, scope_of
from fupin.exchange import catalogue, selectors, services

router = Router()


class ColumnOut(Schema):
    name: str
    label: str
    kind: str
    required: bool
    codes: list[str]


class DatasetOut(Schema):
    code: str
    department: str
    name: str
    name_en: str
    columns: list[ColumnOut]


class BatchOut(Schema):
    id: int
    dataset: str
    department: str
    region_code: str
    as_of: dt.date
    version: int
    rows: int
    status: str
    report: dict[str, Any]


class PersonOut(Schema):
    id_number: str
    sex: str
    birth_date: dt.date
    village_code: str


class PersonPage(Schema):
    group: str
    count: int
    page: int
    page_size: int
    results: list[PersonOut]


class PersonQuery(Schema):
    group: str = "school_age"
    region: str = ""
    page: int = 1
    page_size: int = 1000


def _exchange_only(request: HttpRequest) -> Any:
    user: Any = request.user
    if not user.has_role(Role.EXCHANGE):
        raise PermissionDenied("仅限部门交换账号 / only for department exchange accounts")
    return user


@router.get("/datasets", response=list[DatasetOut])
def datasets(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"code": d.code, "department": d.department, "name": d.name, "name_en": d.name_en,
             "columns": [{"name": c.name, "label": c.label, "kind": c.kind, "required": c.required,
                          "codes": list(c.codes)} for c in d.columns]} for d in catalogue.DATASETS.values()]


@router.post("/batches", response={201: BatchOut, 422: BatchOut})
def upload(request: HttpRequest, dataset: Form[str], as_of: Form[dt.date], file: File[UploadedFile]) -> Any:
    """Push a batch; 422 with the validation report when it is rejected (nothing is stored)."""
    b = services.upload_batch(actor=request.user, dataset=dataset, content=file.read(),
                              file_name=file.name or "upload", as_of=as_of)
    return (201 if b.status == b.Status.ACCEPTED else 422), b


@router.get("/batches", response=list[BatchOut])
def batches(request: HttpRequest) -> Any:
    return selectors.batches(request.user)[:200]


@router.get("/persons", response=PersonPage)
def persons(request: HttpRequest, q: Query[PersonQuery]) -> dict[str, Any]:
    """Registered persons of a group (``school_age``, ``disabled``, ``elderly``, ``all``) in the account's region,
    only of the groups its department serves (403 otherwise), with ID numbers in clear so that the department can
    match them, no names; every page is audited."""
    user = _exchange_only(request)
    try:
        qs = selectors.shared_persons(user, q.group, region=q.region)
    except KeyError as exc:
        raise Http404 from exc
    size = max(1, min(q.page_size, 10_000))
    page = max(1, q.page)
    count = qs.count()
    rows = list(qs.values_list(*selectors.SHARE_COLUMNS)[(page - 1) * size: page * size])
    services.record_share(actor=user, group=q.group, rows=len(rows), channel_action=AuditEvent.Action.READ_PERSONAL,
                          region_code=q.region if q.region and is_code(q.region) else scope_of(user).prefix or "")
    return {"group": q.group, "count": count, "page": page, "page_size": size, "results": [
        {"id_number": r[0], "sex": r[1], "birth_date": r[2], "village_code": r[3]} for r in rows]}
