"""The `audioarticles` command: parses options, calls the API (`audioarticles.api`), prints.
No work lives here: it imports nothing of the package but the API, the errors and the
progress display."""

from __future__ import annotations

import json
import signal
import sys

import click

from audioarticles import api
from audioarticles.api import Project, cwd_path
from audioarticles.errors import ArticleSkipped, UserError
from audioarticles.progress import ConsoleProgress, printable, printable_row, show_warnings


def emit_json(data: dict) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def say(message: str, err: bool = False) -> None:
    """Print one line for people: what came from pages, feeds and settings (titles, URLs,
    reasons) cannot drive the terminal (escapes, bidi overrides are shown as U+FFFD)."""
    click.echo(printable(message, keep="\t"), err=err)


class Context:
    def __init__(self, project_dir: str | None):
        self.project_dir = project_dir

    def project(self, out: str | None = None) -> Project:
        return Project.open(self.project_dir, out)


JSON_ASKED = "audioarticles.json"  # ctx.meta key: --json was on the command line


class AppGroup(click.Group):
    """Turns library errors into `error: ...` lines and the documented exit codes; with
    --json, stdout still carries one JSON object (`{"error": ...}`) when a command fails."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # noted before parsing, which may itself fail (a bad option value)
        options = args[:args.index("--")] if "--" in args else args
        ctx.meta[JSON_ASKED] = "--json" in options
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            self._json_error(ctx, str(exc))
            for line in str(exc).splitlines():  # a settings file can hold several mistakes
                say(f"error: {line}", err=True)
            ctx.exit(exc.exit_code)
        except click.ClickException as exc:
            self._json_error(ctx, exc.format_message())
            raise
        except OSError as exc:  # a write the disk refused outside the places that name it
            problem = api.storage_error(exc)
            if problem is None:
                raise
            self._json_error(ctx, str(problem))
            say(f"error: {problem}", err=True)
            ctx.exit(problem.exit_code)
        except KeyboardInterrupt:
            self._json_error(ctx, "interrupted")
            say("interrupted", err=True)
            ctx.exit(130)

    @staticmethod
    def _json_error(ctx: click.Context, message: str) -> None:
        if ctx.meta.get(JSON_ASKED):
            emit_json({"error": message})


@click.group(cls=AppGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(api.__version__, prog_name="audioarticles")
@click.option("--project", "project_dir", type=click.Path(file_okay=False),
              help="Project folder (default: the current directory).")
@click.pass_context
def cli(ctx: click.Context, project_dir: str | None) -> None:
    """Turn news articles into podcast episodes."""
    show_warnings()
    ctx.obj = Context(project_dir)


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")


def converted_line(project: Project, converted) -> str:
    """The plain line for one finished article."""
    episode = project.episode(converted.episode)
    where = cwd_path(episode.mp3_path)
    state = "" if episode.state == "published" else f" [{api.state_line(episode)}]"
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


def report_batch(report: api.Report, as_json: bool) -> None:
    """Print a batch's result (errors were printed as they happened) and exit with its code."""
    if as_json:
        emit_json(report.to_dict())
    else:
        if report.build is not None and report.converted:
            say(f"feed: {report.build.feed_url}")
        for line in summary_lines(report):
            say(line)
    if report.interrupted:
        say("interrupted: finished episodes are kept; run the same command again to "
            "continue", err=True)
        sys.exit(130)
    if report.failed:
        sys.exit(1)


def console_progress(project: Project, as_json: bool):
    """Errors, skips and warnings on stderr as they happen; without --json one line per
    finished article on stdout; a live status line when that stream is a terminal."""
    out = None if as_json else click.get_text_stream("stdout")
    err = click.get_text_stream("stderr")
    return ConsoleProgress(lambda c: converted_line(project, c), out=out, err=err,
                           status=err if as_json else out)


queue_options = [
    click.option("--queue/--no-queue", "queue", default=None,
                 help="Hand the articles to the task queue's workers (automatic when "
                      "[queue] url is set; --no-queue converts here)."),
    click.option("--wait", is_flag=True,
                 help="With the queue: follow the jobs until they finish, with the same "
                      "progress and summary as a local run."),
]


def with_queue_options(command):
    for option in reversed(queue_options):
        command = option(command)
    return command


