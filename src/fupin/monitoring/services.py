"""Writes of early warning (R5), one function per business action: run the rules, visit an alert, dismiss
it, include the household as a monitoring object. Views, the command and the background task call these.
Refusals raise ``ValidationError`` or ``PermissionDenied`` with a message "中文 / English"."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from fupin.core import audit, params, permissions
from fupin.core.changes import mark_changed
from fupin.core.models import AuditEvent
from fupin.core.roles import Role
from fupin.core.scoping import get_scoped_or_404
from fupin.monitoring.models import Alert, RiskReport, RuleSetting, Run
from fupin.monitoring.rules import RULES, Ctx, drop_temporary
from fupin.registry.history import record_version
from fupin.registry.models import Household, HouseholdVersion

ACT_ROLES = (Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN, Role.SYSADMIN)
TABLE = Alert._meta.db_table


def ensure_settings() -> list[RuleSetting]:
    """The national setting of every rule (created with the defaults on first use) and any provincial ones."""
    existing = {(s.rule, s.province) for s in RuleSetting.objects.all()}
    for code, spec in RULES.items():
        if (code, "") not in existing:
            RuleSetting.objects.create(rule=code, province="", severity=spec.severity, points=spec.points,
                                       params=dict(spec.params), deadline_days=spec.deadline_days)
    return list(RuleSetting.objects.filter(rule__in=list(RULES)).order_by("rule", "province"))


def _merge_sql(select: str) -> str:
    """Upsert the hits of one rule setting: new alerts are inserted; an open alert gets the new evidence; a
    resolved one (dismissed, included) is reopened only when its evidence fingerprint changed."""
    changed = f"{TABLE}.state IN ('dismissed', 'included') AND {TABLE}.fingerprint <> excluded.fingerprint"
    return f"""
        INSERT INTO {TABLE} (rule, household_id, region_code, township_code, cadre_id, severity, points, evidence,
            fingerprint, state, active, deadline, first_run_id, last_run_id, reopened_run_id, reopened, visit_note,
            reason, created_at, updated_at)
        SELECT %s, hits.household_id, hits.region_code, substr(hits.region_code, 1, 9), hits.cadre_id, %s, %s,
            hits.evidence, hits.fingerprint, 'new', %s, %s, %s, %s, NULL, 0, '', '', %s, %s
        FROM ({select}) hits WHERE 1 = 1
        ON CONFLICT (rule, household_id) DO UPDATE SET
            region_code = excluded.region_code, township_code = excluded.township_code, cadre_id = excluded.cadre_id,
            severity = excluded.severity, points = excluded.points, evidence = excluded.evidence,
            fingerprint = excluded.fingerprint, active = excluded.active, last_run_id = excluded.last_run_id,
            state = CASE WHEN {changed} THEN 'new' ELSE {TABLE}.state END,
            deadline = CASE WHEN {changed} THEN excluded.deadline ELSE {TABLE}.deadline END,
            reopened = {TABLE}.reopened + CASE WHEN {changed} THEN 1 ELSE 0 END,
            reopened_run_id = CASE WHEN {changed} THEN excluded.last_run_id ELSE {TABLE}.reopened_run_id END,
            updated_at = CASE WHEN {TABLE}.fingerprint <> excluded.fingerprint THEN excluded.updated_at
                              ELSE {TABLE}.updated_at END
    """


def run_rules(*, actor: Any, as_of: dt.date | None = None, rule_codes: list[str] | None = None) -> Run:
    """Run every enabled warning rule over all households, set-based (one INSERT … SELECT … ON CONFLICT per
    rule and setting), and mark open alerts no longer found as inactive. Re-runs add no duplicates."""
    if not permissions.can_run_jobs(actor):
        raise PermissionDenied("只有系统管理员可以运行预警 / only system administrators run the warning rules")
    return _run(actor=actor, as_of=as_of, rule_codes=rule_codes)


def _run(*, actor: Any, as_of: dt.date | None, rule_codes: list[str] | None) -> Run:
    as_of = as_of or timezone.localdate()
    started = time.perf_counter()
    settings_rows = ensure_settings()
    chosen = set(rule_codes or RULES)
    with transaction.atomic():
        run = Run.objects.create(as_of=as_of, username=getattr(actor, "username", "") or "")
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        hits: dict[str, int] = {}
        sources: dict[str, dict[str, Any]] = {}
        skipped: dict[str, str] = {}
        for code in sorted({s.rule for s in settings_rows if s.rule in chosen and s.enabled}):
            prepare = RULES[code].prepare
            if prepare is not None:
                loaded = prepare(as_of)
                if isinstance(loaded, str):
                    skipped[code] = loaded
                else:
                    sources[code] = loaded
        for s in settings_rows:
            if s.rule not in chosen or not s.enabled or s.rule in skipped:
                continue
            provincial = sorted(p.province for p in settings_rows if p.rule == s.rule and p.province)
            ctx = Ctx(as_of=as_of, params={**RULES[s.rule].params, **s.params}, include=s.province or None,
                      exclude=() if s.province else tuple(provincial), source=sources.get(s.rule, {}))
            select, params = RULES[s.rule].sql(ctx)
            deadline = connection.ops.adapt_datefield_value(as_of + dt.timedelta(days=s.deadline_days))
            with connection.cursor() as cur:
                cur.execute(_merge_sql(select), [s.rule, s.severity, s.points, True, deadline, run.pk, run.pk, now, now,
                                                 *params])
                hits[s.rule] = hits.get(s.rule, 0) + max(cur.rowcount, 0)
        drop_temporary()
        # A skipped rule (its data missing) clears nothing: its alerts stand on the data last seen.
        ran = [c for c in chosen if c not in skipped and any(s.rule == c and s.enabled for s in settings_rows)]
        cleared = Alert.objects.filter(rule__in=ran, active=True).exclude(last_run=run).update(active=False)
        run.finished_at = timezone.now()
        run.summary = {
            "hits": hits, "new": Alert.objects.filter(first_run=run).count(),
            "reopened": Alert.objects.filter(reopened_run=run).count(), "cleared": cleared,
            "seconds": round(time.perf_counter() - started, 2), "sources": sources, "skipped": skipped,
        }
        run.save(update_fields=["finished_at", "summary"])
        audit.record(actor=actor, action=AuditEvent.Action.BULK, obj=run, object_type="monitoring.run",
                     summary=f"warning run {run.pk}: {sum(hits.values())} hits, {run.summary['new']} new alerts, "
                             f"{run.summary['reopened']} reopened", detail=run.summary)
        mark_changed(())  # alerts are recomputed in full by every refresh: no village to mark, a refresh to request
    return run


# --- work on an alert -----------------------------------------------------------------------------------

def check_actor(actor: Any) -> None:
    """Who works on alerts (``ACT_ROLES``). The API checks it before the alert is looked up: a role that may never act
    on an alert is refused (403) whether the alert exists or not, so the answer tells it nothing (issue 20)."""
    _require(actor)


def _require(actor: Any) -> None:
    if not permissions.is_user(actor):
        raise PermissionDenied("请先登录 / please log in")
    permissions.require_role(actor, ACT_ROLES, system=False)


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({what: "请填写 / this is required"})
    return value


def _locked(actor: Any, alert_id: int) -> Alert:
    alert = get_scoped_or_404(Alert.objects.select_for_update(of=("self",)).select_related("household"), actor,
                              pk=alert_id)
    if not alert.is_open:
        raise ValidationError({"state": "该预警已处理 / this alert is already resolved"})
    return alert


def _name(alert: Alert) -> str:
    spec = RULES.get(alert.rule)
    return spec.name if spec else alert.rule


def _record(actor: Any, alert: Alert, what: str, note: str) -> None:
    record_version(alert.household, kind=HouseholdVersion.Kind.UPDATE, actor=actor,
                   reason=f"防返贫预警 #{alert.pk}（{_name(alert)}）{what}：{note}")
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=alert,
                 summary=f"alert {alert.pk} {alert.rule} {alert.state}: {note}"[:300],
                 detail={"rule": alert.rule, "household": alert.household_id, "state": alert.state})


@transaction.atomic
def visit(*, actor: Any, alert_id: int, note: str) -> Alert:
    """The household was visited (走访核实); the note says what was found."""
    _require(actor)
    note = _text(note, "note")
    alert = _locked(actor, alert_id)
    alert.state, alert.visit_note, alert.visited_at = Alert.State.VISITED, note, timezone.now()
    alert.updated_at = alert.visited_at
    alert.save()
    _record(actor, alert, "已走访", note)
    mark_changed([alert.region_code])
    return alert


@transaction.atomic
def dismiss(*, actor: Any, alert_id: int, reason: str) -> Alert:
    """No risk after all (排除); it stays dismissed until the evidence changes."""
    _require(actor)
    reason = _text(reason, "reason")[:300]
    alert = _locked(actor, alert_id)
    alert.state, alert.reason, alert.resolved_by = Alert.State.DISMISSED, reason, actor
    alert.resolved_at = alert.updated_at = timezone.now()
    alert.save()
    _record(actor, alert, "排除", reason)
    mark_changed([alert.region_code])
    return alert


# 脱贫不稳定户 for exited households, 边缘易致贫户 for the others.
CATEGORY_BY_STATUS = {"exited": "01", "non_poor": "02"}


def _category(alert: Alert, status: str) -> str:
    """突发严重困难户 when the alert is a sudden difficulty (disaster, accident, illness, medical costs), else by
    status."""
    spec = RULES.get(alert.rule)
    if spec is not None and spec.sudden:
        return "03"
    return CATEGORY_BY_STATUS.get(status, "03")


@transaction.atomic
def include(*, actor: Any, alert_id: int, reason: str) -> Alert:
    """Include the household as a monitoring object (纳入监测): opens the lifecycle procedure (origin
    "verification", the township reviewer or county administrator who checked the alert opens it) with the
    risks of every open alert of the household. The lifecycle's refusal is raised unchanged."""
    from fupin.lifecycle import services as lifecycle

    _require(actor)
    reason = _text(reason, "reason")
    alert = _locked(actor, alert_id)
    household = alert.household
    others = list(Alert.objects.select_for_update().filter(household=household, state__in=Alert.OPEN_STATES)
                  .order_by("-points", "id"))
    risks = list(dict.fromkeys(RULES[a.rule].risk for a in others if a.rule in RULES))[:lifecycle.MAX_RISKS]
    evidence = "\n".join(f"预警 #{a.pk} {_name(a)}：" + "；".join(f"{k}: {v}" for k, v in sorted(a.evidence.items()))
                         for a in others)
    case = lifecycle.open_case(
        actor=actor, household=household, kind="monitoring", origin=lifecycle.ORIGIN_VERIFICATION,
        category=_category(alert, household.status), risks=risks or ["99"],
        reason=f"防返贫预警 #{alert.pk}（{_name(alert)}）：{reason}", evidence=evidence,
    )
    now = timezone.now()
    for a in others:
        a.state, a.case, a.resolved_by, a.resolved_at, a.updated_at = Alert.State.INCLUDED, case, actor, now, now
        a.reason = reason[:300]
        a.save()
        audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=a,
                     summary=f"alert {a.pk} {a.rule} included: case #{case.pk}"[:300],
                     detail={"rule": a.rule, "household": a.household_id, "case": case.pk})
    alert.refresh_from_db()
    mark_changed([alert.region_code])
    record_version(household, kind=HouseholdVersion.Kind.UPDATE, actor=actor,
                   reason=f"防返贫预警 #{alert.pk}（{_name(alert)}）纳入监测：已开启监测对象认定程序 #{case.pk}；{reason}")
    return alert


