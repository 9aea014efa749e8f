"""Django's zh_Hans formats with the thousands grouping Chinese statistics use (12,345,678): Django's own module
sets no separator, so ``intcomma`` and ``floatformat:"g"`` printed 20000 where a reader expects 20,000.
Plain ``{{ n }}`` is unaffected (USE_THOUSAND_SEPARATOR stays off: years and numbers stay ungrouped)."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
