"""Auditions: the same passage voiced by each usable voice, side by side, for an editor choosing
the house voice.

`audition(project, text=..., article=..., voices=[...])` writes `output/auditions/<voice>.mp3`
(normalised, paused, levelled and encoded like an episode, without intro, outro or tags) and
`output/auditions/index.html`, a page with one player per voice and the passage. A voice that
cannot be used here is listed with the reason, never replaced by its fallback: the point is
to hear each one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from audioarticles.assemble import Piece, assemble
from audioarticles.config import Settings
from audioarticles.engines import engine_class, get_engine
from audioarticles.errors import UsageError, UserError
from audioarticles.model import Article, ArticleMeta, Block, Segment
from audioarticles.store import ProjectStore
from audioarticles.store.atomic import atomic_path, atomic_write_text
from audioarticles.store.segment_cache import SegmentCache
from audioarticles.synthesise import synthesise
from audioarticles.voices import Voice, load_voices

#: a passage with what French voices get wrong: numbers, abbreviations, names, a quote
DEFAULT_PASSAGE = (
    "Le conseil municipal a adopté hier soir un budget de 12,5 millions d’euros, en hausse "
    "de 3 % sur un an. « C’est un budget de responsabilité », a déclaré M. Lefèvre, "
    "adjoint aux finances, avant le vote du 1er mars.")
#: characters of an article the audition reads (whole sentences, at least one)
PASSAGE_CHARS = 500
FOLDER = "auditions"


@dataclass
class Take:
    """One voice's audition: its file, or why there is none."""

    voice: str
    engine: str
    description: str = ""
    mp3: Path | None = None
    duration_s: float = 0.0
    seconds: float = 0.0  # wall time to voice and encode it
    error: str = ""
    words: bool = False  # the engine gave word timings

    def to_dict(self, relative) -> dict:
        return {"voice": self.voice, "engine": self.engine, "description": self.description,
                "mp3": relative(self.mp3) if self.mp3 else None,
                "duration_s": round(self.duration_s, 3), "seconds": round(self.seconds, 3),
                "word_timings": self.words, "error": self.error or None}


@dataclass
class Audition:
    passage: str
    page: Path
    takes: list[Take] = field(default_factory=list)


def usable(voice: Voice, project: Settings) -> str:
    """"" when the voice can be used here, else why not."""
    try:
        engine = engine_class(voice.engine)
    except UserError as exc:
        return str(exc)
    ok, reason = engine.available()
    return engine.voice_problem(voice, project.root) if ok else reason


def passage_segments(project: Settings, text: str = "",
                     article: Article | None = None) -> list[Segment]:
    """The passage's segments: the text given, else the start of the article, else ours."""
    from audioarticles.pipeline import prepare

    if article is None:
        meta = ArticleMeta(title="", source="audition")
        article = Article(meta, [Block("paragraph", " ".join((text or DEFAULT_PASSAGE).split()))])
    _, segments = prepare(article, project, 1000)
    chosen, length = [], 0
    for seg in segments:
        if chosen and length + len(seg.written) > PASSAGE_CHARS:
            break
        chosen.append(seg)
        length += len(seg.written)
    return chosen


def audition(project: Settings, text: str = "", article: Article | None = None,
             voices: list[str] | None = None) -> Audition:
    """Voice the passage with each voice named (default: every usable one), write the files
    and the comparison page; one voice failing never stops the others."""
    available = load_voices(project.root)
    if voices:
        unknown = [name for name in voices if name not in available]
        if unknown:
            raise UsageError(f"unknown voice(s) {', '.join(unknown)}; valid voices: "
                             f"{', '.join(sorted(available))} (see `audioarticles voices`)")
        chosen = [available[name] for name in voices]
    else:
        chosen = [v for v in available.values() if not usable(v, project)]
    segments = passage_segments(project, text, article)
    store = ProjectStore(project)
    folder = store.local_site / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    cache = store.segment_cache()
    result = Audition(" ".join(s.written for s in segments), folder / "index.html")
    for voice in chosen:
        take = Take(voice.name, voice.engine, voice.description)
        result.takes.append(take)
        problem = usable(voice, project)
        if problem:
            take.error = f"not available here: {problem}"
            continue
        started = time.perf_counter()
        try:
            take.mp3, take.duration_s, take.words = _voice(project, voice, segments, folder,
                                                           cache)
        except UserError as exc:
            take.error = "failed: " + " ".join(str(exc).split())
        take.seconds = time.perf_counter() - started
    atomic_write_text(result.page, page_html(result))
    return result


def _voice(project: Settings, voice: Voice, segments: list[Segment], folder: Path,
           cache: SegmentCache) -> tuple[Path, float, bool]:
    from audioarticles.render import Production

    production = Production.from_project(project, voice)
    engine = get_engine(voice.engine, **project.section(voice.engine))
    try:
        engine.bind_project(project.root)
        voiced = synthesise(segments, voice, engine, cache)
    finally:
        engine.close()
    pieces = [Piece(seg.block_kind, source, seg) for seg, source in zip(segments, voiced.sources)]
    target = folder / f"{voice.name}.mp3"
    with atomic_path(target) as tmp:
        assembly = assemble(pieces, tmp, production.pauses, production.mastering)
    return target, assembly.duration_s, any(entry.words for entry in assembly.timeline)


def page_html(result: Audition) -> str:
    rows = []
    for take in result.takes:
        if take.mp3 is not None:
            player = (f'<audio controls preload="none" src="{escape(take.mp3.name)}"></audio>'
                      f'<br><small>{take.duration_s:.1f} s of audio, voiced and encoded in '
                      f'{take.seconds:.1f} s{"; word timings" if take.words else ""}</small>')
        else:
            player = f'<span class="unavailable">{escape(take.error)}</span>'
        rows.append(f"<tr><th scope=\"row\">{escape(take.voice)}<br><small>"
                    f"{escape(take.engine)}</small></th><td>{escape(take.description)}</td>"
                    f"<td>{player}</td></tr>")
    return f"""<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Auditions des voix</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
blockquote {{ border-left: 4px solid #999; margin: 1rem 0; padding: .5rem 1rem; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ccc; padding: .75rem .5rem; text-align: left; vertical-align: top; }}
audio {{ width: 100%; max-width: 28rem; }}
.unavailable {{ color: #8a2a00; }}
</style>
</head>
<body>
<h1>Auditions des voix</h1>
<p>Le même passage, lu par chaque voix :</p>
<blockquote>{escape(result.passage)}</blockquote>
<table>
<thead><tr><th scope="col">Voix</th><th scope="col">Description</th><th scope="col">Écouter</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</body>
</html>
"""
