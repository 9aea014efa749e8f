"""Forms of the dossier pages. They only parse what people type (types, choices from the code lists);
the rules of the registry are checked by the services (fupin.registry.services), whose errors are put back
next to their fields with ``add_service_errors``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.core.codes import choices
from fupin.core.errors import in_language
from fupin.core.scoping import Scope
from fupin.core.tree import CODE_LENGTH, ancestors, is_code
from fupin.registry.models import INCOME_FIELDS, Cadre, Income

BLANK = [("", "—")]


def _coded(list_code: str, label: Any, *, required: bool = True) -> forms.ChoiceField:
    # Choices are read when the form is built (a callable), so code-list edits and the language apply.
    return forms.ChoiceField(
        label=label, required=required,
        choices=lambda: (BLANK if not required else [("", "")]) + choices(list_code),
    )


def _money(label: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, min_value=0, max_digits=12, decimal_places=2,
                              widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs, format="%Y-%m-%d")


def collected(label: Any) -> forms.TypedChoiceField:
    """A yes/no question that may not have been asked yet: 未采集 (not collected, None), 是 or 否; never "yes" by
    default (issue 14 item 6)."""
    return forms.TypedChoiceField(
        label=label, required=False, empty_value=None, coerce=lambda v: {"True": True, "False": False}.get(v),
        choices=[("", _("not collected (未采集)")), ("True", _("yes")), ("False", _("no"))])


class HouseholdForm(forms.Form):
    """The household's own fields (not its members)."""

    status = _coded("household_status", _("Status"))
    standard = _coded("identification_standard", _("Identification standard"))
    attribute = _coded("household_attribute", _("Household attribute"))
    main_cause = _coded("poverty_cause", _("Main cause of poverty"))
    other_causes = forms.MultipleChoiceField(
        label=_("Other causes"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=lambda: choices("poverty_cause"),
    )
    identified_year = forms.IntegerField(label=_("Year identified"), min_value=2013, max_value=2100)
    exit_year = forms.IntegerField(label=_("Year exited"), required=False, min_value=2013, max_value=2100)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    bank_name = forms.CharField(label=_("Bank"), required=False, max_length=60)
    bank_account = forms.CharField(label=_("Bank account"), required=False, max_length=30,
                                   widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    is_military_family = forms.BooleanField(label=_("Military or martyr family"), required=False)
    is_only_child = forms.BooleanField(label=_("Only-child household"), required=False)
    is_two_daughters = forms.BooleanField(label=_("Two-daughter household"), required=False)
    housing_safety = _coded("housing_safety", _("Housing safety grade"), required=False)
    housing_area = forms.DecimalField(label=_("Housing area (m²)"), required=False, min_value=0, max_digits=7,
                                      decimal_places=1)
    water_safe = collected(_("Safe drinking water"))
    water_difficult = collected(_("Difficulty getting drinking water"))
    cultivated_land = forms.DecimalField(label=_("Cultivated land (mu)"), required=False, min_value=0,
                                         max_digits=8, decimal_places=2)
    irrigated_land = forms.DecimalField(label=_("Irrigated land (mu)"), required=False, min_value=0,
                                        max_digits=8, decimal_places=2)
    forest_land = forms.DecimalField(label=_("Forest land (mu)"), required=False, min_value=0, max_digits=8,
                                     decimal_places=2)
    has_production_power = collected(_("Production electricity"))
    has_living_power = collected(_("Household electricity"))
    has_radio_tv = collected(_("Radio and TV"))
    has_broadband = forms.BooleanField(label=_("Home broadband"), required=False)
    road_distance_km = forms.DecimalField(label=_("Distance to main road (km)"), required=False, min_value=0,
                                          max_digits=6, decimal_places=1)
    road_type = _coded("road_type", _("Access road"), required=False)
    fuel_type = _coded("fuel_type", _("Main fuel"), required=False)
    has_sanitary_toilet = forms.BooleanField(label=_("Sanitary toilet"), required=False)
    in_cooperative = forms.BooleanField(label=_("Member of a farmers' cooperative"), required=False)

    cadre_id = forms.ChoiceField(label=_("Responsible cadre"), required=False, choices=[])

    # Shown first; the rest sit in a "more fields" block, so that the form stays short on a phone.
    MAIN = ("status", "standard", "attribute", "main_cause", "identified_year", "housing_safety", "water_safe",
            "cadre_id")

    def __init__(self, *args: Any, village_code: str = "", current_cadre: Any = None, **kwargs: Any) -> None:
        """With ``village_code``, the responsible cadre is chosen among the team members serving the village or a
        region above it (and the current one); without it (registering), the field is left out."""
        super().__init__(*args, **kwargs)
        if not village_code:
            del self.fields["cadre_id"]
            return
        serving = (Cadre.objects.filter(region_id__in=[*ancestors(village_code), village_code])
                   .filter(Q(end_date__isnull=True) | Q(end_date__gt=timezone.localdate())))
        if current_cadre is not None:
            serving = serving | Cadre.objects.filter(pk=current_cadre.pk)
        options = [(str(c.pk), f"{c.name}（{c.unit}）") for c in serving.distinct().order_by("name")[:500]]
        field: Any = self.fields["cadre_id"]
        field.choices = [("", "—"), *options]

    def data_for_service(self) -> dict[str, Any]:
        """Cleaned values without the blanks of optional numbers (the model defaults apply)."""
        out = dict(self.cleaned_data)
        for name in ("housing_area", "cultivated_land", "irrigated_land", "forest_land", "road_distance_km"):
            if out.get(name) is None:
                out.pop(name, None)
        return out

    def main_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.MAIN if n in self.fields]

    def more_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.fields if n not in self.MAIN]


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    id_type = _coded("id_type", _("ID type"))
    id_number = forms.CharField(label=_("ID number"), max_length=18,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    sex = _coded("sex", _("Sex"), required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput())
    relation = _coded("relation", _("Relation to head"))
    ethnicity = _coded("ethnicity", _("Ethnicity"))
    health = _coded("health", _("Health"))
    education = _coded("education", _("Education"), required=False)
    schooling = _coded("schooling", _("School status"), required=False)
    political = _coded("political", _("Political status"), required=False)
    disability_category = _coded("disability_category", _("Disability category"), required=False)
    disability_grade = _coded("disability_grade", _("Disability grade"), required=False)
    labour_skill = _coded("labour_skill", _("Labour ability"), required=False)
    work_location = _coded("work_location", _("Place of work"), required=False)
    work_months = forms.IntegerField(label=_("Months worked"), required=False, min_value=0, max_value=12)
    welfare_job_months = forms.IntegerField(label=_("Months in public-welfare job"), required=False,
                                            min_value=0, max_value=12)
    speaks_mandarin = forms.BooleanField(label=_("Speaks Mandarin"), required=False, initial=True)
    has_medical_insurance = collected(_("Basic medical insurance"))
    has_serious_illness_insurance = forms.BooleanField(label=_("Serious-illness insurance"), required=False)
    has_pension_insurance = forms.BooleanField(label=_("Basic pension insurance"), required=False)
    receives_dibao = forms.BooleanField(label=_("Minimum living guarantee (低保)"), required=False)
    receives_tekun = forms.BooleanField(label=_("Extreme-poverty support (特困)"), required=False)

    MAIN = ("name", "id_type", "id_number", "sex", "birth_date", "relation", "ethnicity", "health", "schooling",
            "has_medical_insurance")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["id_type"].initial = "1"
        self.fields["sex"].help_text = _("Taken from the ID number when left empty.")
        self.fields["birth_date"].help_text = _("Taken from the ID number when left empty.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("id_type") and data["id_type"] != "1":
            # Only a resident ID carries sex and birth date; other documents need them typed.
            for name in ("sex", "birth_date"):
                if not data.get(name):
                    self.add_error(name, _("Required when the ID is not a resident ID card."))
        return data

    def data_for_service(self) -> dict[str, Any]:
        out = dict(self.cleaned_data)
        for name in ("work_months", "welfare_job_months"):
            out[name] = out.get(name) or 0
        if not out.get("birth_date"):
            out.pop("birth_date", None)
        return out

    def main_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.MAIN]

    def more_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.fields if n not in self.MAIN]


