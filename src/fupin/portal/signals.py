"""What invalidates the cached public pages: a period frozen, an item published, changed or withdrawn."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from fupin.indicators.models import Period
from fupin.lifecycle.models import Case, Notice
from fupin.portal.cache import bump
from fupin.portal.models import Article, ReportPublication
from fupin.welfare import models as welfare

WATCHED = (Notice, Case, Article, ReportPublication, welfare.Need, welfare.WelfareProject, welfare.Donation,
           welfare.Disbursement, welfare.Pairing, welfare.Commitment, welfare.QuarterReport, welfare.Donor)


def _changed(sender: Any, **kwargs: Any) -> None:
    bump()


def _period_saved(sender: Any, instance: Period, **kwargs: Any) -> None:
    if instance.frozen_at is not None:
        bump()


for model in WATCHED:
    post_save.connect(_changed, sender=model, dispatch_uid=f"portal-{model._meta.label_lower}")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"portal-del-{model._meta.label_lower}")
post_save.connect(_period_saved, sender=Period, dispatch_uid="portal-period")
