from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LifecycleConfig(AppConfig):
    name = "fupin.lifecycle"
    label = "lifecycle"
    verbose_name = _("Lifecycle")

    def ready(self) -> None:
        from fupin.lifecycle.demo import add_demo
        from fupin.registry import demo

        demo.extend(add_demo)
