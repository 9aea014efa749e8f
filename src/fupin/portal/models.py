"""The public portal (R12): articles with a small editorial workflow, published reports, the feedback and
report (举报) queue, and the generation counter that invalidates every cached public page at once."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Generation(models.Model):
    """One row: bumped when anything shown on the portal changes (a period frozen, an item published or
    withdrawn). Cached public pages are keyed by it, so every worker process drops its copies at once."""

    value = models.PositiveBigIntegerField(default=1)

    class Meta:
        verbose_name = _("portal cache generation")

    def __str__(self) -> str:
        return str(self.value)


class Article(models.Model):
    """News, policy or a typical case: draft → review → published (an editor writes, a reviewer publishes)."""

    class Category(models.TextChoices):
        NEWS = "news", _("News")
        POLICY = "policy", _("Policy")
        CASE = "case", _("Typical case")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("Awaiting review")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("article title"), max_length=120)
    summary = models.CharField(_("summary for sharing"), max_length=200,
                               help_text=_("Shown when the page is shared on WeChat and in lists."))
    body = models.TextField(_("article text"))
    category = models.CharField(_("article category"), max_length=8, choices=Category.choices)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="portal_articles")
    status = models.CharField(_("article status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    SCOPE_FIELD: ClassVar[str] = "region__code"

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-created_at"]
        indexes = [models.Index(fields=["status", "-published_at"], name="portal_article_published")]
        constraints = [models.CheckConstraint(condition=~Q(status="published") | Q(published_at__isnull=False),
                                              name="portal_article_published_has_date")]

    def __str__(self) -> str:
        return self.title


class ReportPublication(models.Model):
    """An annual report or bulletin of the indicators app, reviewed and published on the portal."""

    report = models.OneToOneField("indicators.Report", verbose_name=_("report"), on_delete=models.CASCADE,
                                  related_name="publication")
    title = models.CharField(_("published title"), max_length=120)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        verbose_name = _("published report")
        verbose_name_plural = _("published reports")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.title


class Feedback(models.Model):
    """A message or a report (举报) from the public, routed to the township's queue. The sender keeps the
    reference number to look up the answer; the contact is seen by the township only."""

    class Kind(models.TextChoices):
        FEEDBACK = "feedback", _("Suggestion or question")
        REPORT = "report", _("Report of wrongdoing (举报)")

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("feedback status", "Received")  # not the fund lines' "Received"
        HANDLING = "handling", _("Being handled")
        ANSWERED = "answered", _("Answered")

    reference = models.CharField(_("reference number"), max_length=16, unique=True)
    kind = models.CharField(_("message type"), max_length=8, choices=Kind.choices)
    township = models.ForeignKey("regions.Region", verbose_name=_("township"), on_delete=models.PROTECT,
                                 related_name="portal_feedback")
    text = models.TextField(_("message"))
    contact = models.CharField(_("sender contact"), max_length=100, blank=True)
    status = models.CharField(_("handling status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    answer = models.TextField(_("answer to the sender"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    SCOPE_FIELD: ClassVar[str] = "township__code"

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["township", "status"], name="portal_feedback_queue")]

    def __str__(self) -> str:
        return self.reference