def queued(project: Project, queue: bool | None) -> bool:
    return project.uses_queue if queue is None else queue


def report_jobs(project: Project, ids: list[str], wait: bool, as_json: bool) -> None:
    """After handing articles to the queue: follow them (--wait), or say their job ids."""
    if wait:
        report_batch(project.wait(ids, console_progress(project, as_json)), as_json)
        return
    rows = project.jobs(ids=ids)
    order = {job_id: i for i, job_id in enumerate(ids)}
    rows.sort(key=lambda job: order[job.id])
    if as_json:
        emit_json({"jobs": [job.to_dict() for job in rows]})
    else:
        for job in rows:
            say(f"{job.id}: {job.name}: {job.state}"
                + (f": {job.error}" if job.error else ""))
        say(f"{len(rows)} job{'s' if len(rows) != 1 else ''} queued; follow them with "
            "`audioarticles jobs`", err=True)
    if any(job.state == "failed" for job in rows):
        sys.exit(1)


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


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@batch_options
@with_queue_options
@click.option("--no-fallback", is_flag=True,
              help="An article its voice cannot speak fails, instead of being voiced by the "
                   "voice's fallback (e.g. fr-espeak for fr) and marked degraded.")
@click.option("--id", "explicit_id", metavar="ID",
              help="Your own id for the article (e.g. the CMS's): the episode's GUID. One "
                   "input naming one article.")
@click.pass_obj
def convert(obj: Context, inputs: tuple[str, ...], voice: str | None, jobs: int | None,
            rerender: bool, draft: bool, publish_at: str | None, force: bool, out: str | None,
            as_json: bool, queue: bool | None, wait: bool, no_fallback: bool,
            explicit_id: str | None) -> None:
    """Convert articles into episodes: files, folders (recursive: .txt, .md, .html, .htm),
    glob patterns, `-` for standard input, and http(s) URLs."""
    project = obj.project(out)
    if queued(project, queue):
        if explicit_id is not None:
            raise click.UsageError("--id converts one article here; leave out --queue")
        ids = project.submit(list(inputs), voice, rerender=rerender, draft=draft,
                             publish_at=publish_at, force=force, fallback=not no_fallback,
                             queue=True, stdin=click.get_binary_stream("stdin")
                             if "-" in inputs else None)
        report_jobs(project, ids, wait, as_json)
        return
    report = project.convert(list(inputs), voice, jobs=jobs, rerender=rerender, draft=draft,
                             publish_at=publish_at, force=force, fallback=not no_fallback,
                             id=explicit_id, progress=console_progress(project, as_json),
                             stdin=click.get_binary_stream("stdin") if "-" in inputs else None)
    report_batch(report, as_json)


@cli.command()
@click.option("--jobs", "-j", type=click.IntRange(min=1),
              help="Articles converted in parallel (default: the number of CPUs).")
@json_option
@with_queue_options
@click.pass_obj
def upgrade(obj: Context, jobs: int | None, as_json: bool, queue: bool | None,
            wait: bool) -> None:
    """Voice degraded episodes again with the voice they were meant to have, once it works
    (same GUID and slug; the feed follows)."""
    project = obj.project()
    if queued(project, queue):
        report_jobs(project, project.submit_upgrade(queue=True), wait, as_json)
        return
    report = project.upgrade(jobs=jobs, progress=console_progress(project, as_json))
    if not as_json and not (report.converted or report.failed or report.skipped):
        say("no degraded episodes")
        return
    report_batch(report, as_json)


@cli.command()
@click.argument("feed_url")
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N items of the feed.")
@batch_options
@with_queue_options
@click.pass_obj
def sync(obj: Context, feed_url: str, limit: int | None, voice: str | None, jobs: int | None,
         rerender: bool, draft: bool, publish_at: str | None, force: bool, out: str | None,
         as_json: bool, queue: bool | None, wait: bool) -> None:
    """Convert the articles of a publisher's RSS/Atom feed: new ones, changed ones again;
    unchanged ones are skipped, and an unmodified feed is not read again."""
    project = obj.project(out)
    if queued(project, queue):
        _, ids = project.submit_sync(feed_url, voice, limit=limit, rerender=rerender,
                                     draft=draft, publish_at=publish_at, force=force,
                                     queue=True)
        report_jobs(project, ids, wait, as_json)
        return
    report = project.sync(feed_url, voice, limit=limit, jobs=jobs, rerender=rerender,
                          draft=draft, publish_at=publish_at, force=force,
                          progress=console_progress(project, as_json))
    if report.feed.not_modified and not as_json:
        say(f"{feed_url}: not modified since the last sync; nothing to do")
    report_batch(report, as_json)


