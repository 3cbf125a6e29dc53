"""The pronunciation lexicon: packaged `data/lexicon_fr.toml` plus a project's `lexicon.toml`.

It says how to read names and acronyms (`say`), which acronyms are words and which are
spelled, the letter names, the abbreviations, and the feminine nouns numbers agree with.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from audioarticles.config import LEXICON_FILE, LexiconFile, read_toml
from audioarticles.errors import UsageError
from audioarticles.store.atomic import atomic_write_text
from audioarticles.validation import check

PROJECT_LEXICON = LEXICON_FILE
ABBREVIATION_KINDS = ("before_name", "before_number", "after_number", "anywhere")

_UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ"
_WORD_START = r"(?<![\w@])"
_WORD_END = r"(?![\w])"


def _alternation(keys) -> str:
    return "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))


@dataclass(frozen=True)
class FeminineNouns:
    """`noun in nouns`: listed as feminine (by the lexicon or in the common nouns of
    `data/feminine_nouns_fr.txt`), or with a feminine ending, and not listed as masculine."""

    listed: frozenset[str]
    masculine: frozenset[str]
    endings: tuple[str, ...]
    common: frozenset[str] = frozenset()

    def __contains__(self, noun: object) -> bool:
        if not isinstance(noun, str):
            return False
        noun = noun.lower()
        if noun in self.masculine:
            return False
        return (noun in self.listed or noun in self.common
                or (len(noun) > 3 and noun.endswith(self.endings)))


@dataclass
class Lexicon:
    say: dict[str, str] = field(default_factory=dict)
    words: set[str] = field(default_factory=set)
    spell: set[str] = field(default_factory=set)
    letters: dict[str, str] = field(default_factory=dict)
    abbreviations: dict[str, dict[str, str]] = field(
        default_factory=lambda: {kind: {} for kind in ABBREVIATION_KINDS})
    feminine: set[str] = field(default_factory=set)
    masculine: set[str] = field(default_factory=set)
    feminine_endings: set[str] = field(default_factory=set)
    countries: dict[str, str] = field(default_factory=dict)
    onsets: set[str] = field(default_factory=set)
    endings: set[str] = field(default_factory=set)

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
        self.onsets.update(entries.acronyms.pronounceable.onsets)
        self.endings.update(entries.acronyms.pronounceable.endings)
        self.letters.update(entries.letters)
        self.countries.update(entries.countries)
        for kind in ABBREVIATION_KINDS:
            self.abbreviations[kind].update(getattr(entries.abbreviations, kind))
        # a later document (the project's) moves a noun from one list to the other
        for noun in entries.grammar.feminine:
            self.feminine.add(noun)
            self.masculine.discard(noun)
        for noun in entries.grammar.masculine:
            self.masculine.add(noun)
            self.feminine.discard(noun)
        self.feminine_endings.update(entries.grammar.feminine_endings)

    # -- compiled forms, built once per lexicon ---------------------------------------------

    @cached_property
    def feminine_nouns(self) -> FeminineNouns:
        return FeminineNouns(frozenset(n.lower() for n in self.feminine),
                             frozenset(n.lower() for n in self.masculine),
                             tuple(sorted(self.feminine_endings)), common_feminine_nouns())

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
            "after_number": "",
            "anywhere": "",
        }
        patterns = []
        for kind in ABBREVIATION_KINDS:
            entries = self.abbreviations[kind]
            if entries:
                after = r"(?<=[0-9] )" if kind == "after_number" else ""
                pattern = re.compile(rf"{after}(?<![\w.])(?:{_alternation(entries)})"
                                     rf"(?:(?<=[.°º])|{_WORD_END}){follows[kind]}")
                patterns.append((pattern, entries))
        return patterns


@lru_cache(maxsize=1)
def common_feminine_nouns() -> frozenset[str]:
    """The packaged list of common feminine nouns no ending reveals ("gélule", "pilule")."""
    text = (resources.files("audioarticles") / "data" / "feminine_nouns_fr.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


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


_SAY_HEADER = re.compile(r"^[ \t]*\[[ \t]*say[ \t]*\][ \t]*(?:#.*)?$", re.M)
_TABLE_HEADER = re.compile(r"^[ \t]*\[", re.M)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def add_say_entry(project_root: Path, written: str, spoken: str) -> tuple[Path, str | None]:
    """Write `"written" = "spoken"` into the project's lexicon.toml `[say]` table (created if
    need be; the rest of the file, comments included, is kept). Returns the file and the
    reading it replaced, if any. The result is validated as a whole before it is written."""
    written, spoken = written.strip(), spoken.strip()
    if not written or not spoken or _CONTROL.search(written + spoken):
        raise UsageError(f"lexicon entry {written!r} = {spoken!r}: both the word and its "
                         "pronunciation must be non-empty text on one line")
    path = Path(project_root) / PROJECT_LEXICON
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    data = read_toml(path) if text else {}
    Lexicon().extend(data, str(path))  # a file already wrong is reported as it stands
    previous = data.get("say", {}).get(written) if isinstance(data.get("say"), dict) else None
    line = f"{json.dumps(written, ensure_ascii=False)} = {json.dumps(spoken, ensure_ascii=False)}"
    header = _SAY_HEADER.search(text)
    if previous is not None:
        # only inside [say]: the same word may be an abbreviation key elsewhere
        start = header.end() if header else 0
        following = _TABLE_HEADER.search(text, start)
        end = following.start() if following else len(text)
        entry = re.compile(rf"^[ \t]*(?:{re.escape(json.dumps(written, ensure_ascii=False))}|"
                           rf"'{re.escape(written)}'|{re.escape(written)})[ \t]*=.*$", re.M)
        section, count = entry.subn(lambda _: line, text[start:end], count=1)
        updated = text[:start] + section + text[end:]
        if header is None or not count:
            raise UsageError(f"{path}: {written!r} is already there in a form this command cannot "
                             "rewrite; edit the file")
    elif header:
        updated = f"{text[:header.end()]}\n{line}{text[header.end():]}"
    else:
        updated = f"{text.rstrip()}\n\n[say]\n{line}\n".lstrip("\n")
    try:
        check = Lexicon()
        check.extend(tomllib.loads(updated), str(path))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: adding the entry would make the file invalid ({exc}); "
                         "fix the file first") from exc
    if check.say.get(written) != spoken:
        raise UsageError(f"{path}: the entry was not read back as written; edit the file")
    atomic_write_text(path, updated)
    return path, previous


def say_lexicon_entries(text: str, lexicon: Lexicon) -> str:
    """Replace every lexicon `say` entry, whole word, case-aware."""
    if lexicon.say_exact is not None:
        text = lexicon.say_exact.sub(lambda m: lexicon.say[m.group(0)], text)
    pattern, entries = lexicon.say_any_case
    if pattern is not None:
        text = pattern.sub(lambda m: entries[m.group(0).lower()], text)
    return text


_INITIALS = re.compile(rf"(?<![\w.])([{_UPPER}])\.-([{_UPPER}])\.(?=[ ]+[{_UPPER}][a-zà-ÿ])")
_ERA = re.compile(r"(?:\b(?:av|avant|apr|ap|après)\.?|[0-9])[ ]*$")


# "S. D., 30 ans": initials standing for a person's name, not before a surname, are spelled
# ("M. D., 45 ans" is left to the abbreviations: "monsieur D.").
_ANONYMOUS = re.compile(rf"(?<![\w.'’])(?!M\. )((?:[{_UPPER}]\. ){{1,2}}[{_UPPER}]\.)(?=\s*[,;:()]|\s*$)")
# "S.G.", "la P.J.", "U.S.A.": capitals each followed by a period are spelled, like "SG".
_DOTTED_ACRONYM = re.compile(rf"(?<![\w.\-])((?:[{_UPPER}]\.){{2,}})(?![\w])")


def say_initials(text: str, lexicon: Lexicon) -> str:
    """ "J.-C. Martin" -> "ji cé Martin": hyphenated initials before a surname are a man's, not
    Jesus Christ's (that one follows "av.", "apr." or a year). "S.G." -> "èss gé"."""
    def initials(match: re.Match) -> str:
        if _ERA.search(text[:match.start()]):
            return match.group(0)
        return " ".join(lexicon.letters.get(letter, letter) for letter in match.groups())
    if ".-" in text:
        text = _INITIALS.sub(initials, text)
    if ". " in text:
        text = _ANONYMOUS.sub(lambda m: spell_out(m.group(1), lexicon), text)
    return _DOTTED_ACRONYM.sub(lambda m: dotted_acronym(m, lexicon), text) if "." in text else text


