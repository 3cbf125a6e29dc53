"""The synthetic-voice disclosure: worded once in `[disclosure]`, found in the feed item
(description and content:encoded, read with feedparser), the player on every page, naming
the engine; checked settings."""

from __future__ import annotations

import json
from datetime import UTC, date
from pathlib import Path

import feedparser
import pytest
from publish_helpers import SHORT_ARTICLE, write_config

from audioarticles.cli import cli
from audioarticles.config import load_settings
from audioarticles.dates import french_day
from audioarticles.disclosure import Disclosure

DEFAULT_WRITTEN = "Cet épisode est lu par une voix de synthèse. Synthèse vocale : eSpeak NG."


def convert(runner, root: Path, extra: str = "") -> dict:
    write_config(root, "http://127.0.0.1:8000/", extra)
    (root / "budget.txt").write_text(SHORT_ARTICLE, encoding="utf-8")
    result = runner.invoke(cli, ["convert", "budget.txt", "--voice", "fr-espeak", "--json"])
    assert result.exit_code == 0, result.stderr
    [episode] = json.loads(result.stdout)["episodes"]
    return episode


def public_texts(root: Path, slug: str) -> dict[str, str]:
    output = root / "output"
    [entry] = feedparser.parse((output / "feed.xml").read_bytes()).entries
    return {
        "description": entry.summary,
        "content": entry.content[0].value,
        "index": (output / "index.html").read_text(encoding="utf-8"),
        "page": (output / "episodes" / f"{slug}.html").read_text(encoding="utf-8"),
        "embed": (output / "embed" / f"{slug}.html").read_text(encoding="utf-8"),
    }


def test_disclosure_is_on_by_default_and_names_the_engine(runner, project):
    episode = convert(runner, project)
    texts = public_texts(project, episode["slug"])
    assert texts["description"].endswith("\n\n" + DEFAULT_WRITTEN)
    assert f"<p>{DEFAULT_WRITTEN}</p>" in texts["content"]
    for page in ("index", "page", "embed"):  # the player shows it wherever it is
        assert f'<p class="aa-disclosure">{DEFAULT_WRITTEN}</p>' in texts[page], page


def test_disclosure_wording_is_configured_in_one_place(runner, project):
    episode = convert(runner, project, extra=(
        '[disclosure]\ntext = "Voix artificielle : cet article est lu par un logiciel."\n'
        'engine_line = "Logiciel : {engine}."\n[disclosure.engines]\nespeak = "espeak-ng 1.52"\n'))
    wanted = "Voix artificielle : cet article est lu par un logiciel. Logiciel : espeak-ng 1.52."
    texts = public_texts(project, episode["slug"])
    assert texts["description"].endswith(wanted) and wanted in texts["content"]
    assert all(wanted in texts[page] for page in ("index", "page", "embed"))
    assert "Cet épisode est lu" not in "".join(texts.values())


def test_disclosure_can_be_turned_off(runner, project):
    episode = convert(runner, project, extra="[disclosure]\nenabled = false\n")
    texts = public_texts(project, episode["slug"])
    assert "synthèse" not in "".join(texts.values())
    assert "aa-disclosure" not in texts["page"]


@pytest.mark.parametrize("toml, message", [
    ('[disclosure]\nenabled = "oui"\n',
     '[disclosure] enabled = "oui": expected true or false'),
    ('[disclosure]\ntext = ""\n',
     '[disclosure] text = "": is empty; word the disclosure, or set enabled = false'),
    ('[disclosure]\nengine_line = "Moteur : {moteur}."\n',
     '[disclosure] engine_line = "Moteur : {moteur}.": unknown field {moteur}; '
         "valid fields: {engine}"),
    ('[disclosure]\nupdated = "Mis à jour le {jour}."\n',
     '[disclosure] updated = "Mis à jour le {jour}.": unknown field {jour}; '
         "valid fields: {date}"),
    ('[disclosure]\ntext = "Voix {engine}."\n',
     '[disclosure] text = "Voix {engine}.": unknown field {engine}; valid fields: none'),
    ('[disclosure]\nengines = "eSpeak"\n',
     '[disclosure] engines = "eSpeak": expected a table of texts'),
    ('[podcast]\ndisclosure = "Voix de synthèse."\n',
     '[podcast] disclosure has moved; write it as text = "..." under [disclosure]'),
])
def test_bad_disclosure_settings_are_usage_errors(runner, project, toml, message):
    (project / "audioarticles.toml").write_text(toml, encoding="utf-8")
    (project / "budget.txt").write_text(SHORT_ARTICLE, encoding="utf-8")
    result = runner.invoke(cli, ["convert", "budget.txt", "--voice", "fr-espeak"])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: audioarticles.toml: {message}"
    assert not list(project.rglob("*.mp3"))


