"""Amounts of money: "12 €" -> "douze euros", "12,50 €" -> "douze euros cinquante",
"1,5 M€" -> "un virgule cinq million d'euros", "3 Md€" -> "trois milliards d'euros", "$12" ->
"douze dollars", "5 k€" -> "cinq mille euros"; the shorthand of financial pages ("692 m€",
"1 630,4 ME", "250 MEUR", "10 millions €"), francs ("2.700.000 F"), prices per unit ("28 €/m²")."""

from __future__ import annotations

import re

from audioarticles.normalise.fr.numbers import NUMBER, before_mille, is_plural, number_words

# symbol: (singular, plural, feminine, cents word)
CURRENCIES = {
    "€": ("euro", "euros", False, "centimes"),
    "EUR": ("euro", "euros", False, "centimes"),
    "euros": ("euro", "euros", False, "centimes"),
    "euro": ("euro", "euros", False, "centimes"),
    "dollars": ("dollar", "dollars", False, "cents"),
    "F": ("franc", "francs", False, "centimes"),
    "FF": ("franc", "francs", False, "centimes"),
    "francs": ("franc", "francs", False, "centimes"),
    "$": ("dollar", "dollars", False, "cents"),
    # the papers of Québec write "1,50 $" for their own dollar, and name the others
    "$ US": ("dollar américain", "dollars américains", False, "cents"),
    "$US": ("dollar américain", "dollars américains", False, "cents"),
    "$ CA": ("dollar canadien", "dollars canadiens", False, "cents"),
    "$CA": ("dollar canadien", "dollars canadiens", False, "cents"),
    "$ CAN": ("dollar canadien", "dollars canadiens", False, "cents"),
    "$CAN": ("dollar canadien", "dollars canadiens", False, "cents"),
    "CAD": ("dollar canadien", "dollars canadiens", False, "cents"),
    "US$": ("dollar", "dollars", False, "cents"),
    "USD": ("dollar", "dollars", False, "cents"),
    "£": ("livre", "livres", True, "pence"),
    "GBP": ("livre", "livres", True, "pence"),
    "CHF": ("franc suisse", "francs suisses", False, "centimes"),
    "¥": ("yen", "yens", False, ""),
    "FCFA": ("franc CFA", "francs CFA", False, "centimes"),
    # the Maghreb's papers: "2 000 DA" (Algerian dinars), "15 DT" (Tunisian), "30 DH" (dirhams)
    "DA": ("dinar", "dinars", False, "centimes"),
    "DZD": ("dinar algérien", "dinars algériens", False, "centimes"),
    "DT": ("dinar", "dinars", False, ""),  # a thousand millimes: "1,5 DT" is said with its comma
    "TND": ("dinar tunisien", "dinars tunisiens", False, ""),
    "DH": ("dirham", "dirhams", False, "centimes"),
    "MAD": ("dirham", "dirhams", False, "centimes"),
}
# multiplier: (singular, plural, takes "de")
MULTIPLIERS = {
    "k": ("mille", "mille", False), "K": ("mille", "mille", False),
    "M": ("million", "millions", True), "m": ("million", "millions", True), "Mn": ("million", "millions", True),
    "Md": ("milliard", "milliards", True), "Mds": ("milliard", "milliards", True),
    "Mrd": ("milliard", "milliards", True), "Mrds": ("milliard", "milliards", True),
    "G": ("milliard", "milliards", True),
}
# What a price is counted per: "28 €/m²" -> "vingt-huit euros le mètre carré".
PER_UNIT = {"m²": "le mètre carré", "m2": "le mètre carré", "kg": "le kilo", "l": "le litre",
            "L": "le litre", "t": "la tonne", "MWh": "le mégawattheure", "kWh": "le kilowattheure",
            "baril": "le baril", "h": "de l'heure", "mois": "par mois", "an": "par an",
            "jour": "par jour", "j": "par jour", "mois.": "par mois", "hab": "par habitant",
            "hab.": "par habitant", "habitant": "par habitant", "action": "par action"}
# Written only by financial pages, after a number: millions and billions of euros in one word.
_SHORTHAND = re.compile(r"(?<=[0-9])[ ]?(?:(MEUR|M EUR|ME|MEuros)|(MdEUR|MdsEUR|Mds EUR|Md EUR|MdE|MdsE)"
                        r"|(kEUR|KEUR))(?![\w€])")
_SYMBOLS = "|".join(re.escape(s) for s in sorted(CURRENCIES, key=len, reverse=True))
_SIGNS = "|".join(re.escape(s) for s in sorted(CURRENCIES, key=len, reverse=True)
                  if not s.isalpha() or s in ("EUR", "USD", "GBP", "CHF", "FCFA"))