class ChangeForm(forms.Form):
    """Why a dossier changes: every change says why, may take effect on another day, and may be a
    correction of an error rather than a change of the household's situation."""

    reason = forms.CharField(label=_("Reason for the change (修改原因)"), max_length=300,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))
    valid_from = forms.DateField(label=_("Valid from (生效日期)"), required=False, widget=DateInput(),
                                 help_text=_("Leave empty for today."))
    correction = forms.BooleanField(label=_("This corrects an error (更正)"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (原因)"), max_length=300,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))


class RegisterForm(forms.Form):
    """Where and under which number a new household is registered. The village is a list when the
    user's region holds few villages, else a code typed and checked."""

    village = forms.CharField(label=_("Village"), max_length=12)
    number = forms.CharField(label=_("Household number"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))

    def __init__(self, *args: Any, villages: list[tuple[str, str]] | None = None, scope: Scope | None = None,
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.scope = scope
        if villages is not None:
            self.fields["village"] = forms.ChoiceField(label=_("Village"), choices=[("", ""), *villages])
        else:
            self.fields["village"].widget.attrs.update({"inputmode": "numeric", "pattern": "[0-9]{12}"})
            self.fields["village"].help_text = _("The 12-digit code of a village in your region.")

    def clean_village(self) -> str:
        code = str(self.cleaned_data["village"]).strip()
        if not (is_code(code) and len(code) == CODE_LENGTH):
            raise ValidationError(_("A village code has 12 digits."))
        if self.scope is not None and not self.scope.contains(code):
            # the service refuses it too (PermissionDenied); here it is said next to the field
            raise ValidationError(in_language("该村不在您的管辖范围内 / this village is outside your region"))
        return code


class TransferForm(RegisterForm):
    """The county's transfer of a household to another village: the village (a list, or a code when the region
    holds many villages) and the reason."""

    number = None  # type: ignore[assignment]
    reason = forms.CharField(label=_("Reason for the transfer (迁户原因)"), max_length=300,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["village"].label = _("Village the household moves to (迁入村)")


class IncomeForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2013, max_value=2100)
    household_size = forms.IntegerField(label=_("Household size in the year"), required=False, min_value=1,
                                        help_text=_("Leave empty for the number of active members."))
    reason = forms.CharField(label=_("Reason (原因)"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in (*INCOME_FIELDS, "business_expense"):
            label = getattr(Income._meta.get_field(name), "verbose_name", name)
            self.fields[name] = _money(label)

    def components(self) -> dict[str, Any]:
        data = self.cleaned_data
        out = {name: data.get(name) or 0 for name in (*INCOME_FIELDS, "business_expense")}
        if data.get("household_size"):
            out["household_size"] = data["household_size"]
        return out

    def component_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in (*INCOME_FIELDS, "business_expense")]


def add_service_errors(exc: ValidationError, form: forms.Form, *,
                       members: Sequence[forms.Form] | None = None, extra: Sequence[forms.Form] | None = None) -> None:
    """Put each message of a service's ValidationError next to its field: ``field`` on ``form`` (or on one
    of ``extra``), ``members.<i>.<field>`` on the i-th member form; anything else on top of ``form``."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, in_language(message))
        return
    for key, errors in exc.error_dict.items():
        messages = [in_language(m) for e in errors for m in e.messages]
        target: forms.Form = form
        field: str | None = key
        parts = key.split(".")
        if parts[0] == "members" and len(parts) == 3 and members is not None and parts[1].isdigit() \
                and int(parts[1]) < len(members):
            target, field = members[int(parts[1])], parts[2]
        elif key not in form.fields:
            owner = next((f for f in extra or [] if key in f.fields), None)
            if owner is not None:
                target = owner
            elif key in ("members", "__all__"):
                field = None
            elif members is not None and len(members) == 1 and key in members[0].fields:
                target = members[0]
            else:
                field = None
        if field is not None and field not in target.fields:
            field = None
        for message in messages:
            target.add_error(field, message)


class HouseholdPicker(forms.Widget):
    """A household chosen by searching its number or its head's name inside the user's scope (htmx, the
    registry's ``household_picker`` view); the form receives the household number, as a typed field would."""

    template_name = "registry/widgets/household_picker.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.chosen_label = ""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["chosen_label"] = self.chosen_label
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)
