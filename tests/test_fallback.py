"""Fallback and upgrade through the CLI: when gTTS cannot voice an article, the whole article is
voiced by the fallback and marked degraded; `upgrade` re-voices it once gTTS works again."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from audioarticles.cli import cli
from audioarticles.testing.fake_gtts import TONE_HZ
from audioarticles.tools import decode_to_pcm
from conftest import SAMPLE

ARTICLE = """La santé numérique en trois chiffres

La ministre a annoncé 7 800 projets soutenus, a-t-elle affirmé devant les acteurs du secteur.
M. Rist a insisté sur la complémentarité entre innovation et humanité. Elle a évoqué la formation.
Un comité exécutif réunira les acteurs publics et privés chaque trimestre, afin de suivre.
"""
WARNING = re.compile(
    r"warning: (?P<source>\S+): voice fr \(gtts\) failed \((?P<reason>[^\n]+)\); voiced by "
    r"fr-espeak instead, marked degraded \(`audioarticles upgrade` re-voices it once the "
    r"voice works\)")
UNREACHABLE = re.compile(r"cannot reach the TTS service at 127\.0\.0\.1:\d+ \(connection refused, "
                         r"2 tries\)")
FIX = "; check the network or use the offline voice fr-espeak"


@pytest.fixture
def article(project):
    path = project / "articles" / "sante.txt"
    path.parent.mkdir()
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def convert(runner, *args: str) -> tuple[int, dict, str]:
    result = runner.invoke(cli, ["convert", *args, "--json"])
    return result.exit_code, json.loads(result.stdout), result.stderr


def listed(runner) -> list[dict]:
    return json.loads(runner.invoke(cli, ["episodes", "--json"]).stdout)["episodes"]


def test_offline_the_whole_article_is_voiced_by_the_fallback_and_marked_degraded(
        runner, article):
    code, report, stderr = convert(runner, "articles/sante.txt")
    assert code == 0, stderr
    [episode] = report["episodes"]
    assert (episode["voice"], episode["engine"], episode["intended_voice"]) == (
        "fr-espeak", "espeak", "fr")
    assert episode["degraded"] is True
    assert UNREACHABLE.fullmatch(episode["degraded_reason"])
    # one clear warning line on stderr, with the reason recorded in the catalog
    [line] = stderr.splitlines()
    warning = WARNING.fullmatch(line)
    assert warning and warning["source"] == "articles/sante.txt"
    assert warning["reason"] == episode["degraded_reason"]
    # held out of the feed by the default editorial policy until `upgrade`
    assert episode["state"] == "held"
    assert episode["state_reason"] == ("degraded: voiced by fr-espeak (espeak) instead of fr: "
                                       + episode["degraded_reason"])
    [entry] = listed(runner)
    assert entry["guid"] == episode["guid"] and entry["degraded"] is True
    assert entry["degraded_reason"] == episode["degraded_reason"]

    # a second run tries gTTS again (a degraded episode is never "unchanged")
    text = runner.invoke(cli, ["convert", "articles/sante.txt"])
    assert text.exit_code == 0
    first = text.stdout.splitlines()[0]
    assert f"espeak, degraded: {episode['degraded_reason']}) [held: degraded: " in first
    assert WARNING.fullmatch(text.stderr.strip())


def test_no_fallback_makes_it_an_error_and_writes_nothing(runner, article, project):
    code, report, stderr = convert(runner, "articles/sante.txt", "--no-fallback")
    assert code == 1
    [line] = stderr.splitlines()
    prefix = "error: articles/sante.txt: voice fr (gtts) failed: "
    assert line.startswith(prefix) and line.endswith(FIX)
    assert UNREACHABLE.fullmatch(line[len(prefix):-len(FIX)])
    assert report["episodes"] == []
    assert report["failed"] == [{"input": "articles/sante.txt",
                                 "error": line[len("error: articles/sante.txt: "):]}]
    assert listed(runner) == []
    assert not list((project / "output").rglob("*.mp3"))


def test_with_the_service_the_episode_is_voiced_by_gtts(runner, article, fake_gtts):
    code, report, stderr = convert(runner, "articles/sante.txt")
    assert code == 0 and stderr == ""
    [episode] = report["episodes"]
    assert (episode["voice"], episode["engine"], episode["degraded"]) == ("fr", "gtts", False)
    assert episode["degraded_reason"] == ""
    assert fake_gtts.received and all(len(r.text) <= 100 for r in fake_gtts.received)


def tone_share(mp3: bytes) -> tuple[int, int]:
    """(windows of 50 ms that sound, of those how many are the fake service's pure tone)."""
    from array import array
    from math import cos, pi

    rate = 8000
    samples = array("h", decode_to_pcm(mp3, rate))
    size = rate // 20
    coefficient = 2 * cos(2 * pi * TONE_HZ / rate)
    sounding = tone = 0
    for start in range(0, len(samples) - size, size):
        window = samples[start:start + size]
        energy = sum(v * v for v in window)
        if energy < size * 300 ** 2:
            continue
        sounding += 1
        s1 = s2 = 0.0
        for v in window:  # Goertzel: the energy at TONE_HZ alone
            s1, s2 = v + coefficient * s1 - s2, s1
        at_tone = (s1 * s1 + s2 * s2 - coefficient * s1 * s2) * 2 / size
        tone += at_tone > 0.8 * energy
    return sounding, tone


def test_an_episode_is_never_half_gtts_half_espeak(runner, article, project, fake_gtts):
    # the service answers the first requests, then fails for good
    (project / "audioarticles.toml").write_text("[gtts]\nattempts = 2\nbackoff_base = 0.01\n"
                                                "concurrency = 1\n")
    fake_gtts.inject(None, None)
    fake_gtts.fail_always("500")
    code, report, stderr = convert(runner, "articles/sante.txt")
    assert code == 0, stderr
    [episode] = report["episodes"]
    assert episode["engine"] == "espeak" and episode["degraded"] is True
    assert episode["degraded_reason"].startswith(
        f"500 Internal Server Error from the TTS service at {fake_gtts.url[7:]}: tried 2 times")
    assert [r.fault for r in fake_gtts.received][:2] == ["", ""]  # gTTS did voice part of it
    sounding, tone = tone_share((project / episode["mp3"]).read_bytes())
    assert sounding > 100 and tone == 0  # not one window of the service's audio

    # once the service works, the episode is gTTS's (the detector sees the tone in most windows;
    # the rest straddle the fake's short gaps between words)
    fake_gtts.fail_always(None)
    result = runner.invoke(cli, ["upgrade", "--json"])
    assert result.exit_code == 0, result.stderr
    [upgraded] = json.loads(result.stdout)["episodes"]
    assert upgraded["engine"] == "gtts" and upgraded["guid"] == episode["guid"]
    sounding, tone = tone_share((project / upgraded["mp3"]).read_bytes())
    assert sounding > 100 and tone >= 0.6 * sounding


def test_upgrade_while_gtts_still_fails_keeps_the_episode(runner, article):
    _, first, _ = convert(runner, "articles/sante.txt")
    result = runner.invoke(cli, ["upgrade"])
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    prefix = "error: articles/sante.txt: voice fr (gtts) failed: "
    assert line.startswith(prefix) and line.endswith(FIX)
    assert result.stdout.splitlines()[0] == (
        "1 article: 0 converted, 0 unchanged, 0 degraded, 0 skipped, 1 failed")
    [entry] = listed(runner)
    assert entry["mp3"] == first["episodes"][0]["mp3"] and entry["degraded"] is True
    assert entry["state"] == "held"


def test_seed_offline_is_degraded_then_upgrade_revoices_it_with_gtts(runner, project,
                                                                      fake_gtts_service, monkeypatch):
    shutil.copy(SAMPLE, project / "seed.txt")
    code, report, stderr = convert(runner, "seed.txt")
    assert code == 0
    [degraded] = report["episodes"]
    assert degraded["degraded"] is True and degraded["engine"] == "espeak"
    assert len(stderr.splitlines()) == 1 and WARNING.fullmatch(stderr.strip())

    fake_gtts_service.reset()
    monkeypatch.setenv("AUDIOARTICLES_GTTS_URL", fake_gtts_service.url)
    result = runner.invoke(cli, ["upgrade", "--json"])
    assert result.exit_code == 0, result.stderr
    [upgraded] = json.loads(result.stdout)["episodes"]
    assert (upgraded["guid"], upgraded["slug"]) == (degraded["guid"], degraded["slug"])
    assert (upgraded["voice"], upgraded["engine"], upgraded["degraded"]) == ("fr", "gtts", False)
    assert upgraded["degraded_reason"] == ""
    assert upgraded["state"] == "published"  # the policy held it for being degraded: released
    feed = (project / "output" / "feed.xml").read_text(encoding="utf-8")
    assert degraded["guid"] in feed and upgraded["mp3"].rsplit("/", 1)[1] in feed
    assert upgraded["mp3"] != degraded["mp3"]
    assert (project / upgraded["mp3"]).exists() and not (project / degraded["mp3"]).exists()
    assert 0 < len(fake_gtts_service.received) <= 60
    [entry] = listed(runner)
    assert entry["guid"] == degraded["guid"] and entry["degraded"] is False

    again = runner.invoke(cli, ["upgrade"])
    assert again.exit_code == 0 and again.stdout.strip() == "no degraded episodes"
