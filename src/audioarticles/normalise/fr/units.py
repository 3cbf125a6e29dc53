"""Units after a number ("12 km", "3,5 %", "20 °C", "1 t"), compound units ("15 mg/kg/j" ->
"quinze milligrammes par kilo par jour", "mg/100 ml" -> "pour cent millilitres"), measures as
people say them ("5,80 m" -> "cinq mètres quatre-vingts") and symbols ("&", "+", "=")."""

from __future__ import annotations

import re

from audioarticles.normalise.fr.numbers import NUMBER, is_plural, number_words

# symbol: (singular, plural, feminine)
UNITS = {
    "%": ("pour cent", "pour cent", False), "‰": ("pour mille", "pour mille", False),
    "km": ("kilomètre", "kilomètres", False), "m": ("mètre", "mètres", False),
    "cm": ("centimètre", "centimètres", False), "mm": ("millimètre", "millimètres", False),
    "km²": ("kilomètre carré", "kilomètres carrés", False),
    "km2": ("kilomètre carré", "kilomètres carrés", False),
    "m²": ("mètre carré", "mètres carrés", False), "m2": ("mètre carré", "mètres carrés", False),
    "m³": ("mètre cube", "mètres cubes", False), "m3": ("mètre cube", "mètres cubes", False),
    "mm²": ("millimètre carré", "millimètres carrés", False),
    "mm³": ("millimètre cube", "millimètres cubes", False),
    "ha": ("hectare", "hectares", False),
    "km/h": ("kilomètre heure", "kilomètres heure", False),
    "m/s": ("mètre par seconde", "mètres par seconde", False),
    "kg": ("kilo", "kilos", False), "g": ("gramme", "grammes", False),
    "mg": ("milligramme", "milligrammes", False), "µg": ("microgramme", "microgrammes", False),
    "t": ("tonne", "tonnes", True), "l": ("litre", "litres", False), "L": ("litre", "litres", False),
    "ml": ("millilitre", "millilitres", False), "mL": ("millilitre", "millilitres", False),
    "cl": ("centilitre", "centilitres", False), "hl": ("hectolitre", "hectolitres", False),
    "°C": ("degré Celsius", "degrés Celsius", False), "°F": ("degré Fahrenheit", "degrés Fahrenheit", False),
    "°": ("degré", "degrés", False),
    "W": ("watt", "watts", False), "kW": ("kilowatt", "kilowatts", False),
    "MW": ("mégawatt", "mégawatts", False), "GW": ("gigawatt", "gigawatts", False),
    "kWh": ("kilowattheure", "kilowattheures", False), "MWh": ("mégawattheure", "mégawattheures", False),
    "GWh": ("gigawattheure", "gigawattheures", False), "TWh": ("térawattheure", "térawattheures", False),
    "ko": ("kilooctet", "kilooctets", False), "Mo": ("mégaoctet", "mégaoctets", False),
    "Go": ("gigaoctet", "gigaoctets", False), "To": ("téraoctet", "téraoctets", False),
    "Mbit/s": ("mégabit par seconde", "mégabits par seconde", False),
    "Gbit/s": ("gigabit par seconde", "gigabits par seconde", False),
    "Mb/s": ("mégabit par seconde", "mégabits par seconde", False),
    "Hz": ("hertz", "hertz", False), "kHz": ("kilohertz", "kilohertz", False),
    "MHz": ("mégahertz", "mégahertz", False), "GHz": ("gigahertz", "gigahertz", False),
    "min": ("minute", "minutes", True), "mn": ("minute", "minutes", True),
    "ms": ("milliseconde", "millisecondes", True),
    "hab.": ("habitant", "habitants", False),
    "h": ("heure", "heures", True), "s": ("seconde", "secondes", True),
    "j": ("jour", "jours", False),
    "mmol": ("millimole", "millimoles", True), "µmol": ("micromole", "micromoles", True),
    "mol": ("mole", "moles", True), "ng": ("nanogramme", "nanogrammes", False),
    "dl": ("décilitre", "décilitres", False), "dL": ("décilitre", "décilitres", False),
    "ppm": ("partie par million", "parties par million", True),
    "UI": ("unité internationale", "unités internationales", True),
    "kcal": ("kilocalorie", "kilocalories", True), "hPa": ("hectopascal", "hectopascals", False),
    "dB": ("décibel", "décibels", False), "Mt": ("million de tonnes", "millions de tonnes", False),
    "Gt": ("gigatonne", "gigatonnes", True), "mSv": ("millisievert", "millisieverts", False),
    "*": ("étoile", "étoiles", True),
    "mAh": ("milliampère-heure", "milliampères-heures", False), "cts": ("centime", "centimes", False),
    "mmHg": ("millimètre de mercure", "millimètres de mercure", False),
    "ch": ("cheval", "chevaux", False),
    "Gb/s": ("gigabit par seconde", "gigabits par seconde", False),
    "kb/s": ("kilobit par seconde", "kilobits par seconde", False),
    "Mbps": ("mégabit par seconde", "mégabits par seconde", False),
    "Gbps": ("gigabit par seconde", "gigabits par seconde", False),
    "cmH2O": ("centimètre d'eau", "centimètres d'eau", False),
    "µm": ("micromètre", "micromètres", False), "nm": ("nanomètre", "nanomètres", False),
    "µl": ("microlitre", "microlitres", False), "µL": ("microlitre", "microlitres", False),
    "nmol": ("nanomole", "nanomoles", True), "mEq": ("milliéquivalent", "milliéquivalents", False),
    "kPa": ("kilopascal", "kilopascals", False), "mbar": ("millibar", "millibars", False),
    "kJ": ("kilojoule", "kilojoules", False), "MJ": ("mégajoule", "mégajoules", False),
    "Gy": ("gray", "grays", False), "mGy": ("milligray", "milligrays", False),
    "MBq": ("mégabecquerel", "mégabecquerels", False), "Bq": ("becquerel", "becquerels", False),
}
# What a unit is counted per, after a slash: "mg/kg/h", "µg/ml", "t/ha", "mg/100 ml".
PER = {
    "h": "par heure", "j": "par jour", "jour": "par jour", "an": "par an", "s": "par seconde",
    "min": "par minute", "mn": "par minute", "semaine": "par semaine", "mois": "par mois",
    "kg": "par kilo", "g": "par gramme", "l": "par litre", "L": "par litre", "dl": "par décilitre",
    "dL": "par décilitre", "ml": "par millilitre", "mL": "par millilitre", "m²": "par mètre carré",
    "m2": "par mètre carré", "m³": "par mètre cube", "m3": "par mètre cube",
    "km²": "par kilomètre carré", "km": "par kilomètre", "m": "par mètre", "ha": "à l'hectare",
    "hab": "par habitant", "hab.": "par habitant", "habitant": "par habitant", "t": "par tonne",
    "100 ml": "pour cent millilitres", "100 mL": "pour cent millilitres",
    "100 g": "pour cent grammes", "100 km": "aux cent kilomètres", "kWh": "par kilowattheure",
    "MWh": "par mégawattheure", "µl": "par microlitre", "µL": "par microlitre",
    "mm³": "par millimètre cube", "mm3": "par millimètre cube", "mm²": "par millimètre carré",
}
_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_PER = "|".join(re.escape(u) for u in sorted(PER, key=len, reverse=True))
_WITH_UNIT = re.compile(rf"({NUMBER})[ ]?({_UNIT})((?:/(?:{_PER})(?![\w²³]))*)"
                        rf"(?:(?<=[.%‰°²³*])|(?![\w/'’]))")
