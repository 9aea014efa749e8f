"""Writes of data quality (R13), one function per business action: sync the catalogue, switch a rule and set its
parameters, run all rules, ask for and decide an exemption. Views, the admin, the command and the task call
these. Refusals raise ``ValidationError`` or ``PermissionDenied`` with a message "中文 / English"."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from fupin.core import audit, permissions
from fupin.core.bulk import bulk_load, copy_arrow, is_postgres, read_arrow, upsert_rows
from fupin.core.models import AuditEvent
from fupin.core.roles import Role
from fupin.core.scoping import get_scoped_or_404
from fupin.exchange import snapshot as persons_snapshot
from fupin.exchange.engine import Backend, DuckDBBackend
from fupin.quality import national, runner, snapshot
from fupin.quality.catalogue import REGISTERED, QualityRule
from fupin.quality.models import Finding, Rule, RuleParameter, Run, Severity, Tally, VillageRecord
from fupin.quality.rules import RULES
from fupin.registry.models import Household

TABLE = Finding._meta.db_table
EXEMPT_ROLES = (Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN, Role.SYSADMIN)
APPROVE_ROLES = (Role.COUNTY_ADMIN, Role.SYSADMIN)


def _require_admin(actor: Any) -> None:
    permissions.require_role(actor, permissions.JOB_ROLES,
                             "只有系统管理员可以维护核查规则 / only system administrators maintain the quality rules")


# --- the catalogue ---------------------------------------------------------------------------------------

def sync_catalogue() -> dict[str, Rule]:
    """Rule rows for every declared rule: names, family and subject follow the code; severity, statuses, dates
    and the switch are set from the declaration only on first sync (then they are the administrator's).
    Rules no longer declared stay (their findings keep their history) but are marked and never run."""
    existing = {r.code: r for r in Rule.objects.all()}
    for code, spec in RULES.items():
        row = existing.get(code)
        if row is None:
            # get_or_create: two imports (or runs) at once on a new database both find the rule missing; the
            # second one's insert fails and it takes the first one's row
            row, created = Rule.objects.get_or_create(code=code, defaults=dict(
                name=spec.name, name_en=spec.name_en, family=spec.family, subject=spec.subject,
                severity=spec.severity, statuses=list(spec.statuses), effective_from=spec.effective_from,
                effective_to=spec.effective_to, enabled=spec.enabled))
            existing[code] = row
            if created:
                continue
        if (row.name, row.name_en, row.family, row.subject, row.in_catalogue) != (
                spec.name, spec.name_en, spec.family, spec.subject, True):
            row.name, row.name_en, row.family, row.subject, row.in_catalogue = (
                spec.name, spec.name_en, spec.family, spec.subject, True)
            row.save(update_fields=["name", "name_en", "family", "subject", "in_catalogue"])
    Rule.objects.exclude(code__in=list(RULES)).filter(in_catalogue=True).update(in_catalogue=False, enabled=False)
    return existing


def _spec(code: str) -> QualityRule:
    try:
        return RULES[code]
    except KeyError:
        raise ValidationError(f"未知的核查规则“{code}” / unknown quality rule {code!r}") from None


@transaction.atomic
def update_rule(*, actor: Any, code: str, enabled: bool | None = None, severity: str | None = None,
                statuses: Iterable[str] | None = None, effective_from: dt.date | None = None,
                effective_to: dt.date | None = None) -> Rule:
    """Switch a rule on or off, change its severity, the statuses it looks at or its effective dates."""
    from fupin.core import codes

    _require_admin(actor)
    _spec(code)
    sync_catalogue()
    rule = Rule.objects.select_for_update().get(code=code)
    if enabled is not None:
        rule.enabled = enabled
    if severity is not None:
        if severity not in Severity.values:
            raise ValidationError(f"未知的严重程度“{severity}” / unknown severity {severity!r}")
        rule.severity = severity
    if statuses is not None:
        statuses = list(dict.fromkeys(statuses))
        unknown = [s for s in statuses if s not in codes.codes("household_status")]
        if unknown or not statuses:
            raise ValidationError(f"未知的户状态 {', '.join(unknown) or '（空）'} / unknown household status")
        rule.statuses = statuses
    rule.effective_from, rule.effective_to = (effective_from if effective_from is not None else rule.effective_from,
                                              effective_to if effective_to is not None else rule.effective_to)
    if rule.effective_from and rule.effective_to and rule.effective_from > rule.effective_to:
        raise ValidationError("生效日期晚于失效日期 / effective from is after effective until")
    rule.save()
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=rule, object_type="quality.rule",
                 summary=f"quality rule {code}: enabled={rule.enabled} severity={rule.severity}",
                 detail={"statuses": rule.statuses})
    return rule


@transaction.atomic
def set_parameters(*, actor: Any, code: str, values: dict[str, Any], province: str = "", year: int | None = None
                   ) -> RuleParameter | None:
    """Parameters of a rule for the nation (province "") or a province, for all years (None) or one year.
    Every value is validated against the rule's declaration (a negative age bound or an unknown code is
    refused). Empty ``values`` removes the row (the defaults, or the wider row, apply again)."""
    from fupin.regions.models import Level, Region

    _require_admin(actor)
    spec = _spec(code)
    if province and not Region.objects.filter(code=province, level=Level.PROVINCE).exists():
        raise ValidationError(f"未知的省级区划代码“{province}” / unknown province code {province!r}")
    if year is not None and not 2014 <= year <= 2100:
        raise ValidationError(f"年度 {year} 不在 2014–2100 之间 / year {year} out of range")
    cleaned = spec.clean_values(values)
    rule = sync_catalogue()[code]
    row = RuleParameter.objects.filter(rule=rule, province=province, year=year).first()
    if not cleaned:
        if row is not None:
            row.delete()
        audit.record(actor=actor, action=AuditEvent.Action.DELETE, object_type="quality.parameters", object_id=code,
                     summary=f"quality rule {code} parameters removed for {province or 'nation'} {year or 'all years'}")
        return None
    if row is None:
        row = RuleParameter(rule=rule, province=province, year=year)
    row.values = cleaned
    row.updated_by = permissions.user_or_none(actor)
    row.save()
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=row, object_type="quality.parameters",
                 summary=f"quality rule {code} parameters for {province or 'nation'} {year or 'all years'}",
                 detail={"values": cleaned})
    return row


# --- running ---------------------------------------------------------------------------------------------

def _chosen(as_of: dt.date, codes: list[str] | None) -> list[tuple[QualityRule, list[str], list[runner.ParameterSet]]]:
    rows = sync_catalogue()
    params: dict[str, list[tuple[str, int | None, dict[str, Any]]]] = {}
    for p in RuleParameter.objects.all():
        params.setdefault(p.rule_id, []).append((p.province, p.year, p.values))
    out = []
    for code in sorted(codes or RULES):
        rule, spec = rows[code], _spec(code)
        if not rule.enabled or (rule.effective_from and as_of < rule.effective_from) or (
                rule.effective_to and as_of > rule.effective_to):
            continue
        out.append((spec, list(rule.statuses or REGISTERED), runner.parameter_sets(spec, params.get(code, []),
                                                                                      as_of.year)))
    return out


def run_quality(*, actor: Any, as_of: dt.date | None = None, rule_codes: list[str] | None = None,
                backend: Backend | None = None, snapshot_dir: Path | None = None) -> Run:
    """One job: snapshot the registry, run every enabled rule in effect on ``as_of``, upsert the findings (new
    ones open; open ones not found again fixed; exempted ones reopened when their data changed or the exemption
    expired) and tally the open findings per township for the trend. Re-runs add no duplicates.

    The snapshot goes into an embedded DuckDB (only the relations and columns the rules name); the rules run there
    (or, with another ``backend``, over Parquet files written from it) and their hits stay there; the merge
    compares them with the findings' keys and fingerprints (read once) in DuckDB and writes back only what
    changed (``_merge``).

    With ``snapshot_dir`` the relations come from the national snapshot there (``fupin snapshot``,
    ``quality.national``) instead of the database: DuckDB reads its files through views, another backend the files
    themselves; ``as_of`` defaults to the snapshot's reference date, and the summary's ``snapshot`` records which
    snapshot was read and when it was taken. A directory without a snapshot, or without a relation the rules to run
    name, is refused before anything is written."""
    if not permissions.can_run_jobs(actor):
        raise PermissionDenied("只有系统管理员可以运行数据核查 / only system administrators run the quality rules")
    found = persons_snapshot.national(snapshot_dir) if snapshot_dir is not None else None
    as_of = as_of or (found.as_of if found is not None else timezone.localdate())
    chosen = _chosen(as_of, rule_codes)
    needs = snapshot.words(runner.texts(chosen))
    latest_incomes = not any(spec.all_income_years for spec, _s, _p in chosen)
    if found is not None:
        found = found.require(national.needed(needs))
    run = Run.objects.create(as_of=as_of, backend=getattr(backend, "name", "duckdb"),
                             username=getattr(actor, "username", "") or "")
    local = backend if isinstance(backend, DuckDBBackend) else DuckDBBackend(threads=os.cpu_count())
    on_local = backend is None or backend is local
    directory: Path | None = None
    try:
        t0 = time.perf_counter()
        if found is None:
            loaded = snapshot.load(local.con, as_of, needs=needs, latest_incomes=latest_incomes)
        else:
            national.attach(local.con, found, as_of, latest_incomes=latest_incomes)
        if not on_local:
            directory = Path(tempfile.mkdtemp(prefix=f"quality-run{run.pk}-", dir=_work_dir()))
            paths = (snapshot.write(local.con, directory, loaded) if found is None
                     else national.paths_for(local.con, found, as_of, directory))
        snapshot_seconds = time.perf_counter() - t0
        if on_local:
            result = runner.evaluate_loaded(local, chosen)
        else:
            result = runner.evaluate(paths, chosen, backend)
            runner.stage(local, result, chosen)
        with transaction.atomic():
            t1 = time.perf_counter()
            merged = _merge(local, run, list(result.counts), as_of)
            run.finished_at = timezone.now()
            run.summary = {
                "rules": len(chosen), "hits": dict(result.counts), "errors": result.errors,
                "snapshot_seconds": round(snapshot_seconds, 2), "rule_seconds": round(result.total_seconds, 2),
                "merge_seconds": round(time.perf_counter() - t1, 2), **merged,
            }
            if found is not None:
                run.summary["snapshot"] = found.record(relations=sorted(found.paths), stale=found.stale(as_of))
            run.save(update_fields=["finished_at", "summary"])
            audit.record(actor=actor, action=AuditEvent.Action.BULK, obj=run, object_type="quality.run",
                         summary=f"quality run {run.pk}: {sum(result.counts.values())} hits, {merged['new']} new, "
                                 f"{merged['fixed']} fixed, {merged['reopened']} reopened"
                                 + (f" (snapshot {found.taken_at})" if found is not None else ""), detail=run.summary)
    finally:
        if local is not backend:
            local.close()
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)
    return run


def _work_dir() -> Path:
    d = Path(settings.VAR_DIR) / "quality"
    d.mkdir(parents=True, exist_ok=True)
    return d


HIT_COLUMNS = ("rule_id", "record", "household_id", "region_code", "evidence", "fingerprint")
KNOWN = pa.schema([("id", pa.int64()), ("rule_id", pa.string()), ("record", pa.string()),
                   ("fingerprint", pa.string()), ("region_code", pa.string()), ("township_code", pa.string()),
                   ("state", pa.string()), ("exempt_until", pa.date32())])
BATCH_ROWS = 200_000
BULK_ROWS = 100_000  # new findings from which the merge remakes the table's indexes and keys (if it holds fewer)


def _merge(local: DuckDBBackend, run: Run, ran: list[str], as_of: dt.date) -> dict[str, int]:
    """The hits (table ``hits`` of ``local``) into findings, in the caller's transaction. The findings' keys,
    fingerprints, states and regions are read once (on PostgreSQL under a lock that keeps other writers out
    until the end of the transaction) and compared with the hits in DuckDB, which sorts the hits into new ones,
    changed or reopening ones, and unchanged ones — and the open findings of the rules that ran and are no longer
    hit (fixed). Only the first two and the fixed ones are written: new findings by one COPY into the table;
    changed and reopening ones through a staging table and one ``INSERT … ON CONFLICT (rule, record)`` (which
    reopens a fixed finding, or an exempted one whose data changed or whose exemption expired); the fixed ones by
    one UPDATE of their ids. An unchanged finding is not written at all: its ``last_run``/``last_seen`` say when
    its data last changed, and an open finding is by definition found by every run of its rule since. The tally
    (open and exempted findings per rule and township after the run) is computed from the same comparison."""
    con = local.con
    if is_postgres():
        with connection.cursor() as cur:
            cur.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
    known = read_arrow(f"SELECT id, rule_id, record, fingerprint, region_code, township_code, state, exempt_until "
                       f"FROM {TABLE}", KNOWN)
    known_rows = known.num_rows
    con.register("_known", known)
    try:
        con.execute("CREATE OR REPLACE TABLE known AS SELECT * FROM _known")
    finally:
        con.unregister("_known")
    del known
    con.execute("CREATE OR REPLACE TABLE ran (rule_id VARCHAR)")
    if ran:
        con.executemany("INSERT INTO ran VALUES (?)", [[c] for c in ran])
    con.execute(f"""CREATE OR REPLACE TABLE diff AS
        SELECT h.*, k.id, CASE
            WHEN k.id IS NULL THEN 'new'
            WHEN k.state = 'fixed' OR (k.state = 'exempted' AND (k.fingerprint <> h.fingerprint
                 OR k.exempt_until < DATE '{as_of.isoformat()}')) THEN 'reopen'
            WHEN k.fingerprint <> h.fingerprint OR k.region_code <> h.region_code THEN 'changed' END AS kind
        FROM hits h LEFT JOIN known k ON k.rule_id = h.rule_id AND k.record = h.record""")
    con.execute("""CREATE OR REPLACE TABLE fixed AS SELECT k.id FROM known k SEMI JOIN ran USING (rule_id)
        WHERE k.state = 'open' AND NOT EXISTS (SELECT 1 FROM hits h WHERE h.rule_id = k.rule_id
                                               AND h.record = k.record)""")
    counts = dict(con.execute("SELECT kind, COUNT(*) FROM diff WHERE kind IS NOT NULL GROUP BY kind").fetchall())
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)  # SQLite: text; PostgreSQL: the datetime
    stamp_text = stamp if isinstance(stamp, str) else now.isoformat()

    def batches(sql: str, params: list[Any] | None = None) -> Any:
        return con.execute(sql, params or []).fetch_record_batch(BATCH_ROWS)

    # new findings: straight into the table (under the lock no other run can add the same key); when they are many
    # and more than the table holds (a first run), its indexes and keys are made again after the COPY instead of
    # taking every row one by one (core.bulk.bulk_load)
    new_columns = ("rule_id", "record", "household_id", "region_code", "township_code", "evidence", "fingerprint",
                   "state", "first_run_id", "last_run_id", "first_seen", "last_seen", "reopened", "exemption_reason")
    new = 0
    if counts.get("new"):
        bulk = counts["new"] >= BULK_ROWS and counts["new"] > known_rows
        with bulk_load(TABLE) if bulk else nullcontext():
            new = copy_arrow(TABLE, new_columns, batches(
                "SELECT rule_id, record, household_id, region_code, substr(region_code, 1, 9) AS township_code, "
                "evidence, fingerprint, 'open' AS state, CAST(? AS BIGINT) AS first_run_id, CAST(? AS BIGINT) AS "
                "last_run_id, ? AS first_seen, ? AS last_seen, 0 AS reopened, '' AS exemption_reason FROM diff "
                f"WHERE kind = 'new'{'' if bulk else ' ORDER BY rule_id, record'}", [run.pk, run.pk, stamp_text, stamp_text]))
    if counts.get("changed") or counts.get("reopen"):
        _upsert_changed(run, stamp, as_of, batches(
            f"SELECT {', '.join(HIT_COLUMNS)} FROM diff WHERE kind IN ('changed', 'reopen')"))
    fixed = 0
    with connection.cursor() as cur:
        if con.execute("SELECT COUNT(*) FROM fixed").fetchone() != (0,):
            cur.execute("DROP TABLE IF EXISTS quality_fixed")
            cur.execute("CREATE TEMP TABLE quality_fixed (id bigint)")
            copy_arrow("quality_fixed", ("id",), batches("SELECT id FROM fixed"))
            cur.execute(f"UPDATE {TABLE} SET state = 'fixed', fixed_run_id = %s WHERE state = 'open' "
                        f"AND id IN (SELECT id FROM quality_fixed)", [run.pk])
            fixed = max(cur.rowcount, 0)
            cur.execute("DROP TABLE quality_fixed")
    # the trend: open and exempted findings per rule and township as they are now
    tally = batches("""
        SELECT CAST(? AS BIGINT) AS run_id, rule_id, township_code,
               CAST(SUM(CASE WHEN state = 'open' THEN 1 ELSE 0 END) AS BIGINT) AS "open",
               CAST(SUM(CASE WHEN state = 'exempted' THEN 1 ELSE 0 END) AS BIGINT) AS exempted
        FROM (SELECT k.rule_id, CASE WHEN d.kind IN ('changed', 'reopen') THEN substr(d.region_code, 1, 9)
                                     ELSE k.township_code END AS township_code,
                     CASE WHEN f.id IS NOT NULL THEN 'fixed' WHEN d.kind = 'reopen' THEN 'open' ELSE k.state END
                         AS state
              FROM known k LEFT JOIN diff d ON d.id = k.id LEFT JOIN fixed f ON f.id = k.id
              UNION ALL SELECT rule_id, substr(region_code, 1, 9), 'open' FROM diff WHERE kind = 'new')
        WHERE state IN ('open', 'exempted') GROUP BY rule_id, township_code""", [run.pk])
    copy_arrow(Tally._meta.db_table, ("run_id", "rule", "township_code", "open", "exempted"), tally)
    for name in ("known", "diff", "fixed", "ran"):
        con.execute(f"DROP TABLE {name}")
    changed, reopened = counts.get("changed", 0), counts.get("reopen", 0)
    hits_total = con.execute("SELECT COUNT(*) FROM hits").fetchone()
    return {"hits_total": int(hits_total[0]) if hits_total else 0, "new": new, "fixed": fixed, "reopened": reopened,
            "changed": changed, "written": new + changed + reopened + fixed}


def _upsert_changed(run: Run, stamp: Any, as_of: dt.date, rows: Any) -> None:
    """Findings whose evidence or region changed, or that reopen: staged, then one ``INSERT … ON CONFLICT``
    whose conditions decide again on the rows as they are (the comparison was made under the same lock)."""
    today = connection.ops.adapt_datefield_value(as_of)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS quality_hits")
        evidence_type = "jsonb" if is_postgres() else "text"
        cur.execute(f"CREATE TEMP TABLE quality_hits (rule_id varchar(40), record varchar(40), household_id bigint, "
                    f"region_code varchar(12), evidence {evidence_type}, fingerprint varchar(32))")
    copy_arrow("quality_hits", HIT_COLUMNS, rows)
    reopen = (f"({TABLE}.state = 'fixed' OR ({TABLE}.state = 'exempted' AND ({TABLE}.fingerprint <> "
              f"excluded.fingerprint OR {TABLE}.exempt_until < %s)))")
    with connection.cursor() as cur:
        cur.execute(f"""
            INSERT INTO {TABLE} (rule_id, record, household_id, region_code, township_code, evidence, fingerprint,
                state, first_run_id, last_run_id, fixed_run_id, reopened_run_id, first_seen, last_seen, reopened,
                exemption_reason, exemption_requested_by_id, exemption_approved_by_id, exempt_until)
            SELECT rule_id, record, household_id, region_code, substr(region_code, 1, 9), evidence, fingerprint,
                'open', %s, %s, NULL, NULL, %s, %s, 0, '', NULL, NULL, NULL
            FROM quality_hits WHERE 1 = 1
            ON CONFLICT (rule_id, record) DO UPDATE SET
                household_id = excluded.household_id, region_code = excluded.region_code,
                township_code = excluded.township_code, evidence = excluded.evidence,
                fingerprint = excluded.fingerprint, last_run_id = excluded.last_run_id,
                last_seen = excluded.last_seen,
                reopened = {TABLE}.reopened + CASE WHEN {reopen} THEN 1 ELSE 0 END,
                fixed_run_id = CASE WHEN {reopen} THEN NULL ELSE {TABLE}.fixed_run_id END,
                reopened_run_id = CASE WHEN {reopen} THEN excluded.last_run_id ELSE {TABLE}.reopened_run_id END,
                exemption_reason = CASE WHEN {reopen} THEN '' ELSE {TABLE}.exemption_reason END,
                exemption_approved_by_id = CASE WHEN {reopen} THEN NULL ELSE {TABLE}.exemption_approved_by_id END,
                exempt_until = CASE WHEN {reopen} THEN NULL ELSE {TABLE}.exempt_until END,
                state = CASE WHEN {reopen} THEN 'open' ELSE {TABLE}.state END
            WHERE {TABLE}.fingerprint <> excluded.fingerprint OR {TABLE}.region_code <> excluded.region_code
                OR {reopen}
        """, [run.pk, run.pk, stamp, stamp, *([today] * 8)])
        cur.execute("DROP TABLE quality_hits")


# --- exemption (豁免) --------------------------------------------------------------------------------------

def _locked(actor: Any, finding_id: int) -> Finding:
    return get_scoped_or_404(Finding.objects.select_for_update(of=("self",)), actor, pk=finding_id)


@transaction.atomic
def request_exemption(*, actor: Any, finding_id: int, reason: str, until: dt.date | None) -> Finding:
    """The township (or county) asks to exempt an open finding: the data are right although the rule fires
    (a 事实无人抚养儿童 head of household, a phone of the village office on purpose). The reason is required; the
    expiry at most three years ahead."""
    permissions.require_role(actor, EXEMPT_ROLES, system=False)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写豁免理由 / a reason is required"})
    today = timezone.localdate()
    if until is None or until <= today or until > today + dt.timedelta(days=3 * 366):
        raise ValidationError({"until": "豁免到期日应在今天之后、三年以内 / the expiry must be after today and within "
                                        "three years"})
    finding = _locked(actor, finding_id)
    if finding.state != Finding.State.OPEN:
        raise ValidationError({"state": "只能对未处理的问题申请豁免 / only open findings can be exempted"})
    finding.exemption_reason, finding.exempt_until = reason[:300], until
    finding.exemption_requested_by, finding.exemption_approved_by = actor, None
    finding.save()
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=finding, object_type="quality.finding",
                 summary=f"exemption asked for {finding.rule_id} {finding.record} until {until}: {reason}"[:300])
    return finding


@transaction.atomic
def decide_exemption(*, actor: Any, finding_id: int, approve: bool, note: str = "") -> Finding:
    """The county (or a system administrator) approves or refuses; never the person who asked."""
    permissions.require_role(actor, APPROVE_ROLES, "只有县级管理员可以批准豁免 / only county administrators approve "
                             "exemptions", system=False)
    finding = _locked(actor, finding_id)
    if not finding.exemption_pending:
        raise ValidationError({"state": "没有待审批的豁免申请 / no exemption is waiting for a decision"})
    if finding.exemption_requested_by_id == actor.pk:
        raise PermissionDenied("不能审批本人提出的豁免 / you cannot approve your own request")
    if approve:
        finding.state, finding.exemption_approved_by = Finding.State.EXEMPTED, actor
    else:
        finding.exemption_reason, finding.exempt_until, finding.exemption_requested_by = "", None, None
    finding.save()
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=finding, object_type="quality.finding",
                 summary=f"exemption {'approved' if approve else 'refused'} for {finding.rule_id} {finding.record}: "
                         f"{note}"[:300])
    return finding


# --- warnings at entry (for the registry import) ---------------------------------------------------------

def warnings_for(household_ids: Iterable[int], *, as_of: dt.date | None = None,
                 severities: tuple[str, ...] = (Severity.WARNING, Severity.HINT)) -> dict[int, list[dict[str, Any]]]:
    """The enabled rules of the given severities run now over the snapshot, limited to ``household_ids``:
    household id → [{rule, name, name_en, severity, record, evidence}]. Writes nothing; for the import's
    warning tier and forms (they list them; ``run_quality`` makes them findings). The snapshot holds the
    villages of those households only, so comparisons across villages (a phone shared with another village)
    are left to the full run."""
    ids = sorted(set(household_ids))
    if not ids:
        return {}
    as_of = as_of or timezone.localdate()
    rows = {code: r for code, r in sync_catalogue().items() if r.severity in severities}
    chosen = [c for c in _chosen(as_of, [c for c in rows if c in RULES]) if c[0].subject != "village"]
    directory = Path(tempfile.mkdtemp(prefix="quality-check-", dir=_work_dir()))
    try:
        villages = set(Household.objects.filter(pk__in=ids).values_list("village_id", flat=True))
        paths = snapshot.export(directory, as_of, villages=villages)
        result = runner.evaluate(paths, chosen)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    wanted = set(ids)
    out: dict[int, list[dict[str, Any]]] = {}
    for code, table in result.hits.items():
        if not table.num_rows:
            continue
        t = pa.Table.from_pylist([r for r in table.to_pylist() if r["household_id"] in wanted])
        for r in t.to_pylist():
            spec = RULES[code]
            out.setdefault(r["household_id"], []).append({
                "rule": code, "name": spec.name, "name_en": spec.name_en, "severity": rows[code].severity,
                "record": f"{spec.subject}:{r['record_id']}", "evidence": r["evidence"]})
    return out


# --- village basic data (村基本情况) ------------------------------------------------------------------------

VILLAGE_ROLES = (Role.CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN, Role.SYSADMIN)


def upload_village_data(*, actor: Any, content: bytes, filename: str) -> Any:
    """Read a village basic-data file with the upload kit, check every row (villages of the tree and of the actor's
    region, counts, yes/no, dates) and write all rows or none: one record per village and date, a re-upload of
    the same date replaces it. Returns the kit's ``ImportSummary`` (errors in ``conflicts``, nothing written)."""
    from fupin.core.scoping import scope_of
    from fupin.core.uploads import ImportSummary, UploadRejected, read_upload
    from fupin.quality import villages
    from fupin.regions.models import Level, Region

    permissions.require_role(actor, VILLAGE_ROLES, system=False)
    summary = ImportSummary()
    try:
        table = read_upload(content, filename, villages.COLUMNS)
    except UploadRejected as exc:
        summary.add(exc.conflicts)
        summary.rejected = 1
        return summary
    summary.add(table.conflicts)
    codes = {str(r[0] or "").strip() for r in table.frame.select("village").iter_rows()}
    known = set(Region.objects.filter(code__in=codes, level=Level.VILLAGE).values_list("code", flat=True))
    scope = scope_of(actor)
    rows, problems = villages.rows(table, known, scope.contains, timezone.localdate())
    summary.add(problems)
    if summary.conflicts:
        summary.rejected = len(rows)
        return summary
    fields = ["households", "persons", "collective_income", *villages.FLAGS, "doctors", "public_toilets",
              "dibao_persons", "tekun_persons", "disabled_persons", "unsafe_water_households",
              "dangerous_housing_households", "cultivated_land"]
    existing = set(VillageRecord.objects.filter(region_id__in=[r["village"] for r in rows])
                   .values_list("region_id", "as_of"))
    now = timezone.now()
    user = actor.pk
    with transaction.atomic():
        upsert_rows(VillageRecord._meta.db_table, ["region_id", "as_of", *fields, "uploaded_by_id", "uploaded_at"],
                    ["region_id", "as_of"], [*fields, "uploaded_by_id", "uploaded_at"],
                    [(r["village"], r["as_of"], *[r[f] for f in fields], user, now) for r in rows])
        summary.updated = sum(1 for r in rows if (r["village"], r["as_of"]) in existing)
        summary.created = len(rows) - summary.updated
        populations = feed_rural_population({r["village"] for r in rows})
        audit.record(actor=actor, action=AuditEvent.Action.BULK, object_type="quality.villagerecord",
                     region_code=scope.prefix or "",
                     summary=f"village basic data {filename}: {summary.created} created, {summary.updated} updated, "
                             f"{populations} rural populations set",
                     detail=summary.as_dict())
    return summary


def feed_rural_population(villages: set[str]) -> int:
    """The rural population of each village and year — the incidence denominator (lifecycle.RuralPopulation) —
    becomes the persons of the village's latest basic-data record of that year (#14 item 5: it comes from the
    village basic data, not from the admin site). One read of the villages' records and one upsert; the indicators
    of those villages are marked changed."""
    from fupin.core.changes import mark_changed
    from fupin.lifecycle.models import RuralPopulation

    if not villages:
        return 0
    latest: dict[tuple[str, int], tuple[Any, int]] = {}
    for region, as_of, persons in (VillageRecord.objects.filter(region_id__in=villages)
                                   .values_list("region_id", "as_of", "persons")):
        key = (region, as_of.year)
        if key not in latest or as_of > latest[key][0]:
            latest[key] = (as_of, persons)
    rows = [(region, year, persons) for (region, year), (_d, persons) in sorted(latest.items())]
    upsert_rows(RuralPopulation._meta.db_table, ["region_id", "year", "persons"], ["region_id", "year"], ["persons"],
                rows)
    mark_changed(sorted(villages))
    return len(rows)
