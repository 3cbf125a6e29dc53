"""The `audioarticles` command: parses options, calls the library, reports. No work lives here."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from audioarticles import __version__, editorial, publish
from audioarticles.catalog import Catalog
from audioarticles.config import Settings, load_settings
from audioarticles.disclosure import Disclosure
from audioarticles.engines import engine_class
from audioarticles.errors import ArticleSkipped, UsageError, UserError
from audioarticles.fsutil import storage_error
from audioarticles.model import Episode
from audioarticles.recover import catalog_exists, open_catalog
from audioarticles.voices import load_voices


def cwd_path(path: Path) -> str:
    """A path as it opens from the current directory (the --json contract)."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def episode_json(project: Settings, episode: Episode) -> dict:
    output = editorial.files_root(project, episode)
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
        "state_reason": episode.state_reason,
        "state_by": episode.state_by,
        "state_at": episode.state_at,
        "publish_at": episode.publish_at or None,
        "degraded_reason": episode.degraded_reason,
        "intended_voice": episode.intended_voice,
        "page": cwd_path(output / publish.episode_page(episode))
        if episode.state == "published" else None,
        # what listeners are told about the voice, naming the engine ("" when turned off)
        "disclosure": Disclosure.from_project(project).written(episode.engine),
        "corrected_on": episode.meta.get("corrected_on") or None,
    }


def emit_json(data: dict) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


class Context:
    def __init__(self, project_dir: str | None):
        self.project_dir = project_dir

    def project(self, out: str | None = None) -> Settings:
        return load_settings(self.project_dir, out)


