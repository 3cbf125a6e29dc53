"""The gold scorer's comparison: layout and Unicode-form differences never decide whether a
snippet was read (a page may write "é" as "e" + a combining accent; the text read may not)."""

from __future__ import annotations

import pytest

from audioarticles.extract.gold import Gold, check, comparable


@pytest.mark.parametrize("text, expected", [
    ("PE\u0301TARD MOUILLE\u0301", "PÉTARD MOUILLÉ"),  # decomposed, as on Mediapart's Club
    ("Paradoxal?\u00a0 ", "Paradoxal?"),
    ("14\u202f% des   voix", "14 % des voix"),
    ("inter\u00adnational\u200b", "international"),
    ("déjà composé", "déjà composé"),
])
def test_comparable(text, expected):
    assert comparable(text) == expected


def test_check_ignores_the_unicode_form_both_ways():
    gold = Gold(page="p.html", kind="realblind2", must_read=["PÉTARD MOUILLÉ"],
                must_not_read=["Choisissez l’inde\u0301pendance !"])
    verdict = check("PE\u0301TARD MOUILLE\u0301\nChoisissez l’indépendance !", gold)
    assert verdict.missing == []
    assert verdict.leaked == ["Choisissez l’inde\u0301pendance !"]
    assert verdict.honoured == 1
