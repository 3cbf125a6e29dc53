"""Signs, slashes and identifiers read for what they mean: "- 7,8 %" after "de" is a minus,
"p < 0,001" keeps its comparison, "N-1" is "èn moins un", "24h/24" is "vingt-quatre heures sur
vingt-quatre", "8/10e" is "huit dixièmes", "47/100 000" a rate, "loi n° 78-17" an identifier
read with "tiret", never a range with "à"."""

from __future__ import annotations

import re

from audioarticles.normalise.fr.numbers import cardinal, integer_value, ordinal

# --- signs -----------------------------------------------------------------------------------

_COMPARISONS = (
    (re.compile(r"\s*\+\s?/\s?[-−]\s*"), " plus ou moins "),
    (re.compile(r"\s*±\s*"), " plus ou moins "),
    (re.compile(r"\s*≤\s*(?=[-−]?[0-9])"), " inférieur ou égal à "),
    (re.compile(r"\s*≥\s*(?=[-−]?[0-9])"), " supérieur ou égal à "),
    (re.compile(r"\s*<\s*(?=[-−]?[0-9])"), " inférieur à "),
    (re.compile(r"\s*>\s*(?=[-−]?[0-9])"), " supérieur à "),
)
_COMPARISON_HINT = re.compile(r"[<>≤≥±×]|\+\s?/|\bx ?[0-9]|[0-9] ?x ?[0-9]")
# "x2", "×3": a factor ("les ventes x2" -> "les ventes fois 2")
_FACTOR = re.compile(r"(?<![\w])[x×]\s?(?=[0-9])")
# "4x100 m", "4 × 400 m nage libre": a relay, so many legs of so many metres
_RELAY = re.compile(r"(?<![\w])([0-9])\s?[x×]\s?(?=[0-9]{2,4}\s?m\b)")
# A spaced dash before a figure is a minus after a word that introduces a quantity ("en baisse
# de - 7,8 %"); elsewhere a spaced dash is punctuation (an aside: "le conseil – réuni – a voté",
# a list item: "- 12 projets").
_SPACED_MINUS = re.compile(
    r"((?:^|(?<=[\s(]))(?:de|à|soit|et|ou|par|entre|contre|sur)\s+|[(:=]\s*)(?:[-–−]\s+|[–−])(?=[0-9])",
    re.I)
# "N-1", "J-7", "T+3", "H-2": a period, day or hour counted from a reference.
_OFFSET = re.compile(r"(?<![\w.'-])([JNTHMSD])([-+−])([0-9]{1,3})(?![0-9]|,[0-9]|\s?%)")


def say_comparisons(text: str) -> str:
    """ "p < 0,001" -> "p inférieur à 0,001", "64 ± 8" -> "64 plus ou moins 8", "+/-", "x2"."""
    if not _COMPARISON_HINT.search(text):
        return text
    for pattern, spoken in _COMPARISONS:
        text = pattern.sub(spoken, text)
    return _FACTOR.sub("fois ", _RELAY.sub(r"\1 fois ", text))


def say_spaced_minus(text: str) -> str:
    """ "en baisse de - 7,8 %" -> "en baisse de moins 7,8 %"; "(- 3 %)" -> "(moins 3 %)"."""
    return _SPACED_MINUS.sub(lambda m: f"{m.group(1)}moins ", text)


def say_offsets(text: str, letters: dict[str, str]) -> str:
    """ "N-1" -> "èn moins 1", "à J-7" -> "à ji moins 7", "T+3" -> "té plus 3"."""
    def offset(match: re.Match) -> str:
        sign = "plus" if match.group(2) == "+" else "moins"
        return f"{letters.get(match.group(1), match.group(1))} {sign} {match.group(3)}"
    return _OFFSET.sub(offset, text)


# --- identifiers -----------------------------------------------------------------------------

# Words after which "78-17" or "L. 1111-8" names a text, a case or an article.
IDENTIFIER_WORDS = ("numéro", "numéros", "n°", "nº", "loi", "décret", "arrêté", "ordonnance",
                    "décision", "article", "articles", "pourvoi", "circulaire", "directive",
                    "règlement", "délibération", "requête", "amendement")
# "directive 2019/790", "règlement (UE) 2016/679": a European act, its year then its number
_EU_ACT = re.compile(r"(\b(?:directive|règlement|décision|recommandation)\s+(?:\((?:UE|CE|CEE|Euratom)\)\s+)?"
                     r"(?:(?:n°|nº|no)\s*)?)([12][0-9]{3})/([0-9]{1,4})(?![0-9/])", re.I)
_IDENTIFIER = re.compile(
    rf"(\b(?:{'|'.join(IDENTIFIER_WORDS)})\s+(?:(?:numéro|n°|nº)\s*)?)"
    r"(?:([LRDA])\.?\s?(?=[0-9]))?([0-9]+(?:[-–][0-9]+)+)(?![0-9])", re.I)