def dotted_acronym(match: re.Match, lexicon: Lexicon) -> str:
    """The letters of "S.G." named; an abbreviation of the lexicon ("N.B.") is left to its
    rule, and the period of one that ends the text also ends the sentence."""
    written = match.group(1)
    if any(written in lexicon.abbreviations[kind] for kind in ABBREVIATION_KINDS):
        return written
    spoken = spell_out(written, lexicon)
    return spoken + "." if match.end() == len(match.string) else spoken


# A title whose name was cut off by the end of the text, as when a page breaks a sentence after
# "M." ("…, a insisté M." then "Castaner a…"), or before "et Mme": still "monsieur", not a
# letter, unless a first name comes before it ("Philippe M." is a man's initial).
_TITLE_WITHOUT_NAME = re.compile(
    r"(?<![\w.'’-])(?<![0-9] )"
    r"(M\.|MM\.|Mme|Mmes)(?=[ ]*[»\"”)]*[ ]*$|[ ]+et[ ]+Mmes?\b|[ ]+[a-zà-ÿ]+(?<!\bde)(?<!\bdu)(?<!\bdes)[ ,.;:!?])")
_WORD_BEFORE_TITLE = re.compile(r"\b([A-ZÀ-Þ][a-zà-ÿ'’-]+)[ ]+$")
_TITLE_HINT = re.compile(r"\b(?:MM?\.|Mmes?)(?=[ ]*[»\"”)]*[ ]*$|[ ]+et[ ]+Mme|[ ]+[a-zà-ÿ]|[ ]*[,;:)])")
_MADAME = re.compile(r"(?<=\w )(Mmes?)(?=[ ]+[a-zà-ÿ]|[ ]*[,;:)])")
_SENTENCE_WORDS = ("Selon", "Mais", "Pour", "Par", "Car", "Donc", "Ainsi", "Puis", "Chez", "Avec", "Soit",
                   "Quand", "Lorsque", "Alors", "Comme")