class AppGroup(click.Group):
    """Turns library errors into `error: ...` lines and the documented exit codes."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            for line in str(exc).splitlines():  # a settings file can hold several mistakes
                click.echo(f"error: {line}", err=True)
            ctx.exit(exc.exit_code)
        except OSError as exc:  # a write the disk refused outside the places that name it
            problem = storage_error(exc)
            if problem is None:
                raise
            click.echo(f"error: {problem}", err=True)
            ctx.exit(problem.exit_code)
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


def converted_line(project: Settings, converted) -> str:
    """The plain line for one finished article."""
    episode = converted.episode
    where = cwd_path(editorial.files_root(project, episode) / episode.mp3)
    state = "" if episode.state == "published" else f" [{state_line(episode)}]"
    if converted.status == "unchanged":
        return f"{episode.slug}: unchanged ({where}){state}"
    degraded = f", degraded: {episode.degraded_reason}" if episode.degraded else ""
    return (f"{episode.slug}: {where} ({episode.duration_s:.1f} s, {episode.engine}{degraded})"
            f"{state}")


def summary_lines(report) -> list[str]:
    counts = report.summary()
    total = (len(report.converted) + len(report.skipped) + len(report.failed)
             + report.not_done)
    line = (f"{total} article{'s' if total != 1 else ''}: {counts['converted']} converted, "
            f"{counts['unchanged']} unchanged, {counts['degraded']} degraded, "
            f"{counts['skipped']} skipped, {counts['failed']} failed")
    if report.interrupted:
        line += f", {report.not_done} not done"
    return [line] + [f"  failed: {f.source}: {f.reason}" for f in report.failed]


def report_batch(project: Settings, report, as_json: bool, extra: dict | None = None) -> None:
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
            "skipped": [{"input": s.source, "reason": s.reason} for s in report.skipped],
            "summary": report.summary(),
        })
    else:
        if report.build is not None and report.converted:
            click.echo(f"feed: {report.build.feed_url}")
        for line in summary_lines(report):
            click.echo(line)
    if report.interrupted:
        click.echo("interrupted: finished episodes are kept; run the same command again to "
                   "continue", err=True)
        sys.exit(130)
    if report.failed:
        sys.exit(1)


def console_progress(project: Settings, as_json: bool):
    """Errors, skips and warnings on stderr as they happen; without --json one line per
    finished article on stdout; a live status line when that stream is a terminal."""
    from audioarticles.progress import ConsoleProgress

    out = None if as_json else click.get_text_stream("stdout")
    err = click.get_text_stream("stderr")
    return ConsoleProgress(lambda c: converted_line(project, c), out=out, err=err,
                           status=err if as_json else out)


def batch_options(command):
    """The options convert and sync share: voice, parallel jobs, editorial flags, output."""
    for option in reversed([
        click.option("--voice", help="Voice profile (see `audioarticles voices`)."),
        click.option("--jobs", "-j", type=click.IntRange(min=1),
                     help="Articles converted in parallel (default: the number of CPUs)."),
        click.option("--rerender", is_flag=True,
                     help="Render again the articles that have not changed."),
        click.option("--draft", is_flag=True,
                     help="New episodes wait as drafts for `audioarticles publish`."),
        click.option("--publish-at", "publish_at", metavar="TIME",
                     help="Schedule new episodes for TIME (ISO 8601; without a zone, the "
                          "project's)."),
        click.option("--force", is_flag=True,
                     help="Convert every article again: unchanged ones are rendered again, and "
                          "articles an editor unpublished come back."),
        click.option("--out", type=click.Path(file_okay=False),
                     help="Published site folder (default: output/)."),
        json_option,
    ]):
        command = option(command)
    return command


def release_for(project: Settings, draft: bool, publish_at: str | None,
                force: bool) -> editorial.Release:
    policy = editorial.Policy.from_project(project)
    at = editorial.parse_time(publish_at, policy, "--publish-at") if publish_at else None
    return editorial.Release.for_project(project, force=force, draft=draft, publish_at=at)


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@batch_options
@click.option("--no-fallback", is_flag=True,
              help="An article its voice cannot speak fails, instead of being voiced by the "
                   "voice's fallback (e.g. fr-espeak for fr) and marked degraded.")
@click.pass_obj
def convert(obj: Context, inputs: tuple[str, ...], voice: str | None, jobs: int | None,
            rerender: bool, draft: bool, publish_at: str | None, force: bool, out: str | None,
            as_json: bool, no_fallback: bool) -> None:
    """Convert articles into episodes: files, folders (recursive: .txt, .md, .html, .htm),
    glob patterns, `-` for standard input, and http(s) URLs."""
    from audioarticles.pipeline import convert as run_convert

    project = obj.project(out)
    release = release_for(project, draft, publish_at, force)
    report = run_convert(project, list(inputs), voice, release, jobs=jobs, rerender=rerender,
                         progress=console_progress(project, as_json),
                         stdin=click.get_binary_stream("stdin") if "-" in inputs else None,
                         fallback=not no_fallback)
    report_batch(project, report, as_json)


@cli.command()
@click.option("--jobs", "-j", type=click.IntRange(min=1),
              help="Articles converted in parallel (default: the number of CPUs).")
@json_option
@click.pass_obj
def upgrade(obj: Context, jobs: int | None, as_json: bool) -> None:
    """Voice degraded episodes again with the voice they were meant to have, once it works
    (same GUID and slug; the feed follows)."""
    from audioarticles.pipeline import upgrade as run_upgrade

    project = obj.project()
    report = run_upgrade(project, jobs=jobs, progress=console_progress(project, as_json))
    if not as_json and not (report.converted or report.failed or report.skipped):
        click.echo("no degraded episodes")
        return
    report_batch(project, report, as_json)


@cli.command()
@click.argument("feed_url")
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N items of the feed.")
@batch_options
@click.pass_obj
def sync(obj: Context, feed_url: str, limit: int | None, voice: str | None, jobs: int | None,
         rerender: bool, draft: bool, publish_at: str | None, force: bool, out: str | None,
         as_json: bool) -> None:
    """Convert the articles of a publisher's RSS/Atom feed: new ones, changed ones again;
    unchanged ones are skipped, and an unmodified feed is not read again."""
    from audioarticles.pipeline import sync as run_sync

    project = obj.project(out)
    release = release_for(project, draft, publish_at, force)
    info, report = run_sync(project, feed_url, voice, release, limit=limit, jobs=jobs,
                            rerender=rerender, progress=console_progress(project, as_json))
    if info.not_modified and not as_json:
        click.echo(f"{feed_url}: not modified since the last sync; nothing to do")
    report_batch(project, report, as_json, extra={"feed": info.to_dict()})


def state_line(episode: Episode) -> str:
    """`held: reason`, `scheduled for TIME`, `published`..."""
    if episode.state == editorial.SCHEDULED:
        return f"scheduled for {episode.publish_at}"
    return f"{episode.state}: {episode.state_reason}" if episode.state_reason else episode.state


@cli.command()
@click.option("--state", "states", multiple=True, type=click.Choice(editorial.STATES),
              help="Only episodes in this state (repeatable).")
@json_option
@click.pass_obj
def episodes(obj: Context, states: tuple[str, ...], as_json: bool) -> None:
    """List the episodes in the catalog, newest first."""
    project = obj.project()
    if not catalog_exists(project):
        rows: list[Episode] = []
    else:
        with open_catalog(project) as catalog:
            rows = catalog.episodes(states=states or None)
    if as_json:
        emit_json({"episodes": [episode_json(project, e) for e in rows]})
        return
    if not rows:
        click.echo("no episodes yet; run `audioarticles convert ARTICLE`")
    for e in rows:
        click.echo(f"{e.slug}\t{e.duration_s:7.1f} s\t{e.voice}\t{e.state}\t{e.title}")


@cli.group(invoke_without_command=True)
@json_option
@click.pass_context
def voices(ctx: click.Context, as_json: bool) -> None:
    """List voice profiles, their engine, and whether each can be used here (and if not, what
    to install or download); `voices install` and `voices audition` below."""
    if ctx.invoked_subcommand is not None:
        return
    project = ctx.obj.project()
    rows = []
    for voice in load_voices(project.root).values():
        try:
            engine = engine_class(voice.engine)
            ok, reason = engine.available()
            if ok:
                reason = engine.voice_problem(voice, project.root)
                ok = not reason
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


@voices.command("install")
@click.argument("engine", type=click.Choice(["piper"]))
@click.argument("name")
@click.option("--from", "source", required=True, metavar="PATH|URL",
              help="The folder holding NAME.onnx and NAME.onnx.json, the .onnx file, or its URL.")
@click.option("--sha256", default="", metavar="HEX", help="The model file's expected SHA-256.")
@click.option("--replace", is_flag=True, help="Replace an installed model of that name.")
@json_option
@click.pass_obj
def voices_install(obj: Context, engine: str, name: str, source: str, sha256: str,
                   replace: bool, as_json: bool) -> None:
    """Check a Piper model and install it into the project's voices/models/."""
    from audioarticles.engines.piper_models import install

    project = obj.project()
    installed = install(project.root, name, source, sha256, replace)
    if as_json:
        emit_json({"installed": installed.name, "engine": engine,
                   "model": cwd_path(installed.onnx), "config": cwd_path(installed.config),
                   "sha256": installed.sha256, "replaced": installed.replaced})
        return
    click.echo(f"installed Piper model {installed.name} (sha256 {installed.sha256}) in "
               f"{cwd_path(installed.onnx.parent)}; a profile uses it with "
               f"[options] model = \"{installed.name}\"")


