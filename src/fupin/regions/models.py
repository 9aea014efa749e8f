from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("province")
    CITY = 2, _("city")
    COUNTY = 3, _("county")
    TOWNSHIP = 4, _("township")
    VILLAGE = 5, _("village")


# Length of the significant statistical code at each level (GB/T 2260 + NBS township/village codes).
CODE_LENGTHS = {Level.PROVINCE: 2, Level.CITY: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}
LEVEL_BY_LENGTH = {n: level for level, n in CODE_LENGTHS.items()}

# Flags that describe an area and hold for everything inside it (set on a node, they apply to its subtree).
AREA_FLAGS = (
    "is_poor_county",
    "is_sanqu_sanzhou",
    "is_designated_county",
    "is_contiguous_area",
    "is_relocation_area",
)


class Region(models.Model):
    """A node of the five-level division tree. ``code`` is the significant statistical code (2, 4, 6, 9
    or 12 digits), so a node's code is the prefix of all codes below it and a subtree is a code range."""

    code = models.CharField(_("division code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    child_count = models.PositiveIntegerField(_("children"), default=0)
    village_count = models.PositiveIntegerField(_("villages"), default=0)

    is_poor_county = models.BooleanField(_("poor county"), default=False)
    is_sanqu_sanzhou = models.BooleanField(_("三区三州 deep-poverty area"), default=False)
    is_designated_county = models.BooleanField(_("designated-assistance county (定点县)"), default=False)
    is_contiguous_area = models.BooleanField(_("contiguous poor area (片区县)"), default=False)
    is_relocation_area = models.BooleanField(_("relocation area"), default=False)
    is_poor_village = models.BooleanField(_("poor village"), default=False)
    poor_exit_year = models.PositiveSmallIntegerField(_("exit year"), null=True, blank=True)

    SCOPE_FIELD: ClassVar[str] = "code"

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def full_code(self) -> str:
        """The 12-digit statistical code as published (padded with zeros)."""
        return self.code.ljust(12, "0")

    @property
    def ancestor_codes(self) -> list[str]:
        return [self.code[:n] for n in (2, 4, 6, 9) if n < len(self.code)]

    @property
    def flags(self) -> list[str]:
        return [str(getattr(self._meta.get_field(f), "verbose_name", f)) for f in (*AREA_FLAGS, "is_poor_village") if getattr(self, f)]
