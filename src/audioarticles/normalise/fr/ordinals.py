"""Ordinals and Roman numerals: "1er" -> "premier", "2ᵉ"/"2e"/"2ème" -> "deuxième", "2nde" ->
"seconde", "XXIe siècle" -> "vingt et unième siècle", "François Ier" -> "François premier",
"Louis XIV" -> "Louis quatorze", "tome II" -> "tome deux", rugby's "le XV de France" -> "le
quinze de France", designations "D.III" -> "dé trois"."""

from __future__ import annotations

import re

from audioarticles.normalise.fr.numbers import cardinal, integer_value, ordinal

_ROMAN = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}

_ARABIC_ORDINAL = re.compile(
    r"(?<![\w,.])([0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+|[0-9]+)"
    r"(ers?|res?|ères?|eres?|èmes?|emes?|es?|nde?s?)(?![\w])")
_ROMAN_ORDINAL = re.compile(r"(?<![\w'-])([IVXLC]{2,})(es?|èmes?|emes?)(?![\w])")
# A single-letter Roman ordinal ("Ve République") only before these words.
_SINGLE_LETTER_CONTEXT = ("siècle", "siècles", "millénaire", "arrondissement", "République",
                          "république", "Empire", "empire", "circonscription", "Reich",
                          "législature", "congrès", "Congrès", "régiment", "division")
_SINGLE_ROMAN_ORDINAL = re.compile(
    rf"(?<![\w'-])([IVX])(es?|èmes?)[ \u00a0]+(?=(?:{'|'.join(_SINGLE_LETTER_CONTEXT)})s?\b)"
    # "Ve" and "Xe" are no French word: an ordinal anywhere ("le Ve acte", "IIIe, Xe et XIXe")
    r"|(?<![\w'-])([VX])(e|ème)(?![\w'’-])()")
_ROMAN_FIRST = re.compile(r"(?<![\w'-])I(er|re|ère)(?![\w])")
# "Louis XIV", "Jean-Paul II", "Benoît XVI", "tome III": a Roman number after a name or a
# word that counts (only I, V, X: "CV" or "CD" after a capitalised word are acronyms).
_COUNTING_WORDS = ("tome", "acte", "partie", "chapitre", "livre", "titre", "volume", "annexe",
                   "saison", "épisode", "phase", "article", "scène", "section", "vol", "an")
_REGNAL = re.compile(
    rf"((?:\b[A-ZÀ-Þ][a-zà-ÿ'-]+|\b(?:{'|'.join(_COUNTING_WORDS)}))[ \u00a0]+)([IVX]{{2,}}|V)(?![\w]|-[a-zà-ÿ])")
# "Lors du dernier acte, le XII,": a number named bare after an article, before a pause
_BARE_AFTER_ARTICLE = re.compile(r"\b([Ll]e|[Dd]u|[Aa]u) ([IVX]{2,})(?=[ ]?[,;)]|\.(?:\s|$))")
# After a word that counts, one letter is a number too: the "gilets jaunes" called each Saturday
# an act ("l'acte I", "«acte X»", "l'Acte IV"), "l'an I", "tome I".
_COUNTED_ONE_LETTER = re.compile(
    rf"(\b(?:[Aa]ctes?|[Tt]omes?|an|{'|'.join(w for w in _COUNTING_WORDS if w not in ('acte', 'tome'))})"
    r"[ \u00a0]+)([IX])(?![\w'’-]|\.[A-ZÀ-Þ\w])")
# A king or a pope numbered with one letter: "Charles X", "Pie X", "Louis I"
_REGNAL_NAMES = ("Charles", "Louis", "Pie", "Léon", "Benoît", "Grégoire", "Clément", "Jean", "Henri",
                 "Philippe", "Alphonse", "Frédéric", "Guillaume", "Édouard", "Innocent", "Urbain",
                 "Boniface", "Sixte", "Alexandre", "Nicolas", "Paul", "Jean-Paul", "Napoléon")
