"""Gold snippets: text a page must have read and text it must never have read, and the check.

A page `NAME.html` comes with `NAME.gold.toml` holding `must_read` and `must_not_read` lists of
short passages copied from the page. The extraction tests and `benchmarks/bench_extract.py`
score any extractor's output with `check`; a publisher can write the same files for their site.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from audioarticles.config import read_toml

# Layout differences that say nothing about what is read: runs of spaces (no-break ones too),
# soft hyphens and zero-width characters a page inserts for hyphenation, and the Unicode form
# (a page may write "é" as "e" and a combining accent, as Mediapart's Club does in places).
_INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2007]+")


def comparable(text: str) -> str:
    """Text in composed form (NFC) with invisible characters removed and every run of spaces
    made one space."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFC", text))).strip()


@dataclass
class Gold:
    page: str
    kind: str  # "real" (a page saved from the web) or "own" (written for the tests)
    must_read: list[str] = field(default_factory=list)
    must_not_read: list[str] = field(default_factory=list)
    # snippets our own extraction is known to get wrong (each explained in the gold file)
    known_misses: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.must_read) + len(self.must_not_read)


@dataclass
class Verdict:
    honoured: int
    missing: list[str]  # must-read passages not read
    leaked: list[str]  # must-not-read passages read

    @property
    def failures(self) -> list[str]:
        return [f"not read: {s!r}" for s in self.missing] + [f"read: {s!r}" for s in self.leaked]

    @property
    def failed(self) -> list[str]:
        return self.missing + self.leaked


def load_gold(page: Path) -> Gold:
    """The gold file beside `page` (`x.html` → `x.gold.toml`)."""
    data = read_toml(page.with_name(page.name.removesuffix(".html") + ".gold.toml"))
    return Gold(page=page.name, kind=str(data.get("kind", "own")),
                must_read=list(data.get("must_read", [])),
                must_not_read=list(data.get("must_not_read", [])),
                known_misses=list(data.get("known_misses", [])))


def check(text: str, gold: Gold) -> Verdict:
    """How many snippets `text` (everything that would be read) honours, and which it fails."""
    spoken = comparable(text)
    missing = [s for s in gold.must_read if comparable(s) not in spoken]
    leaked = [s for s in gold.must_not_read if comparable(s) in spoken]
    return Verdict(len(gold) - len(missing) - len(leaked), missing, leaked)


def gold_pages(folder: Path) -> list[Path]:
    """The pages in `folder` that have a gold file, in name order."""
    return sorted(p for p in folder.glob("*.html")
                  if p.with_name(p.name.removesuffix(".html") + ".gold.toml").exists())
