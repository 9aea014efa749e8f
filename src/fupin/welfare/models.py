"""Internet welfare (R9, 网络公益): needs of registered households published with their consent, donors and their
pledges, donations and disbursements on a public ledger, brand welfare projects, enterprise pairing with poor
counties and villages, and the welfare alliance.

The ledger is reconciled by the database itself: every need and every project keeps ``received`` and ``disbursed``
columns that triggers (``migrations/0002``, SQLite and PostgreSQL) add each donation and disbursement to, with a
CHECK that ``disbursed`` never exceeds ``received``. The services lock the row first and refuse with a clear
message; the constraint is the guarantee when anything else writes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

ZERO = Decimal(0)


class NeedKind(models.TextChoices):
    SCHOOL = "school", _("School fees")
    ILLNESS = "illness", _("Serious illness")
    HOUSING = "housing", _("Housing repair")
    ASSET = "asset", _("Productive asset")


class ConsentMethod(models.TextChoices):
    SIGNED = "signed", _("Signed consent form")
    THUMBPRINT = "thumbprint", _("Thumbprint on the consent form")
    WITNESSED = "witnessed", _("Oral consent before two witnesses")


class Donor(models.Model):
    """A netizen, an enterprise or an organisation that pledges and gives. A donor's account (role ``donor``)
    never sees personal data: needs reach it only through their public projection."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Netizen")
        ENTERPRISE = "enterprise", _("Enterprise")
        ORGANISATION = "organisation", _("Social organisation")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="donor", verbose_name=_("account"))
    kind = models.CharField(_("donor type"), max_length=12, choices=Kind.choices, default=Kind.PERSON)
    display_name = models.CharField(_("name shown on the ledger"), max_length=100)
    anonymous = models.BooleanField(_("appear as an anonymous donor"), default=False)
    contact = models.CharField(_("donor contact"), max_length=100, blank=True)  # never public
    alliance_member = models.BooleanField(_("member of the welfare alliance"), default=False)
    alliance_joined_on = models.DateField(_("joined the alliance on"), null=True, blank=True)
    # the region of the county or office that registered the donor (enterprises, organisations); a netizen who
    # signed up on the portal has none. Staff manage the donors registered in their region.
    region = models.ForeignKey("regions.Region", verbose_name=_("registered by the region"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="welfare_donors")
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    SCOPE_FIELD: ClassVar[str] = "region__code"

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return str(_("Anonymous donor")) if self.anonymous else self.display_name


class Ledgered(models.Model):
    """``received`` and ``disbursed`` are kept by the database triggers; nothing else writes them."""

    received = models.DecimalField(_("received (yuan)"), max_digits=14, decimal_places=2, default=ZERO, editable=False)
    disbursed = models.DecimalField(_("disbursed (yuan)"), max_digits=14, decimal_places=2, default=ZERO,
                                    editable=False)

    class Meta:
        abstract = True

    @property
    def balance(self) -> Decimal:
        return self.received - self.disbursed


class WelfareProject(Ledgered):
    """A brand welfare project (品牌公益项目) or a project a county publishes for enterprises to take up."""

    class Kind(models.TextChoices):
        EDUCATION = "education", _("Student aid (助学)")
        ILLNESS = "illness", _("Serious-illness relief (大病救助)")
        GOODS = "goods", _("Goods parcels (母亲邮包-style)")
        INDUSTRY = "industry", _("Industry and jobs")
        OTHER = "other", _("Other welfare project")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("project name"), max_length=120)
    organiser = models.CharField(_("organiser"), max_length=120)
    brand = models.CharField(_("brand"), max_length=120, blank=True)
    kind = models.CharField(_("project type"), max_length=12, choices=Kind.choices)
    region = models.ForeignKey("regions.Region", verbose_name=_("region served"), on_delete=models.PROTECT,
                               related_name="welfare_projects")
    goal = models.DecimalField(_("goal (yuan)"), max_digits=14, decimal_places=2)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    households_served = models.PositiveIntegerField(_("households served"), default=0)
    villages_served = models.PositiveIntegerField(_("villages served"), default=0)
    description = models.TextField(_("project description"), blank=True)
    results = models.TextField(_("results reported"), blank=True)
    published_by_county = models.BooleanField(_("published by the county for enterprises"), default=False)
    taken_by = models.ForeignKey(Donor, verbose_name=_("taken up by"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="projects_taken")
    status = models.CharField(_("project status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # who it serves, for the county's accounts only: the public sees the counts (small ones suppressed), never these
    served_households = models.ManyToManyField("registry.Household", verbose_name=_("households served (not public)"),
                                               blank=True, related_name="welfare_projects")
    served_villages = models.ManyToManyField("regions.Region", verbose_name=_("villages served (not public)"),
                                             blank=True, related_name="welfare_projects_served")

    SCOPE_FIELD: ClassVar[str] = "region__code"

    class Meta:
        verbose_name = _("welfare project")
        verbose_name_plural = _("welfare projects")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(disbursed__lte=F("received")), name="welfare_project_disbursed_le_received"),
            models.CheckConstraint(condition=Q(disbursed__gte=0) & Q(received__gte=0), name="welfare_project_ledger_nonneg"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="welfare_project_period"),
        ]

    def __str__(self) -> str:
        return self.name


class Need(Ledgered):
    """A need of a registered household (帮扶需求), with the household's recorded consent.

    Public only while ``status`` is published or met *and* consent is not withdrawn. The public projection
    (``public_title``) carries only what the household agreed to: by default the village and the surname.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed, awaiting township review")
        PUBLISHED = "published", _("Published")
        MET = "met", _("Met")
        REJECTED = "rejected", _("Returned by the township")
        WITHDRAWN = "withdrawn", _("Consent withdrawn")

    household = models.ForeignKey("registry.Household", verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="welfare_needs")
    village = models.ForeignKey("regions.Region", verbose_name=_("village"), on_delete=models.PROTECT,
                                related_name="welfare_needs", db_index=False)
    kind = models.CharField(_("need type"), max_length=10, choices=NeedKind.choices)
    story = models.TextField(_("public description of the need"),
                             help_text=_("Shown to the public: no names, ID numbers, phone numbers or addresses."))
    goal = models.DecimalField(_("amount needed (yuan)"), max_digits=12, decimal_places=2)
    status = models.CharField(_("need status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    # consent (知情同意): who agreed, when, how; what may be shown
    consent_by = models.CharField(_("consent given by"), max_length=50)
    consent_on = models.DateField(_("consent given on"))
    consent_method = models.CharField(_("how consent was given"), max_length=12, choices=ConsentMethod.choices)
    show_surname = models.BooleanField(_("the surname may be shown"), default=True)
    show_village = models.BooleanField(_("the village may be shown"), default=True)
    consent_withdrawn_at = models.DateTimeField(_("consent withdrawn at"), null=True, blank=True)
    public_surname = models.CharField(_("surname shown"), max_length=4, blank=True)  # copied at publication
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    review_note = models.CharField(_("review note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)

    SCOPE_FIELD: ClassVar[str] = "village__code"
    PUBLIC_STATUSES: ClassVar[tuple[str, ...]] = ("published", "met")

    class Meta:
        verbose_name = _("welfare need")
        verbose_name_plural = _("welfare needs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["village", "status"], name="welfare_need_village_status")]
        constraints = [
            models.CheckConstraint(condition=Q(disbursed__lte=F("received")), name="welfare_need_disbursed_le_received"),
            models.CheckConstraint(condition=Q(disbursed__gte=0) & Q(received__gte=0), name="welfare_need_ledger_nonneg"),
            models.CheckConstraint(condition=Q(goal__gt=0), name="welfare_need_goal_positive"),
            # a need whose consent was withdrawn is never public, whatever else happens to it
            models.CheckConstraint(condition=Q(consent_withdrawn_at__isnull=True) | Q(status="withdrawn"),
                                   name="welfare_need_withdrawn_not_public"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES and self.consent_withdrawn_at is None


class Pledge(models.Model):
    """A promise of money or goods to a need or a project (N+1: several donors pledge to one need)."""

    donor = models.ForeignKey(Donor, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="pledges")
    need = models.ForeignKey(Need, verbose_name=_("need"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="pledges")
    project = models.ForeignKey(WelfareProject, verbose_name=_("welfare project"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="pledges")
    amount = models.DecimalField(_("amount pledged (yuan)"), max_digits=12, decimal_places=2, default=ZERO)
    goods = models.CharField(_("goods pledged"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("pledged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(need__isnull=True, project__isnull=False)
                                   | Q(need__isnull=False, project__isnull=True), name="welfare_pledge_one_target"),
            models.CheckConstraint(condition=Q(amount__gt=0) | ~Q(goods=""), name="welfare_pledge_something"),
        ]

    def __str__(self) -> str:
        return f"{self.donor_id}: {self.amount}"


class Donation(models.Model):
    """Money received for a need or a project, through a channel outside fupin (a fundraising platform, a bank
    transfer): fupin keeps the link and the transfer reference, it is no payment system. Append-only."""

    class Channel(models.TextChoices):
        PLATFORM = "platform", _("Online fundraising platform")
        BANK = "bank", _("Bank transfer")
        GOODS = "goods", _("Goods valued")
        OTHER = "other", _("Other channel")

    donor = models.ForeignKey(Donor, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="donations")
    pledge = models.ForeignKey(Pledge, verbose_name=_("pledge"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="donations")
    need = models.ForeignKey(Need, verbose_name=_("need"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="donations")
    project = models.ForeignKey(WelfareProject, verbose_name=_("welfare project"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="donations")
    amount = models.DecimalField(_("amount received (yuan)"), max_digits=12, decimal_places=2)
    channel = models.CharField(_("donation channel"), max_length=10, choices=Channel.choices)
    reference = models.CharField(_("transfer reference"), max_length=80)
    link = models.URLField(_("fundraising page"), blank=True)
    received_on = models.DateField(_("received on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(need__isnull=True, project__isnull=False)
                                   | Q(need__isnull=False, project__isnull=True), name="welfare_donation_one_target"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="welfare_donation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.amount}"


class Disbursement(models.Model):
    """Money paid out of a need's or a project's receipts, with evidence and, for a need, the household's
    confirmation. Append-only; the triggers refuse one that would exceed what was received."""

    need = models.ForeignKey(Need, verbose_name=_("need"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="disbursements")
    project = models.ForeignKey(WelfareProject, verbose_name=_("welfare project"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="disbursements")
    amount = models.DecimalField(_("amount disbursed (yuan)"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    purpose = models.CharField(_("what it paid for"), max_length=200)
    evidence = models.CharField(_("evidence (receipt or voucher number)"), max_length=200)
    confirmed_at = models.DateTimeField(_("household confirmed at"), null=True, blank=True)
    confirmed_how = models.CharField(_("how the household confirmed"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(need__isnull=True, project__isnull=False)
                                   | Q(need__isnull=False, project__isnull=True), name="welfare_disbursement_one_target"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="welfare_disbursement_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.evidence}: {self.amount}"


class Pairing(models.Model):
    """An enterprise paired with a poor county or village (结对帮扶), its agreement and commitments."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In force")
        ENDED = "ended", _("Ended")

    enterprise = models.ForeignKey(Donor, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="pairings")
    region = models.ForeignKey("regions.Region", verbose_name=_("paired county or village"),
                               on_delete=models.PROTECT, related_name="welfare_pairings")
    agreement = models.CharField(_("agreement"), max_length=200)
    signed_on = models.DateField(_("signed on"))
    status = models.CharField(_("pairing status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    published = models.BooleanField(_("shown on the portal"), default=True)

    SCOPE_FIELD: ClassVar[str] = "region__code"

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["region", "enterprise"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "region"], name="welfare_pairing_unique")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} — {self.region_id}"


