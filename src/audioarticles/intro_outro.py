"""What frames the article: spoken intro and outro templates (voiced like the article) and
optional jingle files with gain and fades (`[audio.intro]`, `[audio.outro]`)."""

from __future__ import annotations

import string
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from audioarticles.dates import french_date
from audioarticles.errors import UsageError
from audioarticles.model import Article, Audio, Segment
from audioarticles.segment import fit_spoken, split_long, split_sentences
from audioarticles.tools import DETACHED, ffmpeg_exe



def template_values(article: Article, podcast: dict) -> dict[str, str]:
    meta = article.meta
    return {
        "title": meta.title.strip(),
        "podcast": str(podcast.get("title", "")).strip(),
        "publication": (meta.publication or str(podcast.get("publication", ""))).strip(),
        "author": meta.author.strip(),
        "date": french_date(meta.date),
    }


def fill(template: str, values: dict[str, str]) -> list[str]:
    """The template's sentences with their fields filled; a sentence naming an empty field is
    left out ("Publié le {date}." disappears when the date is unknown). Its fields were
    checked when the settings loaded (config.FRAME_FIELDS)."""
    sentences = []
    for sentence in split_sentences(" ".join(template.split())):
        names = [name for _, name, _, _ in string.Formatter().parse(sentence) if name is not None]
        if all(values[n] for n in names):
            sentences.append(sentence.format(**values))
    return sentences


def spoken_frame(kind: str, settings: dict, values: dict[str, str], max_chars: int,
                 speak: Callable[[str], str], closing: tuple[str, ...] = ()) -> list[Segment]:
    """The intro's (or outro's) segments, normalised for speech like the article's; `closing`
    sentences (the disclosure) are said after the template's, as they are."""
    sentences = fill(settings["text"], values)
    sentences += [s for line in closing for s in split_sentences(line)]
    segments = []
    for sentence in sentences:
        for piece in split_long(sentence, max_chars):
            for written, spoken in fit_spoken(piece, max_chars, speak):
                if spoken.strip():
                    segments.append(Segment(block=-1, position=-1, written=written,
                                            spoken=spoken, block_kind=kind))
    return segments


@dataclass(frozen=True)
class Jingle:
    path: Path
    gain_db: float = 0.0
    fade_in_ms: int = 0
    fade_out_ms: int = 0

    @classmethod
    def from_settings(cls, kind: str, settings: dict, root: Path) -> Jingle | None:
        name = settings["jingle"].strip()
        if not name:
            return None
        path = (root / name).resolve()
        if not path.is_file():
            raise UsageError(f"audioarticles.toml [audio.{kind}] jingle: {name} not found; "
                             f"fix the path (relative to the project) or set jingle = \"\"")
        return cls(path, settings["jingle_gain_db"], settings["jingle_fade_in_ms"],
                   settings["jingle_fade_out_ms"])

    def filters(self) -> str:
        chain = [f"volume={self.gain_db:.2f}dB"]
        if self.fade_in_ms:
            chain.append(f"afade=t=in:d={self.fade_in_ms / 1000:.3f}")
        if self.fade_out_ms:  # fade the end without knowing the length: reverse, fade in, reverse
            chain += ["areverse", f"afade=t=in:d={self.fade_out_ms / 1000:.3f}", "areverse"]
        return ",".join(chain)

    def decode(self, sample_rate: int) -> Audio:
        """The jingle as mono PCM at the voice's sample rate, gain and fades applied."""
        cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(self.path),
               "-af", self.filters(), "-f", "s16le", "-acodec", "pcm_s16le", "-ac", "1",
               "-ar", str(sample_rate), "pipe:1"]
        proc = subprocess.run(cmd, capture_output=True, check=False, **DETACHED)
        if proc.returncode != 0 or not proc.stdout:
            lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            reason = lines[-1] if lines else "no audio in it"
            raise UsageError(f"jingle {self.path.name}: ffmpeg cannot read it ({reason}); "
                             f"use an audio file (MP3, WAV, FLAC, OGG)")
        return Audio(pcm=proc.stdout, sample_rate=sample_rate)
