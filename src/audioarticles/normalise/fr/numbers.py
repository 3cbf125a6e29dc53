"""French numbers in words: cardinals (with feminine agreement), ordinals, decimals, and the
pass that reads every number left in a text (thousands groups, ranges, fractions, signs)."""

from __future__ import annotations

import re
from functools import lru_cache

# An integer as French pages write it: "7 800" (space, no-break or narrow no-break space),
# "1.500.000" (dots, also before the period that ends a sentence: "66.000."), or plain digits.
# A decimal part follows a comma.
INTEGER = (r"(?<![0-9])(?:[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+(?![0-9])"
           r"|[0-9]{1,3}(?:\.[0-9]{3})+(?![0-9]|\.[0-9])|[0-9]+(?![0-9]|\.[0-9]{3}(?![0-9])))")
NUMBER = rf"{INTEGER}(?:,[0-9]+)?"

_GROUP_SEPARATORS = str.maketrans("", "", " \u00a0\u202f.")


_UNITS = ("zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
          "onze", "douze", "treize", "quatorze", "quinze", "seize")
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}
_SCALES = ((10**18, "trillion"), (10**15, "billiard"), (10**12, "billion"), (10**9, "milliard"),
           (10**6, "million"))


def _below_hundred(value: int) -> str:
    if value <= 16:
        return _UNITS[value]
    if value < 20:
        return "dix-" + _UNITS[value - 10]
    tens, unit = divmod(value, 10)
    if tens == 7:
        return "soixante et onze" if unit == 1 else "soixante-" + _below_hundred(10 + unit)
    if tens == 8:
        return "quatre-vingts" if unit == 0 else "quatre-vingt-" + _UNITS[unit]
    if tens == 9:
        return "quatre-vingt-" + _below_hundred(10 + unit)
    if unit == 0:
        return _TENS[tens]
    return f"{_TENS[tens]} et un" if unit == 1 else f"{_TENS[tens]}-{_UNITS[unit]}"


def _below_thousand(value: int) -> str:
    hundreds, rest = divmod(value, 100)
    if not hundreds:
        return _below_hundred(rest)
    head = "cent" if hundreds == 1 else f"{_UNITS[hundreds]} cent{'' if rest else 's'}"
    return f"{head} {_below_hundred(rest)}" if rest else head


def before_mille(words: str) -> str:
    """ "quatre-vingts" and "deux cents" lose their s before "mille" (an adjective)."""
    return words[:-1] if words.endswith(("vingts", "cents")) else words


@lru_cache(maxsize=4096)
def cardinal(value: int, feminine: bool = False) -> str:
    """123 -> "cent vingt-trois"; with `feminine`, 21 -> "vingt et une".

    Traditional spelling (no hyphens around "cent" and "mille"), as num2words writes it; written
    here because num2words takes a tenth of a millisecond a call and 30 ms to import.
    """
    if value < 0:
        return "moins " + cardinal(-value, feminine)
    if value < 1000:
        words = _below_thousand(value)
    else:
        parts = []
        rest = value
        for scale, name in _SCALES:
            count, rest = divmod(rest, scale)
            if count:
                parts.append(f"{cardinal(count)} {name}{'s' if count > 1 else ''}")
        thousands, rest = divmod(rest, 1000)
        if thousands:
            parts.append("mille" if thousands == 1 else f"{before_mille(_below_thousand(thousands))} mille")
        if rest:
            parts.append(_below_thousand(rest))
        words = " ".join(parts)
    if feminine and (words == "un" or words.endswith((" un", "-un"))):
        words += "e"
    return words


_ORDINAL_STEMS = {"cinq": "cinqu", "neuf": "neuv"}


@lru_cache(maxsize=1024)
def ordinal(value: int, feminine: bool = False) -> str:
    """21 -> "vingt et unième", 80 -> "quatre-vingtième", 200 -> "deux centième".

    num2words' French ordinals are wrong for 80, 200, 7 800...
    ("quatre-vingtsième", "deux centsième") and for a million ("un millionième").
    """
    if value == 1:
        return "première" if feminine else "premier"
    words = cardinal(value)
    if words.startswith("un ") and words.split()[1] in ("million", "milliard") and " " not in words[3:]:
        words = words[3:]
    head, sep, last = max(words.rpartition(" "), words.rpartition("-"), key=lambda p: len(p[0]))
    if last in ("cents", "vingts", "millions", "milliards"):
        last = last[:-1]
    last = _ORDINAL_STEMS.get(last, last[:-1] if last.endswith("e") else last)
    return f"{head}{sep}{last}ième"


