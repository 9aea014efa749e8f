import hashlib
import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from fupin.core.roles import NATIONWIDE_ROLES, OWN_RECORDS_ROLES, Role


class User(AbstractUser):
    """A platform user. Everything a user sees is limited to the subtree of ``region`` (X1)."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("The user sees this region and everything below it. Empty means the whole country."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)

    SCOPE_FIELD: ClassVar[str] = "region__code"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @cached_property
    def role_codes(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes & set(roles))

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(c).label) for c in sorted(self.role_codes) if c in Role.values]

    def clean(self) -> None:
        super().clean()
        if self.pk and self.region_id is None and not self.is_superuser:
            if not self.role_codes or not self.role_codes <= {r.value for r in NATIONWIDE_ROLES | OWN_RECORDS_ROLES}:
                raise ValidationError(
                    {"region": _("Only system administrators, analysts and exchange accounts may be nationwide.")}
                )


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a hash is stored; the token is shown once when created."""

    PREFIX = "fp_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def new_raw(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class AuditLogIsAppendOnly(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    """The audit log is only ever added to: no delete through the application (on PostgreSQL a trigger also
    refuses UPDATE and DELETE of what a row says)."""

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("the audit log is append-only")


class AuditEvent(models.Model):
    """Who did what, when, from where: every write and every read of personal data (X2)."""

    class Action(models.TextChoices):
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")
        BULK = "bulk", _("bulk write")
        READ_PERSONAL = "read_personal", _("read personal data")
        EXPORT = "export", _("export")
        LOGIN = "login", _("login")
        LOGIN_FAILED = "login_failed", _("failed login")
        LOGOUT = "logout", _("logout")
        TOKEN = "token", _("API token")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("user"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    region_code = models.CharField(_("region"), max_length=12, blank=True, db_index=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=40, blank=True)
    # The hash chain (core.auditchain): set once when the row is sealed, in sealing order.
    chain_seq = models.BigIntegerField(_("chain position"), null=True, blank=True, unique=True, editable=False)
    chain_hash = models.CharField(_("chain hash"), max_length=64, blank=True, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    SCOPE_FIELD: ClassVar[str] = "region_code"

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AuditLogIsAppendOnly("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("the audit log is append-only")


class CodeItem(models.Model):
    """One entry of an official code list (致贫原因, 文化程度, …). Code lists are data, referenced by code."""

    list_code = models.CharField(_("code list"), max_length=40)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80)
    sort = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("code list item")
        verbose_name_plural = _("code list items")
        ordering = ["list_code", "sort", "code"]
        constraints = [models.UniqueConstraint(fields=["list_code", "code"], name="codeitem_unique")]

    def __str__(self) -> str:
        return f"{self.list_code}:{self.code} {self.name}"


class AuditSeal(models.Model):
    """The head of the audit log's hash chain after each seal (core.auditchain), so that removing the newest
    sealed rows is detected as well."""

    at = models.DateTimeField(_("time"), default=timezone.now)
    chain_seq = models.BigIntegerField(_("chain position"))
    chain_hash = models.CharField(_("chain hash"), max_length=64)

    class Meta:
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} #{self.chain_seq}"


def new_export_token() -> str:
    return secrets.token_urlsafe(24)


class ExportJob(models.Model):
    """A large table export (issue 21 item 8) written by the background worker to ``VAR_DIR/exports/<token>.<fmt>``
    and downloaded by the user who asked for it (``core.exports``)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("expired (file deleted)")

    # Who may open a job is its actor alone (core.exports); the region is the audited one, and scoping by it is
    # what an administrator's listing of jobs would use.
    SCOPE_FIELD: ClassVar[str] = "region_code"

    # The job's address in URLs: random, so that exports cannot be enumerated.
    token = models.CharField(_("token"), max_length=43, unique=True, default=new_export_token, editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(_("by"), max_length=150, blank=True)
    what = models.CharField(_("object type"), max_length=100)  # app.model of the rows, as in the audit record
    fmt = models.CharField(_("format"), max_length=4)  # xlsx | csv
    filename = models.CharField(_("file name"), max_length=200)
    # The rows: the dotted path of a function marked with ``core.exports.export_source`` and its JSON arguments.
    source = models.CharField(_("source"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    header = models.JSONField(_("header"), default=list)
    title = models.CharField(_("sheet title"), max_length=31, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    # What the export's audit record (written at each download) says.
    region_code = models.CharField(_("region"), max_length=12, blank=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("rows to write"), null=True, blank=True)
    done_rows = models.PositiveIntegerField(_("rows written"), default=0)
    size = models.PositiveBigIntegerField(_("file size"), default=0)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["actor", "created_at"], name="exportjob_actor_created")]

    def __str__(self) -> str:
        return f"export {self.pk} {self.what} {self.status}"

    @property
    def download_name(self) -> str:
        return f"{self.filename}.{self.fmt}"