_TITLES = {"M.": "monsieur", "MM.": "messieurs", "Mme": "madame", "Mmes": "mesdames"}


def say_titles_without_names(text: str) -> str:
    """ "a insisté M." -> "a insisté monsieur.", "M. et Mme Martin" -> "monsieur et Mme Martin"."""
    def title(match: re.Match) -> str:
        if not text[:match.start()].strip():  # a title alone is no cut sentence
            return match.group(0)
        before = _WORD_BEFORE_TITLE.search(text, 0, match.start())
        if before and before.group(1) not in _SENTENCE_WORDS:  # "Philippe M." is an initial
            return match.group(0)
        spoken = _TITLES[match.group(1)]
        return spoken + "." if match.group(1).endswith(".") and match.end() == len(text.rstrip()) else spoken
    text = _TITLE_WITHOUT_NAME.sub(title, text)
    # "Mme" is never anything but a title: "Si Mme meurt la première", "et Mme, 1 200 euros"
    text = _MADAME.sub(lambda m: _TITLES[m.group(1)], text)
    # "Selon M." at the end: the capitalised word before is no first name
    text = re.sub(rf"\b((?:{'|'.join(_SENTENCE_WORDS)}) )M\.(?=[ ]*[»\"”)]*[ ]*$)", r"\1monsieur.", text)
    return re.sub(rf"\b((?:{'|'.join(_SENTENCE_WORDS)}) )M\.(?=[ ]+[a-zà-ÿ])", r"\1monsieur", text)


