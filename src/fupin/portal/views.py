"""The public portal (R12): no login. Pages are cached (``cache.public_page``) and show no personal data."""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fupin.core.audit import client_ip
from fupin.core.roles import Role
from fupin.core.tree import is_code, subtree_bounds
from fupin.lifecycle.selectors import current_notices
from fupin.portal import selectors, services
from fupin.portal.cache import public_page
from fupin.portal.models import Article, Feedback
from fupin.regions.models import Level, Region
from fupin.welfare import selectors as welfare

FEEDBACK_PER_HOUR = 5
SIGNUPS_PER_HOUR = 5


def _share(request: HttpRequest, title: str, description: str) -> dict[str, str]:
    return {"share_title": title, "share_description": description[:120],
            "share_url": request.build_absolute_uri(request.path)}


@public_page
def home(request: HttpRequest) -> HttpResponse:
    period = selectors.latest_frozen()
    progress = selectors.progress(period) if period else None
    return render(request, "portal/home.html", {
        "period": period, "progress": progress, "welfare": welfare.totals(),
        "needs": welfare.public_needs(limit=6), "projects": welfare.public_projects()[:4],
        "news": selectors.published_articles(Article.Category.NEWS)[:6],
        "policies": selectors.published_articles(Article.Category.POLICY)[:6],
        "cases": selectors.published_articles(Article.Category.CASE)[:3],
        "notices": current_notices()[:6], "reports": selectors.published_reports()[:4],
        "columns": selectors.key_figure_names(),
        **_share(request, _("Poverty alleviation information portal"),
                 _("Progress, welfare needs and projects, pairing results and notices, published openly.")),
    })


@public_page
def progress(request: HttpRequest, code: str = "") -> HttpResponse:
    year = request.GET.get("year", "")
    periods = list(selectors.frozen_years())
    period = next((p for p in periods if p.code == year), periods[0] if periods else None)
    data = selectors.progress(period, code) if period else None
    if period and data is None:
        raise Http404
    return render(request, "portal/progress.html", {
        "period": period, "periods": periods, "progress": data, "columns": selectors.key_figure_names(),
        **_share(request, _("Progress in poverty alleviation"), _("Figures of frozen periods, down to the county.")),
    })


@public_page
def needs(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/needs.html", {
        "needs": welfare.public_needs(limit=200), "welfare": welfare.totals(),
        **_share(request, _("Welfare needs"), _("Help registered households directly: N+1, several netizens for one family.")),
    })


@public_page
def need(request: HttpRequest, pk: int) -> HttpResponse:
    item = welfare.public_need(pk)
    if item is None:
        raise Http404
    return render(request, "portal/need.html", {"need": item, **_share(request, f"{item.where.label}：{item.kind}", item.story)})


@public_page
def projects(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/projects.html", {
        "projects": welfare.public_projects()[:200],
        **_share(request, _("Welfare projects"), _("Brand welfare projects and projects counties published for enterprises.")),
    })


@public_page
def project(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(welfare.public_projects(), pk=pk)
    return render(request, "portal/project.html", {
        "project": item, "ledger": welfare.ledger(project=item),
        "households": welfare.suppress(item.households_served), "villages": item.villages_served,
        **_share(request, item.name, item.description),
    })


@public_page
def pairings(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/pairings.html", {
        "rows": welfare.public_pairings(), "alliance": welfare.totals()["alliance"],
        **_share(request, _("Enterprise pairing"), _("Enterprises paired with poor counties and villages, and what they did.")),
    })


