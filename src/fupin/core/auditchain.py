"""The audit log as a hash chain (issue 20 C5): a removed or edited row is detected by ``fupin audit verify``.

Rows are written plainly by ``core.audit.record`` (no lock on the hot path). ``seal()`` — run every minute by
``fupin schedule`` and by ``fupin audit seal`` — takes the committed rows not yet sealed, in id order, and gives
each the next chain position and ``sha256(previous hash + the row's canonical text)``. A transaction that commits
late is simply sealed later, so the chain's order is the sealing order and concurrent writers never fork it.
Each seal also stores the chain's head in ``AuditSeal``, so removing the newest rows is detected too.
Rows written since the last seal (at most about a minute) are not yet protected.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from fupin.core.models import AuditEvent, AuditSeal
from fupin.core.sql import is_postgres

GENESIS = "0" * 64
BATCH = 2_000


def canonical(row: dict[str, Any]) -> str:
    """The text a row's hash covers: every field an inspector reads (not user_id, which a user's deletion clears)."""
    return json.dumps(
        [row["id"], row["at"].isoformat(), row["username"], row["action"], row["object_type"], row["object_id"],
         row["region_code"], row["summary"], row["detail"], row["ip"], row["channel"]],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )


def link(previous: str, row: dict[str, Any]) -> str:
    return hashlib.sha256((previous + canonical(row)).encode()).hexdigest()


FIELDS = ("id", "at", "username", "action", "object_type", "object_id", "region_code", "summary", "detail", "ip",
          "channel")


def seal(limit: int | None = None) -> int:
    """Seal the committed rows not sealed yet; returns how many were sealed."""
    sealed = 0
    while limit is None or sealed < limit:
        with transaction.atomic():
            if is_postgres():
                with connection.cursor() as cur:  # one sealer at a time; writers are never blocked
                    cur.execute("SELECT pg_advisory_xact_lock(hashtext('fupin_audit_seal'))")
            head = AuditEvent.objects.filter(chain_seq__isnull=False).order_by("-chain_seq").values_list(
                "chain_seq", "chain_hash").first()
            seq, previous = (int(head[0] or 0), head[1]) if head else (0, GENESIS)
            rows = list(AuditEvent.objects.filter(chain_seq__isnull=True).order_by("id").values(*FIELDS)[:BATCH])
            if not rows:
                break
            updates = []
            for row in rows:
                seq += 1
                previous = link(previous, row)
                updates.append(AuditEvent(id=row["id"], chain_seq=seq, chain_hash=previous))
            AuditEvent.objects.bulk_update(updates, ["chain_seq", "chain_hash"], batch_size=500)
            AuditSeal.objects.create(chain_seq=seq, chain_hash=previous)
            sealed += len(rows)
    return sealed


@dataclass
class Verification:
    checked: int = 0
    unsealed: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _sealed_rows() -> Iterator[dict[str, Any]]:
    last = 0
    while True:
        rows = list(AuditEvent.objects.filter(chain_seq__gt=last).order_by("chain_seq")
                    .values(*FIELDS, "chain_seq", "chain_hash")[:BATCH])
        if not rows:
            return
        yield from rows
        last = rows[-1]["chain_seq"]


def verify() -> Verification:
    """Walk the chain from its start: every position present once, every hash recomputed, and the newest seal's
    head still in the log."""
    result = Verification()
    previous, expected = GENESIS, 1
    for row in _sealed_rows():
        if row["chain_seq"] != expected:
            result.problems.append(f"rows at chain positions {expected}–{row['chain_seq'] - 1} are missing")
            expected = row["chain_seq"]
        if link(previous, row) != row["chain_hash"]:
            result.problems.append(f"row {row['id']} (chain position {row['chain_seq']}) was changed")
        previous = row["chain_hash"]  # go on from what is stored, so one edit is reported once
        expected += 1
        result.checked += 1
    head = AuditSeal.objects.order_by("-chain_seq").first()
    if head is not None and (head.chain_seq > expected - 1 or (head.chain_seq == expected - 1 and head.chain_hash != previous)):
        result.problems.append(f"the newest rows are missing: the last seal ended at position {head.chain_seq}, "
                               f"the log at {expected - 1}")
    result.unsealed = AuditEvent.objects.filter(chain_seq__isnull=True).count()
    return result
