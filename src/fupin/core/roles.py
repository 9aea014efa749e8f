"""The roles of fupin users. A role is a Django group whose name is the role code."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLERK = "clerk", _("Village data clerk")
    TOWNSHIP_REVIEWER = "township_reviewer", _("Township reviewer")
    COUNTY_ADMIN = "county_admin", _("County administrator")
    ANALYST = "analyst", _("Analyst")
    EXCHANGE = "exchange", _("Department exchange account")
    SYSADMIN = "sysadmin", _("System administrator")
    COMMERCE_BUREAU = "commerce_bureau", _("Commerce bureau")
    SHOP_OPERATOR = "shop_operator", _("Shop operator")
    FINANCE = "finance", _("Finance bureau")
    LEAD_UNIT = "lead_unit", _("Lead unit of a plan task")
    CADRE = "cadre", _("Helping cadre (帮扶干部)")
    DONOR = "donor", _("Donor (netizen or enterprise)")
    WELFARE_EDITOR = "welfare_editor", _("Portal editor")


# Roles whose work needs names and ID numbers in clear (entering, reviewing, approving households).
# Everyone else sees them masked; every clear read is audited.
PERSONAL_DATA_ROLES = frozenset({Role.CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN})

# Roles that may be attached to the whole nation (a user without a region).
NATIONWIDE_ROLES = frozenset({Role.SYSADMIN, Role.ANALYST, Role.EXCHANGE})

# Roles that may browse the audit log of their subtree.
AUDIT_ROLES = frozenset({Role.SYSADMIN, Role.COUNTY_ADMIN})

# Roles that enter and correct dossiers of their subtree.
REGISTRY_WRITE_ROLES = frozenset({Role.CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN})

# Roles that see only the records they are attached to (a shop operator: its shops and their linked households),
# never a region's data. Their users have no region, and ``core.scoping`` gives them no region scope.
OWN_RECORDS_ROLES = frozenset({Role.SHOP_OPERATOR, Role.DONOR})
