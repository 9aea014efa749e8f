"""Writes of the exchange app, one function per business action: upload a batch, run a comparison,
verify a doubt, share persons back to a department. Views, the API and commands all call these."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from fupin.core import audit, permissions
from fupin.core.bulk import upsert_frame
from fupin.core.changes import mark_changed
from fupin.core.errors import error_text
from fupin.core.models import AuditEvent
from fupin.core.roles import Role
from fupin.core.scoping import get_scoped_or_404, scope_of
from fupin.exchange import catalogue, engine, snapshot
from fupin.exchange.models import Batch, Doubt, Rule, Run
from fupin.exchange.rules import RULES
from fupin.exchange.validation import BatchFileError, Report, read_table, validate
from fupin.registry.history import record_version
from fupin.registry.models import HouseholdVersion

UPLOAD_ROLES = (Role.EXCHANGE, Role.SYSADMIN)
VERIFY_ROLES = (Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN, Role.SYSADMIN)


def exchange_dir() -> Path:
    return Path(settings.VAR_DIR) / "exchange"


def _require(actor: Any, roles: tuple[Role, ...], *, system: bool = True) -> None:
    permissions.require_role(actor, roles, system=system)


# --- batches -----------------------------------------------------------------------------------------

def upload_batch(
    *, actor: Any, dataset: str, content: bytes, file_name: str, as_of: dt.date, region_code: str | None = None,
    department: str = "",
) -> Batch:
    """Validate a department file and, when it is clean, store it as a new version (a Parquet file).
    A file with any error is rejected with its report: no file is stored and comparisons do not see it."""
    _require(actor, UPLOAD_ROLES)
    try:
        spec = catalogue.get(dataset)
    except KeyError as exc:
        raise ValidationError({"dataset": str(exc)}) from exc
    if region_code is None:
        region_code = "" if permissions.is_system(actor) else (actor.region_id or "")
    elif not permissions.is_system(actor) and not scope_of(actor).contains(region_code):
        raise PermissionDenied("只能上传本辖区数据 / outside your region")
    try:
        frame, report = validate(spec, read_table(content, file_name, spec))
    except BatchFileError as exc:
        frame, report = pl.DataFrame(), Report(file_error=str(exc))
    common = dict(dataset=dataset, department=department or spec.department, region_code=region_code, as_of=as_of,
                  file_name=file_name[:200], uploaded_by=permissions.user_or_none(actor))
    if not report.ok:
        batch = Batch.objects.create(**common, rows=report.rows, status=Batch.Status.REJECTED, report=report.as_dict())
        audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=batch,
                     summary=f"rejected {dataset} batch {file_name}: {report.error_count} errors {report.file_error}"[:300])
        return batch
    target = exchange_dir() / "batches" / dataset / f"{as_of:%Y%m%d}-{region_code or 'all'}-{uuid.uuid4().hex[:12]}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(target)
    try:
        with transaction.atomic():
            version = Batch.objects.filter(dataset=dataset, region_code=region_code, as_of=as_of,
                                           status=Batch.Status.ACCEPTED).count() + 1
            batch = Batch.objects.create(**common, version=version, rows=frame.height, status=Batch.Status.ACCEPTED,
                                         report=report.as_dict(), path=str(target))
            audit.record(actor=actor, action=AuditEvent.Action.BULK, obj=batch,
                         summary=f"{dataset} batch {as_of} v{version}: {frame.height} rows")
    except Exception:
        target.unlink(missing_ok=True)
        raise
    return batch


def latest_batches() -> dict[str, Batch]:
    """The latest accepted batch of each dataset type (by data date, then version, then upload)."""
    out: dict[str, Batch] = {}
    for b in Batch.objects.filter(status=Batch.Status.ACCEPTED).order_by("dataset", "-as_of", "-version", "-id"):
        out.setdefault(b.dataset, b)
    return out


# --- rules and comparison --------------------------------------------------------------------------------

def ensure_rules() -> dict[str, Rule]:
    """Rule settings rows for every rule of the catalogue (defaults on first use; edits are kept)."""
    existing = {r.code: r for r in Rule.objects.all()}
    for code, spec in RULES.items():
        if code not in existing:
            existing[code] = Rule.objects.create(code=code, severity=spec.severity, params=dict(spec.params),
                                                 deadline_days=spec.deadline_days)
    return existing


@dataclass
class MergeResult:
    new: int = 0
    updated: int = 0
    reopened: int = 0
    unchanged_resolved: int = 0
    cleared: int = 0


def run_comparison(
    *, actor: Any, as_of: dt.date | None = None, backend: engine.Backend | None = None,
    rule_codes: list[str] | None = None, snapshot_dir: Path | None = None,
) -> Run:
    """One comparison job: snapshot the registry, run every enabled rule against the latest batches, and
    upsert the hits as doubts — set-based, without duplicating open doubts.

    With ``snapshot_dir`` the persons come from the national snapshot there (``fupin snapshot``: its
    ``comparison_persons``) instead of the database; ``as_of`` defaults to the snapshot's reference date and the
    summary's ``snapshot`` records which snapshot was read and when it was taken. A directory without a snapshot
    or without its persons is refused before anything is written."""
    if not permissions.can_run_jobs(actor):
        raise PermissionDenied("只有系统管理员可以运行比对 / only system administrators run comparisons")
    found = snapshot.national(snapshot_dir).require([snapshot.COMPARISON]) if snapshot_dir is not None else None
    as_of = as_of or (found.as_of if found is not None else dt.date.today())
    settings_rows = ensure_rules()
    batches = latest_batches()
    run = Run.objects.create(as_of=as_of, backend=getattr(backend, "name", "duckdb"),
                             username=getattr(actor, "username", "") or "",
                             batches={k: {"id": b.pk, "as_of": b.as_of.isoformat(), "version": b.version,
                                          "rows": b.rows} for k, b in batches.items()})
    path = exchange_dir() / "snapshots" / f"persons-run{run.pk}.parquet"
    if found is None:
        persons, temporary = snapshot.export_persons(path, as_of), True
    else:
        path, temporary = snapshot.national_persons(found, as_of, path)
        persons = snapshot.count_rows(path)
    chosen = [(RULES[c], settings_rows[c].params) for c in (rule_codes or list(RULES)) if settings_rows[c].enabled]
    refs = {k: engine.Batchref(Path(b.path), b.region_code) for k, b in batches.items()}
    try:
        result = engine.evaluate(path, refs, chosen, backend)
    finally:
        if temporary:
            path.unlink(missing_ok=True)
    with transaction.atomic():
        merged = _merge(run, result, settings_rows)
        run.finished_at = timezone.now()
        run.summary = {
            "persons": persons, "seconds": round(result.seconds, 2), "skipped": result.skipped,
            "hits": {c: r.hits.num_rows for c, r in result.results.items()},
            "new": merged.new, "updated": merged.updated, "reopened": merged.reopened,
            "unchanged_resolved": merged.unchanged_resolved, "cleared": merged.cleared,
        }
        if found is not None:
            run.summary["snapshot"] = found.record(stale=found.stale(as_of))
        run.save(update_fields=["finished_at", "summary"])
        audit.record(actor=actor, action=AuditEvent.Action.BULK, obj=run, object_type="exchange.run",
                     summary=f"comparison run {run.pk}: {result.hit_count} hits, {merged.new} new doubts, "
                             f"{merged.reopened} reopened" + (f" (snapshot {found.taken_at})" if found else ""),
                     detail=run.summary)
        mark_changed(())  # doubts are recomputed in full by every refresh: no village to mark, a refresh to request
    return run


def _existing(rule_codes: list[str]) -> pl.DataFrame:
    schema = {"e_id": pl.Int64, "rule_id": pl.Utf8, "household_id": pl.Int64, "id_number": pl.Utf8,
              "e_state": pl.Utf8, "e_fingerprint": pl.Utf8, "e_deadline": pl.Utf8, "e_first_run": pl.Int64,
              "e_created": pl.Utf8, "e_reopened": pl.Int64}
    if not rule_codes:
        return pl.DataFrame(schema=schema)
    marks = ", ".join(["%s"] * len(rule_codes))
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT id, rule_id, household_id, id_number, state, fingerprint, deadline, first_run_id, created_at, "
            f"reopened FROM {Doubt._meta.db_table} WHERE rule_id IN ({marks})", rule_codes)
        rows = cur.fetchall()
    cols = list(schema)
    return pl.DataFrame({c: pl.Series(c, [None if r[i] is None else (str(r[i]) if schema[c] == pl.Utf8 else r[i])
                                          for r in rows], dtype=schema[c]) for i, c in enumerate(cols)})


def _merge(run: Run, result: engine.Evaluation, rules: dict[str, Rule]) -> MergeResult:
    out = MergeResult()
    codes = list(result.results)
    frames = []
    for code, r in result.results.items():
        if r.hits.num_rows == 0:
            continue
        spec, rule = RULES[code], rules[code]
        cut = 6 if spec.route == "county" else 9
        frames.append(pl.from_arrow(r.hits).with_columns(  # type: ignore[union-attr]
            rule_id=pl.lit(code), route_code=pl.col("village_code").str.slice(0, cut), severity=pl.lit(rule.severity),
            new_deadline=pl.lit((run.as_of + dt.timedelta(days=rule.deadline_days)).isoformat()),
        ))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    if frames:
        hits = pl.concat(frames)
        j = hits.join(_existing(codes), on=["rule_id", "household_id", "id_number"], how="left")
        resolved = pl.col("e_state").is_in([Doubt.State.CONFIRMED, Doubt.State.DISMISSED])
        same = resolved & (pl.col("e_fingerprint") == pl.col("fingerprint"))
        keep = j.filter(same)
        out.unchanged_resolved = keep.height
        up = j.filter(~same.fill_null(False))
        out.new = up.filter(pl.col("e_id").is_null()).height
        out.reopened = up.filter(resolved.fill_null(False)).height
        out.updated = up.height - out.new - out.reopened
        is_open = (pl.col("e_state") == Doubt.State.OPEN).fill_null(False)
        frame = up.select(
            "rule_id", "household_id", "id_number", pl.col("village_code").alias("region_code"), "route_code",
            "severity", "evidence", "fingerprint", pl.lit(Doubt.State.OPEN).alias("state"), pl.lit(True).alias("active"),
            pl.when(is_open).then(pl.col("e_deadline")).otherwise(pl.col("new_deadline")).alias("deadline"),
            pl.coalesce(pl.col("e_first_run"), pl.lit(run.pk)).alias("first_run_id"), pl.lit(run.pk).alias("last_run_id"),
            (pl.col("e_reopened").fill_null(0) + resolved.fill_null(False).cast(pl.Int64)).alias("reopened"),
            pl.lit(None, dtype=pl.Int64).alias("verifier_id"), pl.lit(None, dtype=pl.Int64).alias("case_id"),
            pl.lit("").alias("reason"),
            pl.lit("").alias("evidence_text"), pl.lit(None, dtype=pl.Utf8).alias("resolved_at"),
            pl.coalesce(pl.col("e_created"), pl.lit(str(now))).alias("created_at"), pl.lit(str(now)).alias("updated_at"),
        )
        key = ["rule_id", "household_id", "id_number"]
        upsert_frame(Doubt._meta.db_table, frame, key=key, update=[c for c in frame.columns if c not in key])
        ids = keep["e_id"].to_list()
        for i in range(0, len(ids), 500):
            Doubt.objects.filter(pk__in=ids[i:i + 500]).update(last_run=run, active=True)
    out.cleared = (Doubt.objects.filter(rule_id__in=codes, active=True).exclude(last_run=run)
                   .update(active=False))
    return out


# --- verification ---------------------------------------------------------------------------------------

def verify_doubt(*, actor: Any, doubt_id: int, confirmed: bool, reason: str, evidence_text: str = "") -> Doubt:
    """The verifier's outcome: confirmed (the data are right, the dossier must change) or dismissed (the
    registry is right). Recorded on the dossier timeline and in the audit log."""
    _require(actor, VERIFY_ROLES, system=False)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写核实理由 / a reason is required"})
    with transaction.atomic():
        doubt = get_scoped_or_404(Doubt.objects.select_for_update().select_related("household"), actor, pk=doubt_id)
        if doubt.state != Doubt.State.OPEN:
            raise ValidationError({"state": "该疑点已核实 / this doubt is already resolved"})
        spec = RULES[doubt.rule_id]
        if (spec.route == "county" and not actor.is_superuser
                and not actor.has_role(Role.COUNTY_ADMIN, Role.SYSADMIN)):
            raise PermissionDenied("该疑点由县级核实 / this doubt is verified by the county")
        doubt.state = Doubt.State.CONFIRMED if confirmed else Doubt.State.DISMISSED
        doubt.verifier = actor
        doubt.reason = reason[:300]
        doubt.evidence_text = evidence_text
        doubt.resolved_at = timezone.now()
        doubt.updated_at = doubt.resolved_at
        doubt.save()
        outcome = "确认属实" if confirmed else "排除（数据不实）"
        note = f"比对疑点核实：{spec.name}（{doubt.id_number[:6]}…{doubt.id_number[-4:]}）{outcome}；{reason}"
        if confirmed and spec.next_step:
            case, refused = _open_case(actor=actor, doubt=doubt, spec=spec, reason=reason, evidence_text=evidence_text)
            if case is not None:
                doubt.case = case
                doubt.save(update_fields=["case"])
                note += f"；已开启程序：{spec.next_step} #{case.pk}"
            else:
                note += f"；待办：{spec.next_step}" + (f"（未能自动开启：{refused}）" if refused else "")
        record_version(doubt.household, kind=HouseholdVersion.Kind.UPDATE, actor=actor, reason=note)
        audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=doubt,
                     summary=f"doubt {doubt.pk} {doubt.rule_id} {doubt.state}: {reason}"[:300],
                     detail={"rule": doubt.rule_id, "household": doubt.household_id, "state": doubt.state})
        mark_changed([doubt.region_code])
    return doubt


# Confirmations whose next step is a lifecycle procedure open it at once (as the verifier, origin "verification").
# 突发严重困难户 because of illness: the large out-of-pocket medical expense.
PROCEDURE_STEPS = {"removal": "removal", "monitoring": "monitoring"}


def _open_case(*, actor: Any, doubt: Doubt, spec: Any, reason: str, evidence_text: str) -> tuple[Any, str]:
    """Open the procedure a confirmed doubt calls for; returns (case, "") or (None, why it could not be
    opened — e.g. the household's status does not allow it — which goes on the timeline instead)."""
    from fupin.core import codes
    from fupin.lifecycle import services as lifecycle

    kind = PROCEDURE_STEPS.get(spec.next_step.rpartition(" / ")[2].strip(), "")
    if not kind:
        return None, ""
    extra: dict[str, Any] = {}
    if kind == "monitoring":
        extra = {"category": codes.code_for_name("monitoring_category", "突发严重困难户") or "",
                 "risks": [codes.code_for_name("monitoring_risk", "因病") or ""]}
    why = f"比对疑点 #{doubt.pk} 核实属实（{spec.name}）：{reason}"
    found = "；".join(f"{k}: {v}" for k, v in sorted(doubt.evidence.items()))
    evidence = f"比对疑点 #{doubt.pk} {doubt.rule_id}：{found}" + (f"\n核实材料：{evidence_text}" if evidence_text else "")
    try:
        with transaction.atomic():
            case = lifecycle.open_case(actor=actor, household=doubt.household, kind=kind, reason=why,
                                       evidence=evidence, origin=lifecycle.ORIGIN_VERIFICATION, **extra)
    except (ValidationError, PermissionDenied) as exc:
        return None, error_text(exc)
    return case, ""


# --- sharing back (R4.3) --------------------------------------------------------------------------------

def record_share(*, actor: Any, group: str, rows: int, channel_action: str, region_code: str) -> None:
    """Audit a department's pull of registered persons (clear personal data leaves the platform)."""
    audit.record(actor=actor, action=channel_action, object_type="exchange.share", object_id=group,
                 region_code=region_code, summary=f"shared {rows} persons of group {group}",
                 detail={"group": group, "rows": rows})
