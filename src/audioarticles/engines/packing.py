"""Pack spoken segments into TTS requests of at most N characters, cutting at the best boundary.

A service like Google Translate TTS takes 100 characters per request. Cutting a sentence at
every comma (gTTS's own tokenizer) wastes requests and adds pauses; cutting inside "7 800" or
after "M." makes the voice read one thing as two. Here each request is filled as far as the
limit allows, with the fewest requests first and then the best cuts: between segments, then
after a sentence, then after a clause, then before a conjunction, then between two words.
A cut never falls inside a word, inside a grouped number ("7 800", "1 500 000"), inside a run
of number words (packing runs on the spoken text, where "7,1 milliards" is "sept virgule un
milliards" and "1944" is "mille neuf cent quarante-quatre"), between a number and "pour cent",
after a title ("M. Rist"), after an opening quote or before spaced French punctuation (" :", " »").

When `across_segments` is on, the tail of one segment may share a request with the start of
the next (the caller then splits the audio back at the pause between them); a segment that
does not end with sentence punctuation gets a period there so the voice pauses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SEGMENT, SENTENCE, CLAUSE, PHRASE, WORD, WEAK = 0, 1, 2, 3, 4, 5
#: what one more request costs, against what each kind of cut costs
REQUEST_COST = 10
CUT_PENALTY = {SEGMENT: 0, SENTENCE: 1, CLAUSE: 2, PHRASE: 5, WORD: 8, WEAK: 12}
#: what putting two segments in one request costs (its audio must be split at a pause)
SHARED_PENALTY = 3
#: a request shorter than this is read with odd prosody; avoid it when the count allows
SHORT_REQUEST = 25
SHORT_PENALTY = 3

_CLOSING = r"»\"”’)\]}"
_SENTENCE_END = re.compile(rf"[.!?…][{_CLOSING}]*$")
_CLAUSE_END = re.compile(rf"([,;:]|[—–]|[{_CLOSING}])[{_CLOSING}]*$")
# tokens that belong to the word before them: spaced French punctuation, units, closing quotes
_ATTACHED = re.compile(rf"[:;!?%€$‰°,.…{_CLOSING}]+")
_OPENING = re.compile(r"[«\"“‘(\[{]+")
_CLAUSE_START = re.compile(r"^[«“(\[—–-]")
_DIGIT_GROUP = re.compile(r"\d{3}(?!\d)")
# titles that belong with the name after them, and abbreviations that do not end a sentence
_TITLES = {"m.", "mm.", "mme", "mmes", "mme.", "mlle", "mlles", "dr", "dr.", "pr", "pr.", "me",
           "me.", "mgr", "st", "ste", "st.", "ste.", "sr", "sr.", "n°", "no."}
_NON_FINAL = {"m.", "mm.", "p.", "pp.", "cf.", "vol.", "av.", "env.", "art.", "ch.", "éd.",
              "coll.", "fig.", "ex.", "n.", "no.", "dr.", "pr.", "me."}
# abbreviations that introduce a number: "p. 12", "n° 3"
_NUMBERING = {"p.", "pp.", "n°", "no.", "vol.", "art.", "ch.", "fig.", "t."}
# The words numbers are read with: a run of them is one number, never cut.
NUMBER_WORDS = {"zéro", "un", "une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit",
                "neuf", "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "vingt",
                "vingts", "trente", "quarante", "cinquante", "soixante", "cent", "cents", "mille",
                "million", "millions", "milliard", "milliards", "billion", "billions", "virgule"}
_PHRASE_WORDS = {"et", "ou", "mais", "donc", "car", "or", "ni", "qui", "que", "qu", "dont", "où",
                 "lorsque", "lorsqu", "puisque", "puisqu", "quand", "afin", "pour", "avec", "sans",
                 "dans", "selon", "parce", "tandis", "alors", "comme", "si", "sinon", "notamment"}
# words that lean on the next one: cutting after them ("un | outil") sounds worst
_LEANING = {"le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "au", "aux", "à", "en",
            "ce", "cet", "cette", "ces", "son", "sa", "ses", "leur", "leurs", "mon", "ma", "mes",
            "notre", "nos", "votre", "vos", "sur", "par", "pour", "et", "ou", "ne", "n", "se",
            "s", "qui", "que", "qu", "il", "elle", "ils", "elles", "on", "nous", "vous", "je",
            "j", "tu", "y", "plus", "très", "moins", "si", "tout", "tous", "toute", "toutes"}


@dataclass(frozen=True)
class Piece:
    """The part of one segment's text that goes into a request."""

    segment: int
    text: str