_PER_PART = re.compile(rf"/({_PER})")
# A unit named without a number: "le prix du kWh", "en km²" (only symbols no word is spelled like).
BARE = ("kWh", "MWh", "GWh", "TWh", "km", "km²", "m²", "m³", "kg", "mg", "µg", "ml", "km/h", "Mo",
        "Go", "ppm")
_BARE_UNIT = re.compile(rf"\b(du|le|au|par|un|les|des|en) ({'|'.join(re.escape(u) for u in BARE)})"
                        rf"(?=[\s,.;:!?)]|$)")
_MARKER = re.compile(r"\b([Aa]u|[Dd]u|[Ll]e|[Aa]près le|[Dd]ès le) km (?=[0-9])")
# "1,3 million de km", "des milliers de m³": the unit after a count of them
_SCALED_UNIT = re.compile(rf"\b(millions?|milliards?|milliers|centaines|dizaines) d(?:e |')"
                          rf"({_UNIT})(?=[\s,.;:!?)]|$)")

_SYMBOLS = [
    (re.compile(r"\s*&\s*"), " et "),
    (re.compile(r"(?<=[0-9 ])[x×](?=[ ]?[0-9])"), " fois "),
    (re.compile(r"\s*×\s*"), " fois "),
    (re.compile(r"(?<=\w)\+(?=\W|$)"), " plus"),
    (re.compile(r"\s*\+\s*"), " plus "),
    (re.compile(r"\s*=\s*"), " égale "),
    (re.compile(r"\s*[≈~]\s*(?=[0-9])"), " environ "),
    (re.compile(r"\s*≤\s*"), " inférieur ou égal à "),
    (re.compile(r"\s*≥\s*"), " supérieur ou égal à "),
    (re.compile(r"(?<=[0-9 ])<\s*(?=[0-9])"), " inférieur à "),
    (re.compile(r"(?<=[0-9 ])>\s*(?=[0-9])"), " supérieur à "),
    (re.compile(r"\s*§\s*"), " paragraphe "),
    (re.compile(r"(?<=\w)/(?=\w)"), " "),
    (re.compile(r"\s/\s"), ", "),
    (re.compile(r"[<>~^_\\{}]"), " "),
]


