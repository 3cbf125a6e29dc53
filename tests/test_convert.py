"""End to end: the sample article becomes a real, tagged MP3 that ffprobe reads."""

from __future__ import annotations

import json
import subprocess

from mutagen.id3 import ID3

from audioarticles.cli import cli
from conftest import require_tool

TITLE = "L’IA, fil conducteur de la 4ᵉ Journée nationale de l’innovation en santé numérique"
HEADINGS = ["France 2030, une approche systémique de l’innovation",
            "Une gouvernance ouverte et collaborative",
            "Pr Fabrice André : « L’IA générative sera le cœur de la recherche clinique de demain »"]


def probe(path) -> dict:
    ffprobe = require_tool("ffprobe")
    out = subprocess.run([ffprobe, "-v", "error", "-show_format", "-show_streams", "-of", "json",
                          str(path)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def test_convert_sample_to_tagged_mp3(runner, sample, project):
    result = runner.invoke(cli, ["convert", str(sample), "--voice", "fr-espeak", "--json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["failed"] == []
    [episode] = report["episodes"]
    assert episode["title"] == TITLE
    assert episode["engine"] == "espeak" and episode["voice"] == "fr-espeak"
    assert episode["segments_synthesized"] > 20 and episode["segments_cached"] == 0

    mp3 = project / episode["mp3"]  # JSON paths open from the current directory
    assert mp3.parent == project / "output" / "episodes"
    assert mp3.stat().st_size == episode["bytes"]
    info = probe(mp3)
    assert info["format"]["format_name"] == "mp3"
    stream = info["streams"][0]
    assert stream["codec_name"] == "mp3" and stream["channels"] == 1
    assert stream["sample_rate"] == "44100"
    duration = float(info["format"]["duration"])
    # ~720 words read at 165 words a minute: a few minutes, and the catalog agrees with the file
    assert 150 < duration < 420
    assert abs(duration - episode["duration_s"]) < 0.2
    tags = ID3(mp3)
    assert tags.version[:2] == (2, 3)
    assert str(tags["TIT2"]) == TITLE
    assert str(tags["TCON"]) == "Podcast"
    # nothing temporary is left where listeners could fetch it
    assert not [p.name for p in mp3.parent.iterdir() if p.name.startswith(".")]
    assert [p.name for p in mp3.parent.glob("*.mp3")] == [mp3.name]
    # its transcripts and chapters beside it, under the same versioned name
    stem = mp3.name.removesuffix(".mp3")
    assert {p.name for p in mp3.parent.glob(f"{stem}.*")} == {
        mp3.name, f"{stem}.vtt", f"{stem}.srt", f"{stem}.transcript.json",
        f"{stem}.chapters.json"}

    # one chapter per section: the title, then the article's three headings
    chapters = json.loads(subprocess.run(
        [require_tool("ffprobe"), "-v", "error", "-show_chapters", "-of", "json", str(mp3)],
        capture_output=True, text=True, check=True).stdout)["chapters"]
    titles = [c["tags"]["title"] for c in chapters]
    assert len(titles) == 4
    for shown, full in zip(titles, [TITLE, *HEADINGS]):
        assert full.startswith(shown.removesuffix("…")) and len(shown) <= 60
    listed = json.loads((project / episode["chapters"]).read_text(encoding="utf-8"))["chapters"]
    assert [c["title"] for c in listed] == [TITLE, *HEADINGS]
    assert [round(c["startTime"] * 1000) for c in listed] == [int(c["start"]) for c in chapters]
    vtt = (project / episode["transcripts"]["vtt"]).read_text(encoding="utf-8")
    assert "7 800 projets" in vtt and vtt.rstrip().endswith("Cet épisode est lu par une voix de synthèse.")


def test_reconvert_unchanged_uses_cache_and_keeps_identity(runner, sample, project):
    first = json.loads(runner.invoke(cli, ["convert", str(sample), "--voice", "fr-espeak", "--json"]).stdout)
    second = json.loads(runner.invoke(cli, ["convert", str(sample), "--voice", "fr-espeak", "--json"]).stdout)
    a, b = first["episodes"][0], second["episodes"][0]
    assert b["segments_synthesized"] == 0 and b["segments_cached"] == a["segments_synthesized"]
    assert (a["guid"], a["slug"]) == (b["guid"], b["slug"])

    # an edited article keeps its GUID and slug; only the edited paragraph is voiced again
    text = sample.read_text(encoding="utf-8").replace(
        "Fruit d’une large concertation", "Fruit d’une très large concertation")
    sample.write_text(text, encoding="utf-8")
    third = json.loads(runner.invoke(cli, ["convert", str(sample), "--voice", "fr-espeak", "--json"]).stdout)
    c = third["episodes"][0]
    assert (c["guid"], c["slug"]) == (a["guid"], a["slug"])
    assert c["segments_synthesized"] == 1
    assert c["mp3"] != a["mp3"] and (project / c["mp3"]).is_file()
    # the previous MP3 stays reachable for [publish] keep_old_audio_days (test_old_audio.py)
    assert (project / a["mp3"]).is_file()

    listed = json.loads(runner.invoke(cli, ["episodes", "--json"]).stdout)["episodes"]
    assert [e["guid"] for e in listed] == [a["guid"]]
    assert listed[0]["mp3"] == c["mp3"]