# An article of a French code is an identifier wherever it stands: "L211-4", "L. 1111-8",
# "R3132-5" (after "à" in "L211-1 à L211-4" too), and "225-1 du Code pénal".
_CODE_ARTICLE = re.compile(r"(?<![\w.])([LRD])\.?\s?([0-9]{2,5}(?:-[0-9]+)+)(?![0-9])"
                           r"|(?<![\w,.-])(?![12][0-9]{3}-[12][0-9]{3})([0-9]+(?:-[0-9]+)+)"
                           r"(?=\s(?:du|de ce|dudit)\s[Cc]ode\b)")


def say_identifiers(text: str, letters: dict[str, str]) -> str:
    """ "loi n° 78-17" -> "loi n° 78 tiret 17", "article L. 1111-8" -> "article èl 1111 tiret 8",
    a phone number "0 800 123 456" in its groups, a short number "le 3919" in pairs."""
    text = say_short_numbers(say_phone_numbers(text))
    if "/" in text:
        text = _EU_ACT.sub(r"\1\2 \3", text)
    def identifier(match: re.Match) -> str:
        letter = match.group(2)
        said = f"{letters.get(letter, letter)} " if letter else ""
        return match.group(1) + said + re.sub(r"[-–]", " tiret ", match.group(3))
    text = _IDENTIFIER.sub(identifier, text)

    def code_article(match: re.Match) -> str:
        if match.group(3):
            return re.sub(r"-", " tiret ", match.group(3))
        return f"{letters.get(match.group(1), match.group(1))} " + re.sub(r"-", " tiret ", match.group(2))
    return _CODE_ARTICLE.sub(code_article, text) if "-" in text else text


# A French phone number in groups of three ("0 800 123 456", "3 919" is not one): each group is
# said alone, not joined into "huit cents millions".
_PHONE_THREES = re.compile(r"(?<![0-9,.])0[ \u00a0]?([1-9][0-9]{2})[ \u00a0]([0-9]{3})[ \u00a0]([0-9]{3})(?![0-9])")


# A phone number written with periods: "01.82.71.03.39", "0.800.97.11.11"
_PHONE_DOTS = re.compile(r"(?<![0-9.,])0[0-9]{0,3}(?:\.[0-9]{2,3}){3,4}(?![0-9]|\.[0-9])")


def say_phone_numbers(text: str) -> str:
    """ "0 800 123 456" -> "0, 800, 123, 456" (each group read as a number later)."""
    if "." in text:
        text = _PHONE_DOTS.sub(lambda m: m.group(0).replace(".", " "), text)
    return _PHONE_THREES.sub(r"0, \1, \2, \3", text)


# France's four-digit short numbers (3919 for women victims of violence, 3114 suicide prevention,
# 3646 health insurance, 3237 pharmacies on duty) are said in two pairs, "trente-neuf dix-neuf",
# when the sentence is about calling one ("appeler le 3919", "le 3114, numéro national").
_SHORT_NUMBER = re.compile(r"(?<=\b(?:le|au|du|Le|Au|Du) )3([0-9])([0-9]{2})(?![0-9]|[ \u00a0]?(?:[0-9]|,[0-9]"
                           r"|e\b|ème|m\b|km|mètres|kg|€|euros|personnes|habitants|salariés))")
_CALLING = re.compile(r"appel|compos|joindre|joign|contact|numéro|écoute|gratuit|anonyme|"
                      r"SMS|téléphon|plateforme|urgence|secours|permanence", re.I)


def say_short_numbers(text: str) -> str:
    """ "appeler le 3919" -> "appeler le 39 19" (each pair read as a number later)."""
    if not _SHORT_NUMBER.search(text) or not _CALLING.search(text):
        return text
    return _SHORT_NUMBER.sub(r"3\1 \2", text)


# --- ratios ----------------------------------------------------------------------------------

# What a quantity is divided by when a slash joins two words: "dette/PIB" is "dette sur PIB",
# "cours/bénéfice" "cours sur bénéfice"; after "ratio", any second word ("ratio prix/revenu").
# Elsewhere a slash between words is an alternative, said as nothing ("et/ou", "qualité/prix").
RATIO_DENOMINATORS = ("PIB", "PNB", "RNB", "bénéfice", "bénéfices", "revenu", "revenus", "Ebitda",
                      "EBITDA", "EBE", "CA", "actifs", "fonds propres", "capitaux propres")
_RATIO = re.compile(rf"(?<![\w/])([^\W\d_][\w'’-]*)/({'|'.join(RATIO_DENOMINATORS)})(?![\w/])")
_AFTER_RATIO = re.compile(r"(\b[Rr]atios?\s+[^\W\d_][\w'’-]*)/([^\W\d_][\w'’-]*)(?![\w/])")
RATIO_HINT = re.compile(r"[^\W\d_]/[^\W\d_]")


def say_ratios(text: str) -> str:
    """ "le ratio dette/PIB" -> "le ratio dette sur PIB", "ratio prix/revenu" -> "ratio prix sur
    revenu"; "et/ou" is left to the symbols."""
    return _RATIO.sub(r"\1 sur \2", _AFTER_RATIO.sub(r"\1 sur \2", text))