def integer_value(digits: str) -> int:
    """ "7 800", "7\u202f800", "1.500.000" or "42" -> the integer."""
    return int(digits.translate(_GROUP_SEPARATORS))


def integer_words(digits: str, feminine: bool = False) -> str:
    """The digits as said: grouped thousands as one number; a leading zero is said ("007")."""
    plain = digits.translate(_GROUP_SEPARATORS)
    if len(plain) > 1 and plain.startswith("0"):
        zeros = len(plain) - len(plain.lstrip("0"))
        rest = plain[zeros:]
        said = ["zéro"] * zeros + ([cardinal(int(rest), feminine)] if rest else [])
        return " ".join(said)
    return cardinal(int(plain), feminine)


def fraction_digits(digits: str) -> str:
    """The digits after a decimal comma: "5" -> "cinq", "05" -> "zéro cinq", "14" -> "quatorze";
    more than three digits are said one by one."""
    zeros = len(digits) - len(digits.lstrip("0"))
    rest = digits[zeros:]
    said = ["zéro"] * zeros
    if len(rest) > 3:
        said += [cardinal(int(d)) for d in rest]
    elif rest:
        said.append(cardinal(int(rest)))
    return " ".join(said)


def number_words(text: str, feminine: bool = False) -> str:
    """A written number ("7 800", "3,5", "1.500.000", "-2") in words."""
    text = text.strip()
    sign = ""
    if text[:1] in "-−":
        sign, text = "moins ", text[1:]
    whole, _, decimals = text.partition(",")
    words = integer_words(whole, feminine and not decimals)
    if decimals:
        words += " virgule " + fraction_digits(decimals)
    return sign + words


def is_plural(text: str) -> bool:
    """French agreement: a noun after a number is plural from 2 on ("1,5 million", "2 millions")."""
    text = text.strip().lstrip("-−")
    whole = text.partition(",")[0]
    return integer_value(whole) >= 2


# Nouns after which "1" is "une" ("une personne", "vingt et une heures") are in the lexicon;
# this pattern catches a number followed by its noun.
_NUMBER_NOUN = re.compile(rf"(?<![\w,.])({NUMBER})([ \u00a0\u202f]+)([a-zàâçéèêëîïôûùüÿœæ]+|[A-Z]{{2,5}}\b)")
_NEGATIVE = re.compile(r"(?:(?<=^)|(?<=[\s(\[]))[-−](?=[0-9])")
_MINUS_SIGN = re.compile(r"−(?=[0-9])")
_DOT_DECIMAL = re.compile(r"(?<![0-9.,])([0-9]+)\.([0-9]{1,2})(?![0-9.])")
_FRACTION = re.compile(r"(?<![0-9/,.])([0-9]{1,3})/([0-9]{1,3})(?![0-9/])")
_UNICODE_FRACTIONS = {"½": "un demi", "⅓": "un tiers", "⅔": "deux tiers", "¼": "un quart",
                      "¾": "trois quarts"}
_NUMBER = re.compile(NUMBER)
_FRACTION_NAMES = {2: ("demi", "demis"), 3: ("tiers", "tiers"), 4: ("quart", "quarts")}


def say_fraction(numerator: int, denominator: int) -> str:
    """1/2 -> "un demi", 3/4 -> "trois quarts", 5/8 -> "cinq huitièmes", 24/7 -> "vingt-quatre sur sept"."""
    if 0 < numerator < denominator <= 10:
        singular, plural = _FRACTION_NAMES.get(denominator, (ordinal(denominator), ordinal(denominator) + "s"))
        return f"{cardinal(numerator)} {singular if numerator == 1 else plural}"
    return f"{cardinal(numerator)} sur {cardinal(denominator)}"


# Out of five or ten, a slash is a mark or a frequency ("je lui donne 8/10", "note : 4/5",
# "fréquent (≥ 1/10)", "8/10 élèves"), said "huit sur dix", unless it is a share of something:
# "4/5 des électeurs", "les 3/10 restants".
_SCALES_OUT_OF = (5, 10)
_SHARE_AFTER = re.compile(r"[ \u00a0]*(?:de|du|des|d['’])(?![\w])")
_SHARE_BEFORE = re.compile(r"\b(?:les|des|aux|ces|ses|leurs|nos|vos)[ \u00a0]+$", re.I)


