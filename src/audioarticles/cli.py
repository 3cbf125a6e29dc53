"""The `audioarticles` command: parses options, calls the library, reports. No work lives here."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from audioarticles import __version__
from audioarticles.catalog import Catalog
from audioarticles.config import Project, load_project
from audioarticles.engines import engine_class
from audioarticles.errors import UserError
from audioarticles.model import Episode
from audioarticles.voices import load_voices


def cwd_path(path: Path) -> str:
    """A path as it opens from the current directory (the --json contract)."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def episode_json(project: Project, episode: Episode) -> dict:
    output = project.output
    return {
        "slug": episode.slug,
        "title": episode.title,
        "guid": episode.guid,
        "mp3": cwd_path(output / episode.mp3) if episode.mp3 else None,
        "duration_s": episode.duration_s,
        "bytes": episode.bytes,
        "voice": episode.voice,
        "engine": episode.engine,
        "degraded": episode.degraded,
        "state": episode.state,
        "source": episode.source,
        "pub_date": episode.pub_date,
        "transcripts": {k: cwd_path(output / v) for k, v in episode.transcripts.items()},
        "chapters": cwd_path(output / episode.chapters) if episode.chapters else None,
    }


def emit_json(data: dict) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


class Context:
    def __init__(self, project_dir: str | None):
        self.project_dir = project_dir

    def project(self, out: str | None = None) -> Project:
        return load_project(self.project_dir, out)


class AppGroup(click.Group):
    """Turns library errors into `error: ...` lines and the documented exit codes."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


@click.group(cls=AppGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="audioarticles")
@click.option("--project", "project_dir", type=click.Path(file_okay=False),
              help="Project folder (default: the current directory).")
@click.pass_context
def cli(ctx: click.Context, project_dir: str | None) -> None:
    """Turn news articles into podcast episodes."""
    ctx.obj = Context(project_dir)


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--voice", help="Voice profile (see `audioarticles voices`).")
@click.option("--out", type=click.Path(file_okay=False), help="Published site folder (default: output/).")
@json_option
@click.pass_obj
def convert(obj: Context, inputs: tuple[str, ...], voice: str | None, out: str | None,
            as_json: bool) -> None:
    """Convert articles (files) into episodes."""
    from audioarticles.pipeline import convert as run_convert

    project = obj.project(out)
    report = run_convert(project, list(inputs), voice)
    for failure in report.failed:
        click.echo(f"error: {failure}", err=True)
    if as_json:
        emit_json({
            "episodes": [
                {**episode_json(project, c.episode),
                 "segments_synthesized": c.segments_synthesized,
                 "segments_cached": c.segments_cached}
                for c in report.converted
            ],
            "failed": [{"input": f.source, "error": f.reason} for f in report.failed],
        })
    else:
        for c in report.converted:
            ep = c.episode
            click.echo(f"{ep.slug}: {cwd_path(project.output / ep.mp3)} "
                       f"({ep.duration_s:.1f} s, {ep.engine})")
    if report.failed:
        sys.exit(1)


@cli.command()
@json_option
@click.pass_obj
def episodes(obj: Context, as_json: bool) -> None:
    """List the episodes in the catalog, newest first."""
    project = obj.project()
    if not project.catalog_path.exists():
        rows: list[Episode] = []
    else:
        with Catalog(project.catalog_path) as catalog:
            rows = catalog.episodes()
    if as_json:
        emit_json({"episodes": [episode_json(project, e) for e in rows]})
        return
    if not rows:
        click.echo("no episodes yet; run `audioarticles convert ARTICLE`")
    for e in rows:
        click.echo(f"{e.slug}\t{e.duration_s:7.1f} s\t{e.voice}\t{e.state}\t{e.title}")


@cli.command()
@json_option
@click.pass_obj
def voices(obj: Context, as_json: bool) -> None:
    """List voice profiles, their engine, and whether each can be used here."""
    project = obj.project()
    rows = []
    for voice in load_voices(project.root).values():
        try:
            ok, reason = engine_class(voice.engine).available()
        except UserError as exc:
            ok, reason = False, str(exc)
        rows.append({"name": voice.name, "engine": voice.engine, "language": voice.language,
                     "available": ok, "reason": reason, "fallback": voice.fallback or None,
                     "description": voice.description})
    if as_json:
        emit_json({"voices": rows})
        return
    for row in rows:
        status = "available" if row["available"] else f"unavailable: {row['reason']}"
        click.echo(f"{row['name']}\t{row['engine']}\t{row['language']}\t{status}")


@cli.command()
@click.argument("url")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=15.0, show_default=True,
              help="Seconds to wait for each answer from the host.")
@click.option("--max-episodes", type=click.IntRange(min=1),
              help="Check only the first N items of the feed (the newest).")
@json_option
def doctor(url: str, timeout: float, max_episodes: int | None, as_json: bool) -> None:
    """Check a published feed where listeners fetch it; say what to fix on the host.

    Exits 1 when a finding is an error (listeners will have problems), 0 otherwise.
    """
    from audioarticles.doctor import diagnose, format_report

    report = diagnose(url, timeout=timeout, max_episodes=max_episodes)
    if as_json:
        emit_json(report.as_dict())
    else:
        click.echo(format_report(report))
    if not report.ok:
        sys.exit(1)


def main() -> None:
    try:
        cli(prog_name="audioarticles")
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): end quietly
        sys.stderr.close()
        sys.exit(0)