_ONE_LETTER_REGNAL = re.compile(rf"\b((?:{'|'.join(_REGNAL_NAMES)})[ \u00a0]+)([IX])(?![\w'’-]|\.[A-ZÀ-Þ\w])")
# A list of numbers after a word that counts: "les actes IX et X", "les actes I puis II, puis X"
_COUNTED_LIST = re.compile(
    r"(\b(?:[Aa]ctes|[Tt]omes|[Pp]arties|[Cc]hapitres|[Ss]aisons|[Ll]ivres|[Tt]itres)[ \u00a0]+)"
    r"((?:[IVX]+)(?:(?:,[ ]*(?:puis[ ]+)?|[ ]+(?:et|ou|puis|à)[ ]+)[IVX]+)+)(?![\w'’-])")
# The first of a series named after a place or a man: "l'université Paris I", "le gouvernement
# Michel I" (as "Michel II" after it)
_FIRST_OF_A_SERIES = re.compile(r"\b((?:[Uu]niversité|[Gg]ouvernement|[Cc]abinet) [A-ZÀ-Þ][a-zà-ÿ]+ |Paris )I(?![\w'’-])")
# A university or a numbered place joined by a hyphen: "Paris-IV", "Rennes-II", "Paris-I".
_HYPHENED = re.compile(r"(?<=\b[A-ZÀ-Þ][a-zà-ÿ]{2})([a-zà-ÿ]*)-([IVX]{1,4})(?![\w'’-])")


# A rugby side is named by its number of players: "le XV de France", "rugby à XIII", "du XV".
_TEAM = re.compile(r"(?<![\w'])((?:le|du|au|à|un|ce|son|leur|notre|[Ll]e|[Dd]u|[Aa]u|À)\s+)(XV|XIII|VII)(?![\w'-])")
# "la IV et la V": Republics named bare, in a pair (one Roman number alone is too ambiguous)
_BARE_PAIR = re.compile(r"\b([Ll]a|[Ll]es) ([IVX]{1,4}) et (la )?([IVX]{1,4})(?![\w'-])")
# "le Tournoi des VI Nations": a Roman number of two letters or more counting a capitalised noun
_COUNT_BEFORE_NAME = re.compile(r"\b((?:[Dd]es|[Ll]es|[Aa]ux)[ \u00a0]+)([IVX]{2,})(?=[ \u00a0]+[A-ZÀ-Þ][a-zà-ÿ])")
# "D.III", "N.II": a level or division written with a Roman number after a letter.
_DESIGNATION = re.compile(r"(?<![\w.])([A-Z])\.((?:I{1,3}|IV|V|VI{1,3}|IX|X))(?![\w.])")


def roman_value(numeral: str) -> int | None:
    """ "XIV" -> 14; None when it is not a well-formed Roman numeral."""
    if not numeral or not _ROMAN.fullmatch(numeral):
        return None
    total = 0
    for index, letter in enumerate(numeral):
        value = _ROMAN_VALUES[letter]
        following = _ROMAN_VALUES[numeral[index + 1]] if index + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total


def say_ordinal(number: int, suffix: str) -> str:
    """The ordinal for a number and its written suffix (gender and number from the suffix)."""
    plural = suffix.endswith("s") and suffix not in ("s",)
    feminine = suffix.rstrip("s") in ("re", "ère", "ere", "nde")
    if suffix.startswith("nd") and number == 2:
        words = "seconde" if feminine else "second"
    else:
        words = ordinal(number, feminine)
    return words + ("s" if plural else "")


# "au 2d tour", "en 2de": "second(e)" written with its last letters, only ever after a 2
_SECOND = re.compile(r"(?<![\w,.])2(de?s?)(?![\w])")


def say_arabic_ordinals(text: str) -> str:
    text = _SECOND.sub(lambda m: "second" + m.group(1)[1:], text)
    return _ARABIC_ORDINAL.sub(lambda m: say_ordinal(integer_value(m.group(1)), m.group(2)), text)


