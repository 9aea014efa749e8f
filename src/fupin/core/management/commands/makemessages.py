from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """Django's makemessages, but msgmerge never guesses a translation from a similar message (fuzzy
    entries would show a wrong Chinese text until someone noticed)."""

    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