# "nos 3 et 4" after an article, "n°s 3 et 4", "Nos 1 et 2 mondiaux": the plural of "no",
# numbers; "nos 3 enfants" is ours.
_NUMBERS_PLURAL = re.compile(r"(?:\b(?<=[Ll]es |[Dd]es |[Aa]ux )nos|\b[nN][°º]s|\b[nN]os(?= [0-9]+ (?:et|à) [0-9]+ "
                             r"(?:mondiaux|mondiales|français|françaises|européens|belges)\b))(?= ?[0-9])")


def say_abbreviations(text: str, lexicon: Lexicon) -> str:
    """ "M. Dupont" -> "monsieur Dupont", "p. 12" -> "page 12", "etc." -> "et cetera"; an opening
    heading in capitals ("WASHINGTON |") is lowered while its dash is still there."""
    text = lower_opening_heading(text, lexicon)
    if "os " in text or "°s" in text or "ºs" in text:
        text = _NUMBERS_PLURAL.sub("numéros", text)
    if "M" in text and _TITLE_HINT.search(text):
        text = say_titles_without_names(text)
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
# Also inside a compound of words: "ex-FN", "anti-CGT", "Unité-SGP-FO", "LCI-Le Figaro",
# "PSG-Montpellier", and Belgium's "N-VA" (a lone capital, then a hyphen and capitals).
_ACRONYM = re.compile(rf"(?<![\w])([{_UPPER}]{{2,}}(?:-[{_UPPER}]+)*(?![\w])"
                      rf"|[{_UPPER}](?:-[{_UPPER}]+)+(?![\w-]))")
_WORD = re.compile(r"[^\W\d_]+")


def spell_out(acronym: str, lexicon: Lexicon) -> str:
    """ "RGPD" -> "èr gé pé dé"; accented capitals are named by their base letter."""
    base = {"À": "A", "Â": "A", "Ä": "A", "Ç": "C", "É": "E", "È": "E", "Ê": "E", "Ë": "E",
            "Î": "I", "Ï": "I", "Ô": "O", "Ö": "O", "Ù": "U", "Û": "U", "Ü": "U", "Ÿ": "Y"}
    names = [lexicon.letters.get(base.get(ch, ch), ch.lower()) for ch in acronym if ch.isalpha()]
    return " ".join(names)


# Three vowels French writes together in words ("SILENCIEUSE", "NOUVEAU", "DESGOUILLES")
_VOWEL_GROUPS = frozenset(("EAU", "IEU", "OUI", "AIE", "UIE", "OUE", "IAU", "EUI", "OEU", "UEI", "AYE",
                           "OYE", "UYA"))
_RUNS = re.compile(r"[AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŸ]+|[^AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŸ]+")


def pronounceable(letters: str, onsets: set[str], endings: set[str]) -> bool:
    """Whether capitals can be read as a French word: "OTAN", "UNESCO", "URSSAF" yes;
    "RATP", "FNSEA", "CPAM", "EELV", "OQTF" no (see [acronyms.pronounceable] in the lexicon)."""
    # "URSSAF" sounds like "URSAF"; a doubled first letter is two letters ("CCAS", "DDASS")
    letters = letters[0] + re.sub(r"([^AEIOUY])\1", r"\1", letters[1:])
    runs = _RUNS.findall(letters)
    if not any(run[0] in _VOWELS for run in runs) or "Q" in letters.replace("QU", ""):
        return False
    for index, run in enumerate(runs):
        if run[0] in _VOWELS:
            if (len(run) >= 3 and run not in _VOWEL_GROUPS) or (len(run) == 2 and run[0] == run[1]):
                return False
        elif len(run) > 1:
            if index == 0:
                if run not in onsets:
                    return False
            elif index == len(runs) - 1:
                if run not in endings:
                    return False
            elif len(run) > 2 and run[-2:] not in onsets and run[-3:] not in onsets:
                return False
    return True


