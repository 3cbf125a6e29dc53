"""The pronunciation lexicon: packaged `data/lexicon_fr.toml` plus a project's `lexicon.toml`.

It says how to read names and acronyms (`say`), which acronyms are words and which are
spelled, the letter names, the abbreviations, and the feminine nouns numbers agree with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from audioarticles.config import LEXICON_FILE, LexiconFile, read_toml
from audioarticles.validation import check

PROJECT_LEXICON = LEXICON_FILE
ABBREVIATION_KINDS = ("before_name", "before_number", "anywhere")

_UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ"
_WORD_START = r"(?<![\w@])"
_WORD_END = r"(?![\w])"


def _alternation(keys) -> str:
    return "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))


@dataclass
class Lexicon:
    say: dict[str, str] = field(default_factory=dict)
    words: set[str] = field(default_factory=set)
    spell: set[str] = field(default_factory=set)
    letters: dict[str, str] = field(default_factory=dict)
    abbreviations: dict[str, dict[str, str]] = field(
        default_factory=lambda: {kind: {} for kind in ABBREVIATION_KINDS})
    feminine: set[str] = field(default_factory=set)

    def extend(self, data: dict, origin: str) -> None:
        """Add (or replace) the entries of one TOML document, checked against `LexiconFile`;
        `origin` names it in errors."""
        entries = check(LexiconFile, data, origin)
        self.say.update(entries.say)
        for word in entries.acronyms.words:
            self.words.add(word)
            self.spell.discard(word)
        for word in entries.acronyms.spell:
            self.spell.add(word)
            self.words.discard(word)
        self.letters.update(entries.letters)
        for kind in ABBREVIATION_KINDS:
            self.abbreviations[kind].update(getattr(entries.abbreviations, kind))
        self.feminine.update(entries.grammar.feminine)

    # -- compiled forms, built once per lexicon ---------------------------------------------

    @cached_property
    def feminine_nouns(self) -> frozenset[str]:
        return frozenset(self.feminine)

    @cached_property
    def say_exact(self) -> re.Pattern | None:
        keys = [k for k in self.say if k != k.lower()]
        return re.compile(f"{_WORD_START}(?:{_alternation(keys)}){_WORD_END}") if keys else None

    @cached_property
    def say_any_case(self) -> tuple[re.Pattern | None, dict[str, str]]:
        keys = {k.lower(): v for k, v in self.say.items() if k == k.lower()}
        if not keys:
            return None, {}
        return re.compile(f"{_WORD_START}(?:{_alternation(keys)}){_WORD_END}", re.I), keys

    @cached_property
    def abbreviation_patterns(self) -> list[tuple[re.Pattern, dict[str, str]]]:
        follows = {
            "before_name": rf"(?=[ \-]+(?:[{_UPPER}]|(?:le|la|les|l'|de|du|des)\b))",
            "before_number": r"(?=[ ]?[0-9IVXLC])",
            "anywhere": "",
        }
        patterns = []
        for kind in ABBREVIATION_KINDS:
            entries = self.abbreviations[kind]
            if entries:
                pattern = re.compile(rf"(?<![\w.])(?:{_alternation(entries)})"
                                     rf"(?:(?<=[.°º])|{_WORD_END}){follows[kind]}")
                patterns.append((pattern, entries))
        return patterns


@lru_cache(maxsize=1)
def _packaged_data() -> dict:
    return read_toml(resources.files("audioarticles") / "data" / "lexicon_fr.toml")


def _packaged() -> Lexicon:
    lexicon = Lexicon()
    lexicon.extend(_packaged_data(), "the packaged lexicon_fr.toml")
    return lexicon


@lru_cache(maxsize=8)
def _cached(project_file: str | None, mtime: float) -> Lexicon:
    lexicon = _packaged()
    if project_file is not None:
        path = Path(project_file)
        lexicon.extend(read_toml(path, PROJECT_LEXICON), PROJECT_LEXICON)
    return lexicon


def load_lexicon(project_root: Path | None = None) -> Lexicon:
    """The packaged French lexicon, with the project's `lexicon.toml` entries over it."""
    if project_root is not None:
        custom = Path(project_root) / PROJECT_LEXICON
        if custom.is_file():
            return _cached(str(custom.resolve()), custom.stat().st_mtime)
    return _cached(None, 0.0)


def say_lexicon_entries(text: str, lexicon: Lexicon) -> str:
    """Replace every lexicon `say` entry, whole word, case-aware."""
    if lexicon.say_exact is not None:
        text = lexicon.say_exact.sub(lambda m: lexicon.say[m.group(0)], text)
    pattern, entries = lexicon.say_any_case
    if pattern is not None:
        text = pattern.sub(lambda m: entries[m.group(0).lower()], text)
    return text


def say_abbreviations(text: str, lexicon: Lexicon) -> str:
    """ "M. Dupont" -> "monsieur Dupont", "p. 12" -> "page 12", "etc." -> "et cetera"."""
    for pattern, entries in lexicon.abbreviation_patterns:
        def expand(match: re.Match, entries=entries) -> str:
            spoken = entries[match.group(0)]
            before = match.string[:match.start()].rstrip()
            if match.group(0)[0].isupper() and (not before or before[-1] in ".!?:«\"("):
                spoken = spoken[0].upper() + spoken[1:]
            # "etc." closing the text also closed the sentence
            if match.group(0).endswith(".") and match.end() == len(match.string):
                spoken += "."
            return spoken
        text = pattern.sub(expand, text)
    return text


_VOWELS = set("AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŸ")
_ACRONYM = re.compile(rf"(?<![\w-])([{_UPPER}]{{2,}}(?:-[{_UPPER}]{{1,}})*)(?![\w-])")
_WORD = re.compile(r"[^\W\d_]+")


def spell_out(acronym: str, lexicon: Lexicon) -> str:
    """ "RGPD" -> "èr gé pé dé"; accented capitals are named by their base letter."""
    base = {"À": "A", "Â": "A", "Ä": "A", "Ç": "C", "É": "E", "È": "E", "Ê": "E", "Ë": "E",
            "Î": "I", "Ï": "I", "Ô": "O", "Ö": "O", "Ù": "U", "Û": "U", "Ü": "U", "Ÿ": "Y"}
    names = [lexicon.letters.get(base.get(ch, ch), ch.lower()) for ch in acronym if ch.isalpha()]
    return " ".join(names)


def read_acronym(acronym: str, lexicon: Lexicon) -> str:
    """Spelled (listed, or at most three letters, or without a vowel) or read as a word."""
    if acronym in lexicon.words:
        return acronym.capitalize()
    letters = acronym.replace("-", "")
    if acronym in lexicon.spell or len(letters) <= 3 or not (_VOWELS & set(letters)):
        return spell_out(acronym, lexicon)
    return acronym.capitalize()


def is_shouted(text: str) -> bool:
    """A line written in capitals ("LE DIRECT", "À ÉCOUTER AUSSI"), not a line with acronyms."""
    words = _WORD.findall(text)
    if len(words) < 3:
        return False
    upper = sum(1 for w in words if w.isupper() and len(w) > 1)
    return upper >= 3 and upper / len(words) > 0.6


def say_acronyms(text: str, lexicon: Lexicon) -> str:
    if is_shouted(text):
        text = text.lower()
    return _ACRONYM.sub(lambda m: read_acronym(m.group(1), lexicon), text)
