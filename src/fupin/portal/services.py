"""Writes of the portal: the editorial workflow of articles, the publication of reports, the public's feedback."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fupin.core import audit
from fupin.core.models import AuditEvent
from fupin.core.permissions import has_any_role, require_role, user_or_none
from fupin.core.roles import Role
from fupin.core.scoping import scope_of
from fupin.indicators.models import Report
from fupin.portal.models import Article, Feedback, ReportPublication
from fupin.regions.models import Level, Region

EDITOR_ROLES = (Role.WELFARE_EDITOR, Role.COUNTY_ADMIN, Role.SYSADMIN)
REVIEWER_ROLES = (Role.COUNTY_ADMIN, Role.SYSADMIN)
FEEDBACK_ROLES = (Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN)


class PortalError(ValidationError):
    pass


def _region_allowed(actor: Any, region: Region | None) -> None:
    if has_any_role(actor, (), system=True) or getattr(actor, "is_superuser", False):
        return
    scope = scope_of(actor)
    if region is None and scope.prefix != "":
        raise PermissionDenied("只能为本辖区撰写文章 / you can write only for your own region")
    if region is not None and not scope.contains(region.code):
        raise PermissionDenied("不在您的辖区内 / outside your region")


@transaction.atomic
def save_article(*, actor: Any, article: Article | None = None, title: str, summary: str, body: str, category: str,
                 region: Region | None) -> Article:
    require_role(actor, EDITOR_ROLES)
    _region_allowed(actor, region)
    if not title.strip() or not body.strip():
        raise PortalError("标题和正文不能为空 / the title and the text are required")
    if article is None:
        article = Article(author=user_or_none(actor))
    elif article.status == Article.Status.PUBLISHED:
        raise PortalError("已发布的文章不能修改 / a published article cannot be changed")
    article.title, article.summary, article.body = title.strip(), summary.strip(), body.strip()
    article.category, article.region = category, region
    article.status = Article.Status.DRAFT
    article.save()
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=article, summary=f"保存文章 / article {article.title}")
    return article


@transaction.atomic
def submit_article(*, actor: Any, article: Article) -> Article:
    require_role(actor, EDITOR_ROLES)
    _region_allowed(actor, article.region)
    if article.status != Article.Status.DRAFT:
        raise PortalError("只能提交草稿 / only a draft can be sent for review")
    article.status = Article.Status.REVIEW
    article.save(update_fields=["status"])
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=article, summary="提交审核 / sent for review")
    return article


@transaction.atomic
def review_article(*, actor: Any, article: Article, publish: bool) -> Article:
    """A reviewer publishes the article or returns it to draft; the author cannot publish their own."""
    require_role(actor, REVIEWER_ROLES)
    _region_allowed(actor, article.region)
    if article.status != Article.Status.REVIEW:
        raise PortalError("只能审核待审文章 / only an article awaiting review can be reviewed")
    if article.author_id is not None and article.author_id == getattr(actor, "pk", None):
        raise PermissionDenied("不能审核自己撰写的文章 / you cannot review your own article")
    article.status = Article.Status.PUBLISHED if publish else Article.Status.DRAFT
    article.reviewer = user_or_none(actor)
    article.published_at = timezone.now() if publish else None
    article.save()
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=article,
                 summary=f"{'发布' if publish else '退回'}文章 / article {'published' if publish else 'returned'}")
    return article


@transaction.atomic
def publish_report(*, actor: Any, report: Report, title: str) -> ReportPublication:
    """A reviewer publishes a finished report of a frozen period on the portal."""
    require_role(actor, REVIEWER_ROLES)
    if report.status != Report.Status.DONE:
        raise PortalError("报告尚未生成完成 / the report is not finished")
    if not report.period.is_frozen:
        raise PortalError("只能发布已冻结期间的报告 / only a report of a frozen period can be published")
    if has_any_role(actor, REVIEWER_ROLES, system=False) and not scope_of(actor).contains(report.region_code):
        raise PermissionDenied("不在您的辖区内 / outside your region")
    pub, _created = ReportPublication.objects.update_or_create(
        report=report, defaults={"title": title.strip() or str(report), "reviewer": user_or_none(actor)})
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=pub, summary="发布报告 / report published")
    return pub


def new_reference() -> str:
    """FK + 10 characters without look-alikes (no 0/O, 1/I/L), e.g. FK7Q2M9XH4TB."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "FK" + "".join(secrets.choice(alphabet) for _ in range(10))


@transaction.atomic
def send_feedback(*, kind: str, village_or_township: Region, text: str, contact: str = "") -> Feedback:
    """The public sends a message about a place; it goes to that township's queue. No login, audited as anonymous."""
    text = text.strip()
    if len(text) < 5:
        raise PortalError("请写明反映的内容（至少 5 个字） / write what you want to tell us (at least 5 characters)")
    township = village_or_township
    if township.level == Level.VILLAGE:
        township = township.parent  # type: ignore[assignment]
    if township is None or township.level != Level.TOWNSHIP:
        raise PortalError("请选择乡镇或村 / choose a township or a village")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                fb = Feedback.objects.create(reference=new_reference(), kind=kind, township=township,
                                             text=text[:4000], contact=contact.strip()[:100])
            break
        except IntegrityError:  # pragma: no cover - 31^10 references
            continue
    audit.record(actor=None, action=AuditEvent.Action.CREATE, obj=fb, summary=f"公众反映 {fb.reference} / feedback received")
    return fb


@transaction.atomic
def answer_feedback(*, actor: Any, feedback: Feedback, answer: str, done: bool = True) -> Feedback:
    require_role(actor, FEEDBACK_ROLES)
    if not scope_of(actor).contains(feedback.township_id):
        raise PermissionDenied("不在您的辖区内 / outside your region")
    if not answer.strip():
        raise PortalError("请填写答复 / write the answer")
    feedback.answer = answer.strip()
    feedback.status = Feedback.Status.ANSWERED if done else Feedback.Status.HANDLING
    feedback.answered_by = user_or_none(actor)
    feedback.answered_at = timezone.now()
    feedback.save()
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=feedback, summary=f"答复 {feedback.reference}")
    return feedback