def test_written_and_update_lines(project):
    disclosure = Disclosure.from_project(load_settings(project))
    assert disclosure.written("espeak") == DEFAULT_WRITTEN
    assert disclosure.written("gtts") == (
        "Cet épisode est lu par une voix de synthèse. Synthèse vocale : Google Text-to-Speech.")
    assert disclosure.written("robot") == (
        "Cet épisode est lu par une voix de synthèse. Synthèse vocale : robot.")
    assert disclosure.spoken() == "Cet épisode est lu par une voix de synthèse."
    assert disclosure.update_line(date(2026, 3, 1)) == ""  # off unless worded
    worded = Disclosure(updated="Article mis à jour le {date}.")
    assert worded.update_line(date(2026, 3, 1)) == "Article mis à jour le 1er mars 2026."
    assert worded.update_line(None) == ""


@pytest.mark.parametrize("day, spoken", [
    (date(2026, 3, 1), "1er mars 2026"), (date(2026, 2, 2), "2 février 2026"),
    (date(2025, 12, 31), "31 décembre 2025"), (date(2026, 8, 15), "15 août 2026"),
])
def test_french_day(day, spoken):
    assert french_day(day) == spoken


# in the audio: said last (so it is the transcript's last cue), and in the MP3's comment


def transcript_cues(episode: dict) -> list[str]:
    """The VTT's cue texts, one line each."""
    vtt = Path(episode["transcripts"]["vtt"]).read_text(encoding="utf-8")
    blocks = vtt.strip().split("\n\n")[1:]
    return [" ".join(block.splitlines()[2:]) for block in blocks]


def id3(episode: dict):
    from mutagen.id3 import ID3

    return ID3(episode["mp3"])


def test_the_audio_says_it_last_and_the_id3_comment_states_it(runner, project):
    episode = convert(runner, project, extra='[audio.outro]\ntext = "Merci de votre écoute."\n')
    cues = transcript_cues(episode)
    # a project's own outro does not replace the disclosure: it comes after it
    assert cues[-2:] == ["Merci de votre écoute.", "Cet épisode est lu par une voix de synthèse."]
    tags = id3(episode)
    assert str(tags["USLT::fre"]).rstrip().endswith("Cet épisode est lu par une voix de synthèse.")
    assert str(tags["COMM::fre"]).endswith("\n\n" + DEFAULT_WRITTEN)
    assert episode["disclosure"] == DEFAULT_WRITTEN and episode["engine"] == "espeak"


def test_turned_off_it_is_neither_said_nor_tagged(runner, project):
    episode = convert(runner, project, extra="[disclosure]\nenabled = false\n")
    assert "synthèse" not in " ".join(transcript_cues(episode))
    assert "synthèse" not in str(id3(episode)["COMM::fre"])
    assert episode["disclosure"] == ""


def test_new_wording_reaches_the_audio_of_an_unchanged_article(runner, project):
    convert(runner, project)
    episode = convert(runner, project, extra='[disclosure]\ntext = "Voix de synthèse."\n')
    assert transcript_cues(episode)[-1] == "Voix de synthèse."
    assert episode["segments_synthesized"] == 1  # only the new sentence was voiced


CORRECTED = SHORT_ARTICLE.replace("près de trois heures", "plus de trois heures")
UPDATED = '[disclosure]\nupdated = "Article mis à jour le {date}."\n'


@pytest.fixture
def clock(monkeypatch):
    from datetime import datetime

    from audioarticles import editorial

    monkeypatch.setattr(editorial, "utcnow",
                        lambda: datetime(2026, 2, 28, 23, 30, tzinfo=UTC))


def test_a_corrected_article_says_when_it_was_updated(runner, project, clock):
    first = convert(runner, project, extra=UPDATED)
    assert first["corrected_on"] is None
    assert transcript_cues(first)[-1] == "Cet épisode est lu par une voix de synthèse."

    (project / "budget.txt").write_text(CORRECTED, encoding="utf-8")
    result = runner.invoke(cli, ["convert", "budget.txt", "--voice", "fr-espeak", "--json"])
    [second] = json.loads(result.stdout)["episodes"]
    # 23:30 UTC on 28 February is 1 March in Paris (the project's time zone)
    assert second["corrected_on"] == "2026-03-01"
    assert transcript_cues(second)[-2:] == ["Cet épisode est lu par une voix de synthèse.",
                                            "Article mis à jour le 1er mars 2026."]

    # rendered again for another reason (here: --rerender), it keeps the day of the correction
    result = runner.invoke(cli, ["convert", "budget.txt", "--voice", "fr-espeak", "--json",
                                 "--rerender"])
    [third] = json.loads(result.stdout)["episodes"]
    assert third["corrected_on"] == "2026-03-01"
    assert "Article mis à jour le 1er mars 2026." in transcript_cues(third)


def test_a_draft_edited_before_release_is_not_a_correction(runner, project, clock):
    write_config(project, "http://127.0.0.1:8000/", UPDATED)
    (project / "budget.txt").write_text(SHORT_ARTICLE, encoding="utf-8")
    runner.invoke(cli, ["convert", "budget.txt", "--voice", "fr-espeak", "--draft"])
    (project / "budget.txt").write_text(CORRECTED, encoding="utf-8")
    result = runner.invoke(cli, ["convert", "budget.txt", "--voice", "fr-espeak", "--json"])
    [episode] = json.loads(result.stdout)["episodes"]
    assert episode["state"] == "draft" and episode["corrected_on"] is None
    assert not any("mis à jour" in cue for cue in transcript_cues(episode))
