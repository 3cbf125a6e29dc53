"""With --json, stdout is one JSON object also when the command fails: `{"error": ...}` with
the same text as the `error:` line on stderr, and the documented exit code."""

from __future__ import annotations

import json

import click
import pytest

from audioarticles.cli import cli

# one failing call per command that has --json (a new one must be added here)
FAILING = {
    "convert": (["convert", "missing.txt", "--voice", "nope"], 2),
    "sync": (["sync", "feed.xml"], 2),
    "upgrade": (["upgrade", "--jobs", "0"], 2),
    "episodes": (["episodes", "--state", "lost"], 2),
    "voices": (["voices"], 2),  # a voice profile that is not valid TOML
    "voices audition": (["voices", "audition", "--bogus"], 2),
    "voices install": (["voices", "install", "nope", "model"], 2),
    "build": (["build"], 1),
    "embed": (["embed", "no-such-slug"], 1),
    "publish": (["publish", "no-such-slug"], 1),
    "hold": (["hold", "no-such-slug", "--reason", "relecture"], 1),
    "unpublish": (["unpublish", "no-such-slug", "--reason", "erreur"], 1),
    "history": (["history", "--bogus"], 2),
    "text": (["text", "missing.txt"], 1),
    "doctor": (["doctor", "http://127.0.0.1:9/feed.xml", "--timeout", "-1"], 2),
    "edition": (["edition", "--date", "nope"], 2),
    "feeds list": (["feeds", "list", "--bogus"], 2),
    "feeds token create": (["feeds", "token", "create", "nope", "--subscriber", "Jean"], 2),
    "feeds token list": (["feeds", "token", "list", "--bogus"], 2),
    "feeds token revoke": (["feeds", "token", "revoke", "nope"], 1),
    "lexicon add": (["lexicon", "add", "mot"], 2),
    "recover": (["recover"], 1),
    "migrate": (["migrate"], 2),  # nowhere to move to
    "jobs": (["jobs", "--state", "lost"], 2),
    "jobs retry": (["jobs", "retry", "no-such-job"], 1),
    "tokens create": (["tokens", "create", "--name", "a b"], 2),
    "tokens list": (["tokens", "list", "--bogus"], 2),
    "tokens revoke": (["tokens", "revoke", "nope"], 1),
    "webhooks": (["webhooks", "--deliver"], 2),
    "stats": (["stats", "--since", "hier"], 2),
}


def json_commands(group: click.Group = cli, prefix: str = "") -> set[str]:
    found = set()
    for name, command in group.commands.items():
        if any(isinstance(p, click.Option) and "--json" in p.opts for p in command.params):
            found.add(prefix + name)
        if isinstance(command, click.Group):
            found |= json_commands(command, f"{prefix}{name} ")
    return found


def test_every_json_command_is_covered():
    assert json_commands() == set(FAILING)


@pytest.mark.parametrize("name", sorted(FAILING))
def test_a_failing_command_still_prints_json(runner, project, name):
    if name == "voices":
        (project / "voices").mkdir()
        (project / "voices" / "broken.toml").write_text("name = [", encoding="utf-8")
    args, code = FAILING[name]
    result = runner.invoke(cli, [*args, "--json"])
    assert result.exit_code == code, (result.stdout, result.stderr)
    report = json.loads(result.stdout)
    assert set(report) == {"error"} and report["error"]
    if code == 1:  # library errors: the same text on both streams
        assert result.stderr.strip().splitlines()[-1] == f"error: {report['error']}"


def test_without_json_stdout_stays_empty_on_failure(runner, project):
    result = runner.invoke(cli, ["embed", "no-such-slug"])
    assert result.exit_code == 1 and result.stdout == ""
