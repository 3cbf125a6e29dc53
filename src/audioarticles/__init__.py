"""audioarticles: turn news articles into podcast-grade audio, French first.

The public API is `Project` (see `audioarticles.api` and docs/API.md)."""

from __future__ import annotations

from audioarticles.api import Change, Episode, Progress, Project, Report
from audioarticles.errors import InputError, UsageError, UserError
from audioarticles.version import __version__

__all__ = ["Change", "Episode", "InputError", "Progress", "Project", "Report", "UsageError",
           "UserError", "__version__"]