# --- slashes ---------------------------------------------------------------------------------

_PER_PERIOD = re.compile(r"(?<![0-9])([0-9]{1,3})\s?([hj])\s?/\s?([0-9]{1,3})(?![0-9])")
_ORDINAL_FRACTION = re.compile(r"(?<![0-9/,])([0-9]{1,3})/([0-9]{1,4})\s?(?:e|es|è|èmes?)(?![\w])")
_RATE = re.compile(r"(?<![0-9/,])([0-9]+(?:,[0-9]+)?)\s?/\s?(1[ \u00a0.]?0{3}|10[ \u00a0.]?0{3}"
                   r"|100[ \u00a0.]?0{3}|1[ \u00a0.]?0{3}[ \u00a0.]?0{3})(?![0-9])")
_SLASH_RANGE = re.compile(r"(?<![0-9/,.])([0-9]+(?:,[0-9]+)?)/([0-9]+(?:,[0-9]+)?)"
                          r"(?=\s?(?:km/h|km|m|kg|g|%|€|°|ans|mg|ml)(?![^\W\d_]))")
_PERIOD_WORDS = {"h": "heures", "j": "jours"}
# what the comparisons pass wrote just before a frequency ("≥ 1/1 000" -> "supérieur ou égal à 1/1 000")
_COMPARED = re.compile(r"(?:inférieur|supérieur|égal)e?s? à[ \u00a0]*$")
# A decimal over a whole number is a mark or a score out of it: "14,5/20", "8,5/10"
_DECIMAL_OUT_OF = re.compile(r"(?<![0-9/,.])([0-9]+,[0-9]+)\s?/\s?([0-9]{1,3})(?![0-9/,])")
# Blood pressure ("une tension de 14/9", "pression artérielle à 16/10") is said as two numbers,
# "quatorze neuf": the slash is neither a fraction nor "sur" after these words.
_PRESSURE = re.compile(r"(\b(?:tension|pression artérielle|pression systolique|TA)\b[^.;:/]{0,40}?)"
                       r"(?<![0-9,])([0-9]{1,2})\s?/\s?([0-9]{1,2})(?![0-9/,])", re.I)
# A round of a tournament: "1/8e de finale" -> "huitièmes de finale", "1/4 de finale" -> "quarts
# de finale", "1/2 finale" -> "demi-finale". Plural after "les", "des", "aux", and for all but
# the semi-final after "en" ("éliminé en huitièmes", "qualifié en demi-finale"); else singular.
_ROUND = re.compile(r"(?<![0-9/,])(?:\b([A-Za-zéè]+)\s+)?1/(2|4|8|16|32)\s?(?:e|es|è|èmes?)?"
                    r"\s+(?:de\s+)?finales?\b")
_ROUND_NAMES = {"4": "quart", "8": "huitième", "16": "seizième", "32": "trente-deuxième"}


def say_rounds(text: str) -> str:
    """ "en 1/8e de finale" -> "en huitièmes de finale", "la 1/2 finale" -> "la demi-finale"."""
    def one(match: re.Match) -> str:
        before = match.group(1) or ""
        plural_after = ("les", "des", "aux") if match.group(2) == "2" else ("les", "des", "aux", "en")
        plural = "s" if before.lower() in plural_after or (not before and match.group(2) != "2") else ""
        said = (f"demi-finale{plural}" if match.group(2) == "2"
                else f"{_ROUND_NAMES[match.group(2)]}{plural} de finale")
        return f"{before} {said}" if before else said
    return _ROUND.sub(one, text) if "/" in text else text


def say_slashes(text: str) -> str:
    """ "24h/24" -> "24 heures sur 24", "7j/7" -> "7 jours sur 7", "8/10e" -> "huit dixièmes",
    "47/100 000" -> "47 pour 100 000", "120/140 km/h" -> "120 à 140 km/h", a blood pressure
    "tension de 14/9" -> "14 9"."""
    if "/" not in text:
        return text
    text = _PER_PERIOD.sub(lambda m: f"{m.group(1)} {_PERIOD_WORDS[m.group(2)]} sur {m.group(3)}", text)
    text = _PRESSURE.sub(r"\1\2 \3", text)

    def ordinal_fraction(match: re.Match) -> str:
        numerator, denominator = int(match.group(1)), int(match.group(2))
        name = ordinal(denominator) + ("s" if numerator > 1 else "")
        return f"{cardinal(numerator)} {name}"
    text = _ORDINAL_FRACTION.sub(ordinal_fraction, text)
    def rate(match: re.Match) -> str:
        # "(≥ 1/1 000, < 1/100)" in a leaflet is a frequency, one case out of a thousand
        link = "sur" if match.group(1) == "1" and _COMPARED.search(text, 0, match.start()) else "pour"
        return f"{match.group(1)} {link} {cardinal(integer_value(match.group(2)))}"
    text = _RATE.sub(rate, text)
    text = _SLASH_RANGE.sub(r"\1 à \2", text)
    return _DECIMAL_OUT_OF.sub(r"\1 sur \2", text)

