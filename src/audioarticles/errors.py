"""One family of errors a user can act on; the CLI prints them as `error: ...`."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix: the message names the input and the fix."""

    exit_code = 1


class UsageError(UserError):
    """The command line itself is wrong (unknown voice, bad option value)."""

    exit_code = 2


class InputError(UserError):
    """One input could not be converted; a batch goes on with the others."""

    def __init__(self, source: str, message: str):
        super().__init__(f"{source}: {message}")
        self.source = source
        self.reason = message


class EngineUnavailable(UserError):
    """A TTS engine cannot run here; the message says what is missing and how to get it."""


class SynthesisError(UserError):
    """An engine was available but failed to produce audio for a text."""


class ArticleSkipped(Exception):
    """Not an error: an opt-out rule or a tombstone says this article is not to be voiced."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
