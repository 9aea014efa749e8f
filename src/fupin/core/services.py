"""Writes of the core app: role groups, API tokens. Each function validates, runs in a transaction and is audited."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from fupin.core import audit
from fupin.core.models import ApiToken, AuditEvent, User
from fupin.core.roles import Role


def ensure_role_groups() -> None:
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@transaction.atomic
def create_api_token(*, user: User, name: str, days: int | None = 365) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the stored record and the raw token, which is shown only once."""
    name = name.strip()
    if not name:
        raise ValueError("令牌名称不能为空 / the token needs a name")
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        key_hash=ApiToken.hash(raw),
        hint=raw[:8],
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    audit.record(actor=user, action=AuditEvent.Action.TOKEN, obj=token, region_code=user.region_id or "",
                 summary=f"created API token {token.name}")
    return token, raw


@transaction.atomic
def revoke_api_token(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.get(pk=token_id, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=user, action=AuditEvent.Action.TOKEN, obj=token, region_code=user.region_id or "",
                     summary=f"revoked API token {token.name}")
    return token
