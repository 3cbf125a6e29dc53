"""Which rule rewrote what: the normaliser's passes replayed one by one on a segment, each
rewrite aligned word by word with the written text (`audioarticles text --changes`)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import asdict, dataclass

_WORD = re.compile(r"\S+")
# what changes nothing a listener hears: spacing, apostrophes, quotes, hyphens
_HEARD = re.compile(r"[\s'’‘\-«»\"“”]")


@dataclass(frozen=True)
class Change:
    """One rewrite: `before` became `after` by `rule`; `start`/`end` locate the written text it
    comes from (`written`) in the segment."""

    rule: str
    before: str
    after: str
    written: str
    start: int
    end: int

    def to_dict(self) -> dict:
        return asdict(self)


def trace(text: str, passes, lexicon) -> tuple[str, list[Change]]:
    """The spoken text and every change the passes made, in order. `passes` are the language
    module's `PASSES` (name, rewrite(text, lexicon), hint)."""
    words = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]
    current = text
    changes: list[Change] = []
    for name, rewrite, hint in passes:
        if hint is not None and not hint.search(current):
            continue
        rewritten = rewrite(current, lexicon)
        if rewritten == current:
            continue
        after = [m.group(0) for m in _WORD.finditer(rewritten)]
        words, found = _align(words, after, text)
        changes += [Change(name, before, spoken, text[start:end], start, end)
                    for before, spoken, start, end in found]
        current = rewritten
    return current, changes


def _heard(text: str) -> str:
    """ "4ᵉ" and "4e", "l’IA" and "l'IA" sound the same."""
    return _HEARD.sub("", unicodedata.normalize("NFKC", text))


def _align(words: list[tuple[str, int, int]], after: list[str], text: str):
    """The new words with the written spans they come from, and the (before, after, start,
    end) of each replaced stretch whose words differ (spacing or apostrophes alone are not)."""
    matcher = difflib.SequenceMatcher(None, [w for w, _, _ in words], after, autojunk=False)
    placed: list[tuple[str, int, int]] = []
    found = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            placed += words[i1:i2]
            continue
        if i1 < i2:
            start, end = words[i1][1], words[i2 - 1][2]
        else:  # an insertion: it stands where the next word was, or at the end
            start = end = words[i1][1] if i1 < len(words) else len(text)
        placed += [(w, start, end) for w in after[j1:j2]]
        before = " ".join(w for w, _, _ in words[i1:i2])
        spoken = " ".join(after[j1:j2])
        if _heard(before) != _heard(spoken):
            found.append((before, spoken, start, end))
    return placed, found