def say_fractions(text: str) -> str:
    for symbol, words in _UNICODE_FRACTIONS.items():
        text = text.replace(symbol, f" {words} ")

    def fraction(match: re.Match) -> str:
        numerator, denominator = int(match.group(1)), int(match.group(2))
        if (denominator in _SCALES_OUT_OF and not _SHARE_AFTER.match(text, match.end())
                and not _SHARE_BEFORE.search(text, 0, match.start())):
            return f"{cardinal(numerator)} sur {cardinal(denominator)}"
        return say_fraction(numerator, denominator)
    return _FRACTION.sub(fraction, text)


def say_signs(text: str) -> str:
    """ "-5", "−5" -> "moins 5"; "2.9" (a decimal point) -> "2,9". Before units and money read
    the number, so that "-5 °C" is "moins cinq degrés Celsius"."""
    text = _MINUS_SIGN.sub("-", text)
    text = _NEGATIVE.sub("moins ", text)
    return _DOT_DECIMAL.sub(r"\1,\2", text)


_SPACE = r"[ \u00a0\u202f]+"
_NOUN = r"[a-zàâçéèêëîïôûùüÿœæ]+|[A-Z]{2,5}\b"
# A number whose noun is left out because the number before it gave it: "289 voix contre 251",
# "31 femmes sur 41". It ends the phrase (punctuation, the end, or a small word, not a noun).
_SMALL_WORDS = ("pour", "contre", "et", "ou", "à", "au", "aux", "en", "dans", "lors", "le", "la",
                "les", "l", "selon", "soit", "dont", "avec", "sans", "par", "sur", "de", "d", "du",
                "des", "mais", "alors", "tandis", "qui", "que", "ont", "sont", "ne", "n", "se", "s",
                "y", "avaient", "étaient", "seront", "auront")
_ELIDED_NOUN_AFTER = re.compile(
    rf"(?<![\w,.])({NUMBER})({_SPACE})({_NOUN})({_SPACE}(?:contre|sur|et|ou){_SPACE})({NUMBER})"
    rf"(?=[ \u00a0\u202f]*(?:$|[^\w\s]|(?:{'|'.join(_SMALL_WORDS)})(?![\w-])))")
# A number whose noun comes after the next number: "entre 21 et 31 communes", "de 41 à 51 voix".
_ELIDED_NOUN_BEFORE = re.compile(
    rf"(?<![\w,.])({NUMBER})({_SPACE}(?:et|ou){_SPACE})({NUMBER})({_SPACE})({_NOUN})"
    rf"|(?:(?<=\bde )|(?<=\ben )|(?<=\bdans )|(?<=\bsous )|(?<=\bpendant )|(?<=\baprès )|(?<=\bavant ))"
    rf"({NUMBER})({_SPACE}à{_SPACE})({NUMBER})({_SPACE})({_NOUN})")


# A number standing for a noun counted earlier in the sentence: "3 usines, dont 1 en Alsace",
# "421 voix pour, 61 contre et 31 abstentions". It agrees with that noun.
_SMALL = "|".join(_SMALL_WORDS)
_STANDING_FOR_A_NOUN = re.compile(
    rf"(?<=\bdont )({NUMBER})(?={_SPACE}(?:{_SMALL})(?![\w-])|[ \u00a0\u202f]*(?:[^\w\s]|$))"
    rf"|(?<![\w,.])({NUMBER})(?={_SPACE}(?:contre|pour)[ \u00a0\u202f]*(?:[,;:.)]|$|et\b|ou\b)"
    rf"|{_SPACE}(?:(?:ont|sont|avaient|étaient|seront|auront|ne|se)(?![\w-])|[ns]['’]))")
_SENTENCE_END = re.compile(r"[.!?;](?:\s|$)")
_YEAR = re.compile(r"1[0-9]{3}|20[0-9]{2}")


def say_numbers_standing_for_nouns(text: str, is_feminine) -> str:
    """ "3 usines, dont 1 en Alsace" -> "3 usines, dont une en Alsace"."""
    def standing(match: re.Match) -> str:
        number = match.group(1) or match.group(2)
        if _YEAR.fullmatch(number):  # "en 2021 ont été recensés": a year, not a count
            return match.group(0)
        starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, match.start())]
        counted = [m.group(3) for m in _NUMBER_NOUN.finditer(text, starts[-1] if starts else 0, match.start())
                   if m.group(3) not in _SMALL_WORDS]
        return number_words(number, bool(counted) and is_feminine(counted[-1]))
    return _STANDING_FOR_A_NOUN.sub(standing, text)


# Words after a number that are not what it counts, though their ending looks feminine:
# "41 cette année" is "quarante et un".
NOT_COUNTED = frozenset(("cette", "cet", "ces", "elle", "elles", "celle", "celles", "quelle",
                         "quelles", "laquelle", "lesquelles", "une", "aucune", "chacune"))