def read_acronym(acronym: str, lexicon: Lexicon) -> str:
    """Read as a word when listed as one or pronounceable (four letters or more), else spelled.
    Unless listed whole ("AP-HP"), each part of a hyphenated one is read alone: "PPE-DE" is
    "pé pé e dé e", "CGT-FO" "cé gé té èf o"."""
    if acronym in lexicon.words:
        return acronym.capitalize()
    parts = acronym.split("-")
    if len(parts) > 1 and any(part in _SHOUTED_SMALL_WORDS for part in parts[1:]) \
            and any(part not in _SHOUTED_SMALL_WORDS and _ordinary_word(part, lexicon) for part in parts):
        return acronym.title()  # a place in capitals: "AIX-EN-PROVENCE", "BOULOGNE-SUR-MER"
    if "-" in acronym and acronym not in lexicon.spell:
        return " ".join(read_acronym(part, lexicon) for part in acronym.split("-"))
    letters = acronym
    if acronym in lexicon.spell or len(letters) <= 3:
        return spell_out(acronym, lexicon)
    if not pronounceable(letters, lexicon.onsets, lexicon.endings) and not _long_word(letters):
        return spell_out(acronym, lexicon)
    return acronym.capitalize()


def _long_word(letters: str) -> bool:
    """Seven capitals or more with three groups of vowels are a name or a word written in
    capitals ("FERMENTALG", "CARREFOUR"), never spelled: acronyms that long are words
    ("INTERPOL") or have almost no vowels ("DGCCRF")."""
    return len(letters) >= 7 and sum(1 for run in _RUNS.findall(letters) if run[0] in _VOWELS) >= 3


def is_shouted(text: str) -> bool:
    """A line written in capitals ("LE DIRECT", "À ÉCOUTER AUSSI"), not a line with acronyms."""
    words = _WORD.findall(text)
    if len(words) < 3:
        return False
    upper = sum(1 for w in words if w.isupper() and len(w) > 1)
    return upper >= 3 and upper / len(words) > 0.6


# A capital consonant standing alone ("le RER B", "la vitamine C", "le réseau X") is the letter's
# name; vowels are left alone ("A" may be a capitalised "à", "I" a Roman numeral), and so are
# initials ("J. Dupont") and letters in words ("l'A", "Jean-F").
# The period of an initial before a comma ("Mohamed B., 25 ans") is no stop: it goes.
_LONE_LETTER = re.compile(r"(?<![\w'’.\-&])([B-DF-HJ-NP-TV-Z])(?![\w'’\-&]|\.\s?[A-ZÀ-Þ\w])(?:\.(?=\s*[,;)]))?")


# A capital consonant and a period before the first word of a new sentence ends that sentence
# ("le plan B. Il", "pas de planète B. Les jeunes"): it is named, unlike an initial before a
# surname ("J. Dupont", "l'historien J. Le Goff") or after a small word ("par J. Martin").
_LETTER_ENDING_SENTENCE = re.compile(
    r"(?<![\w'’.\-&])([B-DF-HJ-NP-TV-Z])(?=\.\s+(?:(?:Il|Elle|Ils|Elles|On|Nous|Vous|Je|Ce|C'|C’|"
    r"Cette|Ces|Cet|Cela|Ça|Mais|Et|Or|Donc|Car|Pour|Dans|En|Selon|Depuis|Après|Avant|Pendant|"
    r"Si|Quand|Lorsque|Son|Sa|Ses|Leur|Leurs|Aucun|Aucune|Tout|Tous|Toutes|Rien|Puis|Ensuite|"
    r"Enfin|Alors|Ainsi|Mon|Ma|Mes|Notre|Nos|Votre|Vos|Aujourd'hui|Aujourd’hui|Reste|Voilà)\b|"
    r"(?:Le|La|Les|Un|Une|Des|Du|De|Au|Aux)\s+[a-zà-ÿ]|(?:L'|L’)[a-zà-ÿ]))")
