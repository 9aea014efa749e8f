"""The ``fupin`` console script: Django's management entry point with fupin's settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    from django.core.management import execute_from_command_line

    argv = sys.argv[:]
    argv[0] = "fupin"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
