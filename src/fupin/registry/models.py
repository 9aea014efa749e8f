"""The registry of poor households (建档立卡), one dossier per household. Fields follow the national
collection form (../shared/DATA.md); coded fields hold codes of the lists in ``core/data/codelists.json``."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    ENTRY = "entry", _("entered")
    IMPORT = "import", _("imported")
    DEMO = "demo", _("synthetic demo data")


class CadreKind(models.TextChoices):
    """The kinds of team members (网络扶贫队伍) of seed 001 十一–十三 and 004 五."""

    FIRST_SECRETARY = "first_secretary", _("First secretary (第一书记)")
    WORK_TEAM = "work_team", _("Village work team member (驻村工作队员)")
    GRADUATE_OFFICIAL = "graduate_official", _("College-graduate village official (大学生村官)")
    SANZHI_YIFU = "sanzhi_yifu", _("Three supports and one assistance (三支一扶)")
    TECH_ENVOY = "tech_envoy", _("Science and technology envoy (科技特派员)")
    WESTERN_VOLUNTEER = "western_volunteer", _("Western region volunteer (西部计划志愿者)")
    VILLAGE_COMMITTEE = "village_committee", _("Village committee member (村两委)")
    RICH_LEADER = "rich_leader", _("Leader in getting rich (致富带头人)")
    NETWORK_LEADER = "network_leader", _("Network poverty-alleviation leader (网络扶贫带头人)")
    OTHER = "other", _("Other helping cadre (其他帮扶干部)")


class Cadre(models.Model):
    """A responsible cadre (帮扶责任人) and, with the team app (issue 16), the person record of every team member:
    ID number, kind, sending unit, phone, the region node of the current assignment (the team app keeps the dated
    postings) and the user account a cadre signs in with."""

    name = models.CharField(_("name"), max_length=50)
    unit = models.CharField(_("work unit"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ENTRY)
    # Database defaults: the bulk writers (demo generator, imports) insert cadres by raw SQL without these columns.
    id_number = models.CharField(_("ID number"), max_length=18, blank=True, db_index=True, db_default="")
    kind = models.CharField(_("team member type"), max_length=20, choices=CadreKind.choices,
                            db_default=CadreKind.OTHER)
    start_date = models.DateField(_("serving since"), null=True, blank=True)
    end_date = models.DateField(_("serving until"), null=True, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user account"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="cadre")

    SCOPE_FIELD: ClassVar[str] = "region__code"

    class Meta:
        verbose_name = _("responsible cadre")
        verbose_name_plural = _("responsible cadres")

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class Household(models.Model):
    number = models.CharField(_("household number"), max_length=20, unique=True)
    # No index of its own: the (village, status) index below serves every look-up by village and subtree range.
    village = models.ForeignKey(
        "regions.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="households",
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=12)  # code list household_status
    standard = models.CharField(_("identification standard"), max_length=2)
    attribute = models.CharField(_("household attribute"), max_length=2)
    main_cause = models.CharField(_("main cause of poverty"), max_length=2)
    other_causes = models.JSONField(_("other causes"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    bank_name = models.CharField(_("bank"), max_length=60, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=30, blank=True)
    is_military_family = models.BooleanField(_("military or martyr family"), default=False)
    is_only_child = models.BooleanField(_("only-child household"), default=False)
    is_two_daughters = models.BooleanField(_("two-daughter household"), default=False)
    identified_year = models.PositiveSmallIntegerField(_("year identified"))
    exit_year = models.PositiveSmallIntegerField(_("year exited"), null=True, blank=True)
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("responsible cadre"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="households",
    )
    # 生产生活条件
    cultivated_land = models.DecimalField(_("cultivated land (mu)"), max_digits=8, decimal_places=2, default=Decimal(0))
    irrigated_land = models.DecimalField(_("irrigated land (mu)"), max_digits=8, decimal_places=2, default=Decimal(0))
    forest_land = models.DecimalField(_("forest land (mu)"), max_digits=8, decimal_places=2, default=Decimal(0))
    # No optimistic defaults (issue 14 item 6): NULL is "not collected" (未采集), never "yes". Rows imported or
    # entered before migration 0012 took "yes" (or "no difficulty") for an empty cell; those cannot be told apart
    # from collected answers and were left as they were.
    has_production_power = models.BooleanField(_("production electricity"), null=True, blank=True, default=None)
    has_living_power = models.BooleanField(_("household electricity"), null=True, blank=True, default=None)
    has_radio_tv = models.BooleanField(_("radio and TV"), null=True, blank=True, default=None)
    has_broadband = models.BooleanField(_("home broadband"), default=False)
    road_distance_km = models.DecimalField(_("distance to main road (km)"), max_digits=6, decimal_places=1, default=0)
    road_type = models.CharField(_("access road"), max_length=2, blank=True)
    housing_area = models.DecimalField(_("housing area (m²)"), max_digits=7, decimal_places=1, default=Decimal(0))
    housing_safety = models.CharField(_("housing safety grade"), max_length=1, blank=True)
    water_difficult = models.BooleanField(_("difficulty getting drinking water"), null=True, blank=True, default=None)
    water_safe = models.BooleanField(_("safe drinking water"), null=True, blank=True, default=None)
    fuel_type = models.CharField(_("main fuel"), max_length=2, blank=True)
    has_sanitary_toilet = models.BooleanField(_("sanitary toilet"), default=False)
    in_cooperative = models.BooleanField(_("member of a farmers' cooperative"), default=False)

    # Per-capita net income of the latest recorded year, kept by services.refresh_latest_income so that lists
    # can sort and filter by income band with an index instead of a subquery per household.
    latest_income_year = models.PositiveSmallIntegerField(_("latest income year"), null=True, blank=True)
    latest_per_capita = models.DecimalField(
        _("latest per-capita net income"), max_digits=12, decimal_places=2, null=True, blank=True, db_index=True
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ENTRY)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    SCOPE_FIELD: ClassVar[str] = "village__code"

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        # Code columns are compared for equality only: plain indexes, without the LIKE (pattern_ops) twin that
        # db_index=True adds on PostgreSQL; every index is paid for by every bulk import.
        indexes = [
            models.Index(fields=["village", "status"]),
            # A village's list in number order (a clerk's household list, the API's keyset pages): without it
            # PostgreSQL walked the number index of the whole table, the village's numbers all at one place in it.
            models.Index(fields=["village", "number"], name="household_village_number"),
            models.Index(fields=["status"], name="household_status_idx"),
            models.Index(fields=["main_cause"], name="household_main_cause_idx"),
            models.Index(fields=["source"], name="household_source_idx"),
            # The team app's coverage list "households without a responsible cadre", nationwide in one page.
            models.Index(fields=["village", "id"], condition=Q(cadre__isnull=True), name="registry_household_no_cadre"),
            # The households written since the indicators' last refresh (every writer sets updated_at, creation
            # included): without it an incremental refresh read the whole table.
            models.Index(fields=["updated_at"], name="household_updated_at"),
        ]

    def __str__(self) -> str:
        return self.number


class Member(models.Model):
    # On PostgreSQL ``name`` and ``id_number`` have the byte-order collation "C" (migration 0009: their indexes
    # build and fill about twice as fast); an AlterField of either must keep COLLATE "C".
    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=50)
    id_type = models.CharField(_("ID type"), max_length=1, default="1")
    id_number = models.CharField(_("ID number"), max_length=18)
    sex = models.CharField(_("sex"), max_length=1)
    birth_date = models.DateField(_("birth date"))
    relation = models.CharField(_("relation to head"), max_length=2)
    ethnicity = models.CharField(_("ethnicity"), max_length=2)
    political = models.CharField(_("political status"), max_length=2, blank=True)
    education = models.CharField(_("education"), max_length=2, blank=True)
    schooling = models.CharField(_("school status"), max_length=2, blank=True)
    health = models.CharField(_("health"), max_length=2)
    disability_category = models.CharField(_("disability category"), max_length=2, blank=True)
    disability_grade = models.CharField(_("disability grade"), max_length=2, blank=True)
    labour_skill = models.CharField(_("labour ability"), max_length=2, blank=True)
    work_location = models.CharField(_("place of work"), max_length=2, blank=True)
    work_months = models.PositiveSmallIntegerField(_("months worked"), default=0)
    welfare_job_months = models.PositiveSmallIntegerField(_("months in public-welfare job"), default=0)
    speaks_mandarin = models.BooleanField(_("speaks Mandarin"), default=True)
    # NULL: not collected (未采集, issue 14 item 6); see Household.has_living_power
    has_medical_insurance = models.BooleanField(_("basic medical insurance"), null=True, blank=True, default=None)
    has_serious_illness_insurance = models.BooleanField(_("serious-illness insurance"), default=False)
    has_pension_insurance = models.BooleanField(_("basic pension insurance"), default=False)
    receives_dibao = models.BooleanField(_("minimum living guarantee (低保)"), default=False)
    receives_tekun = models.BooleanField(_("extreme-poverty support (特困)"), default=False)
    is_active = models.BooleanField(_("active member"), default=True)

    SCOPE_FIELD: ClassVar[str] = "household__village__code"

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            # A person may be an active member of only one household in the whole country.
            models.UniqueConstraint(fields=["id_number"], condition=Q(is_active=True), name="member_active_id_unique"),
        ]
        # Look-ups by ID number are of active members (search, validation, comparison rules): the partial unique
        # index serves them; a second index on id_number would only slow bulk imports down.
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_head(self) -> bool:
        return self.relation == "01"


INCOME_FIELDS = (
    "wage_welfare_job",
    "wage_other",
    "business",
    "property_dividend",
    "property_other",
    "transfer_family_planning",
    "transfer_dibao",
    "transfer_tekun",
    "transfer_pension",
    "transfer_ecological",
    "transfer_other",
    "reward",
)


def _money(label: Any) -> models.DecimalField:
    return models.DecimalField(label, max_digits=12, decimal_places=2, default=Decimal(0))


class Income(models.Model):
    """A household's income of one year, by component. 人均纯收入 is computed by the database, never typed."""

    # No single-column index: the unique (household, year) index leads with the household.
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="incomes", db_index=False
    )
    year = models.PositiveSmallIntegerField(_("year"))
    household_size = models.PositiveSmallIntegerField(_("household size in the year"))
    wage_welfare_job = _money(_("wages from public-welfare jobs"))
    wage_other = _money(_("other wages"))
    business = _money(_("production and business income"))
    property_dividend = _money(_("asset-income dividends"))
    property_other = _money(_("other property income"))
    transfer_family_planning = _money(_("family-planning subsidy"))
    transfer_dibao = _money(_("minimum living guarantee"))
    transfer_tekun = _money(_("extreme-poverty support"))
    transfer_pension = _money(_("pension"))
    transfer_ecological = _money(_("ecological compensation"))
    transfer_other = _money(_("other transfers"))
    reward = _money(_("industry and employment rewards"))
    business_expense = _money(_("production and business expenses"))
    net_total = models.GeneratedField(
        verbose_name=_("net income"),
        expression=sum((F(f) for f in INCOME_FIELDS[1:]), F(INCOME_FIELDS[0])) - F("business_expense"),
        output_field=models.DecimalField(max_digits=14, decimal_places=2),
        db_persist=True,
    )

    SCOPE_FIELD: ClassVar[str] = "household__village__code"

    class Meta:
        verbose_name = _("yearly income")
        verbose_name_plural = _("yearly incomes")
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="income_household_year_unique"),
            models.CheckConstraint(condition=Q(household_size__gt=0), name="income_household_size_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}"

    @property
    def per_capita(self) -> Decimal:
        """人均纯收入 = (all incomes − 生产经营性支出) ÷ 年度家庭人口数, rounded to the yuan cent."""
        total = sum((getattr(self, f) for f in INCOME_FIELDS), Decimal(0)) - self.business_expense
        return (total / self.household_size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class HistoryChunk(models.Model):
    """The dossiers a bulk import wrote, for a block of up to ``history.CHUNK_HOUSEHOLDS`` households, kept
    once as three Parquet tables (households, members, incomes; the fields of a snapshot) instead of one JSON
    document per household. Append-only, like the versions that point into it.

    A block of households the import registered (new ids ``first_household``…``last_household``, reserved
    together) is itself their first version: no version row is written for them (``history.timeline`` reads
    it). Households the import updated get a ``HouseholdVersion`` row each, pointing to their block."""

    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    valid_from = models.DateField(_("valid from"))
    actor = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(_("by"), max_length=150, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    first_household = models.BigIntegerField(null=True, blank=True)
    last_household = models.BigIntegerField(null=True, blank=True)
    households = models.BinaryField()
    members = models.BinaryField()
    incomes = models.BinaryField()

    class Meta:
        verbose_name = _("imported dossiers")
        verbose_name_plural = _("imported dossiers")
        indexes = [models.Index(fields=["first_household", "last_household"], name="historychunk_range_idx")]

    def __str__(self) -> str:
        return f"history chunk {self.pk}"

    def snapshot_of(self, household_id: int) -> dict[str, Any]:
        """The snapshot of one household kept in this block: the same structure and values as
        ``history.snapshot()`` gave right after the import (members in id order, incomes by year)."""
        import io

        import polars as pl

        def rows(data: Any, key: str, order: str) -> list[dict[str, Any]]:
            frame = pl.read_parquet(io.BytesIO(bytes(data))).filter(pl.col(key) == household_id).sort(order)
            return frame.drop([c for c in ("id", "household_id") if c in frame.columns]).to_dicts()

        households = rows(self.households, "id", "id")
        if not households:
            raise HouseholdVersion.DoesNotExist(f"household {household_id} is not in history chunk {self.pk}")
        return {
            "household": households[0],
            "members": rows(self.members, "household_id", "id"),
            "incomes": rows(self.incomes, "household_id", "year"),
        }


class HouseholdVersion(models.Model):
    """One dated change of a dossier (R2.2). ``snapshot`` is the whole dossier after the change, so the
    dossier as of any date is the last version on or before it; ``changes`` lists what differs from the
    version before. Versions are only ever added: a correction is a new version, not an edit.

    Versions written by services store the snapshot as JSON; versions written by a bulk import point to the
    ``HistoryChunk`` holding the dossiers that import wrote, and ``snapshot`` reads it from there."""

    class Kind(models.TextChoices):
        CREATE = "create", _("registered")
        UPDATE = "update", _("updated")
        CORRECTION = "correction", _("corrected")
        MEMBER_ADD = "member_add", _("member added")
        MEMBER_UPDATE = "member_update", _("member updated")
        MEMBER_REMOVE = "member_remove", _("member removed")
        INCOME = "income", _("income recorded")
        IMPORT = "import", _("imported")
        TRANSFER = "transfer", _("moved to another village")

    # The (household, valid_from, id) index serves every read (timeline, as of a date, the latest version);
    # single-column indexes on household and valid_from would only cost writes.
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="versions", db_index=False)
    valid_from = models.DateField(_("valid from"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(_("by"), max_length=150, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    stored_snapshot = models.JSONField(_("dossier after the change"), db_column="snapshot", null=True, blank=True)
    # No database constraint: the chunk is written in the same transaction just before its versions, and
    # chunks are never deleted (PROTECT); a per-row check would double the cost of an import's history.
    chunk = models.ForeignKey(
        HistoryChunk, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_constraint=False,
        db_index=False,
    )
    changes = models.JSONField(_("changes"), default=list, blank=True)

    SCOPE_FIELD: ClassVar[str] = "household__village__code"

    class Meta:
        verbose_name = _("dossier version")
        verbose_name_plural = _("dossier versions")
        ordering = ["household", "valid_from", "id"]
        indexes = [models.Index(fields=["household", "valid_from", "id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(stored_snapshot__isnull=False) | Q(chunk__isnull=False), name="version_has_snapshot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.valid_from} {self.kind}"

    @property
    def snapshot(self) -> dict[str, Any]:
        """The whole dossier after the change (``history.snapshot``'s structure), wherever it is kept."""
        if self.stored_snapshot is None and self.chunk_id is not None:
            if "_chunk_snapshot" not in self.__dict__:
                chunk = HistoryChunk.objects.get(pk=self.chunk_id)
                self.__dict__["_chunk_snapshot"] = chunk.snapshot_of(self.household_id)
            return self.__dict__["_chunk_snapshot"]  # type: ignore[no-any-return]
        return self.stored_snapshot if self.stored_snapshot is not None else {}

    @snapshot.setter
    def snapshot(self, value: dict[str, Any]) -> None:
        self.stored_snapshot = value


def new_job_token() -> str:
    import secrets

    return secrets.token_urlsafe(24)


class ImportJob(models.Model):
    """A registry import uploaded on the web (R2.4), run by the background worker with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        REJECTED = "rejected", _("rejected (errors in the file)")

    actor = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    # The job's address in URLs: random, so that jobs (and their uploaded files) cannot be enumerated.
    token = models.CharField(_("token"), max_length=43, unique=True, default=new_job_token, editable=False)
    username = models.CharField(_("by"), max_length=150, blank=True)
    region_code = models.CharField(_("region"), max_length=12, blank=True, db_index=True)
    files = models.JSONField(_("files"), default=list)  # [{"name": original name, "path": stored path}]
    dry_run = models.BooleanField(_("validate only"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(_("progress"), default=0.0)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error_report = models.CharField(_("error report"), max_length=500, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    SCOPE_FIELD: ClassVar[str] = "region_code"

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import {self.pk} {self.status}"


class PovertyLine(models.Model):
    """The income line of a year (yuan per person per year, current prices). National lines apply
    everywhere; a province may set a higher line (省定标准) for households identified by it. Public
    reference data, editable by administrators. The registry compares incomes with it; lifecycle, monitoring
    and the indicators read it too."""

    class Standard(models.TextChoices):
        NATIONAL = "national", _("national")
        PROVINCIAL = "provincial", _("provincial")
        MONITORING = "monitoring", _("monitoring income line")

    year = models.PositiveSmallIntegerField(_("year"))
    standard = models.CharField(_("standard"), max_length=10, choices=Standard.choices)
    # The province (2-digit code) of a provincial or monitoring line; empty for the national line.
    province = models.CharField(_("province code"), max_length=2, blank=True)
    amount = models.DecimalField(_("yuan per person per year"), max_digits=10, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        db_table = "lifecycle_povertyline"  # the table keeps its name: the model moved from lifecycle
        verbose_name = _("poverty line")
        verbose_name_plural = _("poverty lines")
        ordering = ["-year", "standard", "province"]
        constraints = [
            models.UniqueConstraint(fields=["year", "standard", "province"], name="povertyline_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="povertyline_amount_positive"),
            models.CheckConstraint(
                condition=Q(standard="national", province="") | (~Q(standard="national") & ~Q(province="")),
                name="povertyline_province_iff_not_national",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.standard} {self.province} {self.amount}"