@voices.command("audition")
@click.argument("text", required=False, default="")
@click.option("--article", "article_file", metavar="FILE",
              help="Read the start of this article instead of TEXT.")
@click.option("--voices", "voice_names", metavar="NAMES",
              help="Comma-separated voices (default: every voice usable here).")
@json_option
@click.pass_obj
def voices_audition(obj: Context, text: str, article_file: str | None, voice_names: str | None,
                    as_json: bool) -> None:
    """Voice the same passage with each voice into output/auditions/, with a page to compare."""
    from audioarticles.audition import audition
    from audioarticles.sources import Reader

    project = obj.project()
    if text and article_file:
        raise UsageError("give TEXT or --article FILE, not both")
    article = None
    if article_file:
        [source] = Reader(project).expand([article_file])
        if isinstance(source, UserError):
            raise source
        article = source.load()
    names = [n.strip() for n in voice_names.split(",") if n.strip()] if voice_names else None
    result = audition(project, text, article, names)
    if as_json:
        emit_json({"page": cwd_path(result.page), "passage": result.passage,
                   "auditions": [t.to_dict(cwd_path) for t in result.takes]})
        return
    for take in result.takes:
        if take.mp3 is not None:
            click.echo(f"{take.voice}\t{take.engine}\t{take.duration_s:.1f} s\t"
                       f"{cwd_path(take.mp3)}")
        else:
            click.echo(f"{take.voice}\t{take.engine}\t{take.error}")
    click.echo(f"compare them: {cwd_path(result.page)}")


