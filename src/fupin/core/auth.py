"""API authentication: the browser session (with CSRF) or a bearer token (``Authorization: Bearer fp_…``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from fupin.core.models import ApiToken


class TokenAuth(HttpBearer):
    openapi_description = "API token created under 个人设置 / Settings → API tokens, or with `fupin create_token`."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            api_token = ApiToken.objects.select_related("user", "user__region").get(key_hash=ApiToken.hash(token))
        except ApiToken.DoesNotExist:
            return None
        if not api_token.is_usable or not api_token.user.is_active:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


session_auth = SessionAuth(csrf=True)
token_auth = TokenAuth()
API_AUTH = [token_auth, session_auth]