@dataclass(frozen=True)
class Request:
    """The text of one TTS request and the segment pieces it is made of, in order."""

    pieces: tuple[Piece, ...]

    @property
    def text(self) -> str:
        parts = []
        for i, piece in enumerate(self.pieces):
            shared = i + 1 < len(self.pieces)
            parts.append(_terminated(piece.text) if shared else piece.text)
        return " ".join(parts)

    @property
    def segments(self) -> tuple[int, ...]:
        return tuple(p.segment for p in self.pieces)

    def boundaries(self) -> list[float]:
        """Where, as a fraction of the request's characters, each next segment starts."""
        total = len(self.text)
        marks, offset = [], 0
        for piece in self.pieces[:-1]:
            offset += len(_terminated(piece.text)) + 1
            marks.append(offset / total)
        return marks


def _terminated(text: str) -> str:
    """The text with sentence punctuation at its end, so a voice pauses after it
    ("majeures :" becomes "majeures.")."""
    if _SENTENCE_END.search(text):
        return text
    return re.sub(r"[\s,;:]+$", "", text) + "."


def tokens(text: str) -> list[str]:
    """Words as the service sees them: split at ordinary whitespace only (no-break spaces,
    as in "7\u202f800", keep a number whole)."""
    return text.split()


_PAUSE_MARKS = ",;:.!?…»\"”)"


def is_number_word(token: str) -> bool:
    """ "mille", "quatre-vingt-dix", "virgule", "vingt-deuxième" (not "sept," before a pause)."""
    parts = token.lower().split("-")
    if not all(parts):
        return False
    *head, last = parts
    return all(p in NUMBER_WORDS for p in head) and (
        last in NUMBER_WORDS or (last.endswith(("ième", "ièmes")) and len(last) > 4))


_TENS_WITH_ET = {"vingt", "trente", "quarante", "cinquante", "soixante"}
_AFTER_ET = {"un", "une", "onze", "unième", "unièmes", "onzième", "onzièmes"}


def inside_number(before: str, after: str, following: str = "") -> bool:
    """Whether a cut between `before` and `after` falls inside one spoken number ("et" joins
    only "vingt et un", "soixante et onze": "deux mille un et deux mille" are two numbers)."""
    low, after_word = before.lower(), after.rstrip(_PAUSE_MARKS).lower()
    if low == "et":
        return after_word in _AFTER_ET
    if not is_number_word(before):
        return False
    if after_word == "et":
        return low.split("-")[-1] in _TENS_WITH_ET and following.rstrip(_PAUSE_MARKS).lower() in _AFTER_ET
    if after_word == "pour":
        return following.rstrip(_PAUSE_MARKS).lower() in ("cent", "mille")  # "douze | pour cent"
    return is_number_word(after_word)  # "sept | virgule un milliards", "mille neuf cent | quarante"


def cut_level(before: str, after: str, following: str = "") -> int | None:
    """How good a cut between two neighbouring tokens is, or None when it is forbidden
    (`following` is the token after `after`, when there is one)."""
    low = before.lower()
    if _ATTACHED.fullmatch(after) or _OPENING.fullmatch(before):
        return None
    if before[-1:].isdigit() and _DIGIT_GROUP.match(after):
        return None  # "7 800", "1 500 000" with ordinary spaces
    if inside_number(before, after, following):
        return None
    if low in _TITLES or re.fullmatch(r"[A-Z]\.", before):
        return None  # "M. Rist", "J. Dupont"
    if low in _NUMBERING and after[:1].isdigit():
        return None  # "p. 12"
    if _SENTENCE_END.search(before) and low not in _NON_FINAL:
        return SENTENCE
    if _CLAUSE_END.search(before) or _CLAUSE_START.match(after):
        return CLAUSE
    if re.split(r"['’]", after.lower(), maxsplit=1)[0] in _PHRASE_WORDS:
        return PHRASE
    if re.split(r"['’]", low)[-1] in _LEANING or low.endswith(("'", "’")):
        return WEAK
    return WORD


def _hard_split(token: str, limit: int) -> list[str]:
    """A 'word' longer than a whole request (a URL, a run of symbols): the only cut left."""
    return [token[i:i + limit] for i in range(0, len(token), limit)]


