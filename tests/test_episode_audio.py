"""One produced episode, checked on the real MP3 as players and apps read it: Debian's ffprobe
and ffmpeg (format, chapters, loudness, silences), mutagen (ID3 v2.3), webvtt-py and srt.

The article is built directly (title, three headings, paragraphs, a list) with the offline
voice, an intro template, an intro jingle and artwork configured.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pytest
import srt
import webvtt
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode
from PIL import Image

from audioarticles.store import open_catalog
from audioarticles.cli import cli
from audioarticles.config import load_settings
from audioarticles.store import episode_files
from audioarticles.model import Article, ArticleMeta, Block
from audioarticles.pipeline import Voicing, run_batch
from audioarticles.sources import PARSED, Source
from audioarticles.tools import ffmpeg_exe
from audioarticles.voices import get_voice
from conftest import make_runner, require_tool

TITLE = "La santé numérique accélère"
HEADINGS = ["Une stratégie nationale", "Pr Fabrice André : « L’IA générative sera le cœur de la recherche clinique de demain »",
            "Et maintenant ?"]
LONG = ("Avec 40 milliards d’euros déjà engagés et 7 800 projets soutenus dans divers domaines, "
        "l’approche se veut systémique : il ne s’agit pas de financer des secteurs isolés, mais de "
        "faire interagir les innovations entre elles.")
DISCLOSURE = "Cet épisode est lu par une voix de synthèse."  # [disclosure] text, by default
CONFIG = """
[podcast]
title = "Le podcast de test"
publication = "Le Journal"
base_url = "https://podcast.example/audio/"
image = "art.png"

[audio.pauses]
sentence_ms = 400
paragraph_ms = 800
before_heading_ms = 1500
after_heading_ms = 700
after_title_ms = 1000