_MULTIPLIER = "|".join(sorted(MULTIPLIERS, key=len, reverse=True))
_PER = "|".join(re.escape(u) for u in sorted(PER_UNIT, key=len, reverse=True))
_AFTER = re.compile(rf"({NUMBER})[ ]?(?:({_MULTIPLIER})[ ]?)?({_SYMBOLS})(?:[ ]?/[ ]?({_PER}))?(?![\w])")
_BEFORE = re.compile(rf"(?<![\w])({_SIGNS})[ ]?({NUMBER})(?:[ ]?({_MULTIPLIER})(?![\w]))?")
# The symbols a scale word may come before ("3 milliards de DA"), said as their plural.
_SCALE_NAMES = {symbol: CURRENCIES[symbol][1] for symbol in (
    "€", "EUR", "$", "USD", "£", "$ US", "$US", "$ CA", "$CA", "$ CAN", "$CAN", "CAD", "CHF",
    "FCFA", "DA", "DZD", "DT", "TND", "DH", "MAD")} | {"F CFA": CURRENCIES["FCFA"][1]}
_SCALE_THEN_SYMBOL = re.compile(
    r"\b(millions?|milliards?|milliers?)(?: d'| de )?[ ]?("
    + "|".join(re.escape(s) for s in sorted(_SCALE_NAMES, key=len, reverse=True)) + r")(?![\w])")


def say_amount(amount: str, currency: str, multiplier: str | None = None) -> str:
    singular, plural, feminine, cents_word = CURRENCIES[currency]
    unit = plural if is_plural(amount) else singular
    if multiplier:
        mult_singular, mult_plural, takes_de = MULTIPLIERS[multiplier]
        mult = mult_plural if is_plural(amount) else mult_singular
        of = (" d'" if plural[0] in "aeiouy" else " de ") if takes_de else " "
        words = before_mille(number_words(amount)) if mult == "mille" else number_words(amount)
        return f"{words} {mult}{of}{plural if takes_de else unit}".replace("' ", "'")
    whole, _, decimals = amount.partition(",")
    if decimals and set(decimals) == {"0"}:  # "15,00 €" is fifteen euros
        amount, decimals = whole, ""
    if not decimals or len(decimals) > 2 or not cents_word:
        words = number_words(amount, feminine)
        if words.endswith(("million", "millions", "milliard", "milliards")):  # "5 000 000 €"
            return f"{words} {'d' + chr(39) if plural[0] in 'aeiou' else 'de '}{plural}"
        return f"{words} {unit}"
    cents = int(decimals.ljust(2, "0"))
    if whole.strip("0 ") == "":
        return f"{number_words(str(cents))} {cents_word}"
    unit = plural if is_plural(whole) else singular
    return f"{number_words(whole, feminine)} {unit} {number_words(str(cents))}"


def say_shorthand(text: str) -> str:
    """ "250 MEUR" -> "250 M€", "3 MdEUR" -> "3 Md€", "10 millions €" -> "10 millions d'euros"."""
    def shorthand(match: re.Match) -> str:
        return " M€" if match.group(1) else " Md€" if match.group(2) else " k€"

    def scale(match: re.Match) -> str:
        name = _SCALE_NAMES[match.group(2)]
        return f"{match.group(1)} {'d' + chr(39) if name[0] in 'aeiou' else 'de '}{name}".replace("' ", "'")
    return _SCALE_THEN_SYMBOL.sub(scale, _SHORTHAND.sub(shorthand, text))


# "2,3 M d'entrées", "1,2 Md de dollars": the scale written as its symbol, before "de"
_SCALE_LETTER = re.compile(rf"({NUMBER})[ ]?(M|Md|Mds|Mrd|Mrds)(?:[ ](?=d['’]|de )|(?=[ ]?[,;)]|\.(?:\s|$)))")


def say_scale_letters(text: str) -> str:
    """ "2,3 M d'entrées" -> "2,3 millions d'entrées"."""
    def scale(match: re.Match) -> str:
        singular, plural, _ = MULTIPLIERS[match.group(2)]
        said = f"{match.group(1)} {plural if is_plural(match.group(1)) else singular}"
        return said + " " if match.group(0).endswith(" ") else said
    return _SCALE_LETTER.sub(scale, text)


def say_money(text: str) -> str:
    text = say_scale_letters(say_shorthand(text))

    def after(match: re.Match) -> str:
        said = say_amount(match.group(1), match.group(3), match.group(2))
        return f"{said} {PER_UNIT[match.group(4)]}" if match.group(4) else said
    text = _AFTER.sub(after, text)
    return _BEFORE.sub(lambda m: say_amount(m.group(2), m.group(1), m.group(3)), text)