def say_metres(number: str) -> str | None:
    """ "5,80" m -> "cinq mètres quatre-vingts", "1,75" -> "un mètre soixante-quinze" (heights,
    jumps, lengths as people say them); None when the number has no or a long decimal part."""
    whole, _, decimals = number.partition(",")
    if not decimals or len(decimals) > 2 or set(decimals) == {"0"}:
        return None
    centimetres = int(decimals.ljust(2, "0"))
    if whole.strip("0") == "":
        return f"{number_words(str(centimetres))} centimètres"
    metres = f"{number_words(whole)} mètre{'s' if is_plural(whole) else ''}"
    return f"{metres} {number_words(str(centimetres))}"


# A unit counted per after a word, not a number: "95 g de CO2/km" (the lexicon has read "CO2"),
# "1 200 habitants/km²", "30 passages/jour".
_WORD_PER = re.compile(rf"(?<![\w/])([^\W\d_][\w'’]*)/({_PER})(?![\w²³/])")


# A count per unit with no unit before the slash: "50 000/mm³" (platelets), "120/min" (a pulse).
_NUMBER_PER = re.compile(rf"({NUMBER})/({_PER})(?![\w²³/])")


def say_word_per_unit(text: str) -> str:
    """ "cé o deux/km" -> "cé o deux par kilomètre"; a unit itself ("en km/h") is left."""
    def per(match: re.Match) -> str:
        word, unit = match.groups()
        if word in UNITS or f"{word}/{unit}" in UNITS:
            return match.group(0)
        return f"{word} {PER[unit]}"
    if "/" not in text:
        return text
    text = _NUMBER_PER.sub(lambda m: f"{m.group(1)} {PER[m.group(2)]}", text)
    return _WORD_PER.sub(per, text)


_SPACED_DEGREE = re.compile(r"(?<=[0-9])[ ]?°[ ]+(?=[CF]\b)")


def say_units(text: str) -> str:
    if "°" in text:  # "1,5° C", "2 ° C": degrees Celsius written apart
        text = _SPACED_DEGREE.sub(" °", text)

    def with_unit(match: re.Match) -> str:
        number, unit, per = match.group(1), match.group(2), match.group(3)
        if unit == "m" and not per and (metres := say_metres(number)):
            return metres
        singular, plural, feminine = UNITS[unit]
        words = number_words(number, feminine)
        said = f"{words} {plural if is_plural(number) else singular}"
        for part in _PER_PART.findall(per):
            said += " " + PER[part]
        return said
    return say_word_per_unit(say_bare_units(_SCALED_UNIT.sub(scaled_unit, _WITH_UNIT.sub(with_unit, text))))


def say_bare_units(text: str) -> str:
    """ "le prix du kWh" -> "le prix du kilowattheure", "en km²" -> "en kilomètres carrés",
    a marker "au km 42" -> "au kilomètre 42"."""
    def bare(match: re.Match) -> str:
        singular, plural, _ = UNITS[match.group(2)]
        return f"{match.group(1)} {plural if match.group(1) in ('les', 'des', 'en') else singular}"
    return _MARKER.sub(r"\1 kilomètre ", _BARE_UNIT.sub(bare, text))


def scaled_unit(match: re.Match) -> str:
    """ "million de km" -> "million de kilomètres", "milliers de m³" -> "milliers de mètres
    cubes"."""
    plural = UNITS[match.group(2)][1]
    return f"{match.group(1)} {'d' + chr(39) if plural[0] in 'aeiouh' else 'de '}{plural}"


_SYMBOL_HINT = re.compile(r"[&+=×≈~≤≥<>§/\\{}^_]|[0-9 ]x")


def say_symbols(text: str) -> str:
    if not _SYMBOL_HINT.search(text):
        return text
    for pattern, spoken in _SYMBOLS:
        text = pattern.sub(spoken, text)
    return text
