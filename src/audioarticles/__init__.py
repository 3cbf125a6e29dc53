"""audioarticles: turn news articles into podcast-grade audio, French first.

The public API is `Project` (see `audioarticles.api` and docs/API.md)."""

from __future__ import annotations

# the version first: a module that reads `audioarticles.__version__` while the API loads finds it
from audioarticles.version import __version__  # isort: skip

from audioarticles.api import ArticleInput, Change, Episode, Progress, Project, Report
from audioarticles.errors import ArticleSkipped, InputError, UsageError, UserError

__all__ = ["ArticleInput", "ArticleSkipped", "Change", "Episode", "InputError", "Progress",
           "Project", "Report", "UsageError", "UserError", "__version__"]
