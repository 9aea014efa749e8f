"""The portal's cards on the workbench (``home.workbench.register``; the portal sits above the home app): articles in
draft for the portal editor, articles to review for a reviewer, messages from the public to answer for the township
and the county. Each count is one aggregate over the same scoped selector as the page the card opens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.core.roles import Role
from fupin.home.workbench import Card, Item, register
from fupin.portal import selectors, services
from fupin.portal.models import Article


def articles(user: Any, today: dt.date) -> Card | None:
    """The editor's drafts (to finish and send for review); a reviewer (county) instead sees what awaits review."""
    if user.has_role(Role.WELFARE_EDITOR):
        row = selectors.article_counts(user)
        note = _("%(n)d awaiting review") % {"n": row["review"]} if row["review"] else ""
        return Card(
            "articles",
            _("Articles in draft"),
            row["draft"],
            0,
            reverse("portal_manage_articles"),
            _("Open the articles"),
            note,
        )
    if user.has_role(*services.REVIEWER_ROLES):
        row = selectors.article_counts(user)
        return Card(
            "articles",
            _("Articles to review"),
            row["to_review"],
            0,
            reverse("portal_manage_articles"),
            _("Open the articles"),
        )
    return None


def urgent_articles(user: Any, today: dt.date) -> list[Item]:
    qs = selectors.managed_articles(user).order_by("created_at", "id")
    if user.has_role(Role.WELFARE_EDITOR):
        qs = qs.filter(status=Article.Status.DRAFT)
    else:
        qs = qs.filter(status=Article.Status.REVIEW).exclude(author_id=user.pk)
    return [
        Item(
            a.title,
            f"{a.get_category_display()} · {timezone.localtime(a.created_at):%Y-%m-%d}",
            reverse("portal_manage_article", args=[a.pk]),
        )
        for a in qs[:5]
    ]


def feedback(user: Any, today: dt.date) -> Card | None:
    if not user.has_role(*services.FEEDBACK_ROLES):
        return None
    row = selectors.feedback_counts(user)
    note = _("%(n)d reports of wrongdoing (举报)") % {"n": row["reports"]} if row["reports"] else ""
    return Card(
        "feedback",
        _("Messages from the public to answer"),
        row["n"],
        row["overdue"],
        reverse("portal_manage_feedback"),
        _("Open the feedback queue"),
        note,
    )


def urgent_feedback(user: Any, today: dt.date) -> list[Item]:
    out = []
    for f in selectors.feedback_to_answer(user)[:5]:
        due = timezone.localtime(f.created_at).date() + dt.timedelta(days=selectors.ANSWER_DAYS)
        out.append(
            Item(
                f"{f.get_kind_display()} {f.reference}",
                f"{f.township.name} · {timezone.localtime(f.created_at):%Y-%m-%d}",
                reverse("portal_manage_feedback_item", args=[f.pk]),
                due,
                due < today,
            )
        )
    return out


def connect() -> None:
    register(articles, "articles", urgent_articles)
    register(feedback, "feedback", urgent_feedback)