@cli.command()
@click.argument("names", nargs=-1, metavar="[SLUG_OR_ID]...")
@click.option("--state", "states", multiple=True, type=click.Choice(api.STATES),
              help="Only episodes in this state (repeatable).")
@json_option
@click.pass_obj
def episodes(obj: Context, names: tuple[str, ...], states: tuple[str, ...],
             as_json: bool) -> None:
    """List the episodes in the catalog (or those named), newest first."""
    rows = obj.project().episodes(state=states, slugs_or_ids=names)
    if as_json:
        emit_json({"episodes": [e.to_dict() for e in rows]})
        return
    if not rows:
        say("no episodes yet; run `audioarticles convert ARTICLE`")
    for e in rows:
        click.echo(printable_row(e.slug, f"{e.duration_s:7.1f} s", e.voice, e.state, e.title))


@cli.group("jobs", invoke_without_command=True)
@click.option("--failed", is_flag=True, help="Only failed and dead-lettered jobs.")
@click.option("--state", "states", multiple=True, type=click.Choice(api.JOB_STATES),
              help="Only jobs in this state (repeatable).")
@json_option
@click.pass_context
def jobs_command(ctx: click.Context, failed: bool, states: tuple[str, ...],
                 as_json: bool) -> None:
    """List the articles handed to the queue (or the embedded executor), newest first:
    queued, running, done, failed (a retry is scheduled), dead (dead-lettered), each with its
    article and error; `jobs retry` below."""
    if ctx.invoked_subcommand is not None:
        return
    rows = ctx.obj.project().jobs(state=("failed", "dead") if failed else states)
    if as_json:
        emit_json({"jobs": [job.to_dict() for job in rows]})
        return
    if not rows:
        say("no jobs" + (" failed" if failed else ""))
    for job in rows:
        state = f"{job.state} ({job.status})" if job.status else job.state
        click.echo(printable_row(job.id, state, f"{job.attempts} tries", job.name,
                                 job.error or job.guid))


@jobs_command.command("retry")
@click.argument("job_ids", nargs=-1, metavar="[ID]...")
@click.option("--failed", is_flag=True, help="Every failed and dead-lettered job.")
@json_option
@click.pass_obj
def jobs_retry(obj: Context, job_ids: tuple[str, ...], failed: bool, as_json: bool) -> None:
    """Run failed or dead-lettered jobs again (by id, or all with --failed)."""
    if bool(job_ids) == failed:
        raise click.UsageError("give job ids or --failed")
    retried = obj.project().retry(list(job_ids) or None, failed=failed)
    if as_json:
        emit_json({"retried": retried})
        return
    say(f"{len(retried)} job{'s' if len(retried) != 1 else ''} queued again"
        + (f": {' '.join(retried)}" if retried else ""))