def bare_pair(match: re.Match) -> str:
    """ "la IV et la V" -> "la quatrième et la cinquième"."""
    first, second = roman_value(match.group(2)), roman_value(match.group(4))
    if first is None or second is None:
        return match.group(0)
    return (f"{match.group(1)} {ordinal(first, True)} et {match.group(3) or ''}"
            f"{ordinal(second, True)}")


# The parts of a legal article are numbered I, II, III: "le II de l'article 3", "du I et du II
# de l'article L. 521-1", "au III de l'article 12" are read as cardinals ("le deux").
_ARTICLE_PART = r"(?:[Dd]u|[Ll]e|[Aa]u|[Ll]es)[ \u00a0]+[IVX]{1,4}"
_ARTICLE_PARTS = re.compile(rf"(?<![\w'-]){_ARTICLE_PART}(?:(?:,|[ \u00a0]+et|[ \u00a0]+ou)[ \u00a0]+"
                            rf"(?:(?:du|le|au)[ \u00a0]+)?[IVX]{{1,4}})*(?=[ \u00a0]+de[ \u00a0]+l['’]article\b)")
_ROMAN_WORD = re.compile(r"(?<![\w'-])[IVX]{1,4}(?![\w'-])")


def say_article_parts(text: str) -> str:
    """ "du I et du II de l'article 3" -> "du un et du deux de l'article 3"."""
    def parts(match: re.Match) -> str:
        return _ROMAN_WORD.sub(lambda m: cardinal(roman_value(m.group(0)) or 0) if roman_value(m.group(0))
                               else m.group(0), match.group(0))
    return _ARTICLE_PARTS.sub(parts, text)


def say_roman_numerals(text: str) -> str:
    def roman_ordinal(match: re.Match) -> str:
        value = roman_value(match.group(1))
        return match.group(0) if value is None else say_ordinal(value, match.group(2))

    def single(match: re.Match) -> str:
        if match.group(1) is None:  # a bare "Ve", "Xe"
            return say_ordinal(roman_value(match.group(3)), match.group(4))
        return say_ordinal(roman_value(match.group(1)), match.group(2)) + " "

    def regnal(match: re.Match) -> str:
        value = roman_value(match.group(2))
        return match.group(0) if value is None else match.group(1) + cardinal(value)

    text = say_article_parts(_TEAM.sub(lambda m: m.group(1) + cardinal(roman_value(m.group(2))), text))
    text = _BARE_PAIR.sub(bare_pair, text)
    text = _COUNT_BEFORE_NAME.sub(regnal, text)
    text = _DESIGNATION.sub(lambda m: f"{m.group(1)} {cardinal(roman_value(m.group(2)))}", text)
    text = _ROMAN_FIRST.sub(lambda m: "première" if m.group(1) != "er" else "premier", text)
    text = _ROMAN_ORDINAL.sub(roman_ordinal, text)
    text = _SINGLE_ROMAN_ORDINAL.sub(single, text)
    if "-" in text:
        text = _HYPHENED.sub(lambda m: f"{m.group(1)} {cardinal(value)}" if (value := roman_value(m.group(2)))
                             else m.group(0), text)
    text = _COUNTED_LIST.sub(lambda m: m.group(1) + _ROMAN_WORD.sub(
        lambda r: cardinal(value) if (value := roman_value(r.group(0))) else r.group(0), m.group(2)), text)
    text = _COUNTED_ONE_LETTER.sub(regnal, text)
    text = _ONE_LETTER_REGNAL.sub(regnal, text)
    text = _FIRST_OF_A_SERIES.sub(r"\1un", text)
    text = _BARE_AFTER_ARTICLE.sub(lambda m: f"{m.group(1)} {cardinal(value)}" if (value := roman_value(m.group(2)))
                                   else m.group(0), text)
    return _REGNAL.sub(regnal, text)


def say_ordinals(text: str) -> str:
    """Arabic ordinals ("4e"), then Roman ones ("XXIe", "Louis XIV")."""
    return say_roman_numerals(say_arabic_ordinals(text))
