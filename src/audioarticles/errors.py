"""One family of errors a user can act on; the CLI prints them as `error: ...`."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix: the message names the input and the fix."""

    exit_code = 1


class UsageError(UserError):
    """The command line itself is wrong (unknown voice, bad option value)."""

    exit_code = 2


class InputError(UserError):
    """One input could not be converted; a batch goes on with the others. `article_id`: the
    explicit id (a CMS's) of the article it concerns, when it has one (set by the batch)."""

    article_id = ""

    def __init__(self, source: str, message: str):
        super().__init__(f"{source}: {message}")
        self.source = source
        self.reason = message


class ArticleNotFound(UserError):
    """No article or episode by this id (the HTTP API answers 404)."""


class FieldError(UsageError):
    """One field of a request is wrong (the HTTP API answers 422 naming it)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


class EngineUnavailable(UserError):
    """A TTS engine cannot run here; the message says what is missing and how to get it."""


class SynthesisError(UserError):
    """An engine was available but failed to produce audio for a text. `what` says what
    happened; the message adds the fix, when there is one."""

    def __init__(self, what: str, fix: str = ""):
        super().__init__(f"{what}; {fix}" if fix else what)
        self.what = what
        self.fix = fix


class ChildStopped(UserError):
    """A program we started (ffmpeg, an espeak worker) was killed by a signal: the run is being
    stopped (a service manager signals the whole group) or the system killed it. Not a failure
    of the voice: no fallback, no degraded episode; when the run is stopping, the article is
    simply not finished."""


class StorageError(UserError):
    """The disk refused a write (full, read-only, not permitted): the run stops, since every
    later write would fail the same way; what was being written is removed."""


class CatalogUnusable(StorageError):
    """The catalog cannot be used as it is (damaged, missing beside published files, on a full
    disk or a read-only folder): the run stops before it changes anything."""


class ArticleSkipped(Exception):
    """Not an error: an opt-out rule or a tombstone says this article is not to be voiced."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
