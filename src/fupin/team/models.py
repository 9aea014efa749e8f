"""The team (网络扶贫队伍) and 网络扶智 (issue 16): who is posted where and when, visits to households, training.

A team member's person record is ``registry.Cadre`` (households point to it as their responsible cadre); this app
keeps its dated postings to region nodes (a village's work team on any date is the postings in force that day),
the visit logs with their photos, and the training events with their attendance — one attendance model shared
with the e-commerce trainees (学员档案) of the commerce app."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class PostingRole(models.TextChoices):
    FIRST_SECRETARY = "first_secretary", _("First secretary of the village (第一书记)")
    TEAM_LEADER = "team_leader", _("Work team leader (驻村工作队长)")
    TEAM_MEMBER = "team_member", _("Work team member (驻村工作队员)")
    VILLAGE_LEADER = "village_leader", _("Village leader (一村一带头人)")
    NETWORK_LEADER = "network_leader", _("Network poverty-alleviation leader (网络扶贫带头人)")
    STAFF = "staff", _("Team staff at this level")


class Posting(models.Model):
    """A team member posted to a region node (any of the five levels) from ``start_date`` until ``end_date``
    (exclusive; empty while serving). Rotation ends postings and starts new ones; rows are never rewritten."""

    cadre = models.ForeignKey("registry.Cadre", verbose_name=_("team member"), on_delete=models.CASCADE,
                              related_name="postings")
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="+")
    role = models.CharField(_("posting role"), max_length=20, choices=PostingRole.choices)
    start_date = models.DateField(_("posted from"))
    end_date = models.DateField(_("posted until"), null=True, blank=True)
    end_reason = models.CharField(_("reason the posting ended"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    SCOPE_FIELD: ClassVar[str] = "region__code"

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        indexes = [models.Index(fields=["region", "role", "start_date"], name="team_posting_region_role"),
                   models.Index(fields=["cadre", "start_date"], name="team_posting_cadre")]
        constraints = [models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                                              name="team_posting_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.cadre_id}@{self.region_id} {self.role} {self.start_date}–{self.end_date or ''}"


class Visit(models.Model):
    """A visit log (走访记录): the cadre went to the household on a day and found something."""

    cadre = models.ForeignKey("registry.Cadre", verbose_name=_("team member"), on_delete=models.PROTECT,
                              related_name="visits")
    household = models.ForeignKey("registry.Household", verbose_name=_("household"), on_delete=models.CASCADE,
                                  related_name="visits")
    visited_on = models.DateField(_("visit date"))
    findings = models.TextField(_("what was found"), max_length=2000)
    alert = models.ForeignKey("monitoring.Alert", verbose_name=_("monitoring alert"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="visits")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", db_index=False)
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    SCOPE_FIELD: ClassVar[str] = "household__village__code"

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["household", "visited_on"], name="team_visit_household"),
                   models.Index(fields=["cadre", "visited_on"], name="team_visit_cadre")]

    def __str__(self) -> str:
        return f"{self.cadre_id} → {self.household_id} {self.visited_on}"


class VisitPhoto(models.Model):
    """A photo of a visit, stored under var/media/visits/ by a random name (never the uploaded one)."""

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="photos")
    path = models.CharField(_("stored file"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=30)
    size = models.PositiveIntegerField(_("size (bytes)"))

    SCOPE_FIELD: ClassVar[str] = "visit__household__village__code"

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self) -> str:
        return self.path


class TrainingTopic(models.TextChoices):
    NETWORK = "network", _("Network skills (网络技能)")
    ECOMMERCE = "ecommerce", _("E-commerce (电子商务)")
    YULU = "yulu", _("Rain-and-dew vocational training (雨露计划)")
    PARTY = "party", _("Party members' remote education (党员远程教育)")
    OTHER = "other", _("Other training topic")


class TrainingMode(models.TextChoices):
    OFFLINE = "offline", _("Offline (面授)")
    ONLINE = "online", _("Online (线上)")


class Training(models.Model):
    """A training event (the commerce app's courses are the events whose topic is e-commerce). Its level is the
    level of its region (the organiser's node)."""

    title = models.CharField(_("course"), max_length=200)
    organiser = models.CharField(_("organiser"), max_length=100)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(_("training topic"), max_length=12, choices=TrainingTopic.choices,
                             default=TrainingTopic.NETWORK)
    mode = models.CharField(_("training mode"), max_length=8, choices=TrainingMode.choices,
                            default=TrainingMode.OFFLINE)
    starts_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)

    SCOPE_FIELD: ClassVar[str] = "region__code"

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        indexes = [models.Index(fields=["topic", "starts_on"], name="team_training_topic")]

    def __str__(self) -> str:
        return self.title


class TraineeLevel(models.TextChoices):
    TRAINED = "trained", _("Trained (培训)")
    PRACTITIONER = "practitioner", _("Practitioner (从业)")
    SENIOR = "senior", _("Senior talent (高级人才)")


class Attendance(models.Model):
    """One person at one training: a team member (``cadre``), a registered person (``member``, matched by ID
    number) or a plain record. ``village`` is where the person lives or serves; the e-commerce trainee level
    (培训/从业/高级人才) and outcome are those of 004 四(三)."""

    training = models.ForeignKey(Training, verbose_name=_("course"), on_delete=models.CASCADE,
                                 related_name="attendance")
    # Few indexes: lists of millions of rows are appended (the (village, level) index serves the village).
    village = models.ForeignKey("regions.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+",
                                db_index=False)
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    member = models.ForeignKey("registry.Member", verbose_name=_("registered member"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+", db_index=False)
    cadre = models.ForeignKey("registry.Cadre", verbose_name=_("team member"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="attendance")
    level = models.CharField(_("level"), max_length=12, choices=TraineeLevel.choices, default=TraineeLevel.TRAINED)
    outcome = models.CharField(_("outcome"), max_length=100, blank=True)
    certificate = models.CharField(_("certificate number"), max_length=40, blank=True)

    SCOPE_FIELD: ClassVar[str] = "village__code"

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        indexes = [models.Index(fields=["village", "level"], name="team_attendance_village")]

    def __str__(self) -> str:
        return f"{self.training_id} {self.pk}"


class FollowUp(models.Model):
    """A follow-up visit of a trainee (学员跟踪回访): employed, business started, shop opened."""

    attendance = models.ForeignKey(Attendance, verbose_name=_("trainee"), on_delete=models.CASCADE,
                                   related_name="follow_ups")
    visited_on = models.DateField(_("follow-up date"))
    outcome = models.CharField(_("outcome"), max_length=100)
    note = models.CharField(_("note"), max_length=200, blank=True)

    SCOPE_FIELD: ClassVar[str] = "attendance__village__code"

    class Meta:
        verbose_name = _("trainee follow-up")
        verbose_name_plural = _("trainee follow-ups")

    def __str__(self) -> str:
        return f"{self.attendance_id} {self.visited_on}"
