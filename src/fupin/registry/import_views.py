"""Pages of the registry import and export (R2.4): upload, job progress (htmx-polled), error report,
blank template and export. Thin: the work is in ``services`` (import), ``jobs`` and ``exporter``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fupin.core import audit
from fupin.core.masking import Masker
from fupin.core.models import AuditEvent
from fupin.core.scoping import get_scoped_or_404
from fupin.core.tree import is_code
from fupin.registry import exports, jobs, services, template
from fupin.registry.models import ImportJob

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _can_import(request: HttpRequest) -> bool:
    try:
        services.check_can_import(request.user)
    except PermissionDenied:
        return False
    return True


@login_required
def import_form(request: HttpRequest) -> HttpResponse:
    if not _can_import(request):
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        files = request.FILES.getlist("files")
        bad = [str(f.name) for f in files if Path(str(f.name)).suffix.lower() not in jobs.ALLOWED_SUFFIXES]
        if not files:
            error = _("Choose one .xlsx workbook or the .csv files to import.")
        elif bad:
            error = _("Only .xlsx and .csv files can be imported: %(names)s") % {"names": "、".join(bad)}
        else:
            job = services.start_import(actor=request.user, files=files, dry_run=bool(request.POST.get("dry_run")))
            return redirect("registry_import_job", token=job.token)
    recent = get_jobs(request)[:10]
    return render(request, "registry/import_form.html", {"error": error, "jobs": recent,
                                                         "masked": not Masker(request.user).clear})


def get_jobs(request: HttpRequest):  # type: ignore[no-untyped-def]
    from fupin.core.scoping import scoped

    jobs = scoped(ImportJob.objects.all(), request.user)
    return jobs if Masker(request.user).clear else jobs.filter(actor_id=request.user.pk)


def _job_for(request: HttpRequest, token: str) -> ImportJob:
    """The job at ``token`` if the user uploaded it or may see personal data of its region (its files and error
    report hold the uploaded rows in clear); 404 otherwise, so that jobs cannot be probed."""
    user: Any = request.user
    job = get_scoped_or_404(ImportJob.objects.all(), user, token=token)
    if job.actor_id != user.pk and not Masker(user).clear:
        raise Http404
    return job


@login_required
def import_job(request: HttpRequest, token: str) -> HttpResponse:
    job = _job_for(request, token)
    if not request.headers.get("HX-Request"):
        audit.record(actor=request.user, action=AuditEvent.Action.READ_PERSONAL, obj=job,
                     region_code=job.region_code, summary=f"import job {job.pk}")
    stage, fraction = jobs.live_progress(job)
    context = {"job": job, "running": job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING),
               "stage": stage, "percent": round(fraction * 100)}
    if request.headers.get("HX-Request"):
        return render(request, "registry/import_progress.html", context)
    return render(request, "registry/import_job.html", context)


@login_required
def import_report(request: HttpRequest, token: str) -> FileResponse:
    job = _job_for(request, token)
    if not job.error_report or not Path(job.error_report).exists():
        raise Http404
    audit.record(actor=request.user, action=AuditEvent.Action.EXPORT, obj=job, region_code=job.region_code,
                 summary=f"import job {job.pk} error report", detail={"file": Path(job.error_report).name})
    return FileResponse(open(job.error_report, "rb"), as_attachment=True,
                        filename=f"import-{job.pk}-errors.xlsx", content_type=XLSX)


@login_required
def template_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(template.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="registry-template.xlsx"'
    return response


@login_required
def export(request: HttpRequest) -> HttpResponseBase:
    region = (request.GET.get("region") or "").strip()
    if region and not is_code(region):
        raise Http404
    try:
        return exports.registry_export(request.user, region, request.GET.get("format", "xlsx"))
    except ValueError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
