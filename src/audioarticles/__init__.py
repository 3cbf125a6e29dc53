"""audioarticles: turn news articles into podcast-grade audio, French first.

The public API is `Project` (see `audioarticles.api` and docs/API.md)."""

from __future__ import annotations

# the version first: a module that reads `audioarticles.__version__` while the API loads finds it
from audioarticles.version import __version__  # isort: skip

from audioarticles.errors import ArticleSkipped, InputError, UsageError, UserError

__all__ = ["ArticleInput", "ArticleSkipped", "Change", "Episode", "InputError", "Progress",
           "Project", "Report", "UsageError", "UserError", "__version__"]

_API = {"ArticleInput", "Change", "Episode", "Progress", "Project", "Report"}


def __getattr__(name: str):
    """The API's names, imported on first use: a worker process that imports one engine
    module (espeak-ng, Piper) loads that module's needs, not the whole package."""
    if name in _API:
        from audioarticles import api

        return getattr(api, name)
    raise AttributeError(f"module 'audioarticles' has no attribute {name!r}")
