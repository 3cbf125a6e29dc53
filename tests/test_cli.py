from __future__ import annotations

import json
import sys

from audioarticles.cli import cli


def test_voices_lists_packaged_profiles(runner, project):
    result = runner.invoke(cli, ["voices", "--json"])
    assert result.exit_code == 0, result.output
    voices = {v["name"]: v for v in json.loads(result.stdout)["voices"]}
    assert {"fr", "fr-ca", "fr-espeak"} <= set(voices)
    assert voices["fr"]["engine"] == "gtts" and voices["fr"]["fallback"] == "fr-espeak"
    assert voices["fr-espeak"]["engine"] == "espeak"
    assert voices["fr-espeak"]["available"] is True


def test_unknown_voice_is_a_usage_error_that_lists_valid_voices(runner, sample):
    result = runner.invoke(cli, ["convert", str(sample), "--voice", "klingon"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: unknown voice 'klingon'; valid voices: fr, fr-ca, fr-edge, fr-espeak, fr-piper "
        "(see `audioarticles voices`)"
    )
    assert not (sample.parent.parent / "output").exists()
    assert not (sample.parent.parent / ".audioarticles").exists()


def test_missing_input_file_names_the_file_and_writes_nothing(runner, project):
    result = runner.invoke(cli, ["convert", "nope.txt", "--voice", "fr-espeak", "--json"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: nope.txt: no such file; check the path (relative to the current folder)"
    )
    report = json.loads(result.stdout)
    assert {k: report[k] for k in ("episodes", "failed", "skipped")} == {"episodes": [], "failed": [
        {"input": "nope.txt", "error": "no such file; check the path (relative to the current folder)"}],
        "skipped": []}
    assert report["summary"]["failed"] == 1 and report["summary"]["converted"] == 0
    assert not list((project / "output").rglob("*.mp3")) if (project / "output").exists() else True


def test_unavailable_engine_says_what_is_missing(runner, sample, monkeypatch):
    monkeypatch.setitem(sys.modules, "espeakng_loader", None)  # as if the wheel were not installed
    result = runner.invoke(cli, ["voices", "--json"])
    espeak = next(v for v in json.loads(result.stdout)["voices"] if v["name"] == "fr-espeak")
    assert espeak["available"] is False
    assert "pip install espeakng-loader" in espeak["reason"]

    result = runner.invoke(cli, ["convert", str(sample), "--voice", "fr-espeak"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: engine 'espeak' is not available here: the espeakng-loader package is missing; "
        "run `pip install espeakng-loader`"
    )


def test_unknown_engine_in_a_project_voice_lists_valid_engines(runner, sample):
    (sample.parent.parent / "voices").mkdir()
    (sample.parent.parent / "voices" / "robot.toml").write_text('engine = "robot"\n')
    result = runner.invoke(cli, ["convert", str(sample), "--voice", "robot"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: voices/robot.toml: unknown engine 'robot'; valid engines: edge, espeak, gtts, "
        "piper")


def test_episodes_on_an_empty_project(runner, project):
    result = runner.invoke(cli, ["episodes", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"episodes": []}
