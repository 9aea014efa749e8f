import errno
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese first (X3): zh-Hans unless the user chose another language with the switch (a cookie).
    The browser's Accept-Language is deliberately not consulted."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class BadInputMiddleware:
    """Pages: values a form let through but the database cannot hold (integers beyond 64 bits, decimals beyond
    the column, codes it refuses) answer 400 with a bilingual message instead of a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        from django.utils.html import escape

        from fupin.core.errors import BAD_INPUT, bad_input_text, in_language

        if isinstance(exc, (*BAD_INPUT, IntegrityError)):
            return HttpResponseBadRequest(f"<!doctype html><title>400</title><p>{escape(in_language(bad_input_text(exc)))}</p>",
                                          content_type="text/html; charset=utf-8")
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            # the disk is full (issue 20 C2): the writer removed what it had begun; say so, not a server error
            return HttpResponse(DISK_FULL, status=507, content_type="text/html; charset=utf-8")
        return None


DISK_FULL = ("<!doctype html><title>507</title><p>服务器磁盘空间不足，文件未能保存，没有写入任何数据。请稍后重试，"
             "或联系系统管理员。</p><p lang=\"en\">The server's disk is full: the file was not stored and nothing was "
             "written. Try again later or contact the system administrator.</p>")


CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")


class SecurityHeadersMiddleware:
    """Content-Security-Policy on pages (scripts only from our static files: no inline scripts or handlers;
    the API's interactive docs, which load Swagger UI, are left out), and ``Cache-Control: no-store`` on every
    page and API answer that is not a static file, since they may hold personal data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(settings.STATIC_URL):
            return response
        response["Cache-Control"] = "no-store"
        if not request.path.startswith("/api/") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = CSP
        return response
