"""Exceptions a user can act on, each naming the condition it reports.

    PlenaryError                      a rule the user can satisfy; shown to them ephemerally
    ├── UsageError(ValueError)        the command text is malformed or out of limits
    ├── NotFound(LookupError)         no such meeting, delegation or item here
    ├── NotAllowed(PermissionError)   the caller's role does not permit this
    └── Conflict(RuntimeError)        the request clashes with the current state
        └── Duplicate                 it would record twice what may exist once
    ConfigError(ValueError)           a setting is missing or invalid at start-up (not a user error)

Every PlenaryError carries ``usage``: the usage line of the command that failed, so the
answer always tells the user what to type instead.
"""

from __future__ import annotations


class PlenaryError(Exception):
    """A rule violation the user can fix; the message is written for that user."""

    def __init__(
        self, message: str, *, usage: str = "", field: str = "", mentions: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage
        self.field = field  # which input it concerns ("deadline", "session"…), for forms
        self.mentions = mentions  # user ids the bot itself wrote as <@U…> into the message

    def with_usage(self, usage: str) -> PlenaryError:
        """Attach the usage line of the command being handled, unless one is already set."""
        if not self.usage:
            self.usage = usage
        return self


class UsageError(PlenaryError, ValueError):
    """The command text is malformed, empty or over a limit."""


class NotFound(PlenaryError, LookupError):
    """The meeting, delegation or item named does not exist here."""


class NotAllowed(PlenaryError, PermissionError):
    """The caller's role does not permit the action."""


class Conflict(PlenaryError, RuntimeError):
    """The action clashes with the current state (already decided, already registered…)."""


class Duplicate(Conflict):
    """The change would record twice what may exist once: a delegation's name in a meeting, a
    user's membership, a delegation's current position on an item, a channel's meeting.

    Storage raises it whatever its backend, when a uniqueness rule refuses the change."""


class ConfigError(ValueError):
    """A start-up setting is missing or invalid; the message names it in one line."""
