"""Join the pieces of an episode (jingles, intro, the article's segments, outro) with pauses
into one PCM stream, level it and encode it to MP3, and record the exact timeline.

Linear and memory-flat: the stream is generated piece by piece (each read back from the
segment cache) and piped to ffmpeg, twice: once to measure the loudness, once to encode
with the gain and peak limit that measurement calls for. Times come from sample counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from audioarticles import loudness
from audioarticles.errors import SynthesisError, UsageError
from audioarticles.model import Segment, TimelineEntry, Word, WordTime
from audioarticles.pauses import Pauses, pause_between, silence, trim_bounds, trim_silence
from audioarticles.synthesise import AudioSource
from audioarticles.tools import feed_ffmpeg
from audioarticles.word_timings import written_words

#: seconds of speech the loudness is first estimated on (the encoding run then checks it)
EXCERPT_S = 60


@dataclass(frozen=True)
class Mastering:
    """How an episode is finished and encoded (`[audio]` in audioarticles.toml)."""

    bitrate: str = "64k"
    sample_rate: int = 44100
    loudness: loudness.Target = field(default_factory=loudness.Target)
    trim_threshold_db: float = -45.0
    trim_keep_ms: int = 15

    @classmethod
    def from_settings(cls, audio: dict) -> Mastering:
        origin = "audioarticles.toml [audio]"
        try:
            target = loudness.Target(float(audio.get("loudness_lufs", -16.0)),
                                     float(audio.get("true_peak_db", -1.0)),
                                     bool(audio.get("dual_mono", True)))
            mastering = cls(str(audio.get("bitrate", "64k")), int(audio.get("sample_rate", 44100)),
                            target, float(audio.get("trim_threshold_db", -45.0)),
                            int(audio.get("trim_keep_ms", 15)))
        except (TypeError, ValueError) as exc:
            raise UsageError(f"{origin}: a value has the wrong type ({exc}); "
                             f"see the README") from exc
        if not -40 <= target.integrated_lufs <= -5:
            raise UsageError(f"{origin}: loudness_lufs = {target.integrated_lufs} is out of range; "
                             f"use -40 to -5 (podcasts: -16)")
        if not -20 <= target.true_peak_db <= 0:
            raise UsageError(f"{origin}: true_peak_db = {target.true_peak_db} is out of range; "
                             f"use -20 to 0 (podcasts: -1)")
        if mastering.sample_rate not in (22050, 24000, 32000, 44100, 48000):
            raise UsageError(f"{origin}: sample_rate = {mastering.sample_rate} is not an MP3 rate; "
                             f"use 22050, 24000, 32000, 44100 or 48000")
        if not mastering.bitrate.rstrip("k").isdigit():
            raise UsageError(f"{origin}: bitrate = {mastering.bitrate!r}; write it like \"64k\"")
        return mastering


@dataclass(frozen=True)
class Piece:
    """One piece of the episode's audio: a voiced segment, or a jingle (no segment)."""

    kind: str  # the segment's block kind, "intro", "outro", or "jingle"
    source: AudioSource
    segment: Segment | None = None


@dataclass
class Assembly:
    timeline: list[TimelineEntry]
    duration_s: float
    measured: loudness.Loudness
    gain_db: float


