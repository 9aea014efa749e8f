"""Changes that leave no timestamp the incremental refresh can find. Members and yearly incomes (their tables have
no timestamp and their services do not touch the household's) set their household's ``updated_at``; households
deleted, rural population figures and poverty lines (every village) are recorded in ``ChangedRegion``. (A household
moved to another village needs nothing more: its saved ``updated_at`` finds it, and its fact names the old village.) Bulk writers that bypass
``save()`` set ``Household.updated_at`` (registry importer, demo) or call ``services.mark_changed`` themselves."""

from __future__ import annotations

import threading
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from fupin.lifecycle.models import RuralPopulation
from fupin.registry.models import Household, Income, Member, PovertyLine


def _mark(*codes: str | None) -> None:
    from fupin.indicators.services import mark_changed

    mark_changed([c for c in codes if c])


_local = threading.local()


def _flush() -> None:
    from fupin.indicators.services import mark_changed

    codes = set(getattr(_local, "pending", ()))
    _local.pending = set()
    mark_changed(codes)


def _defer(*codes: str | None) -> None:
    """Marks written once when the transaction commits: a queryset delete of many households sends one signal per
    household, and one INSERT each would multiply its cost."""
    wanted = {c for c in codes if c}
    if not connection.in_atomic_block:
        _local.pending = wanted
        _flush()
        return
    if not any(entry[1] is _flush for entry in connection.run_on_commit):
        _local.pending = set()  # left over from a transaction that rolled back
        transaction.on_commit(_flush)
    _local.pending = getattr(_local, "pending", set()) | wanted


def member_changed(sender: Any, instance: Member | Income, **kwargs: Any) -> None:
    """A member or a yearly income saved: the household's dossier changed, so its ``updated_at`` says so (their
    services do not touch it), and the refresh recomputes that household only. (No receiver on their deletion:
    that would take the fast path from queryset deletes; members leave a household by ``is_active``, and deleting a
    household marks its village.)"""
    Household.objects.filter(pk=instance.household_id).update(updated_at=timezone.now())


def line_changed(sender: Any, instance: PovertyLine, **kwargs: Any) -> None:
    from fupin.indicators.services import mark_changed

    mark_changed([instance.province])  # "" (the national line): every village


def household_deleted(sender: Any, instance: Household, **kwargs: Any) -> None:
    _defer(instance.village_id)


def population_changed(sender: Any, instance: RuralPopulation, **kwargs: Any) -> None:
    _mark(instance.region_id)


def connect() -> None:
    uid = "fupin.indicators"
    post_save.connect(member_changed, sender=Member, dispatch_uid=f"{uid}.member_saved")
    post_save.connect(member_changed, sender=Income, dispatch_uid=f"{uid}.income_saved")
    post_save.connect(line_changed, sender=PovertyLine, dispatch_uid=f"{uid}.line_saved")
    post_delete.connect(line_changed, sender=PovertyLine, dispatch_uid=f"{uid}.line_deleted")
    post_delete.connect(household_deleted, sender=Household, dispatch_uid=f"{uid}.household_deleted")
    post_save.connect(population_changed, sender=RuralPopulation, dispatch_uid=f"{uid}.population_saved")
    post_delete.connect(population_changed, sender=RuralPopulation, dispatch_uid=f"{uid}.population_deleted")