@public_page
def articles(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    if category not in Article.Category.values:
        category = ""
    return render(request, "portal/articles.html", {
        "articles": selectors.published_articles(category)[:100], "category": category,
        "categories": Article.Category.choices,
        **_share(request, _("News, policy and typical cases"), _("News, policy and typical cases of poverty alleviation.")),
    })


@public_page
def article(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(selectors.published_articles(), pk=pk)
    return render(request, "portal/article.html", {"article": item, **_share(request, item.title, item.summary)})


@public_page
def reports(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/reports.html", {"reports": selectors.published_reports()})


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest) -> HttpResponse:
    """Feedback and reports (举报): routed to the township's queue; a reference number to look the answer up.
    At most ``FEEDBACK_PER_HOUR`` messages an hour from one address."""
    province = _pick(request, "province", 2)
    county = _pick(request, "county", 6)
    if county and not county.startswith(province):
        province = county[:2]
    places = _places(province, county)
    error = ""
    if request.method == "POST":
        key = f"portal:feedback:{client_ip(request)}"
        sent = cache.get(key, 0)
        if sent >= FEEDBACK_PER_HOUR:
            error = _("Too many messages from your connection; please try again in an hour.")
            return render(request, "portal/feedback.html", {"error": error, "kinds": Feedback.Kind.choices,
                                                             **places, "form": request.POST}, status=429)
        place = Region.objects.filter(code=request.POST.get("township", ""),
                                      level__in=(Level.TOWNSHIP, Level.VILLAGE)).first()
        kind = request.POST.get("kind", "")
        if place is None:
            error = _("Choose the township your message is about.")
        elif kind not in Feedback.Kind.values:
            error = _("Choose whether this is a suggestion or a report.")
        else:
            try:
                fb = services.send_feedback(kind=kind, village_or_township=place, text=request.POST.get("text", ""),
                                            contact=request.POST.get("contact", ""))
            except services.PortalError as exc:
                error = exc.messages[0]
            else:
                cache.set(key, sent + 1, 3600)
                return redirect(f"{request.path}?sent={fb.reference}")
    return render(request, "portal/feedback.html", {
        "error": error, "kinds": Feedback.Kind.choices, **places, "sent": request.GET.get("sent", ""), "form": request.POST if request.method == "POST" else {},
    }, status=400 if error else 200)


def _pick(request: HttpRequest, name: str, length: int) -> str:
    value = request.POST.get(name, "") or request.GET.get(name, "")
    return value if is_code(value) and len(value) == length else ""


def _places(province: str, county: str) -> dict[str, object]:
    """The place picker without typing codes: a province, then its counties, then the county's townships."""
    def names(qs: object) -> list[tuple[str, str]]:
        return list(qs.order_by("code").values_list("code", "name"))  # type: ignore[attr-defined]

    return {
        "province": province, "county": county,
        "provinces": names(Region.objects.filter(level=Level.PROVINCE)),
        "counties": names(Region.objects.filter(level=Level.COUNTY, code__range=subtree_bounds(province))) if province else [],
        "townships": names(Region.objects.filter(parent_id=county, level=Level.TOWNSHIP)) if county else [],
    }


def feedback_lookup(request: HttpRequest) -> HttpResponse:
    """The sender looks the answer up by reference number (no contact, no text of others)."""
    ref = request.GET.get("ref", "").strip().upper()[:16]
    item = Feedback.objects.select_related("township").filter(reference=ref).first() if ref else None
    return render(request, "portal/feedback_lookup.html", {"ref": ref, "item": item})


def report_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The PDF of a published report (only published ones: a report not published is not public)."""
    from pathlib import Path

    from django.http import FileResponse

    pub = get_object_or_404(selectors.published_reports(), pk=pk)
    path = Path(pub.report.pdf_path)
    if not pub.report.pdf_path or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), content_type="application/pdf", filename=f"report-{pub.pk}.pdf")


def language(request: HttpRequest, code: str) -> HttpResponse:
    """Switch the language of the public pages with a plain link: cached pages carry no CSRF token, so the
    staff pages' POST form cannot be used here. Only the site's languages; only a local path to return to."""
    from django.conf import settings
    from django.utils.http import url_has_allowed_host_and_scheme

    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) or not target.startswith("/"):
        target = "/"
    response = redirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@require_http_methods(["GET", "POST"])
def donor_signup(request: HttpRequest) -> HttpResponse:
    """A netizen signs up as a donor (role ``donor``, no region: it never sees personal data), is signed in and
    lands on its donor page — or on the pledge of the need it came from. Enterprises are registered by the
    county. At most ``SIGNUPS_PER_HOUR`` accounts an hour from one address."""
    from django.contrib import messages
    from django.contrib.auth import login
    from django.core.exceptions import ValidationError

    from fupin.portal.forms import DonorSignUpForm
    from fupin.welfare import services as welfare_services

    need = request.GET.get("need", "")
    need = need if need.isdigit() and len(need) < 12 else ""
    if request.user.is_authenticated:
        if request.user.has_role(Role.DONOR):  # type: ignore[union-attr]
            return redirect(_after_signup(need))
        return render(request, "portal/donor_signup.html", {"staff": True})
    form = DonorSignUpForm(request.POST or None)
    if request.method == "POST":
        key = f"portal:signup:{client_ip(request)}"
        done = cache.get(key, 0)
        if done >= SIGNUPS_PER_HOUR:
            return render(request, "portal/donor_signup.html", {
                "form": form, "need": need,
                "error": _("Too many sign-ups from your connection; please try again in an hour.")}, status=429)
        if form.is_valid():
            d = form.cleaned_data
            try:
                donor = welfare_services.sign_up_donor(username=d["username"], password=d["password1"],
                                                       display_name=d["display_name"], anonymous=d["anonymous"],
                                                       contact=d["contact"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                cache.set(key, done + 1, 3600)
                login(request, donor.user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome. You can now pledge to a need or a project."))
                return redirect(_after_signup(need))
    return render(request, "portal/donor_signup.html", {"form": form, "need": need},
                  status=400 if form.errors else 200)


def _after_signup(need: str) -> str:
    from django.urls import reverse

    return f"{reverse('welfare_pledge')}?need={need}" if need else reverse("welfare_donor")
