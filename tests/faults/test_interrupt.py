"""Ctrl-C typed in the terminal of a real `audioarticles convert`: the terminal sends SIGINT to
its whole foreground process group. Our child processes (ffmpeg, the espeak workers) live in
their own session, so only the run itself hears it: the article in flight is simply not
finished, never failed, never voiced by the fallback, never degraded or held."""

from __future__ import annotations

import json
import os
import signal

import pytest
from harness import (
    OnTerminal,
    assert_consistent,
    command_line,
    command_name,
    descendants,
    environment,
    feed_enclosures,
    medium_article,
    wait_for,
)

from audioarticles.cli import cli
from audioarticles.errors import ChildStopped, SynthesisError
from audioarticles.testing.fake_gtts import FakeGtts
from audioarticles.tools import check_not_killed, feed_ffmpeg


@pytest.fixture
def service(monkeypatch):
    with FakeGtts(latency=0.0) as fake:
        monkeypatch.setenv("AUDIOARTICLES_GTTS_URL", fake.url)
        yield fake


def published_episode(runner, project):
    medium_article(project / "articles")
    result = runner.invoke(cli, ["convert", "articles/ia-sante.txt", "--voice", "fr", "--json"])
    assert result.exit_code == 0, result.stderr
    [episode] = json.loads(result.stdout)["episodes"]
    assert (episode["state"], episode["degraded"]) == ("published", False)
    return episode


@pytest.mark.parametrize("child,stop", [("ffmpeg", "ctrl-c"), ("espeak worker", "ctrl-c"),
                                        ("ffmpeg", "sigterm to every process")])
def test_ctrl_c_in_the_terminal_leaves_a_published_episode_published_and_unchanged(
        runner, project, service, child, stop):
    """`sigterm to every process`: what a service manager does (systemd stops a unit by
    signalling every process of its control group), so our children die too; their death is then not a voice failure."""
    episode = published_episode(runner, project)
    before = assert_consistent(project)
    audio = (project / episode["mp3"]).read_bytes()  # the JSON path is relative to the project
    if child == "ffmpeg":
        # the gTTS voice: ffmpeg decodes every answer, then encodes the episode; before the fix
        # the encoder's death by the terminal's SIGINT was taken for a voice failure: fallback
        # to espeak, degraded, held, out of the feed
        args = ["convert", "articles/ia-sante.txt", "--voice", "fr", "--rerender"]

        def running(pid: int) -> bool:
            return command_name(pid).startswith("ffmpeg") and b".mp3.part" in command_line(pid)
    else:
        args = ["convert", "articles/ia-sante.txt", "--voice", "fr-espeak", "--rerender"]

        def running(pid: int) -> bool:  # a spawned worker, starting or speaking
            return b"spawn_main" in command_line(pid)
    run = OnTerminal(project, *args, env=environment(AUDIOARTICLES_GTTS_URL=service.url))
    wait_for(lambda: any(running(p) for p in descendants(run.pid)),
             timeout=60, what=f"a {child} child process")
    if stop == "ctrl-c":
        run.type_ctrl_c()
    else:  # every process of the run, whatever its group (a cgroup's members)
        for pid in [run.pid, *descendants(run.pid)]:
            os.kill(pid, signal.SIGTERM)
    code, screen = run.finish()
    assert code == 130, screen
    assert "interrupted" in screen
    assert "failed" not in screen.replace("0 failed", ""), screen
    assert "warning" not in screen, screen
    after = assert_consistent(project)
    [row] = after
    [old] = before
    if child == "ffmpeg":
        assert {k: row[k] for k in ("guid", "slug", "state", "voice", "degraded", "mp3", "bytes")} \
            == {k: old[k] for k in ("guid", "slug", "state", "voice", "degraded", "mp3", "bytes")}
        assert (project / "output" / row["mp3"]).read_bytes() == audio
    else:
        # voiced again by espeak if the run finished the article before stopping, else as it was
        assert (row["guid"], row["slug"], row["state"], row["degraded"]) == (
            old["guid"], old["slug"], "published", 0)
        assert row["voice"] in ("fr", "fr-espeak")
    assert list(feed_enclosures(project)) == [row["mp3"]]


@pytest.mark.parametrize("status,log,stopped_by", [
    (0, ["size= 74KiB time=00:00:18.94"], None),
    (1, ["pipe:0: Invalid data found when processing input"], None),
    (255, ["size= 74KiB time=00:00:18.94", "Exiting normally, received signal 15."], "SIGTERM"),
    (0, ["Exiting normally, received signal 2."], "SIGINT"),
    (-9, [], "SIGKILL"),
    (-15, [], "SIGTERM"),
])
def test_a_child_stopped_by_a_signal_is_not_a_failure_of_the_voice(status, log, stopped_by):
    if stopped_by is None:
        check_not_killed(status, "encode the MP3", log)
        return
    with pytest.raises(ChildStopped) as caught:
        check_not_killed(status, "encode the MP3", log)
    assert str(caught.value) == f"ffmpeg was stopped by {stopped_by} while it tried to encode the MP3"
    assert not isinstance(caught.value, SynthesisError)  # so never a fallback


def test_ffmpeg_runs_outside_the_terminal_session_and_its_death_by_a_signal_is_reported(tmp_path):
    def chunks():
        yield b"\0" * 48000
        [ffmpeg] = [p for p in descendants(os.getpid()) if command_name(p).startswith("ffmpeg")]
        assert os.getsid(ffmpeg) == ffmpeg != os.getsid(0)  # its own session
        os.kill(ffmpeg, signal.SIGTERM)
        while True:
            yield b"\0" * 48000

    with pytest.raises(ChildStopped, match="ffmpeg was stopped by SIGTERM while it tried to encode"):
        feed_ffmpeg(["-f", "s16le", "-ar", "24000", "-ac", "1", "-i", "pipe:0", "-f", "mp3",
                     str(tmp_path / "x.mp3")], chunks(), "encode")