[audio.intro]
text = "{publication} présente. Un article de {author}, publié le {date}."
jingle = "jingle.wav"
jingle_gain_db = -3
jingle_fade_out_ms = 300
"""


def article(edit: str = "") -> Article:
    blocks = [
        Block("title", TITLE),
        Block("paragraph", "La ministre a ouvert la journée. Elle a annoncé une stratégie." + edit),
        Block("heading", HEADINGS[0]),
        Block("paragraph", LONG),
        Block("list_item", "La formation : 70 000 étudiants."),
        Block("list_item", "L’innovation : 22 projets."),
        Block("heading", HEADINGS[1]),
        Block("paragraph", "Selon lui, les procédures se compliquent. Il plaide pour la simplicité."),
        Block("heading", HEADINGS[2]),
        Block("paragraph", "Un comité se réunira chaque mois."),
    ]
    meta = ArticleMeta(title=TITLE, author="Jeanne Martin", date="2026-02-02",
                       url="https://journal.example/sante", summary="Un résumé de l’article.",
                       source="articles/sante.txt")
    return Article(meta, blocks)


def make_project(root: Path, config: str = CONFIG) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "audioarticles.toml").write_text(config, encoding="utf-8")
    Image.new("RGB", (1400, 1400), (200, 40, 40)).save(root / "art.png")
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=f=660:d=1.5:sample_rate=44100",
                    str(root / "jingle.wav")], check=True)


def convert(root: Path, art: Article, voice_name: str = "fr-espeak"):
    """One article through the real batch (lock, catalog, editorial, rebuild), as `convert` runs it."""
    project = load_settings(root)
    voice = get_voice(voice_name, root)
    report = run_batch(project, [Source(PARSED, art.meta.source, data=art.to_dict())],
                       Voicing(project, voice, 1), jobs=1)
    assert not report.failed, report.failed
    [converted] = report.converted
    return project, converted


@pytest.fixture(scope="module")
def episode(tmp_path_factory):
    root = tmp_path_factory.mktemp("episode") / "project"
    make_project(root)
    project, converted = convert(root, article())
    with open_catalog(project) as catalog:
        saved = catalog.get(converted.episode.guid)
    return project, saved, converted


def ffprobe_json(*args: str) -> dict:
    ffprobe = require_tool("ffprobe")
    out = subprocess.run([ffprobe, "-v", "error", *args, "-of", "json"], capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out)


def debian_ffmpeg_log(mp3: Path, audio_filter: str) -> str:
    ffmpeg = require_tool("ffmpeg")
    return subprocess.run([ffmpeg, "-hide_banner", "-nostats", "-i", str(mp3), "-af", audio_filter,
                           "-f", "null", "-"], capture_output=True, text=True, check=True).stderr


def decoded_seconds(mp3: Path) -> float:
    ffmpeg = require_tool("ffmpeg")
    pcm = subprocess.run([ffmpeg, "-v", "error", "-i", str(mp3), "-f", "s16le", "-ac", "1", "-ar", "44100", "-"],
                         capture_output=True, check=True).stdout
    return len(pcm) / 2 / 44100


def vtt_ms(timestamp: str) -> float:
    hours, minutes, seconds = timestamp.split(":")
    return (int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000


def files(episode):
    project, saved, _ = episode
    out = project.output
    return (out / saved.mp3, out / saved.transcripts["vtt"], out / saved.transcripts["srt"],
            out / saved.chapters)


def timeline_of(episode):
    return episode[2].timeline


def test_mp3_is_mono_44k_64k_cbr_with_an_info_header_and_exact_duration(episode):
    saved = episode[1]
    mp3 = files(episode)[0]
    info = ffprobe_json("-show_format", "-show_streams", str(mp3))
    stream = info["streams"][0]
    assert (stream["codec_name"], stream["channels"], stream["sample_rate"]) == ("mp3", 1, "44100")
    assert stream["bit_rate"] == "64000"
    assert MP3(mp3).info.bitrate_mode == BitrateMode.CBR
    first_frame = mp3.read_bytes()[ID3(mp3).size:][:400]
    assert b"Info" in first_frame  # the Xing header of a CBR file: exact duration everywhere
    # the catalog, TLEN and the decoded audio agree to the millisecond
    assert decoded_seconds(mp3) == pytest.approx(saved.duration_s, abs=0.002)
    assert int(str(ID3(mp3)["TLEN"])) == pytest.approx(saved.duration_s * 1000, abs=1)
    assert saved.bytes == mp3.stat().st_size


def test_loudness_is_minus_16_lufs_dual_mono_and_true_peak_below_minus_1(episode):
    mp3 = files(episode)[0]
    dual = debian_ffmpeg_log(mp3, "ebur128=dualmono=true:peak=true")
    summary = dual[dual.rindex("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    true_peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))
    assert -17.0 <= integrated <= -15.0
    assert true_peak <= -1.0
    plain = debian_ffmpeg_log(mp3, "ebur128")
    plain_integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", plain[plain.rindex("Summary:"):]).group(1))
    assert plain_integrated == pytest.approx(integrated - 3.0, abs=0.3)  # ≈ -19 LUFS as plain mono


def test_chapters_read_by_ffprobe_one_per_section(episode):
    mp3 = files(episode)[0]
    chapters = ffprobe_json("-show_chapters", str(mp3))["chapters"]
    titles = [c["tags"]["title"] for c in chapters]
    assert titles[:2] == [TITLE, HEADINGS[0]] and titles[3] == HEADINGS[2]
    assert titles[2] == "Pr Fabrice André : « L’IA générative sera le cœur de la…"
    assert all(len(t) <= 60 for t in titles)
    heading_starts = [e.start_ms for e in timeline_of(episode) if e.kind == "heading"]
    starts = [float(c["start_time"]) * 1000 for c in chapters]
    assert starts[0] == 0 and starts[1:] == pytest.approx(heading_starts, abs=1)
    assert float(chapters[-1]["end_time"]) == pytest.approx(episode[1].duration_s, abs=0.002)


def test_json_chapters_file_and_catalog_paths(episode, monkeypatch):
    project = episode[0]
    mp3, vtt, srt_file, chapters = files(episode)
    stem = mp3.name.removesuffix(".mp3")
    assert (vtt.name, srt_file.name, chapters.name) == (f"{stem}.vtt", f"{stem}.srt", f"{stem}.chapters.json")
    document = json.loads(chapters.read_text(encoding="utf-8"))
    assert document["version"] == "1.2.0"
    starts = [c["startTime"] for c in document["chapters"]]
    assert starts == sorted(starts) and starts[0] == 0 and len(starts) == 4
    assert [c["title"] for c in document["chapters"]] == [TITLE, *HEADINGS]  # full titles here
    monkeypatch.chdir(project.root)
    listed = json.loads(make_runner().invoke(cli, ["episodes", "--json"]).stdout)["episodes"][0]
    assert listed["transcripts"] == {"vtt": f"output/episodes/{stem}.vtt",
                                     "srt": f"output/episodes/{stem}.srt",
                                     "json": f"output/episodes/{stem}.transcript.json"}
    assert listed["chapters"] == f"output/episodes/{stem}.chapters.json"
    own = sorted(p.name for p in mp3.parent.iterdir() if p.suffix != ".html")  # not the site's page
    assert own == sorted([mp3.name, vtt.name, srt_file.name, chapters.name,
                          f"{stem}.transcript.json"])  # nothing temporary left


def test_id3_v23_tags_as_players_read_them(episode):
    saved = episode[1]
    mp3 = files(episode)[0]
    raw = ID3(mp3, translate=False)
    assert raw.version[:2] == (2, 3)
    assert str(raw["TIT2"]) == TITLE
    assert str(raw["TPE1"]) == "Jeanne Martin"
    assert str(raw["TALB"]) == "Le podcast de test"
    assert (str(raw["TYER"]), str(raw["TDAT"])) == ("2026", "0202")
    assert "TDRC" not in raw  # a v2.4 frame: v2.3 players would not read it
    assert str(raw["TCON"]) == "Podcast" and str(raw["TLAN"]) == "fre"
    # like the feed item's description: the summary, then the disclosure naming the engine
    described = "Un résumé de l’article.\n\nCet épisode est lu par une voix de synthèse. Synthèse vocale : eSpeak NG."
    assert str(raw["COMM::fre"]) == described and str(raw["TDES"]) == described
    assert raw["WOAS"].url == "https://journal.example/sante"
    assert raw["PCST"].value == 1
    assert str(raw["TGID"]) == saved.guid
    assert raw["WFED"].url == "https://podcast.example/audio/feed.xml"
    lyrics = str(raw["USLT::fre"])
    assert lyrics.startswith("Le Journal présente. Un article de Jeanne Martin, publié le 2 février 2026.")
    assert "7 800 projets" in lyrics and "sept mille" not in lyrics
    assert lyrics.rstrip().endswith(DISCLOSURE)
    cover = raw.getall("APIC")[0]
    assert cover.mime == "image/jpeg" and cover.type == 3
    with Image.open(io.BytesIO(cover.data)) as image:
        assert image.format == "JPEG" and image.size == (600, 600)
    assert len(cover.data) < 60_000
    toc = raw.getall("CTOC")[0]
    chaps = sorted(raw.getall("CHAP"), key=lambda c: c.start_time)
    assert toc.child_element_ids == [c.element_id for c in chaps] and len(chaps) == 4
    assert chaps[-1].end_time == int(str(raw["TLEN"]))


def test_transcripts_show_written_text_in_short_lines(episode):
    _, vtt, srt_file, _ = files(episode)
    cues = webvtt.read(str(vtt))
    text = " ".join(c.text.replace("\n", " ") for c in cues)
    assert cues[0].text == "Le Journal présente."
    assert "7 800 projets" in text and "70 000 étudiants" in text
    assert cues[-1].text == DISCLOSURE
    assert all(len(line) <= 65 for c in cues for line in c.text.splitlines())
    assert all(len(c.text.splitlines()) <= 2 for c in cues)
    subtitles = list(srt.parse(srt_file.read_text(encoding="utf-8")))
    assert [s.content for s in subtitles] == [c.text for c in cues]
    assert [s.start.total_seconds() * 1000 for s in subtitles] == pytest.approx([vtt_ms(c.start) for c in cues])
    # the sentence pieces of the long sentence follow each other without a gap
    long_cues = [c for c in cues if c.text.replace("\n", " ") in LONG]
    assert len(long_cues) >= 2 and long_cues[0].end == long_cues[1].start


def speech_edges(mp3: Path) -> tuple[list[float], list[float]]:
    """Where speech starts and stops in the decoded MP3, as ffmpeg's silencedetect hears it."""
    log = debian_ffmpeg_log(mp3, "silencedetect=noise=-50dB:d=0.25")
    ends = [float(x) * 1000 for x in re.findall(r"silence_end: ([\d.]+)", log)]
    starts = [float(x) * 1000 for x in re.findall(r"silence_start: ([\d.]+)", log)]
    return starts, ends


