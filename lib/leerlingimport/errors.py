"""One exception family, with messages written for people.

    LeerlingimportError            every error the package raises on purpose
    ├── ConfigError                settings or params are wrong (exit status 2)
    │   └── ParamsError            one or more params files are invalid (all problems listed)
    ├── InputFileError             an uploaded or given file cannot be used (exit status 1)
    ├── NotFound                   a customer, card, school or branch does not exist
    ├── ConflictError              the request contradicts the database (e.g. a card in use)
    ├── DatabaseError              the database refused a statement (no SQL in the message)
    └── DatabaseUnavailable        the database cannot be reached or is busy (retryable)

Every error carries ``user_message`` (Dutch, what is wrong and what to do) and ``exit_status``.
"""

from __future__ import annotations


class LeerlingimportError(Exception):
    """Base class: ``str(error)`` is the message for a person."""

    exit_status: int = 1
    retryable: bool = False

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class ConfigError(LeerlingimportError):
    """Settings or params are wrong; nothing was done."""

    exit_status = 2


class ParamsError(ConfigError):
    """One or more params files are invalid; ``problems`` lists every one of them."""

    def __init__(self, problems: list[str]) -> None:
        lines = "\n".join(f"- {p}" for p in problems)
        super().__init__(f"De instellingen in params/ kloppen niet:\n{lines}")
        self.problems = problems


class InputFileError(LeerlingimportError):
    """A file cannot be read or is refused."""


class NotFound(LeerlingimportError):
    """A record the user named does not exist."""


class ConflictError(LeerlingimportError):
    """The request contradicts what the database holds."""


class DatabaseError(LeerlingimportError):
    """The database refused a statement; the message never holds SQL or values."""

    exit_status = 2


class DatabaseUnavailable(LeerlingimportError):
    """The database cannot be reached; trying again later may work."""

    exit_status = 2
    retryable = True