@cli.command()
@click.option("--out", type=click.Path(file_okay=False), help="Published site folder (default: output/).")
@json_option
@click.pass_obj
def build(obj: Context, out: str | None, as_json: bool) -> None:
    """Rebuild the feed, the site and the players from the catalog."""
    project = obj.project(out)
    with changing_catalog(project) as catalog:
        result = publish.rebuild(project, catalog)
    for message in result.warnings:
        click.echo(f"warning: {message}", err=True)
    output = project.output
    newest = result.episodes[0] if result.episodes else None
    if as_json:
        emit_json({
            "feed": cwd_path(result.feed),
            "feed_url": result.feed_url,
            "site": cwd_path(output / "index.html"),
            "episodes": len(result.episodes),
            "in_feed": result.in_feed,
            "page_url": result.page_url(newest) if newest else None,
        })
        return
    click.echo(f"{len(result.episodes)} episode(s) on the site, {result.in_feed} in the feed "
               f"({cwd_path(output)})")
    click.echo(f"site: {cwd_path(output / 'index.html')}  "
               "(preview it at the URLs below with `audioarticles serve`)")
    click.echo(f"feed: {result.feed_url}")
    if newest is not None:
        click.echo(f"page: {result.page_url(newest)}")


@cli.command()
@click.argument("slug")
@json_option
@click.pass_obj
def embed(obj: Context, slug: str, as_json: bool) -> None:
    """Print the HTML snippet that puts an "Écouter l'article" player in an article."""
    project = obj.project()
    channel = publish.check_settings(project)
    with editor_catalog(project) as catalog:
        episode = publish.published_episode(catalog, slug)
    snippet = publish.embed_snippet(channel, episode)
    if as_json:
        emit_json({"slug": slug, "snippet": snippet,
                   "embed_url": channel.url(publish.embed_page(episode)),
                   "page_url": channel.url(publish.episode_page(episode))})
    else:
        click.echo(snippet)


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port on 127.0.0.1 (default: base_url's port when it is local, else 8000; 0: any free port).")
@click.option("--out", type=click.Path(file_okay=False), help="Published site folder (default: output/).")
@click.option("--drafts", is_flag=True,
              help="Also show drafts, held and scheduled episodes (a private preview, never "
                   "written to the published folder).")
@click.pass_obj
def serve(obj: Context, port: int | None, out: str | None, drafts: bool) -> None:
    """Preview the site and feed locally, with Range requests so seeking works."""
    from urllib.parse import urlsplit

    from audioarticles.publish.serve import HOST, make_server

    project = obj.project(out)
    if catalog_exists(project):
        with open_catalog(project) as catalog:
            for message in publish.rebuild(project, catalog).warnings:
                click.echo(f"warning: {message}", err=True)
            if drafts:
                for message in publish.write_preview(project, catalog).warnings:
                    click.echo(f"warning: {message}", err=True)
    if not project.output.is_dir():
        raise UserError(f"{cwd_path(project.output)}: nothing to serve yet; "
                        "run `audioarticles convert ARTICLE` first")
    base = urlsplit(project.section("podcast")["base_url"])
    if port is None:
        port = base.port if base.hostname in ("127.0.0.1", "localhost") and base.port else 8000
    if drafts:
        root = publish.preview_dir(project)
        server = make_server(root, port, behind=(project.unreleased_dir, project.output))
    else:
        root = project.output
        server = make_server(root, port)
    actual = server.server_address[1]
    click.echo(f"serving {cwd_path(root)} at http://{HOST}:{actual}/ (Ctrl-C to stop)")
    if base.hostname not in ("127.0.0.1", "localhost") or base.port != actual:
        click.echo(f"note: the feed's URLs point at {base.geturl()} (base_url), not at this preview",
                   err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.server_close()


@cli.command()
@click.option("--force", is_flag=True,
              help="Rebuild even a catalog that opens cleanly (it is kept aside).")
@json_option
@click.pass_obj
def recover(obj: Context, force: bool, as_json: bool) -> None:
    """Rebuild a lost or damaged catalog from the published files (feed, pages, MP3 tags)."""
    from audioarticles.recover import recover as rebuild_catalog

    project = obj.project()
    result = rebuild_catalog(project, force=force)
    for message in result.warnings:
        click.echo(f"warning: {message}", err=True)
    if as_json:
        emit_json({"episodes": [episode_json(project, e) for e in result.episodes],
                   "published": result.count("published"), "held": result.count("held"),
                   "retired_files": len(result.retired),
                   "kept_aside": cwd_path(result.kept_aside) if result.kept_aside else None})
        return
    aside = f"; the previous catalog is kept as {cwd_path(result.kept_aside)}" \
        if result.kept_aside else ""
    click.echo(f"recovered {len(result.episodes)} episode(s): {result.count('published')} "
               f"published, {result.count('held')} held (their audio was not public){aside}")
    click.echo("run `audioarticles build` to check the site; GUIDs, slugs and dates are kept")


# editorial control


def editor_catalog(project: Settings) -> Catalog:
    if not catalog_exists(project):
        raise UserError("no episodes yet; run `audioarticles convert ARTICLE` first")
    return open_catalog(project)


@contextlib.contextmanager
def changing_catalog(project: Settings) -> Iterator[Catalog]:
    """The catalog of a command that changes the project (and rebuilds the site): one such
    command at a time, so it never interleaves with a conversion run."""
    from audioarticles.lock import run_lock

    if not catalog_exists(project):
        editor_catalog(project)  # the same "no episodes yet" error
    with run_lock(project), open_catalog(project) as catalog:
        yield catalog


def report_changes(project: Settings, changes: list[editorial.Change], as_json: bool) -> None:
    if as_json:
        emit_json({"episodes": [{**episode_json(project, c.episode), "from_state": c.from_state,
                                 "changed": c.changed} for c in changes]})
        return
    for c in changes:
        if c.changed:
            click.echo(f"{c.episode.slug}: {c.from_state} -> {state_line(c.episode)}")
        else:
            click.echo(f"{c.episode.slug}: {c.note}")


def editor_options(command):
    command = json_option(command)
    return click.option("--by", "actor", metavar="NAME",
                        help="Who is recorded as doing this (default: $AUDIOARTICLES_EDITOR, "
                             "else your login).")(command)


@cli.command("publish")
@click.argument("slugs", nargs=-1, required=True)
@click.option("--at", "at", metavar="TIME",
              help="Schedule for TIME instead (ISO 8601; without a zone, the project's).")
@editor_options
@click.pass_obj
def publish_command(obj: Context, slugs: tuple[str, ...], at: str | None, actor: str | None,
                    as_json: bool) -> None:
    """Release episodes (drafts, held, scheduled or unpublished) to the feed and the site."""
    project = obj.project()
    when = editorial.parse_time(at, editorial.Policy.from_project(project)) if at else None
    with changing_catalog(project) as catalog:
        changes = editorial.publish_episodes(project, catalog, slugs,
                                             actor or editorial.default_actor(), when)
    report_changes(project, changes, as_json)


@cli.command()
@click.argument("slugs", nargs=-1, required=True)
@click.option("--reason", required=True, help="Why it is held (recorded, shown to editors).")
@editor_options
@click.pass_obj
def hold(obj: Context, slugs: tuple[str, ...], reason: str, actor: str | None,
         as_json: bool) -> None:
    """Keep episodes out of the feed and the site until `audioarticles publish`."""
    project = obj.project()
    with changing_catalog(project) as catalog:
        changes = editorial.hold_episodes(project, catalog, slugs,
                                          actor or editorial.default_actor(), reason)
    report_changes(project, changes, as_json)


@cli.command()
@click.argument("slugs", nargs=-1, required=True)
@click.option("--reason", required=True, help="Why it is taken down (recorded).")
@click.option("--purge", is_flag=True,
              help="Delete its audio and transcripts instead of retiring them privately.")
@editor_options
@click.pass_obj
def unpublish(obj: Context, slugs: tuple[str, ...], reason: str, purge: bool,
              actor: str | None, as_json: bool) -> None:
    """Take episodes down from the feed, the site and the embeds, for good.

    Their articles are tombstoned: a later convert or sync skips them unless --force.
    """
    project = obj.project()
    with changing_catalog(project) as catalog:
        changes = editorial.unpublish_episodes(project, catalog, slugs,
                                               actor or editorial.default_actor(), reason, purge)
    report_changes(project, changes, as_json)


@cli.command()
@click.argument("slugs", nargs=-1)
@json_option
@click.pass_obj
def history(obj: Context, slugs: tuple[str, ...], as_json: bool) -> None:
    """The editorial audit trail: every state change, oldest first."""
    project = obj.project()
    if not catalog_exists(project):
        events = []
    else:
        with open_catalog(project) as catalog:
            if slugs:
                events = [e for ep in editorial.find_episodes(catalog, slugs)
                          for e in catalog.events(ep.guid)]
            else:
                events = catalog.events()
    if as_json:
        emit_json({"events": [e.to_dict() for e in events]})
        return
    for e in events:
        why = f" ({e.reason})" if e.reason else ""
        click.echo(f"{e.at}\t{e.slug}\t{e.from_state or 'new'} -> {e.to_state}\t{e.actor}{why}")


@cli.command()
@click.argument("input_name", metavar="INPUT")
@click.option("--stage", type=click.Choice(["extract", "clean", "normalized", "segments"]),
              default="normalized", show_default=True, help="How far to take the text.")
@click.option("--voice", help="Voice profile whose engine sets the segment length limit.")
@click.option("--max-chars", type=click.IntRange(min=20),
              help="Segment length limit (default: the voice engine's).")
@click.option("--changes", is_flag=True,
              help="List every rewrite of the normaliser: written → spoken, rule, position.")
@json_option
@click.pass_obj
def text(obj: Context, input_name: str, stage: str, voice: str | None, max_chars: int | None,
         changes: bool, as_json: bool) -> None:
    """Show what will be read, at one stage, with block types (no synthesis)."""
    from audioarticles.engines import engine_class
    from audioarticles.pipeline import text_at_stage
    from audioarticles.voices import get_voice

    if changes and stage not in ("normalized", "segments"):
        raise click.UsageError("--changes lists the normaliser's rewrites: use it with "
                               "--stage normalized or --stage segments")
    project = obj.project()
    if max_chars is None:
        profile = get_voice(voice or project.section("voice")["default"], project.root)
        max_chars = engine_class(profile.engine).max_chars
    try:
        view = text_at_stage(project, input_name, stage, max_chars)
    except ArticleSkipped as skipped:
        click.echo(f"skipped: {skipped}", err=True)
        return
    article = view.article
    if changes:
        report_rewrites(view, project, as_json)
        return
    if as_json:
        blocks = [{"index": i, "kind": b.kind, "text": b.text} for i, b in enumerate(article.blocks)]
        data: dict = {"input": input_name, "stage": stage, "meta": article.to_dict()["meta"],
                      "blocks": blocks}
        if view.segments:
            for block, spoken in zip(blocks, view.spoken_blocks()):
                block["spoken"] = spoken
            data["max_chars"] = max_chars
            data["segments"] = [s.to_dict() for s in view.segments]
        emit_json(data)
        return
    if stage == "segments":
        for seg in view.segments:
            click.echo(f"{seg.position}\t[{seg.block_kind} {seg.block}]\t{seg.written}")
            click.echo(f"\t\t→ {seg.spoken}")
        return
    meta = article.meta
    for label, value in (("title", meta.title), ("author", meta.author), ("date", meta.date),
                         ("url", meta.canonical_url or meta.url), ("language", meta.language)):
        if value:
            click.echo(f"# {label}: {value}")
    texts = view.spoken_blocks() if stage == "normalized" else [b.text for b in article.blocks]
    for block, block_text in zip(article.blocks, texts):
        click.echo(f"[{block.kind}] {block_text}")


def report_rewrites(view, project: Settings, as_json: bool) -> None:
    """`text --changes`: each segment's rewrites, in the order of the written text."""
    from audioarticles.normalise import explain

    language = view.article.meta.language or project.section("podcast")["language"]
    found = [(seg, sorted(explain(seg.written, language, project.root), key=lambda c: c.start))
             for seg in view.segments]
    if as_json:
        emit_json({"segments": [{**seg.to_dict(), "changes": [c.to_dict() for c in seg_changes]}
                                for seg, seg_changes in found]})
        return
    for seg, seg_changes in found:
        for change in seg_changes:
            origin = "" if change.written == change.before else f"  (written: {change.written})"
            click.echo(f"{seg.position}:{change.start}-{change.end}\t{change.rule}\t"
                       f"{change.before} → {change.after}{origin}")


@cli.group()
def lexicon() -> None:
    """The project's pronunciation lexicon (lexicon.toml)."""


@lexicon.command("add")
@click.argument("word")
@click.argument("pronunciation")
@json_option
@click.pass_obj
def lexicon_add(obj: Context, word: str, pronunciation: str, as_json: bool) -> None:
    """Say WORD as PRONUNCIATION from now on (written to lexicon.toml's [say] table)."""
    from audioarticles.normalise.fr.lexicon import add_say_entry

    path, previous = add_say_entry(obj.project().root, word, pronunciation)
    if as_json:
        emit_json({"word": word, "pronunciation": pronunciation, "file": str(path),
                   "replaced": previous})
    elif previous is not None:
        click.echo(f"{path}: {word} is now read {pronunciation!r} (was {previous!r})")
    else:
        click.echo(f"{path}: {word} is read {pronunciation!r}")


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


# feeds beside the main one, and the daily edition


@cli.group()
def feeds() -> None:
    """Section, author and private feeds ([[feeds]] in audioarticles.toml)."""


@feeds.command("list")
@json_option
@click.pass_obj
def feeds_list(obj: Context, as_json: bool) -> None:
    """Every feed the build writes, with its address and how many episodes it selects."""
    from audioarticles.publish import private, sections

    project = obj.project()
    channel = publish.check_settings(project)
    specs = sections.feed_specs(project)
    published: list[Episode] = []
    grants: list = []
    if catalog_exists(project):
        with open_catalog(project) as catalog:
            published = catalog.published()
            grants = private.grants(project, catalog)
    rows = [{"name": "", "title": channel.title, "url": channel.feed_url, "private": False,
             "episodes": len(published), "subscribers": 0}]
    for spec in specs:
        rows.append({"name": spec.name, "title": spec.title,
                     "url": None if spec.private else channel.url(spec.path),
                     "private": spec.private,
                     "episodes": sum(sections.selects(spec, e) for e in published),
                     "subscribers": sum(g.feed == spec.name for g in grants)})
    if as_json:
        emit_json({"feeds": rows})
        return
    for row in rows:
        where = (f"private, {row['subscribers']} subscriber(s)" if row["private"]
                 else row["url"])
        click.echo(f"{row['name'] or '(main)'}: {row['title']} — {row['episodes']} "
                   f"episode(s) — {where}")


@feeds.group()
def token() -> None:
    """Per-subscriber addresses of private feeds."""


def grant_json(channel, grant) -> dict:
    return {"id": grant.id, "feed": grant.feed, "subscriber": grant.subscriber,
            "created_at": grant.created_at,
            "url": channel.url(grant.path) if grant.path else None}


@token.command("create")
@click.argument("name")
@click.option("--subscriber", default="", metavar="LABEL",
              help="Who it is for (shown by `feeds token list`; never published).")
@json_option
@click.pass_obj
def token_create(obj: Context, name: str, subscriber: str, as_json: bool) -> None:
    """A new private address for the feed NAME; the feed file is written at once."""
    from audioarticles.publish import private

    project = obj.project()
    channel = publish.check_settings(project)
    project.state_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        from audioarticles.lock import run_lock

        stack.enter_context(run_lock(project))
        catalog = stack.enter_context(open_catalog(project))
        grant = private.create_token(project, catalog, name, subscriber)
        result = publish.rebuild(project, catalog)
    for message in result.warnings:
        click.echo(f"warning: {message}", err=True)
    if as_json:
        emit_json(grant_json(channel, grant))
        return
    click.echo(f"{channel.url(grant.path)}")
    click.echo(f"token {grant.id} for {grant.subscriber or 'a subscriber'}: give this address "
               "to them only; `audioarticles feeds token revoke "
               f"{grant.id}` takes it back", err=True)


@token.command("list")
@click.argument("name", required=False)
@json_option
@click.pass_obj
def token_list(obj: Context, name: str | None, as_json: bool) -> None:
    """Subscribers of private feeds (of NAME only, when given)."""
    from audioarticles.publish import private

    project = obj.project()
    channel = publish.check_settings(project)
    grants = []
    if catalog_exists(project):
        with open_catalog(project) as catalog:
            grants = private.grants(project, catalog, name)
    if as_json:
        emit_json({"tokens": [grant_json(channel, g) for g in grants]})
        return
    for g in grants:
        url = channel.url(g.path) if g.path else "(key file missing: revoked at next build)"
        click.echo(f"{g.id}  {g.feed}  {g.subscriber or '-'}  {g.created_at}  {url}")


@token.command("revoke")
@click.argument("which", metavar="ID|TOKEN|URL")
@json_option
@click.pass_obj
def token_revoke(obj: Context, which: str, as_json: bool) -> None:
    """Take a subscriber's address back; its feed file is deleted now."""
    from audioarticles.publish import private

    project = obj.project()
    channel = publish.check_settings(project)
    with changing_catalog(project) as catalog:
        grant = private.revoke(catalog, which)
        result = publish.rebuild(project, catalog)
    for message in result.warnings:
        click.echo(f"warning: {message}", err=True)
    if as_json:
        emit_json({**grant_json(channel, grant), "revoked": True})
        return
    click.echo(f"revoked token {grant.id} of {grant.feed} ({grant.subscriber or 'no label'})")


def parse_day(value: str | None):
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--date {value!r}: not a day; write it as YYYY-MM-DD") from None


@cli.command()
@click.option("--date", "day", metavar="YYYY-MM-DD",
              help="The day whose articles it gathers (default: today in the podcast's zone).")
@click.option("--feed", "feed", default="", metavar="NAME",
              help="Only the articles of this [[feeds]] entry (a section's edition).")
@click.option("--limit", type=click.IntRange(min=1), help="At most N articles, the first published.")
@json_option
@click.pass_obj
def edition(obj: Context, day: str | None, feed: str, limit: int | None, as_json: bool) -> None:
    """One episode of the day's published articles, each introduced by its title, with a
    chapter per article; reassembled from the segment cache, not voiced again."""
    from audioarticles.publish import edition as editions

    project = obj.project()
    publish.check_settings(project)
    when = parse_day(day)
    warn = (lambda message: click.echo(f"warning: {message}", err=True))
    with changing_catalog(project) as catalog:
        report = editions.make_edition(project, catalog, when, feed, limit, warn=warn)
        result = publish.rebuild(project, catalog) if report.episode else None
    for message in (result.warnings if result else []):
        warn(message)
    episode = report.episode
    feed_url = publish.channel_settings(project).url(editions.edition_feed_path(feed))
    if as_json:
        emit_json({"status": report.status, "date": report.day.isoformat(), "feed": feed or None,
                   "feed_url": feed_url if episode else None,
                   "episode": {**episode_json(project, episode), "page": None} if episode
                   else None,
                   "articles": [a.slug for a in report.articles],
                   "left_out": report.left_out, "segments_synthesized": report.synthesized,
                   "segments_cached": report.cached})
    elif episode is None:
        click.echo(f"no published article on {report.day.isoformat()}: no edition")
    else:
        click.echo(f"{episode.slug}: {cwd_path(project.output / episode.mp3)} "
                   f"({episode.duration_s:.1f} s, {len(report.articles)} article(s), "
                   f"{report.status})")
        click.echo(f"feed: {feed_url}")
    if report.left_out:
        sys.exit(1)


def _stop_on_sigterm(signum, frame) -> None:
    # SIGTERM (a service manager, `kill`) stops a command like Ctrl-C: cleanly, exit 130
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        cli(prog_name="audioarticles")
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): end quietly
        sys.stderr.close()
        sys.exit(0)