def test_cue_times_are_within_50_ms_of_the_speech_in_the_mp3(episode):
    mp3, vtt, _, _ = files(episode)
    silence_starts, speech_starts = speech_edges(mp3)
    timeline = timeline_of(episode)
    spoken = [e for e in timeline if e.kind != "jingle"]
    for entry in spoken:
        nearest = min(speech_starts, key=lambda t: abs(t - entry.start_ms))
        assert abs(nearest - entry.start_ms) <= 50, (entry.written, nearest, entry.start_ms)
    for entry in spoken[:-1]:
        nearest = min(silence_starts, key=lambda t: abs(t - entry.end_ms))
        assert abs(nearest - entry.end_ms) <= 50, (entry.written, nearest, entry.end_ms)
    vtt_starts = [vtt_ms(c.start) for c in webvtt.read(str(vtt))]
    for entry in spoken:  # each sentence's cue starts where the sentence does (to the ms)
        assert min(abs(s - entry.start_ms) for s in vtt_starts) <= 0.5


def test_pauses_in_the_audio_are_the_configured_ones(episode):
    mp3 = files(episode)[0]
    silence_starts, speech_starts = speech_edges(mp3)
    gaps = {round(start): end - start for start, end in zip(silence_starts, speech_starts)}
    timeline = timeline_of(episode)
    keep = 2 * 15  # the margin of its own silence kept at each end of a segment

    def gap_before(kind: str, index: int = 0) -> float:
        entry = [e for e in timeline if e.kind == kind][index]
        previous = timeline[timeline.index(entry) - 1]
        start = min(gaps, key=lambda s: abs(s - previous.end_ms))
        return gaps[start]

    assert gap_before("heading") == pytest.approx(1500 + keep, abs=40)
    assert gap_before("paragraph", 0) == pytest.approx(1000 + keep, abs=40)  # after the title
    assert gap_before("paragraph", 1) == pytest.approx(400 + keep, abs=40)  # between two sentences
    assert gap_before("paragraph", 2) == pytest.approx(700 + keep, abs=40)  # after a heading
    assert gap_before("outro") == pytest.approx(1200 + keep, abs=40)  # the default


