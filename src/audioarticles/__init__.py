"""audioarticles: turn news articles into podcast-grade audio, French first."""

from __future__ import annotations

__version__ = "0.1.0"