_NOT_BEFORE_A_LETTER = ("par", "de", "d", "et", "à", "avec", "selon", "pour", "chez", "sur", "ou",
                        "entre", "signé", "signée", "écrit", "écrite", "dixit", "auteur")
_WORD_BEFORE = re.compile(r"(?:^|(?<=[\s'’(]))([a-zà-ÿ]+)\s+$")


def name_letters_ending_sentences(text: str, lexicon: Lexicon) -> str:
    """ "le plan B. Il" -> "le plan bé. Il"; "J. Dupont", "par J. Le Goff" stay initials."""
    def letter(match: re.Match) -> str:
        before = _WORD_BEFORE.search(text, 0, match.start())
        if before is None or before.group(1) in _NOT_BEFORE_A_LETTER:
            return match.group(1)
        return lexicon.letters.get(match.group(1), match.group(1))
    return _LETTER_ENDING_SENTENCE.sub(letter, text) if ". " in text else text


# A heading or slogan in capitals inside a sentence ("LE SCAN POLITIQUE - Le député…", "INFO LE
# FIGARO -", "EN IMAGES -", "LE MOT DU JOUR"): a run of capital words with a French small word
# among them and a longer word no lexicon lists is ordinary words, not acronyms ("LE" is not "èl
# e"); a run of acronyms ("CGT ET FO") is left to them.
_SHOUTED_SMALL_WORDS = frozenset((
    "LE", "LA", "LES", "L'", "DE", "DU", "DES", "D'", "EN", "UN", "UNE", "ET", "AU", "AUX", "À",
    "POUR", "SUR", "DANS", "PAR", "NE", "PAS", "NI", "IL", "ILS", "ELLE", "JE", "ON", "NOUS",
    "VOUS", "SON", "SA", "SES", "CE", "CES", "QUI", "QUE", "EST", "OU", "MAIS", "AVEC", "SANS",
    "SOUS"))
_CAPITAL_WORD = rf"(?:[{_UPPER}]['’]|[{_UPPER}]{{2,}}(?![\w'’])|À(?![\w'’]))"
_SHOUTED_RUN = re.compile(rf"(?<![\w'’-]){_CAPITAL_WORD}(?:[ ]*{_CAPITAL_WORD})+")


def _ordinary_word(word: str, lexicon: Lexicon) -> bool:
    """A word in capitals that is not an acronym: a small word, or four letters or more that no
    lexicon list names."""
    return (word.replace("’", "'") in _SHOUTED_SMALL_WORDS
            or (len(word) >= 4 and word not in lexicon.words and word not in lexicon.spell
                and word not in lexicon.say))


# A dateline or a heading in capitals opening the text before a dash, a bar or ".-":
# "WASHINGTON |", "ASSENS.-", "GRAND ENTRETIEN -", "NOUVEAUTÉ -"
_OPENING_HEADING = re.compile(rf"^[ «\"]*([{_UPPER}][{_UPPER}'’/-]*(?:[ ][{_UPPER}][{_UPPER}'’/-]*)*)"
                              rf"(?=[ ]?\.[ ]?-|\.?[ ][-–—|][ ])")


# An interview's speaker in capitals before ".-": "François-Bernard HUYGHE.- Peu de…"
_SPEAKER = re.compile(rf"(?<![\w'’])([{_UPPER}]{{2,}}(?:[ -][{_UPPER}]{{2,}})*)(?=[ ]?\.[ ]?-)")


