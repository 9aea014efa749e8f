"""Audit you can trust (issue 20 C5): append-only through the application and, on PostgreSQL, in the database;
a hash chain that `fupin audit verify` walks to detect a removed or edited row."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from fupin.core import audit
from fupin.core.auditchain import seal, verify
from fupin.core.models import AuditEvent, AuditLogIsAppendOnly


def _write(n: int) -> list[AuditEvent]:
    return [audit.record(actor=None, action="update", object_type="registry.household", object_id=str(i),
                         region_code="533301", summary=f"change {i}", detail={"b": i, "a": [1, "二"]})
            for i in range(n)]


def _raw(sql: str, params: list) -> None:
    """What an intruder with database access does, bypassing the application (on SQLite; PostgreSQL refuses it)."""
    with connection.cursor() as cur:
        cur.execute(sql, params)


def test_the_application_cannot_change_or_delete_events(db):
    event = _write(1)[0]
    event.summary = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()


def test_an_intact_log_verifies_and_reseal_adds_nothing(db):
    _write(5)
    assert seal() >= 5
    assert seal() == 0
    result = verify()
    assert result.ok and result.checked == AuditEvent.objects.count() and result.unsealed == 0
    _write(2)
    assert verify().unsealed == 2  # written since the last seal
    seal()
    assert verify().ok


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_verify_detects_an_edited_a_removed_and_a_truncated_row(db):
    events = _write(6)
    seal()
    _raw("UPDATE core_auditevent SET summary = %s WHERE id = %s", ["harmless", events[2].id])
    result = verify()
    assert not result.ok and any(f"row {events[2].id}" in p for p in result.problems)

    _raw("UPDATE core_auditevent SET summary = %s WHERE id = %s", ["change 2", events[2].id])
    assert verify().ok
    _raw("DELETE FROM core_auditevent WHERE id = %s", [events[3].id])
    assert any("missing" in p for p in verify().problems)


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_verify_detects_the_newest_rows_removed(db):
    events = _write(4)
    seal()
    _raw("DELETE FROM core_auditevent WHERE id = %s", [events[-1].id])
    assert any("newest rows are missing" in p for p in verify().problems)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_update_and_delete(db):
    event = _write(1)[0]
    seal()
    for sql in ("UPDATE core_auditevent SET summary = 'x' WHERE id = %s",
                "UPDATE core_auditevent SET chain_hash = 'x' WHERE id = %s",
                "DELETE FROM core_auditevent WHERE id = %s"):
        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            _raw(sql, [event.id])
    assert AuditEvent.objects.get(id=event.id).summary == "change 0"


def test_commands_seal_verify_and_export(db):
    _write(3)
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "audit log intact" in out.getvalue()
    audit.record(actor=None, action="update", summary="=HYPERLINK(\"http://x\")", region_code="533301")
    out = io.StringIO()
    call_command("audit", "export", "--region", "5333", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("id,at,username")
    assert len(lines) == 5 and "'=HYPERLINK" in out.getvalue()
    with pytest.raises(CommandError, match="not a division code"):
        call_command("audit", "export", "--region", "５３", stdout=io.StringIO())
