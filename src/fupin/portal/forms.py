"""Forms of the public portal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _


class DonorSignUpForm(forms.Form):
    """A netizen signs up as a donor: a login and the name shown on the public ledger. Nothing else is asked:
    the account never sees personal data, and a contact is optional (seen by the township only)."""

    display_name = forms.CharField(label=_("name shown on the ledger"), max_length=100,
                                   help_text=_("Shown with your donations on the public ledger, e.g. “爱心网友小王”."))
    anonymous = forms.BooleanField(label=_("appear as an anonymous donor"), required=False)
    username = forms.RegexField(label=_("login name"), max_length=150, regex=r"^[\w.@+-]+\Z",
                                error_messages={"invalid": _("Use letters, digits and @ . + - _ only.")},
                                widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password1 = forms.CharField(label=_("password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=_("At least 10 characters, not only digits, not like the login name."))
    password2 = forms.CharField(label=_("password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    contact = forms.CharField(label=_("how the township can reach you (optional)"), max_length=100, required=False,
                              help_text=_("Never public; used only to arrange a transfer or goods."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1 and data.get("username"):
            try:
                password_validation.validate_password(p1, get_user_model()(username=data["username"]))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data