def lower_opening_heading(text: str, lexicon: Lexicon) -> str:
    """ "WASHINGTON | Le président" -> "washington | Le président"; a lone acronym ("CGT -") stays."""
    if ".-" in text or ". -" in text:
        text = _SPEAKER.sub(lambda m: m.group(1).lower() if any(
            len(w) >= 4 and _ordinary_word(w, lexicon) for w in re.split(r"[ -]", m.group(1))) else m.group(1), text)
    match = _OPENING_HEADING.match(text)
    if not match:
        return text
    words = re.findall(rf"[{_UPPER}]+", match.group(1))
    if not any(len(w) >= 4 and _ordinary_word(w, lexicon) for w in words):
        return text
    return text[:match.start(1)] + match.group(1).lower() + text[match.end(1):]


def lower_shouted_runs(text: str, lexicon: Lexicon) -> str:
    """ "LE SCAN POLITIQUE - Le député" -> "le scan politique - Le député"."""
    def run(match: re.Match) -> str:
        words = re.findall(rf"[{_UPPER}]+['’]?", match.group(0))
        if sum(1 for w in words if w[-1] not in "'’") < 2 \
                or not any(w.replace("’", "'") in _SHOUTED_SMALL_WORDS for w in words):
            return match.group(0)
        if not any(len(w) >= 4 and _ordinary_word(w, lexicon) for w in words):
            return match.group(0)
        return match.group(0).lower()
    return _SHOUTED_RUN.sub(run, text)


_CAPITALS = re.compile(rf"(?<![\w])[{_UPPER}]+['’]?(?![\w])")


# The initial of a surname kept from the reader ("Antoine Q. entre", "Nicolas R. admet", "Tristan
# C. et Michaël R.") follows a first name and comes before no surname: it is the letter's name,
# and its period is no stop unless the text ends there.
_SURNAME_INITIAL = re.compile(r"\b([A-ZÀ-Þ][a-zà-ÿ]{2,} |[Mm]onsieur |[Mm]adame )([A-HJ-Z])\.(?![\w-]|\s?[A-ZÀ-Þ][a-zà-ÿ]|\s?[A-Z]\.)")


def name_surname_initials(text: str, lexicon: Lexicon) -> str:
    """ "Antoine Q. entre" -> "Antoine ku entre"; "J. Dupont" and "Jean D. Martin" are left."""
    def initial(match: re.Match) -> str:
        ends = match.end() == len(text) or text[match.end():].strip() in ("", "»", '"')
        return match.group(1) + lexicon.letters.get(match.group(2), match.group(2)) + ("." if ends else "")
    return _SURNAME_INITIAL.sub(initial, text) if ". " in text or text.endswith(".") else text


def say_acronyms(text: str, lexicon: Lexicon) -> str:
    text = lower_shouted_runs(text, lexicon)
    if is_shouted(text):
        # a line in capitals: its words are lowered, its short acronyms ("BFM TV") stay
        text = _CAPITALS.sub(lambda m: m.group(0).lower() if _ordinary_word(m.group(0), lexicon)
                             else m.group(0), text)
    text = _ACRONYM.sub(lambda m: read_acronym(m.group(1), lexicon), text)
    text = name_letters_ending_sentences(name_surname_initials(text, lexicon), lexicon)
    return _LONE_LETTER.sub(lambda m: m.group(0) if _is_the_word_y(text, m)
                            else lexicon.letters.get(m.group(1), m.group(1)), text)


# "Y a-t-il", "Y compris les…", « Y aller ? »: a capital Y opening a sentence or a quote, before
# a word in lower case, is the word "y", not the letter (which "la génération Y" is).
_OPENS = re.compile(r"(?:^|[.!?…:;«“\"(—–-])\s*$")
_LOWER_WORD_AFTER = re.compile(r"\s+[a-zà-ÿ]")


def _is_the_word_y(text: str, match: re.Match) -> bool:
    return (match.group(1) == "Y" and _LOWER_WORD_AFTER.match(text, match.end()) is not None
            and _OPENS.search(text, 0, match.start()) is not None)
