"""The exchange API: departments push batches and pull the registered persons they serve (R4.3).
Only department exchange accounts (and administrators for uploads); everything scoped and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile

from fupin.core.models import AuditEvent
from fupin.core.pagination import MAX_PAGE_SIZE, Page, PageQuery, seek_page
from fupin.core.roles import Role
from fupin.core.scoping import scope_of
from fupin.core.tree import is_code
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


class PersonQuery(PageQuery):
    group: str = "school_age"
    region: str = ""
    page_size: int = Field(MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"rows per page, at most {MAX_PAGE_SIZE}")
    after: int | None = Field(None, ge=0, le=2**63 - 1,
                              description="keyset paging: the next_after of the previous page")


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


class Errors(Schema):
    errors: dict[str, list[str]]


@router.post("/batches", response={201: BatchOut, 422: BatchOut | Errors})
def upload(request: HttpRequest, dataset: Form[str], as_of: Form[dt.date], file: File[UploadedFile]) -> Any:
    """Push a batch; 422 with the validation report when it is rejected (nothing is stored), or with the fields in
    error (an unknown dataset, a date out of range)."""
    b = services.upload_batch(actor=request.user, dataset=dataset, content=file.read(),
                              file_name=file.name or "upload", as_of=as_of)
    return (201 if b.status == b.Status.ACCEPTED else 422), b


@router.get("/batches", response=list[BatchOut])
def batches(request: HttpRequest) -> Any:
    return selectors.batches(request.user)[:200]


@router.get("/persons", response=Page[PersonOut])
def persons(request: HttpRequest, q: Query[PersonQuery]) -> dict[str, Any]:
    """Registered persons of a group (``school_age``, ``disabled``, ``elderly``, ``all``) in the account's region,
    only of the groups its department serves (403 otherwise), with ID numbers in clear so that the department can
    match them, no names; every page is audited. Pull page by page with ``after`` (``next_after`` of the previous
    page): the first page gives ``count``, the following ones null."""
    user = _exchange_only(request)
    try:
        qs = selectors.shared_persons(user, q.group, region=q.region)
    except KeyError as exc:
        raise Http404 from exc
    out = seek_page(qs.values("id", *selectors.SHARE_COLUMNS), q, field="id", after=q.after, convert=lambda r: {
        "id_number": r["id_number"], "sex": r["sex"], "birth_date": r["birth_date"],
        "village_code": r["household__village_id"]}, count_after=False)  # the count: first page only
    services.record_share(actor=user, group=q.group, rows=len(out["results"]),
                          channel_action=AuditEvent.Action.READ_PERSONAL,
                          region_code=q.region if q.region and is_code(q.region) else scope_of(user).prefix or "")
    return out
