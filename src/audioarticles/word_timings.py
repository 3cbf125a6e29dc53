"""Word timings for the written text, from the times an engine gave for the words it spoke.

The voice says the spoken text ("vingt-trois pour cent"), the transcript shows the written one
("23 %"). Words that are the same on both sides (compared without case, accents or
punctuation) keep their exact times; a run of written words that was said differently shares
the time of what was said in its place, by length; punctuation standing alone ("—", "«")
travels with its neighbour. Joining the texts of the result with spaces gives the written
text back (whitespace normalised).
"""

from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher

from audioarticles.model import WordTime


def key(token: str) -> str:
    """What two words must share to be the same word: letters and digits, lower case, no
    accents."""
    plain = unicodedata.normalize("NFKD", token.casefold())
    return "".join(c for c in plain if c.isalnum())


def _tokens(written: str) -> list[str]:
    """Written words, with punctuation standing alone joined to the word after it (at the
    start: « Bonjour) or before it (» , — …)."""
    words: list[str] = []
    pending = ""
    for token in written.split():
        if not key(token):
            if words:
                words[-1] += f" {token}"
            else:
                pending = f"{pending} {token}".strip()
            continue
        words.append(f"{pending} {token}".strip() if pending else token)
        pending = ""
    if pending:  # nothing but punctuation
        words.append(pending)
    return words


def _share(words: list[str], start: float, end: float) -> list[WordTime]:
    """`words` spread over [start, end] by their number of letters."""
    weights = [max(1, len(key(word))) for word in words]
    total, done, result = sum(weights), 0, []
    for word, weight in zip(words, weights):
        first = start + (end - start) * done / total
        done += weight
        result.append(WordTime(first, start + (end - start) * done / total, word))
    return result


def written_words(written: str, spoken: list[WordTime]) -> list[WordTime]:
    """Times for the words of `written` from the timed `spoken` words (see the module)."""
    words = _tokens(written)
    if not words or not spoken:
        return []
    matcher = SequenceMatcher(None, [key(w) for w in words], [key(w.text) for w in spoken],
                              autojunk=False)
    result: list[WordTime] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result.extend(WordTime(spoken[j].start_ms, spoken[j].end_ms, words[i])
                          for i, j in zip(range(i1, i2), range(j1, j2)))
        elif tag == "replace":
            result.extend(_share(words[i1:i2], spoken[j1].start_ms, spoken[j2 - 1].end_ms))
        elif tag == "delete":  # written words nobody said (as far as we can tell): no time
            at = result[-1].end_ms if result else spoken[min(j1, len(spoken) - 1)].start_ms
            after = spoken[j1].start_ms if j1 < len(spoken) else at
            result.extend(_share(words[i1:i2], at, max(at, after)))
        # "insert": spoken words the text does not show; their time stays with their neighbours
    return result
