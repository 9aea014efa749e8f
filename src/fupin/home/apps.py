from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The site above the apps: the home page, what every page's template needs, the demo users."""

    name = "fupin.home"
    label = "home"
    verbose_name = _("Home")