def test_intro_jingle_then_intro_then_article(episode):
    timeline = timeline_of(episode)
    assert [e.kind for e in timeline[:4]] == ["jingle", "intro", "intro", "title"]
    assert timeline[0].start_ms == 0 and timeline[0].end_ms == pytest.approx(1500, abs=1)
    assert timeline[1].start_ms == pytest.approx(1500 + 300, abs=1)  # around_jingle_ms
    assert [e.written for e in timeline[1:3]] == [
        "Le Journal présente.", "Un article de Jeanne Martin, publié le 2 février 2026."]
    assert timeline[-1].kind == "outro" and timeline[-1].written == DISCLOSURE


def test_edit_revoices_only_that_paragraph_and_retires_the_old_files(tmp_path):
    root = tmp_path / "project"
    make_project(root, "[audio.pauses]\nsentence_ms = 300\n[publish]\nkeep_old_audio_days = 0\n")
    short = article()
    short.blocks = short.blocks[:4]
    project, first = convert(root, short)
    out = project.output
    old = episode_files(first.episode)
    assert len(old) == 5 and all((out / p).is_file() for p in old)

    _, again = convert(root, short)
    assert (again.segments_synthesized, episode_files(again.episode)) == (0, old)

    edited = article(edit=" Elle a conclu. Puis elle est partie.")
    edited.blocks = edited.blocks[:4]
    _, third = convert(root, edited)
    assert third.segments_synthesized == 2  # the two new sentences of the edited paragraph
    new = episode_files(third.episode)
    assert third.episode.guid == first.episode.guid and third.episode.slug == first.episode.slug
    assert set(new).isdisjoint(old)
    assert not any((out / p).exists() for p in old)  # MP3, transcripts and chapters retired together
    assert sorted(p.name for p in (out / "episodes").iterdir() if p.suffix != ".html") == sorted(
        Path(p).name for p in new)
    assert "Puis elle est partie." in (out / third.episode.transcripts["vtt"]).read_text(encoding="utf-8")


def test_old_transcripts_and_chapters_stay_reachable_with_the_old_mp3(tmp_path):
    root = tmp_path / "project"
    make_project(root, "[audio.intro]\ntext = \"\"\n")  # default retention: a week
    short = article()
    short.blocks = short.blocks[:2]
    project, first = convert(root, short)
    edited = article(edit=" Elle a conclu.")
    edited.blocks = edited.blocks[:2]
    _, second = convert(root, edited)
    kept = episode_files(first.episode) + episode_files(second.episode)
    assert len(set(kept)) == 10 and all((project.output / p).is_file() for p in kept)


