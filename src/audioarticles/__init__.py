"""audioarticles: turn news articles into podcast-grade audio, French first.

The public API is `Project` (see `audioarticles.api` and docs/API.md)."""

from __future__ import annotations

from audioarticles.api import ArticleInput, Change, Episode, Progress, Project, Report
from audioarticles.errors import ArticleSkipped, InputError, UsageError, UserError
from audioarticles.version import __version__

__all__ = ["ArticleInput", "ArticleSkipped", "Change", "Episode", "InputError", "Progress",
           "Project", "Report", "UsageError", "UserError", "__version__"]
