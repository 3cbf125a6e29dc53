"""Helpers for the publishing tests: small projects converted with the offline voice, the
companion files (VTT, SRT, JSON chapters) an episode can carry, and a local server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

from conftest import free_port, make_runner  # noqa: F401 (free_port: for the publishing tests)

from audioarticles.config import load_settings
from audioarticles.store import open_catalog
from audioarticles.store.recover import parse_vtt
from audioarticles.cli import cli

SHORT_ARTICLE = """Le conseil municipal adopte le budget de la ville
Le conseil municipal a adopté mardi soir le budget de la ville pour l’année prochaine.
Les débats ont duré près de trois heures.
La majorité a salué un budget prudent ; l’opposition a voté contre.
"""

SECOND_ARTICLE = """La médiathèque rouvre ses portes après travaux
Après huit mois de travaux, la médiathèque du centre-ville rouvre samedi.
Les horaires sont élargis le mercredi et le samedi.
"""


def interrupt(process: subprocess.Popen) -> int:
    """Stop a running `audioarticles serve` as a user does (Ctrl-C); its exit code."""
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()


def write_config(root: Path, base_url: str, extra: str = "") -> None:
    (root / "audioarticles.toml").write_text(
        f'[podcast]\ntitle = "La Gazette à écouter"\npublication = "La Gazette"\n'
        f'base_url = "{base_url}"\nowner_email = "radio@example.org"\n{extra}\n',
        encoding="utf-8")


def make_project(root: Path, base_url: str, articles: dict[str, str], extra: str = "") -> dict:
    """A project with `articles` (file name -> text) converted with fr-espeak, one per run
    so each has its own date; returns {file name: episode JSON}."""
    root.mkdir(parents=True, exist_ok=True)
    write_config(root, base_url, extra)
    (root / "articles").mkdir(exist_ok=True)
    episodes = {}
    for name, text in articles.items():
        (root / "articles" / name).write_text(text, encoding="utf-8")
        episodes[name] = convert(root, root / "articles" / name)
    return episodes


def convert(root: Path, article: Path) -> dict:
    result = make_runner().invoke(cli, ["--project", str(root), "convert", str(article),
                                        "--voice", "fr-espeak", "--json"])
    assert result.exit_code == 0, result.stderr
    [episode] = json.loads(result.stdout)["episodes"]
    return episode


def build(root: Path) -> dict:
    result = make_runner().invoke(cli, ["--project", str(root), "build", "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def add_companions(root: Path, slug: str, cues: list[tuple[float, float, str]],
                   chapters: list[tuple[float, str]], vtt_texts: dict[int, str] | None = None
                   ) -> None:
    """Write a VTT, an SRT and a JSON chapters file beside an episode's MP3 and record them,
    their chapters and cues in the catalog, as the audio stage does (used where exact, known
    times are needed).
    `vtt_texts`: the VTT text of some cues (by index) as is, e.g. with word timestamps."""
    output = root / "output"

    def stamp(seconds: float, sep: str) -> str:
        ms = round(seconds * 1000)
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"

    vtt = ["WEBVTT", ""]
    srt = []
    for n, (start, end, text) in enumerate(cues, start=1):
        shown = (vtt_texts or {}).get(n - 1) or text.replace("&", "&amp;").replace("<", "&lt;")
        vtt += [f"{stamp(start, '.')} --> {stamp(end, '.')}", shown, ""]
        srt += [str(n), f"{stamp(start, ',')} --> {stamp(end, ',')}", text, ""]
    base = f"episodes/{slug}"
    (output / f"{base}.vtt").write_text("\n".join(vtt), encoding="utf-8")
    (output / f"{base}.srt").write_text("\n".join(srt), encoding="utf-8")
    (output / f"{base}.chapters.json").write_text(json.dumps(
        {"version": "1.2.0", "chapters": [{"startTime": s, "title": t} for s, t in chapters]},
        ensure_ascii=False), encoding="utf-8")
    with open_catalog(load_settings(root)) as catalog:
        episode = catalog.by_slug(slug)
        episode.transcripts = {"vtt": f"{base}.vtt", "srt": f"{base}.srt"}
        episode.chapters = f"{base}.chapters.json"
        episode.meta = {**episode.meta,
                        "chapters": [{"startTime": s, "title": t} for s, t in chapters]}
        with catalog.transaction():
            catalog.save(episode)
            catalog.set_cues(episode.guid, parse_vtt("\n".join(vtt)))


def abspath(json_path: str) -> Path:
    """JSON paths open from the current directory."""
    return Path(os.path.abspath(json_path))
