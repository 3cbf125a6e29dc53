"""Editorial control through the CLI: states, policy defaults, publish/hold/unpublish,
tombstones, the audit trail, and where each state's files live (public or private)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from audioarticles import editorial
from audioarticles.cli import cli
from audioarticles.config import load_settings
from audioarticles.model import Episode

ARTICLE = "Le conseil municipal vote le budget\n\nLa séance a duré deux heures. Le vote est acquis.\n"
OTHER = "La médiathèque rouvre ses portes\n\nLes travaux sont finis. Le public revient lundi.\n"


def write(project: Path, name: str, text: str = ARTICLE) -> str:
    path = project / "articles" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return f"articles/{name}"


@pytest.fixture
def project(project, catalog_backend):
    """Every test here runs on both catalog backends (SQLite, PostgreSQL)."""
    catalog_backend.configure(project)
    yield project
    if catalog_backend.url:  # the catalog really was in PostgreSQL
        assert not (project / ".audioarticles" / "catalog.sqlite").exists()


def configure(project: Path, toml: str) -> None:
    """Write audioarticles.toml, keeping the `[catalog]` section the fixture wrote."""
    path = project / "audioarticles.toml"
    kept = path.read_text(encoding="utf-8").partition("\n[catalog]\n") if path.exists() else ()
    path.write_text(toml + "".join(kept[1:]), encoding="utf-8")


def run(runner, *args: str, code: int = 0) -> dict:
    result = runner.invoke(cli, [*args, "--json"])
    assert result.exit_code == code, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def convert(runner, *args: str, code: int = 0) -> dict:
    return run(runner, "convert", *args, "--voice", "fr-espeak", code=code)


def listed(runner) -> dict[str, dict]:
    return {e["slug"]: e for e in run(runner, "episodes")["episodes"]}


def history(runner, slug: str) -> list[tuple[str, str, str]]:
    return [(e["from_state"], e["to_state"], e["actor"]) for e in run(runner, "history", slug)["events"]]


SIDE_FILES = (".vtt", ".srt", ".transcript.json", ".chapters.json")


def audio_files(folder: Path) -> list[str]:
    """The MP3s in a folder; each travels with its transcripts and chapters (same base name).
    Episode pages (.html) are the site's, not the episode's own files."""
    if not folder.is_dir():
        return []
    names = sorted(p.name for p in folder.iterdir() if p.suffix != ".html")
    mp3s = [n for n in names if n.endswith(".mp3")]
    stems = [n.removesuffix(".mp3") for n in mp3s]
    assert names == sorted(mp3s + [stem + suffix for stem in stems for suffix in SIDE_FILES])
    return mp3s


def public_files(project: Path) -> list[str]:
    return audio_files(project / "output" / "episodes")


def private_files(project: Path) -> list[str]:
    return audio_files(project / ".audioarticles" / "unreleased" / "episodes")


def test_default_policy_publishes_and_records_it(runner, project):
    [episode] = convert(runner, write(project, "budget.txt"))["episodes"]
    assert episode["state"] == "published"
    assert (episode["state_by"], episode["state_reason"], episode["publish_at"]) == ("policy", "", None)
    assert datetime.fromisoformat(episode["state_at"]).tzinfo is not None
    assert Path(episode["mp3"]).parent == Path("output/episodes")
    assert public_files(project) == [Path(episode["mp3"]).name] and private_files(project) == []
    assert history(runner, episode["slug"]) == [("", "published", "policy")]


def test_auto_publish_off_makes_drafts_that_an_editor_publishes(runner, project):
    configure(project, "[editorial]\nauto_publish = false\n")
    [draft] = convert(runner, write(project, "budget.txt"))["episodes"]
    assert (draft["state"], draft["state_reason"]) == ("draft", "auto_publish is off")
    # a draft is listenable privately, never in the public folder
    assert Path(draft["mp3"]).parent == Path(".audioarticles/unreleased/episodes")
    assert Path(draft["mp3"]).is_file() and public_files(project) == []

    # a correction keeps it a draft
    write(project, "budget.txt", ARTICLE.replace("deux heures", "trois heures"))
    [again] = convert(runner, "articles/budget.txt")["episodes"]
    assert again["state"] == "draft" and again["mp3"] != draft["mp3"]
    assert private_files(project) == [Path(again["mp3"]).name]

    [change] = run(runner, "publish", draft["slug"], "--by", "Claire")["episodes"]
    assert (change["from_state"], change["state"], change["changed"]) == ("draft", "published", True)
    assert change["state_by"] == "Claire"
    assert Path(change["mp3"]).parent == Path("output/episodes") and Path(change["mp3"]).is_file()
    assert private_files(project) == []
    assert history(runner, draft["slug"]) == [("", "draft", "policy"),
                                              ("draft", "published", "Claire")]

    [same] = run(runner, "publish", draft["slug"])["episodes"]
    assert same["changed"] is False
    result = runner.invoke(cli, ["publish", draft["slug"]])
    assert result.stdout.strip() == f"{draft['slug']}: already published"


def test_convert_draft_flag_overrides_auto_publish(runner, project):
    [episode] = convert(runner, write(project, "budget.txt"), "--draft")["episodes"]
    assert (episode["state"], episode["state_reason"]) == ("draft", "converted with --draft")
    assert public_files(project) == []


def test_hold_says_which_state_it_took_the_episode_from(runner, project):
    """It printed "held -> held" (the state was read after it had changed)."""
    [episode] = convert(runner, write(project, "budget.txt"))["episodes"]
    result = runner.invoke(cli, ["hold", episode["slug"], "--reason", "relecture"])
    assert (result.exit_code, result.stdout.strip()) == (
        0, f"{episode['slug']}: published -> held: relecture")


def test_hold_takes_a_published_episode_out_and_the_hold_sticks(runner, project):
    [episode] = convert(runner, write(project, "budget.txt"))["episodes"]
    slug = episode["slug"]
    [held] = run(runner, "hold", slug, "--reason", "vérification juridique", "--by", "Marc")["episodes"]
    assert (held["state"], held["state_reason"], held["state_by"]) == (
        "held", "vérification juridique", "Marc")
    assert public_files(project) == [] and private_files(project) == [Path(episode["mp3"]).name]

    # a re-conversion (a correction) does not release an editor's hold
    write(project, "budget.txt", ARTICLE.replace("deux heures", "trois heures"))
    [again] = convert(runner, "articles/budget.txt")["episodes"]
    assert (again["state"], again["state_reason"]) == ("held", "vérification juridique")
    assert public_files(project) == [] and private_files(project) == [Path(again["mp3"]).name]

    # holding it again says so
    result = runner.invoke(cli, ["hold", slug, "--reason", "droit de réponse"])
    assert (result.exit_code, result.stdout.strip()) == (
        0, f"{slug}: already held; reason now: droit de réponse")
    result = runner.invoke(cli, ["hold", slug, "--reason", "droit de réponse"])
    assert result.stdout.strip() == f"{slug}: already held for this reason"

    result = runner.invoke(cli, ["publish", slug, "--by", "Marc"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"{slug}: held -> published"
    assert public_files(project) == [Path(again["mp3"]).name] and private_files(project) == []
    assert [t for _, t, _ in history(runner, slug)] == ["published", "held", "held", "published"]


def test_hold_needs_a_reason_and_known_slugs(runner, project):
    [episode] = convert(runner, write(project, "budget.txt"))["episodes"]
    result = runner.invoke(cli, ["hold", episode["slug"]])
    assert result.exit_code == 2 and "Missing option '--reason'" in result.stderr

    result = runner.invoke(cli, ["hold", episode["slug"], "nope", "--reason", "x"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: nope: no such episode; nothing was changed (see `audioarticles episodes`)")
    assert listed(runner)[episode["slug"]]["state"] == "published"  # all or nothing


def test_editor_commands_on_a_project_without_episodes(runner, project):
    result = runner.invoke(cli, ["publish", "x"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no episodes yet; run `audioarticles convert ARTICLE` first"
    assert not (project / ".audioarticles").exists()


def test_unpublish_retires_files_and_tombstones_the_article(runner, project):
    source = write(project, "budget.txt")
    [episode] = convert(runner, source)["episodes"]
    slug, mp3 = episode["slug"], Path(episode["mp3"]).name
    [gone] = run(runner, "unpublish", slug, "--reason", "article retiré", "--by", "Léa")["episodes"]
    assert (gone["state"], gone["state_reason"], gone["state_by"]) == (
        "unpublished", "article retiré", "Léa")
    assert public_files(project) == [] and private_files(project) == [mp3]

    # a later conversion of the same article is skipped, and says why; not an error
    result = runner.invoke(cli, ["convert", source, "--voice", "fr-espeak", "--json"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["episodes"] == [] and report["failed"] == []
    [skipped] = report["skipped"]
    assert skipped["input"] == source
    assert skipped["reason"] == (f"unpublished on {gone['state_at']} by Léa (article retiré); "
                                 "convert with --force to bring it back")
    assert result.stderr.strip() == f"skipped: {source}: {skipped['reason']}"
    assert public_files(project) == [] and listed(runner)[slug]["state"] == "unpublished"

    # even with the text corrected (same identity): still skipped
    write(project, "budget.txt", ARTICLE.replace("deux heures", "trois heures"))
    assert convert(runner, source)["skipped"][0]["input"] == source

    # --force brings it back through the policy, and lifts the tombstone
    [back] = convert(runner, source, "--force")["episodes"]
    assert (back["slug"], back["guid"], back["state"]) == (slug, episode["guid"], "published")
    assert public_files(project) == [Path(back["mp3"]).name]
    assert convert(runner, source)["skipped"] == []
    assert [t for _, t, _ in history(runner, slug)] == ["published", "unpublished", "published"]


def test_unpublished_episode_can_be_published_again_by_an_editor(runner, project):
    source = write(project, "budget.txt")
    [episode] = convert(runner, source)["episodes"]
    run(runner, "unpublish", episode["slug"], "--reason", "erreur")
    [back] = run(runner, "publish", episode["slug"])["episodes"]
    assert back["state"] == "published" and Path(back["mp3"]).is_file()
    assert public_files(project) == [Path(episode["mp3"]).name]
    assert convert(runner, source)["skipped"] == []  # the tombstone is lifted


def test_unpublish_purge_deletes_the_files(runner, project):
    [episode] = convert(runner, write(project, "budget.txt"))["episodes"]
    run(runner, "unpublish", episode["slug"], "--reason", "plainte", "--purge")
    assert public_files(project) == [] and private_files(project) == []
    result = runner.invoke(cli, ["publish", episode["slug"]])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {episode['slug']}: its files were deleted (`unpublish --purge`); "
        "convert the article again with --force")


def test_hold_refuses_an_unpublished_episode(runner, project):
    [episode] = convert(runner, write(project, "budget.txt"))["episodes"]
    run(runner, "unpublish", episode["slug"], "--reason", "erreur")
    result = runner.invoke(cli, ["hold", episode["slug"], "--reason", "x"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {episode['slug']}: unpublished; `audioarticles publish {episode['slug']}` "
        "brings it back, then hold it")


@pytest.fixture
def clock(monkeypatch):
    """Set the editorial clock: `clock.now` is what every decision reads."""

    class Clock:
        now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    monkeypatch.setattr(editorial, "utcnow", lambda: Clock.now)
    return Clock


def test_publish_at_schedules_and_a_later_run_releases(runner, project, clock):
    [episode] = convert(runner, write(project, "budget.txt"), "--publish-at", "2026-03-01T12:00")["episodes"]
    # read in the project's time zone (Europe/Paris by default): 12:00 CET is 11:00 UTC
    assert (episode["state"], episode["publish_at"]) == ("scheduled", "2026-03-01T11:00:00+00:00")
    assert public_files(project) == []

    clock.now = datetime(2026, 3, 1, 10, 59, tzinfo=UTC)
    convert(runner, write(project, "other.txt", OTHER))
    assert listed(runner)[episode["slug"]]["state"] == "scheduled"

    clock.now = datetime(2026, 3, 1, 11, 0, 1, tzinfo=UTC)
    convert(runner, "articles/other.txt")  # any run releases what is due
    released = listed(runner)[episode["slug"]]
    assert (released["state"], released["state_by"]) == ("published", "schedule")
    assert Path(released["mp3"]).parent == Path("output/episodes") and Path(released["mp3"]).is_file()
    assert history(runner, episode["slug"]) == [("", "scheduled", "policy"),
                                                ("scheduled", "published", "schedule")]


def test_publish_at_in_the_past_publishes_now(runner, project, clock):
    [episode] = convert(runner, write(project, "budget.txt"), "--publish-at", "2026-02-01")["episodes"]
    assert episode["state"] == "published"


def test_publish_command_can_schedule_a_draft(runner, project, clock):
    [draft] = convert(runner, write(project, "budget.txt"), "--draft")["episodes"]
    [change] = run(runner, "publish", draft["slug"], "--at", "2026-03-02T08:00:00+01:00",
                   "--by", "Claire")["episodes"]
    assert (change["state"], change["publish_at"], change["state_reason"]) == (
        "scheduled", "2026-03-02T07:00:00+00:00", "scheduled by Claire")
    result = runner.invoke(cli, ["publish", draft["slug"], "--at", "demain"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: --at 'demain': not a date and time; use ISO 8601, e.g. 2026-03-01T08:00 "
        "(read in Europe/Paris) or 2026-03-01T07:00Z")


def test_bad_policy_values_are_usage_errors(runner, project):
    source = write(project, "budget.txt")
    configure(project, '[editorial]\nauto_publish = "yes"\n')
    result = runner.invoke(cli, ["convert", source, "--voice", "fr-espeak"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        'error: audioarticles.toml: [editorial] auto_publish = "yes": expected true or false')
    configure(project, '[editorial]\nembargo = "never"\n')
    result = runner.invoke(cli, ["convert", source, "--voice", "fr-espeak"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        'error: audioarticles.toml: [editorial] embargo = "never": expected one of '
        '"article-date", "none"')
    assert not (project / "output").exists()


def test_episodes_filters_by_state(runner, project):
    convert(runner, write(project, "budget.txt"))
    [draft] = convert(runner, write(project, "other.txt", OTHER), "--draft")["episodes"]
    assert [e["slug"] for e in run(runner, "episodes", "--state", "draft")["episodes"]] == [draft["slug"]]
    assert len(run(runner, "episodes", "--state", "draft", "--state", "published")["episodes"]) == 2


# the policy itself: a table of situations


NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def ep(state: str = "published", by: str = "policy", degraded: bool = False, reason: str = "",
       publish_at: str = "") -> Episode:
    return Episode(guid="g", slug="s", title="T", source="a.txt", voice="fr-espeak",
                   engine="espeak", intended_voice="fr", degraded=degraded,
                   degraded_reason="gTTS unreachable" if degraded else "", state=state,
                   state_by=by, state_reason=reason, publish_at=publish_at)


DEFAULT = editorial.Policy()
FUTURE = (NOW + timedelta(days=1)).isoformat()


@pytest.mark.parametrize("policy, new, previous, kwargs, expected", [
    (DEFAULT, ep(), None, {}, ("published", "")),
    (editorial.Policy(auto_publish=False), ep(), None, {}, ("draft", "auto_publish is off")),
    (DEFAULT, ep(), None, {"draft": True}, ("draft", "converted with --draft")),
    # degraded: held by default, published when the project says so
    (DEFAULT, ep(degraded=True), None, {}, (
        "held", "degraded: voiced by fr-espeak (espeak) instead of fr: gTTS unreachable")),
    (editorial.Policy(publish_degraded=True), ep(degraded=True), None, {}, ("published", "")),
    # a published episode that becomes degraded on a re-voice is held; one already approved
    # degraded (an editor published it anyway) stays published
    (DEFAULT, ep(degraded=True), ep(), {}, ("held", ("degraded: voiced by fr-espeak (espeak) "
                                                     "instead of fr: gTTS unreachable"))),
    (DEFAULT, ep(degraded=True), ep(degraded=True), {}, ("published", "")),
    # `upgrade` re-voices a policy-held degraded episode: the policy releases it
    (DEFAULT, ep(), ep("held", degraded=True, reason="degraded: ..."), {}, ("published", "")),
    # an editor's hold and a draft stick
    (DEFAULT, ep(), ep("held", by="Marc", reason="juridique"), {}, ("held", "juridique")),
    (DEFAULT, ep(), ep("draft", reason="auto_publish is off"), {}, ("draft", "auto_publish is off")),
    # corrections to a published episode stay published, even with auto_publish off
    (editorial.Policy(auto_publish=False), ep(), ep(), {}, ("published", "")),
    # embargo from the article's date, or none
    (DEFAULT, ep(), None, {"article_date": FUTURE}, ("scheduled", "embargo: the article is dated in the future")),
    (DEFAULT, ep(), None, {"article_date": "2026-03-02"}, ("scheduled", "embargo: the article is dated in the future")),
    (DEFAULT, ep(), None, {"article_date": "2026-02-28"}, ("published", "")),
    (DEFAULT, ep(), None, {"article_date": "pas une date"}, ("published", "")),
    (editorial.Policy(embargo="none"), ep(), None, {"article_date": FUTURE}, ("published", "")),
    # an explicit time wins over the article's date
    (DEFAULT, ep(), None, {"publish_at": NOW + timedelta(hours=2)}, ("scheduled", "publish_at given")),
    # an editor's schedule survives a re-conversion
    (DEFAULT, ep(), ep("scheduled", by="Claire", reason="scheduled by Claire", publish_at=FUTURE), {},
     ("scheduled", "scheduled by Claire")),
    # --force on an unpublished article: it starts over
    (DEFAULT, ep(), ep("unpublished", by="Léa", reason="retiré"), {}, ("published", "")),
])
def test_decide(policy, new, previous, kwargs, expected):
    decision = editorial.decide(policy, new, previous, NOW, **kwargs)
    assert (decision.state, decision.reason) == expected


def test_article_date_without_a_zone_is_read_in_the_project_zone():
    decision = editorial.decide(DEFAULT, ep(), None, NOW, article_date="2026-03-02")
    assert decision.publish_at == "2026-03-01T23:00:00+00:00"  # midnight in Paris


def test_policy_defaults(project):
    policy = editorial.Policy.from_project(load_settings(project))
    assert policy == editorial.Policy(auto_publish=True, publish_degraded=False,
                                      embargo="article-date", timezone="Europe/Paris")


EMBARGOED = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Le budget voté</title>
<meta property="article:published_time" content="{date}">
<link rel="canonical" href="https://www.exemple.fr/actu/budget.html"></head>
<body><article><h1>Le budget voté</h1>
<p>La séance du conseil municipal a duré deux heures, et le vote est acquis sans surprise.</p>
</article></body></html>
"""


def test_embargo_from_the_article_date_and_release_on_a_later_run(runner, project, monkeypatch):
    due = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    (project / "budget.html").write_text(EMBARGOED.format(date=due.isoformat()), encoding="utf-8")
    [episode] = convert(runner, "budget.html")["episodes"]
    assert (episode["state"], episode["publish_at"]) == ("scheduled", due.isoformat())
    assert episode["state_reason"] == "embargo: the article is dated in the future"
    assert public_files(project) == [] and Path(episode["mp3"]).is_file()

    monkeypatch.setattr(editorial, "utcnow", lambda: due + timedelta(seconds=1))
    convert(runner, write(project, "other.txt", OTHER))
    released = listed(runner)[episode["slug"]]
    assert (released["state"], released["state_by"]) == ("published", "schedule")
    assert Path(released["mp3"]).parent == Path("output/episodes")


def test_embargo_none_publishes_future_dated_articles(runner, project):
    configure(project, '[editorial]\nembargo = "none"\n')
    due = datetime.now(UTC) + timedelta(days=2)
    (project / "budget.html").write_text(EMBARGOED.format(date=due.isoformat()), encoding="utf-8")
    [episode] = convert(runner, "budget.html")["episodes"]
    assert episode["state"] == "published"
