"""Runs and findings: re-runs add no duplicates, fixes are confirmed by the next run, an exempted finding opens
again only when its data change or the exemption expires; parameters per province and year; a year without a
line is an explicit error; the catalogue syncs and validates its parameters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fupin.core.permissions import SYSTEM
from fupin.quality import services
from fupin.quality.models import Finding, Rule, RuleParameter, Tally
from fupin.quality.rules import RULES
from fupin.quality.tests.helpers import AS_OF, child, spouse
from fupin.registry.models import Member, PovertyLine

CODE = "C01_NO_MEDICAL_INSURANCE"


def uninsured(m: Member) -> str:
    Member.objects.filter(pk=m.pk).update(has_medical_insurance=False)
    return f"person:{m.pk}"


def test_rerun_adds_no_duplicates_and_confirms_fixes(base):
    a, b = uninsured(spouse(base["poor"])), uninsured(spouse(base["exited"]))
    first = services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=[CODE])
    assert first.summary["new"] == 2
    second = services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=[CODE])
    assert second.summary["new"] == 0
    assert Finding.objects.filter(rule_id=CODE).count() == 2
    Member.objects.filter(pk=spouse(base["poor"]).pk).update(has_medical_insurance=True)
    third = services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=[CODE])
    assert third.summary["fixed"] == 1
    fixed = Finding.objects.get(record=a)
    assert (fixed.state, fixed.fixed_run_id) == (Finding.State.FIXED, third.pk)
    assert Finding.objects.get(record=b).state == Finding.State.OPEN
    # the trend: open findings per run and township
    assert list(Tally.objects.filter(rule=CODE).order_by("run_id").values_list("run_id", "open")) == [
        (first.pk, 1), (first.pk, 1), (second.pk, 1), (second.pk, 1), (third.pk, 1)]
    # it comes back: reopened
    uninsured(spouse(base["poor"]))
    fourth = services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=[CODE])
    assert fourth.summary["reopened"] == 1
    again = Finding.objects.get(record=a)
    assert (again.state, again.reopened, again.reopened_run_id) == (Finding.State.OPEN, 1, fourth.pk)


def test_exemption_needs_reason_and_another_approver_and_reopens_on_changed_data(base, users):
    record = uninsured(spouse(base["poor"]))
    services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=["C01_NO_MEDICAL_INSURANCE", "L03_ILL_FULL_LABOUR"])
    f = Finding.objects.get(record=record)
    until = dt.date.today() + dt.timedelta(days=90)
    with pytest.raises(ValidationError, match="reason is required"):
        services.request_exemption(actor=users["township"], finding_id=f.pk, reason=" ", until=until)
    with pytest.raises(ValidationError, match="expiry"):
        services.request_exemption(actor=users["township"], finding_id=f.pk, reason="外出", until=dt.date.today())
    with pytest.raises(PermissionDenied):
        services.request_exemption(actor=users["clerk"], finding_id=f.pk, reason="外出", until=until)
    services.request_exemption(actor=users["county"], finding_id=f.pk, reason="在外地参保，凭证已核", until=until)
    with pytest.raises(PermissionDenied, match="own request"):
        services.decide_exemption(actor=users["county"], finding_id=f.pk, approve=True)
    services.decide_exemption(actor=users["sysadmin"], finding_id=f.pk, approve=True)
    f.refresh_from_db()
    assert (f.state, f.exemption_approved_by, f.exempt_until) == (Finding.State.EXEMPTED, users["sysadmin"], until)
    # same data: stays exempted (and is not "fixed" either)
    services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=[CODE])
    f.refresh_from_db()
    assert f.state == Finding.State.EXEMPTED
    # the evidence changes when another rule's data change? no: only this rule's evidence counts. Make it change:
    Member.objects.filter(pk=spouse(base["poor"]).pk).update(health="03")
    services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=["L03_ILL_FULL_LABOUR"])
    f.refresh_from_db()
    assert f.state == Finding.State.EXEMPTED
    # an expired exemption opens again
    Finding.objects.filter(pk=f.pk).update(exempt_until=AS_OF - dt.timedelta(days=1))
    services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=[CODE])
    f.refresh_from_db()
    assert (f.state, f.reopened, f.exemption_reason) == (Finding.State.OPEN, 1, "")


def test_exempted_finding_reopens_when_its_evidence_changes(base, users):
    code = "S01_COMPULSORY_OUT"
    Member.objects.filter(pk=child(base["poor"]).pk).update(schooling="01")
    services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=[code])
    f = Finding.objects.get(rule_id=code)
    services.request_exemption(actor=users["township"], finding_id=f.pk, reason="送教上门",
                               until=dt.date.today() + dt.timedelta(days=30))
    services.decide_exemption(actor=users["county"], finding_id=f.pk, approve=True)
    Member.objects.filter(pk=child(base["poor"]).pk).update(schooling="")
    services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=[code])
    f.refresh_from_db()
    assert (f.state, f.reopened) == (Finding.State.OPEN, 1)


def test_parameters_by_province_and_year(base, tree, users):
    code = "S01_COMPULSORY_OUT"
    Member.objects.filter(pk=child(base["poor"]).pk).update(schooling="01")  # 14, Yunnan
    Member.objects.filter(pk=child(base["guizhou"]).pk).update(schooling="01")  # 14, Guizhou
    services.set_parameters(actor=users["sysadmin"], code=code, values={"max_age": 13}, province="53")
    services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=[code])
    assert set(Finding.objects.filter(rule_id=code, state="open").values_list("region_code", flat=True)) == {
        "520102001001"}
    # a row for the year of the run wins over the all-years row
    services.set_parameters(actor=users["sysadmin"], code=code, values={"max_age": 15}, province="53", year=2026)
    services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=[code])
    assert Finding.objects.filter(rule_id=code, state="open").count() == 2
    services.run_quality(actor=SYSTEM, as_of=dt.date(2027, 1, 10), rule_codes=[code])  # 2027: the all-years row again
    assert Finding.objects.filter(rule_id=code, state="open").count() == 1


@pytest.mark.parametrize("values, message", [
    ({"min_age": -1}, "cannot be negative"),
    ({"max_age": "abc"}, "must be a number"),
    ({"max_age": 6.5}, "whole number"),
    ({"min_age": 16, "max_age": 10}, "min_age is above max_age"),
    ({"nonsense": 3}, "has no parameter"),
])
def test_bad_parameters_are_refused_with_a_clear_message(db, users, values, message):
    with pytest.raises(ValidationError, match=message):
        services.set_parameters(actor=users["sysadmin"], code="S01_COMPULSORY_OUT", values=values)
    assert not RuleParameter.objects.exists()


def test_unknown_codes_provinces_and_rules_are_refused(db, users):
    from fupin.quality.catalogue import Param

    with pytest.raises(ValidationError, match="unknown code 77"):
        Param("kinds", ["01"], "codes", codelist="measure_type").clean(["01", "77"])
    with pytest.raises(ValidationError, match="unknown province"):
        services.set_parameters(actor=users["sysadmin"], code="S01_COMPULSORY_OUT", values={"max_age": 14},
                                province="99")
    with pytest.raises(ValidationError, match="unknown quality rule"):
        services.set_parameters(actor=users["sysadmin"], code="NOPE", values={})
    with pytest.raises(PermissionDenied):
        services.set_parameters(actor=users["county"], code="S01_COMPULSORY_OUT", values={"max_age": 14})


def test_a_year_without_a_line_is_an_explicit_error(base):
    PovertyLine.objects.filter(standard="monitoring", province="52").delete()
    run = services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=["I03_POOR_INCOME_HIGH", "C01_NO_MEDICAL_INSURANCE"])
    assert "I03_POOR_INCOME_HIGH" not in run.summary["hits"]
    assert "2025/52" in run.summary["errors"]["I03_POOR_INCOME_HIGH"]
    assert "no poverty line" in run.summary["errors"]["I03_POOR_INCOME_HIGH"]


def test_switched_off_or_not_yet_effective_rules_do_not_run(base, users):
    uninsured(spouse(base["poor"]))
    services.update_rule(actor=users["sysadmin"], code=CODE, enabled=False)
    run = services.run_quality(actor=SYSTEM, as_of=AS_OF)
    assert CODE not in run.summary["hits"]
    services.update_rule(actor=users["sysadmin"], code=CODE, enabled=True, effective_from=dt.date(2027, 1, 1))
    assert CODE not in services.run_quality(actor=SYSTEM, as_of=AS_OF).summary["hits"]
    with pytest.raises(ValidationError, match="unknown household status"):
        services.update_rule(actor=users["sysadmin"], code=CODE, statuses=["poor", "rich"])


def test_catalogue_sync_keeps_the_administrators_choices(db, users):
    services.sync_catalogue()
    assert Rule.objects.count() == len(RULES)
    services.update_rule(actor=users["sysadmin"], code=CODE, severity="hint", enabled=False)
    Rule.objects.create(code="GONE", name="旧", name_en="old", family="person", subject="person", severity="hint")
    services.sync_catalogue()
    r = Rule.objects.get(code=CODE)
    assert (r.severity, r.enabled) == ("hint", False)
    assert (Rule.objects.get(code="GONE").in_catalogue, Rule.objects.get(code="GONE").enabled) == (False, False)


def test_catalogue_sync_after_another_process_added_the_rules(db, users, monkeypatch):
    """Two imports at once on a new database: both read the catalogue empty, the other one inserts the rules first.
    The later sync takes the rows there instead of failing on the duplicate code, and keeps the choices made."""
    services.sync_catalogue()
    services.update_rule(actor=users["sysadmin"], code=CODE, severity="hint")
    real = Rule.objects.all
    monkeypatch.setattr(Rule.objects, "all", lambda: Rule.objects.none())  # this process saw no rule yet
    out = services.sync_catalogue()
    monkeypatch.setattr(Rule.objects, "all", real)
    assert set(out) == set(RULES) and Rule.objects.count() == len(RULES)
    assert Rule.objects.get(code=CODE).severity == "hint"


def test_warnings_for_households_at_entry(base):
    uninsured(spouse(base["poor"]))
    uninsured(spouse(base["guizhou"]))
    out = services.warnings_for([base["poor"].pk], as_of=AS_OF)
    assert list(out) == [base["poor"].pk]
    assert [w["rule"] for w in out[base["poor"].pk]] == [CODE]
    assert not Finding.objects.exists()


def test_fingerprint_merge_writes_only_what_changed(base, users):
    """The merge compares the hits with the findings' fingerprints: a re-run on the same data writes nothing at all;
    changed evidence of an open finding updates it (still open); changed evidence of an exempted one reopens it; a
    record no longer hit is fixed, and the tally follows."""
    code = "L01_CHILD_LABOUR"  # evidence: the child's age and labour skill

    def labour(h: str, skill: str) -> str:
        Member.objects.filter(pk=child(base[h]).pk).update(labour_skill=skill)
        return f"person:{child(base[h]).pk}"

    a, b = labour("poor", "01"), labour("exited", "01")
    first = services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=[code])
    assert (first.summary["new"], first.summary["written"]) == (2, 2)
    columns = [f.attname for f in Finding._meta.concrete_fields]
    before = list(Finding.objects.order_by("id").values_list(*columns))

    again = services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=[code])
    assert {k: again.summary[k] for k in ("new", "changed", "reopened", "fixed", "written")} == dict.fromkeys(
        ("new", "changed", "reopened", "fixed", "written"), 0)
    assert list(Finding.objects.order_by("id").values_list(*columns)) == before  # not one column rewritten

    # exempted, then its data change: it reopens
    fa = Finding.objects.get(rule_id=code, record=a)
    services.request_exemption(actor=users["county"], finding_id=fa.pk, reason="家庭农场帮工，已核实",
                               until=dt.date.today() + dt.timedelta(days=30))
    services.decide_exemption(actor=users["sysadmin"], finding_id=fa.pk, approve=True)
    labour("poor", "02")
    third = services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=[code])
    assert {k: third.summary[k] for k in ("new", "changed", "reopened", "fixed", "written")} == {
        "new": 0, "changed": 0, "reopened": 1, "fixed": 0, "written": 1}
    fa.refresh_from_db()
    assert (fa.state, fa.reopened, fa.reopened_run_id, fa.exemption_reason, fa.evidence["labour_skill"]) == (
        Finding.State.OPEN, 1, third.pk, "", "02")

    # an open finding whose evidence changes is updated, not reopened
    labour("exited", "02")
    fourth = services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=[code])
    assert (fourth.summary["changed"], fourth.summary["reopened"], fourth.summary["written"]) == (1, 0, 1)
    fb = Finding.objects.get(rule_id=code, record=b)
    assert (fb.state, fb.last_run_id, fb.reopened, fb.evidence["labour_skill"]) == (
        Finding.State.OPEN, fourth.pk, 0, "02")

    # fixed: no longer hit
    labour("exited", "")
    fifth = services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=[code])
    assert (fifth.summary["fixed"], fifth.summary["written"]) == (1, 1)
    fb.refresh_from_db()
    assert (fb.state, fb.fixed_run_id) == (Finding.State.FIXED, fifth.pk)
    assert Finding.objects.get(pk=fa.pk).state == Finding.State.OPEN
    assert sorted(Tally.objects.filter(run=fifth, rule=code).values_list("open", "exempted")) == [(1, 0)]


def test_a_large_first_merge_rebuilds_the_indexes(base, monkeypatch):
    """Many new findings into a table holding fewer: the indexes, the unique constraint and the foreign keys are
    dropped for the COPY and made again (PostgreSQL) — the same findings, the same indexes and constraints after,
    and the re-run still adds nothing."""
    from django.db import connection

    def indexes() -> list[tuple[str, str]]:
        if connection.vendor != "postgresql":
            return []
        with connection.cursor() as cur:
            cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1",
                        [Finding._meta.db_table])
            out = cur.fetchall()
            cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                        "ORDER BY 1", [Finding._meta.db_table])
            return out + cur.fetchall()

    before = indexes()
    monkeypatch.setattr(services, "BULK_ROWS", 1)
    for h in ("poor", "exited", "guizhou"):
        uninsured(spouse(base[h]))
    first = services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=[CODE])
    assert first.summary["new"] == 3 and Finding.objects.filter(rule_id=CODE, state="open").count() == 3
    assert indexes() == before
    again = services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=[CODE])
    assert (again.summary["new"], again.summary["written"]) == (0, 0)
