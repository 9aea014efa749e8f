"""Staff pages of the portal (login): articles through draft → review → publish, publishing finished reports of
frozen periods, and the township's queue of feedback and reports from the public."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.core.permissions import has_any_role
from fupin.core.scoping import get_scoped_or_404, scope_of, scoped
from fupin.core.tree import subtree_bounds
from fupin.indicators.models import Report
from fupin.portal import selectors, services
from fupin.portal.models import Article, Feedback
from fupin.regions.models import Level, Region


class ArticleForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("article title"), max_length=120)
    summary = forms.CharField(label=gettext_lazy("summary for sharing"), max_length=200)
    body = forms.CharField(label=gettext_lazy("article text"), widget=forms.Textarea(attrs={"rows": 12}))
    category = forms.ChoiceField(label=gettext_lazy("article category"), choices=Article.Category.choices)
    region = forms.ChoiceField(label=gettext_lazy("region"), required=False)


def _editor(request: HttpRequest) -> None:
    if not has_any_role(request.user, services.EDITOR_ROLES, system=False):
        raise PermissionDenied


def _articles(user: object) -> object:
    return selectors.managed_articles(user)


@login_required
def articles(request: HttpRequest) -> HttpResponse:
    _editor(request)
    return render(request, "portal/manage_articles.html", {"articles": _articles(request.user)[:200]})  # type: ignore[index]


def _region_choices(user: object) -> list[tuple[str, str]]:
    scope = scope_of(user)
    if scope.prefix is None:
        return []
    qs = Region.objects.filter(level__lte=Level.COUNTY)
    if scope.prefix:
        qs = qs.filter(code__range=subtree_bounds(scope.prefix))
    out = [("", _("Nationwide"))] if scope.prefix == "" else []
    return out + list(qs.order_by("code").values_list("code", "name")[:400])


@login_required
def article_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _editor(request)
    item = get_scoped_or_404(_articles(request.user), request.user, pk=pk) if pk else None  # type: ignore[arg-type]
    if request.method == "POST" and item is not None and request.POST.get("action") in ("submit", "publish", "return"):
        action = request.POST["action"]
        try:
            if action == "submit":
                services.submit_article(actor=request.user, article=item)
            else:
                services.review_article(actor=request.user, article=item, publish=action == "publish")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("Saved."))
        return redirect("portal_manage_article", pk=item.pk)
    initial: dict[str, object] = {"title": item.title, "summary": item.summary, "body": item.body, "category": item.category,
               "region": item.region_id or ""} if item else {}
    form = ArticleForm(request.POST or None, initial=initial)
    form.fields["region"].choices = _region_choices(request.user)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        region = Region.objects.filter(code=d["region"]).first() if d["region"] else None
        try:
            item = services.save_article(actor=request.user, article=item, title=d["title"], summary=d["summary"],
                                         body=d["body"], category=d["category"], region=region)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("portal_manage_article", pk=item.pk)
    return render(request, "portal/manage_article.html", {
        "form": form, "article": item,
        "can_review": item is not None and item.status == Article.Status.REVIEW
        and has_any_role(request.user, services.REVIEWER_ROLES, system=False) and item.author_id != request.user.pk,
    })


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    if not has_any_role(request.user, services.REVIEWER_ROLES, system=False):
        raise PermissionDenied
    if request.method == "POST":
        report = get_scoped_or_404(Report.objects.select_related("period"), request.user,
                                   pk=int(request.POST.get("report", "0") or 0))
        try:
            services.publish_report(actor=request.user, report=report, title=request.POST.get("title", ""))
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("The report is published on the portal."))
        return redirect("portal_manage_reports")
    qs = scoped(Report.objects.select_related("period", "publication"), request.user).filter(
        status=Report.Status.DONE, period__frozen_at__isnull=False)[:100]
    return render(request, "portal/manage_reports.html", {"reports": qs})


@login_required
def feedback_queue(request: HttpRequest) -> HttpResponse:
    if not has_any_role(request.user, services.FEEDBACK_ROLES, system=False):
        raise PermissionDenied
    status = request.GET.get("status", "")
    qs = scoped(Feedback.objects.select_related("township"), request.user)
    if status in Feedback.Status.values:
        qs = qs.filter(status=status)
    return render(request, "portal/manage_feedback.html", {"items": qs[:200], "status": status,
                                                           "statuses": Feedback.Status.choices})


@login_required
def feedback_item(request: HttpRequest, pk: int) -> HttpResponse:
    if not has_any_role(request.user, services.FEEDBACK_ROLES, system=False):
        raise PermissionDenied
    item = get_scoped_or_404(Feedback.objects.select_related("township"), request.user, pk=pk)
    if request.method == "POST":
        try:
            services.answer_feedback(actor=request.user, feedback=item, answer=request.POST.get("answer", ""),
                                     done=request.POST.get("done") == "1")
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("Saved."))
        return redirect("portal_manage_feedback_item", pk=pk)
    return render(request, "portal/manage_feedback_item.html", {"item": item})
