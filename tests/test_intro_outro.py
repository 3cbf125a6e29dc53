"""Intro and outro templates, jingles, and the loudness arithmetic around them."""

from __future__ import annotations

import pytest

from audioarticles import loudness
from audioarticles.config import OutroSection, Settings
from audioarticles.errors import UsageError
from audioarticles.dates import french_date
from audioarticles.intro_outro import Jingle, fill, spoken_frame, template_values
from audioarticles.model import Article, ArticleMeta, Block

VALUES = {"title": "Le titre", "podcast": "Mon podcast", "publication": "Le Journal",
          "author": "", "date": "2 février 2026"}


@pytest.mark.parametrize("value, expected", [
    ("2026-02-02", "2 février 2026"),
    ("2026-02-01T22:49:00+01:00", "1er février 2026"),
    ("2025-12-31T08:00:00Z", "31 décembre 2025"),
    ("2024-08-15 10:00", "15 août 2024"),
    ("", ""),
    ("hier", ""),
])
def test_french_date(value, expected):
    assert french_date(value) == expected


def test_sentences_naming_an_empty_field_are_left_out():
    template = "{podcast} présente. Un article de {author}. Publié par {publication} le {date}."
    assert fill(template, VALUES) == ["Mon podcast présente.", "Publié par Le Journal le 2 février 2026."]
    assert fill("", VALUES) == []


@pytest.mark.parametrize("kind, text, message", [
    ("intro", "Par {auteur}.", 'audioarticles.toml: [audio.intro] text = "Par {auteur}.": unknown '
     "field {auteur}; valid fields: {title}, {podcast}, {publication}, {author}, {date}"),
    ("outro", "Par {auteur.", 'audioarticles.toml: [audio.outro] text = "Par {auteur.": bad '
     "template (expected '}' before end of string); write fields as {title}"),
])
def test_a_bad_template_is_a_usage_error_when_the_project_loads(tmp_path, kind, text, message):
    with pytest.raises(UsageError) as raised:
        Settings(tmp_path, {"audio": {kind: {"text": text}}})
    assert str(raised.value) == message


def test_a_missing_jingle_is_a_usage_error_when_the_project_loads(tmp_path):
    with pytest.raises(UsageError) as raised:
        Settings(tmp_path, {"audio": {"outro": {"jingle": "sons/fin.mp3"}}})
    assert str(raised.value) == (
        'audioarticles.toml: [audio.outro] jingle = "sons/fin.mp3": no such file; give the '
        "jingle's path relative to the project folder, or remove the key")


def test_template_values_prefer_the_article_then_the_project():
    article = Article(ArticleMeta(title="T", date="2026-03-01", author="Jeanne"), [Block("title", "T")])
    values = template_values(article, {"title": "P", "publication": "Journal du projet"})
    assert values == {"title": "T", "podcast": "P", "publication": "Journal du projet",
                      "author": "Jeanne", "date": "1er mars 2026"}
    article.meta.publication = "Journal de l’article"
    assert template_values(article, {"title": "P"})["publication"] == "Journal de l’article"


def test_spoken_frame_segments_keep_within_the_engine_limit():
    settings = {"text": "Cet article vous a été lu par une voix de synthèse, celle d’un logiciel libre."}
    segments = spoken_frame("outro", settings, VALUES, max_chars=40, speak=str.upper)
    assert len(segments) > 1 and all(len(s.written) <= 40 for s in segments)
    assert " ".join(s.written for s in segments) == settings["text"]
    assert {(s.block, s.block_kind) for s in segments} == {(-1, "outro")}
    assert [s.spoken for s in segments] == [s.written.upper() for s in segments]


def test_jingle_settings(tmp_path):
    assert Jingle.from_settings("intro", {"jingle": ""}, tmp_path) is None
    with pytest.raises(UsageError, match=r"\[audio.intro\] jingle: sons/absent.mp3 not found; fix the path"):
        Jingle.from_settings("intro", {"jingle": "sons/absent.mp3"}, tmp_path)
    (tmp_path / "j.wav").write_bytes(b"not audio")
    outro = OutroSection(jingle="j.wav", jingle_gain_db=-3, jingle_fade_in_ms=0,
                         jingle_fade_out_ms=500)
    jingle = Jingle.from_settings("outro", outro.model_dump(), tmp_path)
    assert jingle.filters() == "volume=-3.00dB,areverse,afade=t=in:d=0.500,areverse"
    with pytest.raises(UsageError, match="jingle j.wav: ffmpeg cannot read it"):
        jingle.decode(22050)


def test_loudness_summary_parsing_and_gain():
    tail = ["[Parsed_ebur128_0 @ 0x1] t: 1.0 TARGET:-23 LUFS M: -20.0 S: -20.0 I: -19.0 LUFS",
            "[Parsed_ebur128_0 @ 0x1] Summary:", "", "  Integrated loudness:",
            "    I:         -19.3 LUFS", "    Threshold: -29.3 LUFS", "", "  Sample peak:",
            "    Peak:       -2.4 dBFS"]
    measured = loudness.parse_summary(tail)
    assert measured == loudness.Loudness(-19.3, -2.4)
    target = loudness.Target(-16.0, -1.0, dual_mono=True)
    assert loudness.gain_db(measured, target) == pytest.approx(3.3)
    assert loudness.gain_db(measured, target, codec_gain=-0.45) == pytest.approx(3.75)
    # what the encoding run measured (before the encoder's own -0.45 dB): 0.25 LU short
    assert loudness.miss_lu(loudness.Loudness(-15.3, -2.0), target, -0.45) == pytest.approx(-0.25)
    assert loudness.miss_lu(loudness.Loudness(-16.0, -2.0), target, -0.45) == pytest.approx(0.45)
    assert loudness.miss_lu(loudness.Loudness(-70.0, -90.0), target) == 0.0
    assert loudness.gain_db(loudness.Loudness(-70.0, -60.0), target) == 0.0  # silence: no gain
    assert loudness.gain_db(loudness.Loudness(-69.0, -60.0), target) == loudness.MAX_GAIN_DB