class Programme:
    """The running order of one episode, as in broadcasting: its pieces (intro, jingles,
    sentences, outro) with the pause due before each, read as one PCM stream. It can be
    played more than once (an excerpt to measure the loudness, then the encoding run), and
    the timeline (where each piece starts and ends, in samples) is noted as it plays."""

    def __init__(self, pieces: list[Piece], pauses: Pauses, mastering: Mastering):
        if not pieces:
            raise SynthesisError("nothing to assemble: no segment produced audio")
        self.pieces = pieces
        self.pauses = pauses
        self.mastering = mastering
        # the first piece's rate (pieces still being voiced are checked when reached)
        self.sample_rate = pieces[0].source.sample_rate
        self.timeline: list[TimelineEntry] = []
        self.samples = 0

    def pause_before(self, index: int) -> int:
        if index == 0:
            return 0
        before, after = self.pieces[index - 1], self.pieces[index]
        same_block = (before.segment is not None and after.segment is not None
                      and before.segment.block == after.segment.block
                      and before.kind == after.kind)
        return pause_between(before.kind, after.kind, same_block, self.pauses)

    def chunks(self) -> Iterator[bytes]:
        """Generate the stream; records the timeline (in ms, from sample counts) as it goes."""
        rate = self.sample_rate
        self.timeline = []
        position = 0
        for index, piece in enumerate(self.pieces):
            gap = silence(self.pause_before(index), rate)
            if gap:
                yield gap
                position += len(gap) // 2
            audio = piece.source.load()
            if audio.sample_rate != rate:
                raise SynthesisError(f"pieces have different sample rates {rate} and "
                                     f"{audio.sample_rate}; one episode is voiced by one engine")
            pcm, lead = audio.pcm, 0
            if piece.kind != "jingle":
                lead, end = trim_bounds(pcm, rate, self.mastering.trim_threshold_db,
                                        self.mastering.trim_keep_ms)
                pcm = pcm[lead:end]
            start = position
            if pcm:
                yield pcm
                position += len(pcm) // 2
            seg = piece.segment
            in_article = seg is not None and seg.block >= 0
            spoken = placed_words(audio.words, start - lead // 2, start, position, rate)
            self.timeline.append(TimelineEntry(
                kind=piece.kind, start_ms=start * 1000 / rate, end_ms=position * 1000 / rate,
                block=seg.block if in_article else None,
                segment=seg.position if in_article else None,
                written=seg.written if seg is not None else "",
                words=written_words(seg.written, spoken) if seg is not None and spoken else []))
        self.samples = position

    def excerpt(self, seconds: float = EXCERPT_S) -> Iterator[bytes]:
        """The programme's first `seconds` of speech (trimmed pieces with short silences
        between, jingles left out): enough to estimate its loudness, and ready early, so the
        encoding starts while the rest is still being voiced (the encoding run measures all
        of it and corrects the gain in the rare case the start misled)."""
        rate = self.sample_rate
        gap = silence(400, rate)
        wanted, taken = seconds * rate, 0
        for piece in self.pieces:
            if piece.kind == "jingle":
                continue
            pcm = trim_silence(piece.source.load().pcm, rate, self.mastering.trim_threshold_db,
                               self.mastering.trim_keep_ms)
            yield pcm
            yield gap
            taken += len(pcm) // 2
            if taken >= wanted:
                return


def placed_words(words: tuple[Word, ...], origin: int, first: int, last: int,
                 rate: int) -> list[WordTime]:
    """An engine's word times (samples from the start of its audio, which begins at sample
    `origin` of the episode) in milliseconds of the episode, kept inside the piece's samples
    [first, last] (trimming may have cut into a word's silent edge)."""
    placed = []
    for word in words:
        start = min(max(origin + word.start, first), last)
        end = min(max(origin + word.end, start), last)
        placed.append(WordTime(start * 1000 / rate, end * 1000 / rate, word.text))
    return placed


def mp3_options(bitrate: str, out_rate: int) -> list[str]:
    """Encoder output options: mono CBR MP3 with a Xing/Info header (exact duration)."""
    return ["-ac", "1", "-ar", str(out_rate), "-codec:a", "libmp3lame", "-b:a", bitrate,
            "-write_xing", "1", "-id3v2_version", "0", "-f", "mp3"]


def encode_stream(chunks, sample_rate: int, out_path: Path, bitrate: str = "64k",
                  out_rate: int = 44100, audio_filter: str = "",
                  scan: loudness.Target | None = None) -> loudness.Loudness | None:
    """Stream mono s16le PCM chunks into ffmpeg's MP3 encoder, through `audio_filter`.

    With `scan`, the same ffmpeg run also measures the filtered stream (what the encoder
    receives) with ebur128, and that measurement is returned.
    """
    head = ["-y", "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0"]
    if scan is None:
        filters = ["-af", audio_filter] if audio_filter else []
        feed_ffmpeg(["-loglevel", "error", *head, *filters, *mp3_options(bitrate, out_rate),
                     str(out_path)], chunks, "encode the MP3")
        return None
    graph = (f"[0:a]{audio_filter or 'anull'},asplit=2[encode][scan];"
             f"[scan]{loudness.scanner(scan.dual_mono)}[scanned]")
    tail = feed_ffmpeg(["-loglevel", "info", *head, "-filter_complex", graph,
                        "-map", "[encode]", *mp3_options(bitrate, out_rate), str(out_path),
                        "-map", "[scanned]", "-f", "null", "-"], chunks, "encode the MP3")
    return loudness.parse_summary(tail)


def assemble(pieces: list[Piece], out_path: Path, pauses: Pauses | None = None,
             mastering: Mastering | None = None) -> Assembly:
    """Write the levelled MP3 to `out_path` and return its timeline.

    The gain comes from an estimate of the loudness on an excerpt; the encoding run measures
    what it encodes (after gain and limiter), and in the rare case that lands more than
    `loudness.TOLERANCE_LU` off target, the episode is encoded again with the gain corrected.
    """
    pauses = pauses or Pauses()
    mastering = mastering or Mastering()
    programme = Programme(pieces, pauses, mastering)
    target = mastering.loudness
    rate = programme.sample_rate
    codec_gain = loudness.codec_gain_db(
        tuple(mp3_options(mastering.bitrate, mastering.sample_rate)), mastering.sample_rate)

    estimate = loudness.measure(programme.excerpt(), rate, target.dual_mono)
    gain = loudness.gain_db(estimate, target, codec_gain)
    encoded = samples = timeline = None
    for _ in range(2):
        encoded = encode_stream(programme.chunks(), rate, out_path, mastering.bitrate,
                                mastering.sample_rate, loudness.master_filter(gain, target),
                                scan=target)
        if samples is not None and programme.samples != samples:
            raise SynthesisError("the episode's audio changed between two encoding passes; "
                                 "run the conversion again")
        timeline, samples = programme.timeline, programme.samples
        error = loudness.miss_lu(encoded, target, codec_gain)
        if abs(error) <= loudness.TOLERANCE_LU:
            break
        gain = max(-loudness.MAX_GAIN_DB, min(loudness.MAX_GAIN_DB, gain + error))
    return Assembly(timeline=timeline, duration_s=samples / rate, measured=estimate,
                    gain_db=gain)