# --- risk reports --------------------------------------------------------------------------------------

REPORT_ROLES = (Role.CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN, Role.SYSADMIN)
RULE_OF_REPORT: dict[str, str] = {RiskReport.Kind.DISASTER: "REPORTED_DISASTER", RiskReport.Kind.ACCIDENT: "REPORTED_ACCIDENT",
                  RiskReport.Kind.ILLNESS: "REPORTED_ILLNESS", RiskReport.Kind.OTHER: "REPORTED_OTHER",
                  RiskReport.Kind.JOB_LOSS: "JOB_LOSS"}

REPORT_KIND_ZH = {"disaster": "自然灾害", "accident": "意外事故", "illness": "重大疾病", "job_loss": "失去工作",
                  "other": "其他突发严重困难"}


@transaction.atomic
def report_risk(
    *, actor: Any, household_id: int, kind: str, occurred_on: dt.date | None, description: str, source: str,
    reporter: str = "", loss: Decimal | None = None,
) -> RiskReport:
    """Record a sudden difficulty of a household of the actor's region (风险报告) on its dossier, then run that
    kind's warning rule at once, so that the alert is in the township's queue without waiting for the night."""
    if not permissions.is_user(actor):
        raise PermissionDenied("请先登录 / please log in")
    if not permissions.has_any_role(actor, REPORT_ROLES, system=False):
        raise PermissionDenied("没有权限 / not allowed for your role")
    household = get_scoped_or_404(Household.objects.all(), actor, pk=household_id)
    errors: dict[str, str] = {}
    if kind not in RiskReport.Kind.values:
        errors["kind"] = "请选择风险类别 / choose the kind of risk"
    if source not in RiskReport.Source.values:
        errors["source"] = "请选择信息来源 / choose the source"
    today = timezone.localdate()
    if occurred_on is None:
        errors["occurred_on"] = "请填写发生日期 / the date is required"
    elif occurred_on > today:
        errors["occurred_on"] = "发生日期不能晚于今天 / the date cannot be in the future"
    if not (description or "").strip():
        errors["description"] = "请填写情况说明 / describe what happened"
    if loss is not None and loss < 0:
        errors["loss"] = "金额不能为负 / the amount cannot be negative"
    # lengths and control or direction-control characters, as for registry writes (issue 20)
    for k, v in params.model_text_errors({"description": (description or "").strip(),
                                          "reporter": (reporter or "").strip()}, RiskReport).items():
        errors.setdefault(k, v)
    if errors:
        raise ValidationError(errors)
    assert occurred_on is not None
    report = RiskReport.objects.create(
        household=household, region_code=household.village_id, kind=kind, occurred_on=occurred_on,
        description=description.strip(), loss=loss, source=source, reporter=(reporter or "").strip()[:100],
        recorded_by=actor)
    label = REPORT_KIND_ZH[kind]
    record_version(household, kind=HouseholdVersion.Kind.UPDATE, actor=actor,
                   reason=f"风险报告 #{report.pk}（{label}，{occurred_on}）：{report.description}"[:300])
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=report,
                 summary=f"risk report {report.pk} {kind} {occurred_on} on household {household.number}",
                 detail={"household": household.pk, "kind": kind, "source": source})
    _run(actor=actor, as_of=today, rule_codes=[RULE_OF_REPORT[kind]])
    return report


