"""Opt-out rules, kept as data: articles a newsroom never wants read aloud (a rubric, an agency
byline, paywalled URLs, a marker in the text, an HTML attribute or class on the page).

The packaged `data/optout.toml` holds no rule; a project adds its own in `optout.toml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from importlib import resources
from pathlib import Path

from audioarticles.config import OPTOUT_FILE, OptoutFile, read_toml
from audioarticles.model import Article
from audioarticles.validation import check

PROJECT_FILE = OPTOUT_FILE
PATTERN_KEYS = ("categories", "authors", "urls", "markers")
KEYS = (*PATTERN_KEYS, "selectors")
# how a byline lists several names: "Anne Roy et Paul Roux, AFP"
_NAME_SEPARATORS = re.compile(r"\s*(?:[,;/&]|\bet\b|\band\b)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    kind: str  # one of KEYS
    pattern: str
    origin: str  # the file it came from, for the skip reason


@dataclass
class OptOutRules:
    rules: list[Rule] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Rule]:
        return [r for r in self.rules if r.kind == kind]

    @property
    def selectors(self) -> list[str]:
        return [r.pattern for r in self.of_kind("selectors")]

    def extend(self, data: dict, origin: str) -> None:
        """Add the rules of one TOML document, checked against `OptoutFile`."""
        rules = check(OptoutFile, data, origin)
        for kind in KEYS:
            self.rules.extend(Rule(kind, v.strip(), origin) for v in getattr(rules, kind))


def load_rules(project_root: Path | None = None) -> OptOutRules:
    """The packaged rules (none), then the project's `optout.toml`."""
    rules = OptOutRules()
    packaged = resources.files("audioarticles") / "data" / PROJECT_FILE
    rules.extend(read_toml(packaged), "packaged optout.toml")
    if project_root is not None:
        custom = project_root / PROJECT_FILE
        if custom.is_file():
            rules.extend(read_toml(custom, PROJECT_FILE), PROJECT_FILE)
    return rules


def _matches(pattern: str, value: str) -> bool:
    return bool(value) and fnmatchcase(" ".join(value.split()).casefold(), pattern.casefold())


def byline_names(author: str) -> list[str]:
    """The byline and each name in it: "Anne Roy et Paul Roux, AFP" → [whole, "Anne Roy", ...]."""
    names = [part for part in _NAME_SEPARATORS.split(author) if part.strip()]
    return [author, *names] if len(names) > 1 else [author]


def skip_reason(article: Article, rules: OptOutRules) -> str | None:
    """Why this article is not to be voiced, naming the rule; None when no rule applies."""
    meta = article.meta
    candidates = {
        "categories": ("category", meta.categories),
        "authors": ("author", byline_names(meta.author) if meta.author else []),
        "urls": ("URL", [u for u in dict.fromkeys((meta.canonical_url, meta.url)) if u]),
    }
    for kind, (label, values) in candidates.items():
        for rule in rules.of_kind(kind):
            for value in values:
                if _matches(rule.pattern, value):
                    return f'opt-out: {label} "{value}" matches "{rule.pattern}" ({rule.origin})'
    markers = rules.of_kind("markers")
    if markers:
        text = "\n".join([meta.title, *(b.text for b in article.blocks)]).casefold()
        for rule in markers:
            if rule.pattern.casefold() in text:
                return f'opt-out: the text carries the marker "{rule.pattern}" ({rule.origin})'
    return None
