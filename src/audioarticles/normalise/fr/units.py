"""Units after a number ("12 km", "3,5 %", "20 °C", "1 t") and symbols ("&", "+", "=", "n°")."""

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
    "*": ("étoile", "étoiles", True),
}
_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_WITH_UNIT = re.compile(rf"({NUMBER})[ ]?({_UNIT})(?:(?<=[.%‰°²³*])|(?![\w/'’]))")

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


def say_units(text: str) -> str:
    def with_unit(match: re.Match) -> str:
        singular, plural, feminine = UNITS[match.group(2)]
        words = number_words(match.group(1), feminine)
        return f"{words} {plural if is_plural(match.group(1)) else singular}"
    return _WITH_UNIT.sub(with_unit, text)


_SYMBOL_HINT = re.compile(r"[&+=×≈~≤≥<>§/\\{}^_]|[0-9 ]x")


def say_symbols(text: str) -> str:
    if not _SYMBOL_HINT.search(text):
        return text
    for pattern, spoken in _SYMBOLS:
        text = pattern.sub(spoken, text)
    return text