def why_no_alert(report: RiskReport) -> str:
    """Why recording ``report`` raised no open alert, in the user's words ("中文 / English"): the rule is switched
    off for the province, the household is already registered or monitored (the rule watches households that may
    fall into poverty), the event is older than the rule looks back, the loss of work left wages above the
    threshold, or the household's alert of this rule was already decided (the decision stands until the data change)."""
    code = RULE_OF_REPORT[report.kind]
    spec = RULES[code]
    household = report.household
    province = household.village_id[:2]
    setting = (RuleSetting.objects.filter(rule=code, province=province).first()
               or RuleSetting.objects.filter(rule=code, province="").first())
    params = {**spec.params, **(setting.params if setting else {})}
    if setting is not None and not setting.enabled:
        return f"预警规则“{spec.name}”在本省已停用 / the warning rule {code} is switched off for this province"
    statuses = params.get("statuses", [])
    if statuses and household.status not in statuses:
        from fupin.core.codes import label

        return (f"该户状态为“{label('household_status', household.status)}”，本规则只对脱贫户和一般农户预警（已建档或已纳入"
                f"监测的户按帮扶程序处理） / the rule warns only about exited and non-poor households; this household "
                f"is {household.status}")
    days = int(params.get("days", 90))
    if report.occurred_on < timezone.localdate() - dt.timedelta(days=days):
        return (f"事件发生于 {report.occurred_on}，超过 {days} 天，规则不再预警 / the event is older than the {days} days "
                "the rule looks back")
    closed = Alert.objects.filter(rule=code, household=household).exclude(state__in=Alert.OPEN_STATES).first()
    if closed is not None:
        return (f"该户此类预警已于 {closed.resolved_at:%Y-%m-%d} 处理（{closed.get_state_display()}） / this household's "
                "alert of this rule was already decided" if closed.resolved_at else
                f"该户此类预警已处理（{closed.get_state_display()}） / already decided")
    if code == "JOB_LOSS":
        return (f"务工收入未低于规则阈值（{params.get('min_wages', 1000)} 元） / wages are not below the rule's "
                "threshold")
    return "未满足预警规则的条件 / the rule's conditions are not met"