class CommitmentKind(models.TextChoices):
    MONEY = "money", _("Money (yuan)")
    PURCHASE = "purchase", _("Purchases of local products (yuan)")
    JOBS = "jobs", _("Jobs (persons)")
    TRAINING = "training", _("Training (person-times)")


class Commitment(models.Model):
    pairing = models.ForeignKey(Pairing, verbose_name=_("pairing"), on_delete=models.CASCADE,
                                related_name="commitments")
    kind = models.CharField(_("commitment type"), max_length=10, choices=CommitmentKind.choices)
    target = models.DecimalField(_("committed"), max_digits=14, decimal_places=2)
    year = models.PositiveSmallIntegerField(_("commitment year"))

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(fields=["pairing", "kind", "year"], name="welfare_commitment_unique"),
            models.CheckConstraint(condition=Q(target__gt=0), name="welfare_commitment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.target}"


class QuarterReport(models.Model):
    """What a pairing achieved in one quarter against one commitment."""

    commitment = models.ForeignKey(Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE,
                                   related_name="reports")
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    achieved = models.DecimalField(_("achieved"), max_digits=14, decimal_places=2)
    note = models.CharField(_("report note"), max_length=200, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("quarterly pairing report")
        verbose_name_plural = _("quarterly pairing reports")
        ordering = ["commitment", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "quarter"], name="welfare_report_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="welfare_report_quarter"),
            models.CheckConstraint(condition=Q(achieved__gte=0), name="welfare_report_nonneg"),
        ]

    def __str__(self) -> str:
        return f"Q{self.quarter}: {self.achieved}"
