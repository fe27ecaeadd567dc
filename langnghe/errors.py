"""Errors meant for people: one line that says what went wrong and what to do next."""


class UserError(Exception):
    """A failure the user can fix. The CLI prints ``error: <message>`` and exits 2.

    The message must end with what to do next ("Run `langnghe db upgrade`.").
    """

    exit_code = 2