# Nouns that are part of a preposition when "à" follows: a score "3-1 face à Lens" ("trois à
# un"), "1 grâce à", "1 suite à".
_PREPOSITION_BEFORE_A = re.compile(r"(?:face|grâce|suite)[ \u00a0]+(?:à|au|aux)\b")
# A house number before the name of a street is no count: "au 1 place de l'Église", "21 rue
# Victor-Hugo", "31 avenue de la République" ("un", "vingt et un"), unlike "1 place de parking".
_STREETS = ("rue", "place", "avenue", "allée", "impasse", "route", "chaussée", "esplanade",
            "promenade", "rocade", "traverse", "venelle", "ruelle", "cité", "résidence")
_STREET_NAME = re.compile(rf"(?:{'|'.join(_STREETS)})[ \u00a0]+(?:(?:de la|de l['’]|du|des|de|d['’])[ \u00a0]*)?"
                          r"[A-ZÀ-Þ0-9]")


# An adjective between a number and its noun: its own form tells the gender ("21 petites villes",
# "1 nouvelle loi"), or, the same for both, the noun after it does ("31 autres personnes", "41
# jeunes femmes" but "151 jeunes interpellés").
FEMININE_ADJECTIVES = frozenset((
    "petite", "petites", "grande", "grandes", "nouvelle", "nouvelles", "première", "premières",
    "dernière", "dernières", "seule", "seules", "vraie", "vraies", "bonne", "bonnes", "belle",
    "belles", "vieille", "vieilles", "grosse", "grosses", "longue", "longues", "haute", "hautes",
    "forte", "fortes", "courte", "courtes", "meilleure", "meilleures", "mauvaise", "mauvaises",
    "principales", "nombreuses", "anciennes", "différentes", "jolies", "jolie", "fausse", "fausses"))
EPICENE_ADJECTIVES = frozenset((
    "autre", "autres", "jeune", "jeunes", "même", "mêmes", "pauvre", "pauvres", "simple", "simples",
    "rare", "rares", "énorme", "énormes", "immense", "immenses", "véritable", "véritables",
    "unique", "uniques", "double", "doubles", "grave", "graves", "large", "larges", "superbe",
    "superbes"))
_NEXT_WORD = re.compile(r"[ \u00a0]+([a-zàâçéèêëîïôûùüÿœæ]+)")


def _not_counted_here(text: str, noun_at: int) -> bool:
    """The word at `noun_at`, after a number, is part of a preposition or names a street."""
    return bool(_PREPOSITION_BEFORE_A.match(text, noun_at) or _STREET_NAME.match(text, noun_at))


def say_numbers(text: str, feminine_nouns: frozenset[str] = frozenset()) -> str:
    """Every number left in the text, in words, agreeing with a feminine noun that follows it,
    also across a noun said once for two numbers ("289 voix contre 251", "21 et 31 communes")."""
    if feminine_nouns:
        def is_feminine(noun: str) -> bool:
            if noun.lower() in NOT_COUNTED:
                return False
            return noun in feminine_nouns or noun.rstrip("s") in feminine_nouns

        def elided_after(match: re.Match) -> str:
            first, space, noun, link, second = match.groups()
            feminine = is_feminine(noun)
            return (number_words(first, feminine) + space + noun + link
                    + number_words(second, feminine))

        def elided_before(match: re.Match) -> str:
            groups = match.groups()
            first, link, second, space, noun = groups[:5] if groups[0] is not None else groups[5:]
            if not is_feminine(noun):
                return match.group(0)
            return number_words(first, True) + link + number_words(second, True) + space + noun

        def agree(match: re.Match) -> str:
            noun = match.group(3)
            if noun.lower() in EPICENE_ADJECTIVES:
                after = _NEXT_WORD.match(match.string, match.end(3))
                feminine = bool(after) and after.group(1) not in _SMALL_WORDS and is_feminine(after.group(1))
            elif noun.lower() in FEMININE_ADJECTIVES:
                feminine = True
            else:
                feminine = is_feminine(noun) and not _not_counted_here(match.string, match.start(3))
            return number_words(match.group(1), feminine) + match.group(2) + noun
        if any(c.isdigit() for c in text):
            text = say_numbers_standing_for_nouns(text, is_feminine)
            text = _ELIDED_NOUN_AFTER.sub(elided_after, text)
            text = _ELIDED_NOUN_BEFORE.sub(elided_before, text)
        text = _NUMBER_NOUN.sub(agree, text)
    return _NUMBER.sub(lambda m: f" {number_words(m.group(0))} ", text)
