"""Transcripts (WebVTT, SRT) and chapters (JSON, for ID3) from a timeline, read back with real
parsers (webvtt-py, srt)."""

from __future__ import annotations

import io
import json

import pytest
import srt
import webvtt

from audioarticles.chapters import chapters_from_timeline, shorten, to_json
from audioarticles.model import TimelineEntry
from audioarticles.transcripts import cues, plain_text, split_text, timestamp, to_srt, to_vtt

LONG = ("Avec 40 milliards d’euros déjà engagés et 7 800 projets soutenus dans divers domaines, "
        "l’approche se veut systémique : il ne s’agit pas de financer des secteurs isolés, mais "
        "de faire interagir les innovations entre elles.")

TIMELINE = [
    TimelineEntry("intro", 0, 1500, written="Un article de Mon Journal."),
    TimelineEntry("title", 2300, 5200, block=0, segment=0, written="Le titre <important> & co"),
    TimelineEntry("paragraph", 6400, 9000, block=1, segment=1, written="Première phrase."),
    TimelineEntry("paragraph", 9350, 21350, block=1, segment=2, written=LONG),
    TimelineEntry("heading", 22450, 24000, block=2, segment=3, written="Une section"),
    TimelineEntry("paragraph", 24650, 27000, block=3, segment=4, written="Fin --> ici."),
    TimelineEntry("jingle", 27300, 30000),
]


def test_long_sentences_split_into_balanced_cues_of_two_short_lines():
    parts = split_text(LONG)
    assert len(parts) == 2
    assert all(1 <= len(p) <= 2 and all(len(line) <= 65 for line in p) for p in parts)
    assert " ".join(" ".join(p) for p in parts).split() == LONG.split()
    lengths = [sum(map(len, p)) for p in parts]
    assert max(lengths) - min(lengths) < 40  # balanced, not one full cue and a stub
    assert split_text("Court.") == [["Court."]]


def test_cues_follow_the_timeline_exactly_at_sentence_boundaries():
    cue_list = cues(TIMELINE)
    starts = [c.start_ms for c in cue_list]
    for entry in TIMELINE[:-1]:
        assert entry.start_ms in starts  # every sentence starts a cue at its exact time
    long_cues = [c for c in cue_list if 9350 <= c.start_ms < 21350]
    assert len(long_cues) == 2
    assert long_cues[0].end_ms == long_cues[1].start_ms and long_cues[-1].end_ms == 21350
    assert len(cue_list) == 7  # jingles have no text


def test_vtt_parses_with_a_real_reader_and_keeps_the_written_text():
    text = to_vtt(cues(TIMELINE))
    assert text.startswith("WEBVTT\n\n")
    parsed = webvtt.from_buffer(io.StringIO(text))
    assert len(parsed) == 7
    assert parsed[0].start == "00:00:00.000" and parsed[0].end == "00:00:01.500"
    assert parsed[1].start == "00:00:02.300"
    assert "7 800 projets" in " ".join(c.text for c in parsed)
    assert "&lt;important&gt; &amp; co" in text and "<important>" not in text
    assert "--&gt;" in text
    for line in text.splitlines():
        assert len(line) <= 65


def test_srt_parses_with_a_real_reader():
    parsed = list(srt.parse(to_srt(cues(TIMELINE))))
    assert [s.index for s in parsed] == list(range(1, 8))
    assert parsed[2].start.total_seconds() == 6.4 and parsed[2].end.total_seconds() == 9.0
    assert parsed[1].content == "Le titre ‹important› & co"  # no markup a player would read
    assert "-->" not in parsed[-1].content


def test_timestamps():
    assert timestamp(0) == "00:00:00.000"
    assert timestamp(3_723_456.4) == "01:02:03.456"
    assert timestamp(59_999.6, ",") == "00:01:00,000"


def test_plain_text_has_one_paragraph_per_block():
    text = plain_text(TIMELINE)
    assert text.split("\n\n")[0] == "Un article de Mon Journal."
    assert "Première phrase. Avec 40 milliards" in text
    assert len(text.strip().split("\n\n")) == 5  # intro, title, paragraph, heading, paragraph


def test_chapters_one_per_section():
    chapters = chapters_from_timeline(TIMELINE, "Le titre", 30000)
    assert [(c.title, c.start_ms, c.end_ms) for c in chapters] == [
        ("Le titre", 0, 22450), ("Une section", 22450, 30000)]


def test_a_heading_voiced_in_two_segments_is_one_chapter():
    timeline = [TimelineEntry("title", 0, 900, block=0, written="T"),
                TimelineEntry("heading", 2000, 3000, block=1, written="Première moitié,"),
                TimelineEntry("heading", 3300, 4000, block=1, written="seconde moitié"),
                TimelineEntry("paragraph", 4500, 6000, block=2, written="Texte.")]
    chapters = chapters_from_timeline(timeline, "T", 6000)
    assert [c.title for c in chapters] == ["T", "Première moitié, seconde moitié"]


def test_json_chapters_follow_podcasting_2_0():
    document = json.loads(to_json(chapters_from_timeline(TIMELINE, "Le titre", 30000),
                                  "Le titre", "Mon podcast"))
    assert document["version"] == "1.2.0"
    assert document["title"] == "Le titre" and document["podcastName"] == "Mon podcast"
    assert [c["startTime"] for c in document["chapters"]] == [0.0, 22.45]
    assert document["chapters"][1] == {"startTime": 22.45, "endTime": 30.0, "title": "Une section"}


@pytest.mark.parametrize("title, limit, expected", [
    ("Court", 60, "Court"),
    ("Pr Fabrice André : « L’IA générative sera le cœur de la recherche clinique de demain »", 40,
     "Pr Fabrice André : « L’IA générative…"),
    ("Motsansespaceextrêmementlongpourvoir", 10, "Motsanses…"),
])
def test_shorten_cuts_at_a_word(title, limit, expected):
    assert shorten(title, limit) == expected
    assert len(shorten(title, limit)) <= limit
