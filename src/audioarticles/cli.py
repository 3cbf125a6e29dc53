"""The `audioarticles` command: parses options, calls the library, reports. No work lives here."""

from __future__ import annotations

import json
import os
import signal
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


def converted_line(project: Project, converted) -> str:
    """The plain line for one finished article."""
    episode = converted.episode
    where = cwd_path(project.output / episode.mp3)
    if converted.status == "unchanged":
        return f"{episode.slug}: unchanged ({where})"
    degraded = f", degraded: {episode.degraded_reason}" if episode.degraded else ""
    return f"{episode.slug}: {where} ({episode.duration_s:.1f} s, {episode.engine}{degraded})"


def summary_lines(report) -> list[str]:
    counts = report.summary()
    total = len(report.converted) + len(report.failed) + report.not_done
    line = (f"{total} article{'s' if total != 1 else ''}: {counts['converted']} converted, "
            f"{counts['unchanged']} unchanged, {counts['degraded']} degraded, "
            f"{counts['failed']} failed")
    if report.interrupted:
        line += f", {report.not_done} not done"
    return [line] + [f"  failed: {f.source}: {f.reason}" for f in report.failed]


def report_batch(project: Project, report, as_json: bool, extra: dict | None = None) -> None:
    """Print a batch's result (errors were printed as they happened) and exit with its code."""
    if as_json:
        emit_json({
            **(extra or {}),
            "episodes": [
                {**episode_json(project, c.episode),
                 "segments_synthesized": c.segments_synthesized,
                 "segments_cached": c.segments_cached,
                 "status": c.status}
                for c in report.converted
            ],
            "failed": [{"input": f.source, "error": f.reason} for f in report.failed],
            "summary": report.summary(),
        })
    else:
        for line in summary_lines(report):
            click.echo(line)
    if report.interrupted:
        click.echo("interrupted: finished episodes are kept; run the same command again to "
                   "continue", err=True)
        sys.exit(130)
    if report.failed:
        sys.exit(1)


def console_progress(project: Project, as_json: bool):
    from audioarticles.progress import ConsoleProgress

    out = None if as_json else click.get_text_stream("stdout")
    err = click.get_text_stream("stderr")
    return ConsoleProgress(lambda c: converted_line(project, c), out=out, err=err,
                           status=err if as_json else out)


def batch_options(command):
    """--voice, --jobs, --force, --out and --json, shared by convert and sync."""
    for option in reversed([
        click.option("--voice", help="Voice profile (see `audioarticles voices`)."),
        click.option("--jobs", "-j", type=click.IntRange(min=1),
                     help="Articles converted in parallel (default: the number of CPUs)."),
        click.option("--force", is_flag=True,
                     help="Render again even the articles that have not changed."),
        click.option("--out", type=click.Path(file_okay=False),
                     help="Published site folder (default: output/)."),
        json_option,
    ]):
        command = option(command)
    return command


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@batch_options
@click.pass_obj
def convert(obj: Context, inputs: tuple[str, ...], voice: str | None, jobs: int | None,
            force: bool, out: str | None, as_json: bool) -> None:
    """Convert articles into episodes: files, folders (recursive: .txt, .md, .html, .htm),
    glob patterns, `-` for standard input, and http(s) URLs."""
    from audioarticles.pipeline import convert as run_convert

    project = obj.project(out)
    report = run_convert(project, list(inputs), voice, jobs=jobs, force=force,
                         progress=console_progress(project, as_json),
                         stdin=click.get_binary_stream("stdin") if "-" in inputs else None)
    report_batch(project, report, as_json)


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


def _stop_on_sigterm(signum, frame) -> None:
    # SIGTERM (a service manager, `kill`) stops a run like Ctrl-C: cleanly, exit 130
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        cli(prog_name="audioarticles")
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): end quietly
        sys.stderr.close()
        sys.exit(0)
