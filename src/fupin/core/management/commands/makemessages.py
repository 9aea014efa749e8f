from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """Django's makemessages, but msgmerge never guesses a translation from a similar message (fuzzy
    entries would show a wrong Chinese text until someone noticed), and ``_l`` (the alias of gettext_lazy where ``_``
    is gettext in the same module) is a keyword, so its messages are not dropped as obsolete."""

    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l"]

    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