def pack(texts: list[str], limit: int = 100, across_segments: bool = False) -> list[Request]:
    """The fewest requests of at most `limit` characters that speak `texts` in order, with the
    best cuts among those (see the module docstring)."""
    words: list[str] = []
    owner: list[int] = []
    forced: set[int] = set()  # cuts inside an over-long token
    for index, text in enumerate(texts):
        for token in tokens(text):
            for i, part in enumerate(_hard_split(token, limit)):
                if i:
                    forced.add(len(words))
                words.append(part)
                owner.append(index)
    n = len(words)
    if n == 0:
        return []

    # level[k]: the cut before word k (k = 1..n-1); segment changes are always allowed
    level: list[int | None] = [None] * (n + 1)
    level[n] = SEGMENT
    in_numbers: list[int] = []  # forbidden cuts inside spoken numbers, given up only if need be
    for k in range(1, n):
        if owner[k] != owner[k - 1]:
            level[k] = SEGMENT
        elif k in forced:
            level[k] = WORD
        else:
            following = words[k + 1] if k + 1 < n else ""
            level[k] = cut_level(words[k - 1], words[k], following)
            if level[k] is None and inside_number(words[k - 1], words[k], following):
                in_numbers.append(k)

    # prefix sums: characters, and periods added where a segment without one shares a request
    chars = [0] * (n + 1)
    dots = [0] * (n + 1)
    for k, word in enumerate(words):
        chars[k + 1] = chars[k] + len(word)
        needs_dot = k + 1 < n and owner[k + 1] != owner[k] and not _SENTENCE_END.search(word)
        dots[k + 1] = dots[k] + (1 if needs_dot else 0)
    shared = [0] * (n + 1)  # segment changes before word k, counted up to k
    for k in range(1, n + 1):
        shared[k] = shared[k - 1] + (1 if k < n and owner[k] != owner[k - 1] else 0)

    def length(a: int, b: int) -> int:
        return chars[b] - chars[a] + (b - a - 1) + (dots[b - 1] - dots[a])

    inf = float("inf")

    def solve() -> list[int] | None:
        best = [inf] * (n + 1)
        back = [0] * (n + 1)
        best[0] = 0.0
        for b in range(1, n + 1):
            if level[b] is None:
                continue
            a = b - 1
            while a >= 0:
                size = length(a, b)
                if size > limit and a < b - 1:
                    break
                crossings = shared[b - 1] - shared[a] if b - 1 > a else 0
                if (a == 0 or level[a] is not None) and best[a] != inf \
                        and (across_segments or crossings == 0):
                    cost = (best[a] + REQUEST_COST + CUT_PENALTY[level[b]]
                            + SHARED_PENALTY * crossings
                            + (SHORT_PENALTY if size < SHORT_REQUEST else 0))
                    if cost < best[b]:
                        best[b], back[b] = cost, a
                a -= 1
        return back if best[n] != inf else None

    # a number longer than a whole request can only be cut: its cuts become weak ones
    run: list[int] = []
    for k in in_numbers + [-1]:
        if run and k != run[-1] + 1:
            if length(run[0] - 1, run[-1] + 1) > limit:
                for cut in run:
                    level[cut] = WEAK
            run = []
        run.append(k)
    back = solve()
    if back is None:  # only when forbidden cuts leave no way through: cut between any words
        return pack_words(words, owner, limit)

    cuts, b = [], n
    while b > 0:
        cuts.append((back[b], b))
        b = back[b]
    return [_request(words, owner, a, b) for a, b in reversed(cuts)]


def _request(words: list[str], owner: list[int], a: int, b: int) -> Request:
    pieces: list[Piece] = []
    start = a
    for k in range(a + 1, b + 1):
        if k == b or owner[k] != owner[start]:
            pieces.append(Piece(owner[start], " ".join(words[start:k])))
            start = k
    return Request(tuple(pieces))


def pack_words(words: list[str], owner: list[int], limit: int) -> list[Request]:
    """Greedy word packing, one segment at a time: the last resort when no allowed cut fits."""
    requests: list[Request] = []
    start = 0
    for k in range(1, len(words) + 1):
        if k == len(words) or owner[k] != owner[start] \
                or len(" ".join(words[start:k + 1])) > limit:
            requests.append(_request(words, owner, start, k))
            start = k
    return requests
