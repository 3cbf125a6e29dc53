"""Word timings from the engine to the listener: written words timed from spoken ones, kept
exact through trimming and pauses, in the segment cache, the VTT (cue timestamps), the
Podcasting 2.0 JSON transcript, the feed and the player's page."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
import webvtt

from audioarticles.assemble import Mastering, Piece, Programme, placed_words
from audioarticles.cli import cli
from audioarticles.model import Audio, Segment, TimelineEntry, Word, WordTime
from audioarticles.pauses import Pauses
from audioarticles.synthesise import SegmentCache
from audioarticles.store.recover import parse_vtt
from audioarticles.transcripts import cues, to_json, to_vtt
from audioarticles.word_timings import written_words


def timed(*spec: tuple[float, float, str]) -> list[WordTime]:
    return [WordTime(a, b, t) for a, b, t in spec]


@pytest.mark.parametrize("written, spoken, expected", [
    # the same words: exact times, written forms kept
    ("Bonjour, Marie.", timed((0, 400, "Bonjour"), (500, 900, "Marie")),
     timed((0, 400, "Bonjour,"), (500, 900, "Marie."))),
    # "23 %" was said "vingt-trois pour cent": the written word ("%" stays with it) takes
    # the time of the three spoken ones
    ("Hausse de 23 % cette année.",
     timed((0, 300, "Hausse"), (300, 400, "de"), (400, 900, "vingt-trois"), (900, 1200, "pour"),
           (1200, 1500, "cent"), (1500, 1800, "cette"), (1800, 2100, "année")),
     timed((0, 300, "Hausse"), (300, 400, "de"), (400, 1500, "23 %"), (1500, 1800, "cette"),
           (1800, 2100, "année."))),
    # two written words said as three: shared by length
    ("Le 1er mai", timed((0, 100, "Le"), (100, 300, "premier"), (300, 500, "mai")),
     timed((0, 100, "Le"), (100, 300, "1er"), (300, 500, "mai"))),
    # punctuation standing alone goes with its word; case and accents do not matter
    ("« Élu » — dit-il", timed((0, 200, "élu"), (300, 600, "dit-il")),
     timed((0, 200, "« Élu » —"), (300, 600, "dit-il"))),
    # "M." was said "Monsieur"
    ("M. Rist", timed((0, 500, "Monsieur"), (500, 900, "Rist")),
     timed((0, 500, "M."), (500, 900, "Rist"))),
    ("Rien", [], []),
])
def test_written_words_from_spoken_ones(written, spoken, expected):
    assert written_words(written, spoken) == expected


def test_placed_words_shift_by_the_trim_and_stay_inside_the_piece():
    words = (Word(100, 300, "un"), Word(350, 900, "deux"))
    # the audio's first 50 samples were trimmed; the piece starts at sample 1000 of the episode
    placed = placed_words(words, origin=1000 - 50, first=1000, last=1600, rate=1000)
    assert placed == timed((1050, 1250, "un"), (1300, 1600, "deux"))


def test_the_timeline_carries_word_times_exact_to_the_sample():
    rate = 24000
    silence, tone = b"\0\0" * 2400, b"\x10\x27" * 4800  # 100 ms silence, 200 ms of sound
    first = Audio(silence + tone + silence, rate, (Word(2400, 7200, "Bonjour"),))
    second = Audio(silence + tone + tone + silence, rate,
                   (Word(2400, 7200, "chers"), Word(7200, 12000, "amis")))
    segments = [Segment(0, 0, "Bonjour.", "Bonjour.", "title"),
                Segment(1, 1, "Chers amis !", "Chers amis !", "paragraph")]
    programme = Programme([Piece(s.block_kind, a, s) for s, a in zip(segments, (first, second))],
                          Pauses(), Mastering(trim_keep_ms=15))
    pcm = b"".join(programme.chunks())
    title, body = programme.timeline
    keep = rate * 15 // 1000
    # trimming kept 15 ms of each silence: the first word starts 15 ms in
    assert title.words == [WordTime(keep * 1000 / rate, (keep + 4800) * 1000 / rate, "Bonjour.")]
    start = title.end_ms * rate / 1000 + rate * Pauses().after_title_ms / 1000
    assert body.start_ms == start * 1000 / rate
    assert [w.text for w in body.words] == ["Chers", "amis !"]
    assert body.words[0].start_ms == (start + keep) * 1000 / rate
    # the samples at each word's start are the tone, just before are silence
    samples = memoryview(pcm).cast("h")
    for word in title.words + body.words:
        at = round(word.start_ms * rate / 1000)
        assert samples[at] != 0 and samples[at - 1] == 0 or word.text == "amis !"


def test_cache_entries_keep_word_times_and_old_entries_still_read(tmp_path):
    cache = SegmentCache(tmp_path)
    audio = Audio(b"\x01\x00" * 500, 24000, (Word(10, 200, "Été"), Word(250, 480, "chaud")))
    cache.put("k1", audio)
    assert cache.get("k1") == audio
    plain = Audio(b"\x01\x00" * 500, 24000)
    cache.put("k2", plain)
    assert cache.path("k2").read_bytes()[:6] == b"AAPCM1"  # as before: unchanged entries
    assert cache.get("k2") == plain
    # a damaged word list fails the checksum: the entry reads as a miss and is removed
    data = bytearray(cache.path("k1").read_bytes())
    data[-3] ^= 0xFF
    cache.path("k1").write_bytes(bytes(data))
    assert cache.get("k1") is None and not cache.path("k1").exists()


def entry(written: str, start: float, end: float, words) -> TimelineEntry:
    return TimelineEntry("paragraph", start, end, 0, 0, written, timed(*words))


def test_vtt_cue_timestamps_and_json_transcript():
    timeline = [entry("Le conseil & la <mairie> votent.", 1000, 3000,
                      [(1000, 1300, "Le"), (1350, 1800, "conseil &"), (1850, 2000, "la"),
                       (2050, 2500, "<mairie>"), (2550, 3000, "votent.")])]
    cue_list = cues(timeline)
    vtt = to_vtt(cue_list)
    assert vtt.splitlines()[4] == ("Le <00:00:01.350>conseil &amp; <00:00:01.850>la "
                                   "<00:00:02.050>&lt;mairie&gt; <00:00:02.550>votent.")
    # a real WebVTT parser reads it, and our reader finds each word's start
    [parsed] = webvtt.from_string(vtt)
    assert parsed.start == "00:00:01.000" and "votent." in parsed.text
    [cue] = parse_vtt(vtt)
    assert cue.text == "Le conseil & la <mairie> votent."
    assert [(w.start_ms, w.text) for w in cue.words] == [
        (1000, "Le"), (1350, "conseil &"), (1850, "la"), (2050, "<mairie>"), (2550, "votent.")]
    document = json.loads(to_json(cue_list))
    assert document["version"] == "1.0.0"
    assert document["segments"][1] == {"startTime": 1.35, "endTime": 1.8, "body": "conseil &"}
    assert len(document["segments"]) == 5


def test_a_long_sentence_splits_into_cues_where_a_word_starts():
    words = [f"mot{i}" for i in range(40)]
    timeline = [entry(" ".join(words), 0, 40000,
                      [(i * 1000, i * 1000 + 800, w) for i, w in enumerate(words)])]
    cue_list = cues(timeline)
    assert len(cue_list) > 1
    for before, after in zip(cue_list, cue_list[1:]):
        assert before.end_ms == after.start_ms == after.words[0].start_ms
    assert [w.text for c in cue_list for w in c.words] == words
    assert cue_list[-1].end_ms == 40000
    document = json.loads(to_json(cue_list))
    assert [s["body"] for s in document["segments"]] == words


def test_without_word_times_the_json_transcript_has_one_segment_per_cue():
    timeline = [TimelineEntry("paragraph", 0, 1500, 0, 0, "Une phrase.")]
    assert json.loads(to_json(cues(timeline)))["segments"] == [
        {"startTime": 0.0, "endTime": 1.5, "body": "Une phrase."}]
    assert "<0" not in to_vtt(cues(timeline))


def test_an_edge_episode_publishes_word_timings_everywhere(runner, project, fake_edge):
    (project / "article.txt").write_text(
        "Le budget est voté\n\nLe conseil municipal a voté le budget de 2027 hier soir. "
        "Les écoles en profitent.\n", encoding="utf-8")
    result = runner.invoke(cli, ["convert", "article.txt", "--voice", "fr-edge", "--json"])
    assert result.exit_code == 0, result.stderr
    [episode] = json.loads(result.stdout)["episodes"]
    assert (episode["engine"], episode["degraded"]) == ("edge", False)
    assert {r.voice for r in fake_edge.received} == {"fr-FR-DeniseNeural"}
    vtt = (project / episode["transcripts"]["vtt"]).read_text(encoding="utf-8")
    sentence = next(c for c in parse_vtt(vtt) if c.text.startswith("Le conseil municipal"))
    assert [w.text for w in sentence.words][:4] == ["Le", "conseil", "municipal", "a"]
    assert "2027" in " ".join(w.text for w in sentence.words)  # written, though said in words
    starts = [w.start_ms / 1000 for w in sentence.words]
    assert starts == sorted(starts) and sentence.start_s <= starts[0] < sentence.end_s
    document = json.loads((project / episode["transcripts"]["json"]).read_text(encoding="utf-8"))
    bodies = [s["body"] for s in document["segments"]]
    assert "municipal" in bodies and all(s["startTime"] <= s["endTime"]
                                         for s in document["segments"])
    feed = ET.parse(project / "output" / "feed.xml").getroot()
    types = [t.get("type") for t in feed.iter("{https://podcastindex.org/namespace/1.0}transcript")]
    assert types == ["text/vtt", "application/json", "application/x-subrip"]
    pages = [p.read_text(encoding="utf-8") for p in (project / "output").rglob("*.html")]
    assert any('<span class="aa-word" data-start="' in page for page in pages)