def test_encoding_loudness_and_voice_pauses_are_configurable(tmp_path):
    root = tmp_path / "project"
    make_project(root, """
[audio]
bitrate = "96k"
sample_rate = 48000
loudness_lufs = -19.0
dual_mono = false

[disclosure]
enabled = false
""")
    (root / "voices").mkdir()
    (root / "voices" / "lente.toml").write_text(
        'name = "lente"\nengine = "espeak"\n[options]\nvoice = "fr"\n[pauses]\nafter_title_ms = 2000\n',
        encoding="utf-8")
    short = article()
    short.blocks = short.blocks[:2]
    project, converted = convert(root, short, "lente")
    mp3 = project.output / converted.episode.mp3
    stream = ffprobe_json("-show_streams", str(mp3))["streams"][0]
    assert (stream["sample_rate"], stream["bit_rate"], stream["channels"]) == ("48000", "96000", 1)
    plain = debian_ffmpeg_log(mp3, "ebur128")
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", plain[plain.rindex("Summary:"):]).group(1))
    assert -20.0 <= integrated <= -18.0  # -19 LUFS read as plain mono, as configured
    timeline = converted.timeline
    assert [e.kind for e in timeline] == ["title", "paragraph", "paragraph"]  # no disclosure: no outro
    assert timeline[1].start_ms - timeline[0].end_ms == pytest.approx(2000, abs=0.1)  # the voice's pause


@pytest.mark.parametrize("config, message", [
    ("[audio]\nloudness_lufs = 3\n",
     "error: audioarticles.toml: [audio] loudness_lufs = 3: expected a number from -40 to -5"),
    ("[audio]\nsample_rate = 11000\n",
     "error: audioarticles.toml: [audio] sample_rate = 11000: expected one of 22050, 24000, "
     "32000, 44100, 48000"),
    ("[audio.pauses]\nsentence = 3\n",
     "error: audioarticles.toml: unknown key `sentence` in [audio.pauses]; did you mean "
     "`sentence_ms`?"),
    ("[audio.outro]\njingle = \"fin.mp3\"\n",
     "error: audioarticles.toml: [audio.outro] jingle = \"fin.mp3\": no such file; give the "
     "jingle's path relative to the project folder, or remove the key"),
])
def test_bad_audio_settings_stop_the_run_with_the_fix(runner, sample, project, config, message):
    (project / "audioarticles.toml").write_text(config, encoding="utf-8")
    result = runner.invoke(cli, ["convert", str(sample), "--voice", "fr-espeak"])
    assert result.exit_code == 2
    assert result.stderr.strip() == message
    assert not (project / "output").exists()


def test_unknown_template_field_is_reported_before_any_work(runner, sample, project):
    (project / "audioarticles.toml").write_text('[audio.intro]\ntext = "Par {auteur}."\n', encoding="utf-8")
    result = runner.invoke(cli, ["convert", str(sample), "--voice", "fr-espeak"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: audioarticles.toml: [audio.intro] text = \"Par {auteur}.\": unknown field "
        "{auteur}; valid fields: {title}, {podcast}, {publication}, {author}, {date}")


def test_a_corrected_article_says_when_it_was_updated(tmp_path, monkeypatch):
    from datetime import datetime, timezone

    from audioarticles import editorial

    monkeypatch.setattr(editorial, "utcnow", lambda: datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc))
    root = tmp_path / "project"
    make_project(root, '[disclosure]\nupdated = "Article mis à jour le {date}."\n')
    short = article()
    short.blocks = short.blocks[:2]
    _, first = convert(root, short)
    assert first.timeline[-1].written == DISCLOSURE  # never corrected: no update line
    edited = article(edit=" Elle a conclu.")
    edited.blocks = edited.blocks[:2]
    project, second = convert(root, edited)
    # 23:30 UTC on 1 March is already 2 March in Paris (the podcast's time zone)
    said = [e.written for e in second.timeline if e.kind == "outro"]
    assert said == [DISCLOSURE, "Article mis à jour le 2 mars 2026."]
    vtt = (project.output / second.episode.transcripts["vtt"]).read_text(encoding="utf-8")
    assert vtt.rstrip().endswith("Article mis à jour le 2 mars 2026.")
    # later, re-rendered with other settings (no text change): the same day is still said
    monkeypatch.setattr(editorial, "utcnow", lambda: datetime(2026, 3, 9, 8, 0, tzinfo=timezone.utc))
    (root / "audioarticles.toml").write_text(
        '[disclosure]\nupdated = "Article mis à jour le {date}."\n[audio.pauses]\nsentence_ms = 500\n',
        encoding="utf-8")
    again = article(edit=" Elle a conclu.")
    again.blocks = again.blocks[:2]
    _, third = convert(root, again)
    assert third.status == "converted" and third.segments_synthesized == 0
    assert third.timeline[-1].written == "Article mis à jour le 2 mars 2026."
