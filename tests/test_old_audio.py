"""Old audio after a re-voice: the previous MP3 (and its side files) stays reachable for
`[publish] keep_old_audio_days`, then a run's sweep deletes it; the catalog (and so the feed)
points at the newest. Real conversions through the CLI; the clock is editorial.utcnow."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from audioarticles import editorial, publish
from audioarticles.cli import cli
from audioarticles.config import load_settings
from audioarticles.model import Episode
from audioarticles.store import episode_files
from audioarticles.store import open_catalog

ARTICLE = "Le marché couvert rouvre\n\nLes travaux sont finis. Les commerçants reviennent mardi.\n"
OTHER = "La piscine ferme une semaine\n\nUne vidange est prévue. Réouverture lundi.\n"
SLOW_VOICE = ('name = "fr-espeak-lent"\nengine = "espeak"\nlanguage = "fr"\n\n'
              '[options]\nvoice = "fr"\nrate = 140\npitch = 50\n')
START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = START

    monkeypatch.setattr(editorial, "utcnow", lambda: Clock.now)
    return Clock


@pytest.fixture
def site(project) -> Path:
    (project / "articles").mkdir()
    (project / "articles" / "marche.txt").write_text(ARTICLE, encoding="utf-8")
    (project / "articles" / "piscine.txt").write_text(OTHER, encoding="utf-8")
    (project / "voices").mkdir()
    (project / "voices" / "fr-espeak-lent.toml").write_text(SLOW_VOICE, encoding="utf-8")
    return project


def convert(runner, *args: str) -> dict:
    result = runner.invoke(cli, ["convert", *args, "--json"])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)["episodes"][0]


def version_files(mp3: str) -> list[str]:
    """An MP3 (as `--json` gives it) and the transcripts and chapters beside it, by path."""
    stem = Path(mp3).relative_to("output").as_posix().removesuffix(".mp3")
    return sorted(stem + suffix for suffix in (".mp3", ".vtt", ".srt", ".transcript.json",
                                                  ".chapters.json"))


def retired(project: Path) -> list[tuple[str, str]]:
    with open_catalog(load_settings(project)) as catalog:
        return [(r.path, r.retired_at) for r in catalog.retired_files()]


def current_mp3(runner) -> str:
    result = runner.invoke(cli, ["episodes", "--json"])
    episodes = json.loads(result.stdout)["episodes"]
    return next(e["mp3"] for e in episodes if e["source"] == "articles/marche.txt")


def test_revoiced_audio_stays_for_the_retention_then_goes(runner, site, clock):
    first = convert(runner, "articles/marche.txt", "--voice", "fr-espeak")
    old = site / first["mp3"]
    assert old.is_file()

    clock.now = START + timedelta(hours=1)
    second = convert(runner, "articles/marche.txt", "--voice", "fr-espeak-lent")
    new = site / second["mp3"]
    assert second["guid"] == first["guid"] and new != old and new.is_file()
    assert old.is_file()  # apps holding the previous feed still download it
    assert current_mp3(runner) == second["mp3"]  # the catalog (and the feed) has the newest
    assert retired(site) == [(path, "2026-03-02T09:00:00+00:00") for path in version_files(first["mp3"])]

    # any later run sweeps; six days on, the old file is still within the 7 days
    clock.now = START + timedelta(days=6)
    convert(runner, "articles/piscine.txt", "--voice", "fr-espeak")
    assert old.is_file()

    clock.now = START + timedelta(days=7, hours=1)
    convert(runner, "articles/piscine.txt", "--voice", "fr-espeak")
    assert not old.exists() and new.is_file()
    assert not any((site / "output" / path).exists() for path in version_files(first["mp3"]))
    assert retired(site) == []
    assert current_mp3(runner) == second["mp3"]


def test_keep_zero_days_removes_the_old_audio_at_the_end_of_the_run(runner, site, clock):
    (site / "audioarticles.toml").write_text("[publish]\nkeep_old_audio_days = 0\n")
    first = convert(runner, "articles/marche.txt", "--voice", "fr-espeak")
    second = convert(runner, "articles/marche.txt", "--voice", "fr-espeak-lent")
    assert not (site / first["mp3"]).exists() and (site / second["mp3"]).is_file()
    assert retired(site) == []


def test_voicing_back_within_the_window_reuses_the_old_file(runner, site, clock):
    first = convert(runner, "articles/marche.txt", "--voice", "fr-espeak")
    second = convert(runner, "articles/marche.txt", "--voice", "fr-espeak-lent")
    clock.now = START + timedelta(days=2)
    third = convert(runner, "articles/marche.txt", "--voice", "fr-espeak")
    assert third["mp3"] == first["mp3"]  # same audio, same name
    assert [path for path, _ in retired(site)] == version_files(second["mp3"])

    clock.now = START + timedelta(days=30)
    convert(runner, "articles/piscine.txt", "--voice", "fr-espeak")
    assert (site / first["mp3"]).is_file()  # in use again: never swept
    assert not (site / second["mp3"]).exists()


def test_a_held_episode_loses_its_old_audio_at_once(runner, site, clock):
    first = convert(runner, "articles/marche.txt", "--voice", "fr-espeak")
    second = convert(runner, "articles/marche.txt", "--voice", "fr-espeak-lent")
    assert (site / first["mp3"]).is_file()
    result = runner.invoke(cli, ["hold", second["slug"], "--reason", "vérification"])
    assert result.exit_code == 0, result.stderr
    assert not (site / first["mp3"]).exists()
    assert not (site / second["mp3"]).exists()  # the current one went private (editorial)


@pytest.mark.parametrize("value", ['"sept"', "-1", "true"])
def test_bad_retention_is_a_usage_error_before_any_work(runner, site, value):
    (site / "audioarticles.toml").write_text(f"[publish]\nkeep_old_audio_days = {value}\n")
    result = runner.invoke(cli, ["convert", "articles/marche.txt", "--voice", "fr-espeak"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: audioarticles.toml: [publish] keep_old_audio_days = {value}: expected a number "
        "from 0 to 3650")
    assert not (site / "output" / "episodes").exists() or \
        not list((site / "output" / "episodes").iterdir())


def test_side_files_retire_with_their_mp3(project):
    """Transcripts and chapters of the previous version go with it; shared names stay."""
    loaded = load_settings(project)
    output = loaded.output / "episodes"
    output.mkdir(parents=True)
    old = Episode(guid="g1", slug="marche", title="t", source="s", voice="v", engine="e",
                  mp3="episodes/marche-aaaaaaaaaa.mp3", chapters="episodes/marche-aaaaaaaaaa.json",
                  transcripts={"vtt": "episodes/marche-aaaaaaaaaa.vtt",
                               "srt": "episodes/marche.srt"})
    new = Episode(guid="g1", slug="marche", title="t", source="s", voice="v", engine="e",
                  mp3="episodes/marche-bbbbbbbbbb.mp3", chapters="episodes/marche-bbbbbbbbbb.json",
                  transcripts={"vtt": "episodes/marche-bbbbbbbbbb.vtt",
                               "srt": "episodes/marche.srt"})
    for name in {*episode_files(old), *episode_files(new)}:
        (loaded.output / name).write_text("x")
    with open_catalog(loaded) as catalog:
        with catalog.transaction():
            saved = catalog.save(new)
            assert publish.retire_files(catalog, old, saved, START) == [
                "episodes/marche-aaaaaaaaaa.mp3", "episodes/marche-aaaaaaaaaa.vtt",
                "episodes/marche-aaaaaaaaaa.json"]
        assert publish.sweep_retired(loaded, catalog, START + timedelta(days=6, hours=23)) == []
        assert sorted(publish.sweep_retired(loaded, catalog, START + timedelta(days=7))) == [
            "episodes/marche-aaaaaaaaaa.json", "episodes/marche-aaaaaaaaaa.mp3",
            "episodes/marche-aaaaaaaaaa.vtt"]
    assert sorted(p.name for p in output.iterdir()) == [
        "marche-bbbbbbbbbb.json", "marche-bbbbbbbbbb.mp3", "marche-bbbbbbbbbb.vtt", "marche.srt"]
