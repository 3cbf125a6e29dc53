"""Amounts of money: "12 €" -> "douze euros", "12,50 €" -> "douze euros cinquante",
"1,5 M€" -> "un virgule cinq million d'euros", "3 Md€" -> "trois milliards d'euros", "$12" ->
"douze dollars", "5 k€" -> "cinq mille euros"."""

from __future__ import annotations

import re

from audioarticles.normalise.fr.numbers import NUMBER, is_plural, number_words

# symbol: (singular, plural, feminine, cents word)
CURRENCIES = {
    "€": ("euro", "euros", False, "centimes"),
    "EUR": ("euro", "euros", False, "centimes"),
    "euros": ("euro", "euros", False, "centimes"),
    "$": ("dollar", "dollars", False, "cents"),
    "US$": ("dollar", "dollars", False, "cents"),
    "USD": ("dollar", "dollars", False, "cents"),
    "£": ("livre", "livres", True, "pence"),
    "GBP": ("livre", "livres", True, "pence"),
    "CHF": ("franc suisse", "francs suisses", False, "centimes"),
    "¥": ("yen", "yens", False, ""),
}
# multiplier: (singular, plural, takes "de")
MULTIPLIERS = {
    "k": ("mille", "mille", False), "K": ("mille", "mille", False),
    "M": ("million", "millions", True), "Mn": ("million", "millions", True),
    "Md": ("milliard", "milliards", True), "Mds": ("milliard", "milliards", True),
    "Mrd": ("milliard", "milliards", True), "Mrds": ("milliard", "milliards", True),
    "G": ("milliard", "milliards", True),
}
_SYMBOLS = "|".join(re.escape(s) for s in sorted(CURRENCIES, key=len, reverse=True) if s != "euros")
_MULTIPLIER = "|".join(sorted(MULTIPLIERS, key=len, reverse=True))
_AFTER = re.compile(rf"({NUMBER})[ ]?(?:({_MULTIPLIER})[ ]?)?({_SYMBOLS})(?![\w])")
_BEFORE = re.compile(rf"(?<![\w])({_SYMBOLS})[ ]?({NUMBER})(?:[ ]?({_MULTIPLIER})(?![\w]))?")


def say_amount(amount: str, currency: str, multiplier: str | None = None) -> str:
    singular, plural, feminine, cents_word = CURRENCIES[currency]
    unit = plural if is_plural(amount) else singular
    if multiplier:
        mult_singular, mult_plural, takes_de = MULTIPLIERS[multiplier]
        mult = mult_plural if is_plural(amount) else mult_singular
        of = (" d'" if plural[0] in "aeiouy" else " de ") if takes_de else " "
        return f"{number_words(amount)} {mult}{of}{plural if takes_de else unit}".replace("' ", "'")
    whole, _, decimals = amount.partition(",")
    if not decimals or set(decimals) == {"0"} or len(decimals) > 2 or not cents_word:
        return f"{number_words(amount, feminine)} {unit}"
    cents = int(decimals.ljust(2, "0"))
    if whole.strip("0 ") == "":
        return f"{number_words(str(cents))} {cents_word}"
    unit = plural if is_plural(whole) else singular
    return f"{number_words(whole, feminine)} {unit} {number_words(str(cents))}"


def say_money(text: str) -> str:
    text = _AFTER.sub(lambda m: say_amount(m.group(1), m.group(3), m.group(2)), text)
    return _BEFORE.sub(lambda m: say_amount(m.group(2), m.group(1), m.group(3)), text)
