from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.core import tree


class Level(models.IntegerChoices):
    """The levels of ``core.tree`` as choices with their names (the nation, level 0, is no row)."""

    PROVINCE = tree.PROVINCE, _("province")
    CITY = tree.CITY, _("city")
    COUNTY = tree.COUNTY, _("county")
    TOWNSHIP = tree.TOWNSHIP, _("township")
    VILLAGE = tree.VILLAGE, _("village")


# The code length at each level and back, from core.tree (the one table), keyed by ``Level``.
CODE_LENGTHS = {Level(level): n for level, n in tree.LENGTHS.items() if level}
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
    """A node of the five-level division tree. ``code`` is the significant statistical code (its length
    gives the level: ``core.tree``), so a node's code is the prefix of all codes below it and a subtree is a code range."""

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
        # "the villages (or poor villages) under a prefix" is a range of one of these, not a scan of the 620,000
        # villages that the index on level alone would give (the coverage pages, issue 21)
        indexes = [models.Index(fields=["level", "code"], name="region_level_code"),
                   models.Index(fields=["level", "is_poor_village", "code"], name="region_level_poor_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def full_code(self) -> str:
        """The 12-digit statistical code as published (padded with zeros)."""
        return self.code.ljust(12, "0")

    @property
    def ancestor_codes(self) -> list[str]:
        return tree.ancestors(self.code)

    @property
    def flags(self) -> list[str]:
        return [str(getattr(self._meta.get_field(f), "verbose_name", f)) for f in (*AREA_FLAGS, "is_poor_village") if getattr(self, f)]