@cli.command()
@click.option("--processes", "-p", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes (one per core is a good start).")
@click.option("--threads", "-t", type=click.IntRange(min=1), default=1, show_default=True,
              help="Articles each process converts at once.")
@click.option("--queues", "-Q", multiple=True, metavar="QUEUE",
              help="Only these queues: articles, publish (repeatable or comma-separated; "
                   "default: both).")
@click.pass_obj
def worker(obj: Context, processes: int, threads: int, queues: tuple[str, ...]) -> None:
    """Run workers on the project's task queue ([queue] url): they convert the articles
    `convert --queue` hands over, rebuild the feed after them and release scheduled
    episodes. Ctrl-C or SIGTERM lets the articles in flight finish, then stops."""
    names = [q for entry in queues for q in entry.split(",") if q]
    code = obj.project().run_workers(processes, threads, names or None,
                                     say=lambda message: say(message, err=True))
    sys.exit(code)


@cli.group(invoke_without_command=True)
@json_option
@click.pass_context
def voices(ctx: click.Context, as_json: bool) -> None:
    """List voice profiles, their engine, and whether each can be used here (and if not, what
    to install or download); `voices install` and `voices audition` below."""
    if ctx.invoked_subcommand is not None:
        return
    rows = ctx.obj.project().voices()
    if as_json:
        emit_json({"voices": rows})
        return
    for row in rows:
        status = "available" if row["available"] else f"unavailable: {row['reason']}"
        say(f"{row['name']}\t{row['engine']}\t{row['language']}\t{status}")


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
    installed = obj.project().install_voice_model(name, source, sha256, replace)
    if as_json:
        emit_json({"installed": installed.name, "engine": engine,
                   "model": cwd_path(installed.onnx), "config": cwd_path(installed.config),
                   "sha256": installed.sha256, "replaced": installed.replaced})
        return
    say(f"installed Piper model {installed.name} (sha256 {installed.sha256}) in "
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
    names = [n.strip() for n in voice_names.split(",") if n.strip()] if voice_names else None
    result = obj.project().audition(text, article_file, names)
    if as_json:
        emit_json({"page": cwd_path(result.page), "passage": result.passage,
                   "auditions": [t.to_dict(cwd_path) for t in result.takes]})
        return
    for take in result.takes:
        if take.mp3 is not None:
            say(f"{take.voice}\t{take.engine}\t{take.duration_s:.1f} s\t"
                f"{cwd_path(take.mp3)}")
        else:
            say(f"{take.voice}\t{take.engine}\t{take.error}")
    say(f"compare them: {cwd_path(result.page)}")


@cli.command()
@click.option("--out", type=click.Path(file_okay=False), help="Published site folder (default: output/).")
@json_option
@click.pass_obj
def build(obj: Context, out: str | None, as_json: bool) -> None:
    """Rebuild the feed, the site and the players from the catalog."""
    project = obj.project(out)
    result = project.build()
    for message in result.warnings:
        say(f"warning: {message}", err=True)
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
    say(f"{len(result.episodes)} episode(s) on the site, {result.in_feed} in the feed "
        f"({cwd_path(output)})")
    say(f"site: {cwd_path(output / 'index.html')}  "
        "(preview it at the URLs below with `audioarticles serve`)")
    say(f"feed: {result.feed_url}")
    if newest is not None:
        say(f"page: {result.page_url(newest)}")


@cli.command()
@click.argument("slug", metavar="SLUG_OR_ID")
@click.option("--iframe", is_flag=True,
              help="Print the iframe snippet instead of the script embed.")
@click.option("--readalong", is_flag=True,
              help="The embed highlights the article's paragraph being read; a click on a "
                   "paragraph plays from it.")
@click.option("--markers", is_flag=True,
              help="Read-along by markers: also list the data-audio-block=\"N\" attributes "
                   "to add to the article's paragraphs (each with its first words).")
@json_option
@click.pass_obj
def embed(obj: Context, slug: str, iframe: bool, readalong: bool, markers: bool,
          as_json: bool) -> None:
    """Print the HTML that puts an "Écouter l'article" player in an article: a script embed
    with no inline JavaScript (or, with --iframe, an iframe that takes its content's
    height)."""
    info = obj.project().embed_info(slug, readalong=readalong, markers=markers)
    if as_json:
        emit_json(info)
        return
    click.echo(printable(info["iframe" if iframe else "snippet"], keep="\n\t"))  # HTML
    if markers:
        if not info["markers"]:
            click.echo("<!-- no block markers: this episode was converted before they were "
                       "recorded; convert it again, or let read-along match paragraphs by "
                       "their text -->")
            return
        click.echo("<!-- add to the article's paragraphs: -->")
        for mark in info["markers"]:
            words = mark["starts_with"].replace("--", "- -")  # never closes the comment
            click.echo(printable(f'<!-- data-audio-block="{mark["block"]}" on the one that '
                                 f'starts « {words} » -->'))


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port on 127.0.0.1 (default: base_url's port when it is local, else 8000; 0: any free port).")
@click.option("--out", type=click.Path(file_okay=False), help="Published site folder (default: output/).")
@click.option("--drafts", is_flag=True,
              help="Also show drafts, held and scheduled episodes (a private preview, never "
                   "written to the published folder; no other web site may read it).")
@click.option("--allow-origin", "allow_origin", metavar="ORIGIN",
              help="The one web origin (https://cms.example) allowed to read the preview from "
                   "its pages (default: any for the public site, none with --drafts).")
@click.pass_obj
def serve(obj: Context, port: int | None, out: str | None, drafts: bool,
          allow_origin: str | None) -> None:
    """Preview the site and feed locally, with Range requests so seeking works."""
    preview, warnings = obj.project(out).preview(port, drafts, allow_origin)
    for message in warnings:
        say(f"warning: {message}", err=True)
    say(f"serving {cwd_path(preview.root)} at http://{preview.host}:{preview.port}/ "
        "(Ctrl-C to stop)")
    if not preview.matches_base_url:
        say(f"note: the feed's URLs point at {preview.base_url} (base_url), not at this "
            "preview", err=True)
    try:
        preview.serve_forever()
    except KeyboardInterrupt:
        say("stopped", err=True)
    finally:
        preview.close()


@cli.command()
@click.option("--force", is_flag=True,
              help="Rebuild even a catalog that opens cleanly (it is kept aside).")
@json_option
@click.pass_obj
def recover(obj: Context, force: bool, as_json: bool) -> None:
    """Rebuild a lost or damaged catalog from the published files (feed, pages, MP3 tags)."""
    result = obj.project().recover(force=force)
    for message in result.warnings:
        say(f"warning: {message}", err=True)
    if as_json:
        emit_json(result.to_dict())
        return
    aside = f"; the previous catalog is kept as {cwd_path(result.kept_aside)}" \
        if result.kept_aside else ""
    say(f"recovered {len(result.episodes)} episode(s): {result.count('published')} "
        f"published, {result.count('held')} held (their audio was not public){aside}")
    say("run `audioarticles build` to check the site; GUIDs, slugs and dates are kept")


# editorial control


def report_changes(changes: list[api.Change], as_json: bool) -> None:
    if as_json:
        emit_json({"episodes": [c.to_dict() for c in changes]})
        return
    for c in changes:
        if c.changed and c.from_state == c.episode.state:  # held again, for another reason
            why = f"; reason now: {c.episode.state_reason}" if c.episode.state_reason else ""
            say(f"{c.episode.slug}: already {c.episode.state}{why}")
        elif c.changed:
            say(f"{c.episode.slug}: {c.from_state} -> {api.state_line(c.episode)}")
        else:
            say(f"{c.episode.slug}: {c.note}")


def editor_options(command):
    command = json_option(command)
    return click.option("--by", "actor", metavar="NAME",
                        help="Who is recorded as doing this (default: $AUDIOARTICLES_EDITOR, "
                             "else your login).")(command)


@cli.command("publish")
@click.argument("slugs", nargs=-1, required=True, metavar="SLUG_OR_ID...")
@click.option("--at", "at", metavar="TIME",
              help="Schedule for TIME instead (ISO 8601; without a zone, the project's).")
@editor_options
@click.pass_obj
def publish_command(obj: Context, slugs: tuple[str, ...], at: str | None, actor: str | None,
                    as_json: bool) -> None:
    """Release episodes (drafts, held, scheduled or unpublished) to the feed and the site."""
    report_changes(obj.project().publish(slugs, by=actor, at=at), as_json)


@cli.command()
@click.argument("slugs", nargs=-1, required=True, metavar="SLUG_OR_ID...")
@click.option("--reason", required=True, help="Why it is held (recorded, shown to editors).")
@editor_options
@click.pass_obj
def hold(obj: Context, slugs: tuple[str, ...], reason: str, actor: str | None,
         as_json: bool) -> None:
    """Keep episodes out of the feed and the site until `audioarticles publish`."""
    report_changes(obj.project().hold(slugs, by=actor, reason=reason), as_json)


@cli.command()
@click.argument("slugs", nargs=-1, required=True, metavar="SLUG_OR_ID...")
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
    report_changes(obj.project().unpublish(slugs, by=actor, reason=reason, purge=purge),
                   as_json)


@cli.command()
@click.argument("slugs", nargs=-1, metavar="[SLUG_OR_ID]...")
@json_option
@click.pass_obj
def history(obj: Context, slugs: tuple[str, ...], as_json: bool) -> None:
    """The editorial audit trail: every state change, oldest first."""
    events = obj.project().history(slugs)
    if as_json:
        emit_json({"events": [e.to_dict() for e in events]})
        return
    for e in events:
        why = f" ({e.reason})" if e.reason else ""
        say(f"{e.at}\t{e.slug}\t{e.from_state or 'new'} -> {e.to_state}\t{e.actor}{why}")


@cli.command()
@click.argument("input_name", metavar="INPUT")
@click.option("--stage", type=click.Choice(api.STAGES),
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
    if changes and stage not in ("normalized", "segments"):
        raise click.UsageError("--changes lists the normaliser's rewrites: use it with "
                               "--stage normalized or --stage segments")
    project = obj.project()
    try:
        view = project.text(input_name, stage, voice, max_chars)
    except ArticleSkipped as skipped:
        say(f"skipped: {skipped}", err=True)
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
            data["max_chars"] = view.max_chars
            data["segments"] = [s.to_dict() for s in view.segments]
        emit_json(data)
        return
    if stage == "segments":
        for seg in view.segments:
            say(f"{seg.position}\t[{seg.block_kind} {seg.block}]\t{seg.written}")
            say(f"\t\t→ {seg.spoken}")
        return
    meta = article.meta
    for label, value in (("title", meta.title), ("author", meta.author), ("date", meta.date),
                         ("url", meta.canonical_url or meta.url), ("language", meta.language)):
        if value:
            say(f"# {label}: {value}")
    texts = view.spoken_blocks() if stage == "normalized" else [b.text for b in article.blocks]
    for block, block_text in zip(article.blocks, texts):
        say(f"[{block.kind}] {block_text}")


def report_rewrites(view, project: Project, as_json: bool) -> None:
    """`text --changes`: each segment's rewrites, in the order of the written text."""
    found = project.rewrites(view)
    if as_json:
        emit_json({"segments": [{**seg.to_dict(), "changes": [c.to_dict() for c in seg_changes]}
                                for seg, seg_changes in found]})
        return
    for seg, seg_changes in found:
        for change in seg_changes:
            origin = "" if change.written == change.before else f"  (written: {change.written})"
            say(f"{seg.position}:{change.start}-{change.end}\t{change.rule}\t"
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
    path, previous = obj.project().add_pronunciation(word, pronunciation)
    if as_json:
        emit_json({"word": word, "pronunciation": pronunciation, "file": str(path),
                   "replaced": previous})
    elif previous is not None:
        say(f"{path}: {word} is now read {pronunciation!r} (was {previous!r})")
    else:
        say(f"{path}: {word} is read {pronunciation!r}")


@cli.command()
@click.argument("url", required=False)
@click.option("--config", "check_config", is_flag=True,
              help="Check this project's configured parts instead (storage...): reachable, "
                   "writable, with the fix.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=15.0, show_default=True,
              help="Seconds to wait for each answer from the host.")
@click.option("--max-episodes", type=click.IntRange(min=1),
              help="Check only the first N items of the feed (the newest).")
@json_option
@click.pass_obj
def doctor(obj: Context, url: str | None, check_config: bool, timeout: float,
           max_episodes: int | None, as_json: bool) -> None:
    """Check a published feed where listeners fetch it; say what to fix on the host. With
    --config: check the project's storage (and other configured parts) instead.

    Exits 1 when a finding is an error (listeners will have problems), 0 otherwise.
    """
    if check_config:
        if url:
            raise click.UsageError("give either a feed URL or --config, not both")
        results = obj.project().config_checks()
        ok = all(r["ok"] for r in results)
        if as_json:
            emit_json({"ok": ok, "config": results})
        else:
            for r in results:
                say(f"{'ok' if r['ok'] else 'error'}: {r['part']} {r['where']}: {r['message']}")
        if not ok:
            sys.exit(1)
        return
    if not url:
        raise click.UsageError("give the feed URL to check (or --config)")
    report = api.diagnose(url, timeout=timeout, max_episodes=max_episodes)
    if as_json:
        emit_json(report.as_dict())
    else:
        click.echo(printable(api.format_diagnosis(report), keep="\n\t"))
    if not report.ok:
        sys.exit(1)


@cli.command()
@click.option("--catalog", "catalog_url", default="",
              help="Copy the catalog here: postgresql://user@host/db, or a new .sqlite file.")
@click.option("--storage", default="",
              help="Copy the public files and the site here, e.g. s3://bucket/podcast/.")
@click.option("--private", default="",
              help="With --storage: where unreleased files go, e.g. s3://bucket-private/x/.")
@click.option("--endpoint-url", default="",
              help="An S3-compatible store other than AWS (else [storage] endpoint_url or "
                   "AWS_ENDPOINT_URL).")
@json_option
@click.pass_obj
def migrate(obj: Context, catalog_url: str, storage: str, private: str, endpoint_url: str,
            as_json: bool) -> None:
    """Move the project's catalog and/or files to other backends, then check the copy (row
    counts and checksums, every file read back). The source is left as it is; point
    audioarticles.toml at the targets afterwards (the lines are printed).

    Exits 1 when a check failed.
    """
    report = obj.project().migrate(catalog=catalog_url, storage=storage, private=private,
                                   endpoint_url=endpoint_url)
    if as_json:
        emit_json(report.as_dict())
    else:
        for table, rows in report.catalog.items():
            say(f"catalog: {table}: {rows} row(s)")
        if storage:
            say(f"files: {report.files['public']} public, {report.files['private']} private "
                f"({report.bytes} bytes)")
        for problem in report.problems:
            say(f"error: {problem}", err=True)
        if report.ok:
            say("checked: counts and checksums match; now set in audioarticles.toml:")
            for line in report.settings:
                say(f"  {line}")
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
    rows = obj.project().feeds()
    if as_json:
        emit_json({"feeds": rows})
        return
    for row in rows:
        where = (f"private, {row['subscribers']} subscriber(s)" if row["private"]
                 else row["url"])
        say(f"{row['name'] or '(main)'}: {row['title']} — {row['episodes']} "
            f"episode(s) — {where}")


@feeds.group()
def token() -> None:
    """Per-subscriber addresses of private feeds."""


def print_warnings(messages: list[str]) -> None:
    for message in messages:
        say(f"warning: {message}", err=True)


@token.command("create")
@click.argument("name")
@click.option("--subscriber", default="", metavar="LABEL",
              help="Who it is for (shown by `feeds token list`; never published).")
@json_option
@click.pass_obj
def token_create(obj: Context, name: str, subscriber: str, as_json: bool) -> None:
    """A new private address for the feed NAME; the feed file is written at once."""
    grant, warnings = obj.project().create_feed_token(name, subscriber)
    print_warnings(warnings)
    if as_json:
        emit_json(grant)
        return
    say(grant["url"])
    say(f"token {grant['id']} for {grant['subscriber'] or 'a subscriber'}: give this "
        "address to them only; `audioarticles feeds token revoke "
        f"{grant['id']}` takes it back", err=True)


@token.command("list")
@click.argument("name", required=False)
@json_option
@click.pass_obj
def token_list(obj: Context, name: str | None, as_json: bool) -> None:
    """Subscribers of private feeds (of NAME only, when given)."""
    grants = obj.project().feed_tokens(name)
    if as_json:
        emit_json({"tokens": grants})
        return
    for g in grants:
        url = g["url"] or "(key file missing: revoked at next build)"
        say(f"{g['id']}  {g['feed']}  {g['subscriber'] or '-'}  {g['created_at']}  {url}")


@token.command("revoke")
@click.argument("which", metavar="ID|TOKEN|URL")
@json_option
@click.pass_obj
def token_revoke(obj: Context, which: str, as_json: bool) -> None:
    """Take a subscriber's address back; its feed file is deleted now."""
    grant, warnings = obj.project().revoke_feed_token(which)
    print_warnings(warnings)
    if as_json:
        emit_json(grant)
        return
    say(f"revoked token {grant['id']} of {grant['feed']} "
        f"({grant['subscriber'] or 'no label'})")


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
    made = obj.project().edition(day, feed, limit)
    episode, report = made.episode, made.report
    if as_json:
        emit_json(made.to_dict())
    elif episode is None:
        say(f"no published article on {report.day.isoformat()}: no edition")
    else:
        say(f"{episode.slug}: {cwd_path(episode.mp3_path)} "
            f"({episode.duration_s:.1f} s, {len(report.articles)} article(s), "
            f"{report.status})")
        say(f"feed: {made.feed_url}")
    if made.left_out:
        sys.exit(1)


@cli.command("api")
@click.option("--host", default=None, metavar="ADDRESS",
              help="Address to listen on (default: [api] host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port (default: [api] port, 8080; 0: any free port).")
@click.pass_obj
def api_command(obj: Context, host: str | None, port: int | None) -> None:
    """Serve the HTTP API a CMS calls (JSON under /v1; see docs/API.md)."""
    server = obj.project().api_server(host, port)
    if server.host not in ("127.0.0.1", "::1", "localhost"):
        say(f"warning: listening on {server.host}: reachable from the network; put TLS in "
            "front of it", err=True)
    say(f"API at {server.url} (OpenAPI: {server.url}openapi.json; Ctrl-C to stop)")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    say("stopped", err=True)


@cli.group()
def tokens() -> None:
    """Bearer tokens of the HTTP API."""


@tokens.command("create")
@click.option("--name", required=True, help="Who uses it (e.g. cms).")
@click.option("--scope", type=click.Choice(["read", "write"]), default="write",
              show_default=True, help="read: GET only; write: everything.")
@json_option
@click.pass_obj
def tokens_create(obj: Context, name: str, scope: str, as_json: bool) -> None:
    """A new token, printed once (only its hash is kept)."""
    made = obj.project().create_api_token(name, scope)
    if as_json:
        emit_json(made)
        return
    click.echo(made["token"])
    say(f"token {made['id']} ({made['name']}, {made['scope']}): shown this once; "
        f"`audioarticles tokens revoke {made['id']}` takes it back", err=True)


@tokens.command("list")
@click.option("--all", "revoked", is_flag=True, help="Revoked tokens too.")
@json_option
@click.pass_obj
def tokens_list(obj: Context, revoked: bool, as_json: bool) -> None:
    """The API's tokens (never their secret)."""
    rows = obj.project().api_tokens(revoked)
    if as_json:
        emit_json({"tokens": rows})
        return
    for row in rows:
        state = f"revoked {row['revoked_at']}" if row["revoked_at"] else \
            f"last used {row['last_used_at'] or 'never'}"
        say(f"{row['id']}  {row['name']}  {row['scope']}  created {row['created_at']}  {state}")


@tokens.command("revoke")
@click.argument("which", metavar="ID|NAME")
@json_option
@click.pass_obj
def tokens_revoke(obj: Context, which: str, as_json: bool) -> None:
    """Revoke a token now (by its id, or its name when one live token has it)."""
    row = obj.project().revoke_api_token(which)
    if as_json:
        emit_json(row)
        return
    say(f"revoked token {row['id']} ({row['name']})")


@cli.command("webhooks")
@click.option("--failed", is_flag=True, help="Only deliveries that gave up.")
@click.option("--deliver", is_flag=True, help="First send the deliveries that are due.")
@json_option
@click.pass_obj
def webhooks_command(obj: Context, failed: bool, deliver: bool, as_json: bool) -> None:
    """Webhook deliveries, newest first, with each one's last attempt."""
    project = obj.project()
    if deliver:
        project.deliver_webhooks()
    rows = project.webhook_deliveries(failed)
    if as_json:
        emit_json({"deliveries": rows})
    else:
        for row in rows:
            outcome = row["last_error"] or (f"HTTP {row['last_status']}"
                                            if row["last_status"] else "not sent yet")
            say(f"{row['created_at']}  {row['event']}  {row['guid']}  {row['status']} "
                f"after {row['attempts']} attempt(s): {outcome}")


@cli.command()
@click.option("--since", metavar="TIME", help="Only events at or after this ISO 8601 time.")
@json_option
@click.pass_obj
def stats(obj: Context, since: str | None, as_json: bool) -> None:
    """Listening per episode (from the players' events, POST /v1/events): plays,
    completion rate, average share listened."""
    rows = obj.project().listening_stats(since)
    if as_json:
        emit_json({"episodes": rows})
        return
    if not rows:
        say("no listening events yet")
    for row in rows:
        say(f"{row['slug'] or row['guid']}: {row['plays']} play(s), "
            f"{row['completion_rate']:.0%} completed, "
            f"{row['average_listened_share']:.0%} listened on average")


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
