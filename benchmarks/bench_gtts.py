"""Our gTTS engine vs plain sequential gTTS on the seed article, both against the local fake
endpoint at 150 ms per answer (targets: at least 5x faster at the default cap, at most 60
requests)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

TITLE = "gTTS engine vs plain gTTS (seed article, fake endpoint at 150 ms)"
LATENCY_S = 0.15
TARGET_RATIO = 5.0
TARGET_REQUESTS = 60
OUR_RUNS = 3
ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "ia-sante-numerique.txt"


def seed_texts() -> list[str]:
    """The seed article's spoken segments, as a conversion with the `fr` voice makes them."""
    from audioarticles.config import load_settings
    from audioarticles.engines.gtts import GttsEngine
    from audioarticles.pipeline import text_at_stage

    view = text_at_stage(load_settings(ROOT), str(SEED), "segments", GttsEngine.max_chars)
    return [s.spoken for s in view.segments]


def plain_gtts(text: str, fake) -> float:
    """`gTTS(text, lang="fr").save()` as its users write it: its own pre-processors and
    tokenizer, one request after the other, a new connection each. Its URL is pointed at the
    fake (the only change), so its whole request and decoding code runs."""
    import gtts.tts
    from gtts import gTTS

    original = gtts.tts._translate_url
    gtts.tts._translate_url = lambda tld="com", path="": f"{fake.url}/{path}"
    try:
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            gTTS(text, lang="fr").save(os.path.join(folder, "plain.mp3"))
            return time.perf_counter() - started
    finally:
        gtts.tts._translate_url = original


def ours(texts: list[str], fake) -> tuple[float, object]:
    from audioarticles.engines.gtts import GttsEngine
    from audioarticles.voices import get_voice

    engine = GttsEngine(url=fake.url)  # every other setting at its default
    try:
        started = time.perf_counter()
        audios = engine.synthesize_many(texts, get_voice("fr"))
        elapsed = time.perf_counter() - started
    finally:
        engine.close()
    assert len(audios) == len(texts) and all(a.pcm for a in audios)
    return elapsed, engine


def unreachable_seconds() -> float:
    """How long the engine takes to give up on an endpoint that refuses connections."""
    import socket

    from audioarticles.engines.gtts import GttsEngine, ServiceUnreachable
    from audioarticles.voices import get_voice

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = GttsEngine(url=f"http://127.0.0.1:{port}")
    try:
        started = time.perf_counter()
        try:
            engine.synthesize_many(["Bonjour."], get_voice("fr"))
        except ServiceUnreachable:
            return time.perf_counter() - started
        raise AssertionError("a closed port answered")
    finally:
        engine.close()


def run() -> str:
    from audioarticles.engines.gtts import GttsSettings
    from audioarticles.testing.fake_gtts import FakeGtts

    os.environ["NO_PROXY"] = "127.0.0.1,localhost"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        os.environ.pop(name, None)
    texts = seed_texts()
    spoken = "\n".join(texts)
    defaults = GttsSettings()
    with FakeGtts(latency=LATENCY_S) as fake:
        ours(["Échauffement."], fake)  # imports, ffmpeg in the page cache: not timed
        fake.reset()
        plain_s = plain_gtts(spoken, fake)
        plain_requests = len(fake.received)
        plain_chars = [len(r.text) for r in fake.received]
        runs = []
        for _ in range(OUR_RUNS):
            fake.reset()
            elapsed, engine = ours(texts, fake)
            runs.append((elapsed, engine.requests_sent, [len(r.text) for r in fake.received],
                         fake.connections, fake.max_in_flight, engine.splits_failed))
    ours_s = statistics.median(r[0] for r in runs)
    _, our_requests, our_chars, connections, in_flight, splits_failed = runs[0]
    ratio = plain_s / ours_s
    gone = unreachable_seconds()
    met = ratio >= TARGET_RATIO and our_requests <= TARGET_REQUESTS
    rows = [
        "| | plain `gTTS(text, lang=\"fr\").save()` | our engine (defaults) |",
        "| --- | --- | --- |",
        f"| requests | {plain_requests} | {our_requests} |",
        f"| characters per request (mean / max) | {statistics.mean(plain_chars):.0f} / "
        f"{max(plain_chars)} | {statistics.mean(our_chars):.0f} / {max(our_chars)} |",
        f"| connections opened | {plain_requests} | {connections} |",
        f"| requests in flight (max) | 1 | {in_flight} (cap {defaults.concurrency}, "
        f"{defaults.requests_per_second:g} starts/s) |",
        f"| wall time | {plain_s:.2f} s | {ours_s:.2f} s (median of {OUR_RUNS}: "
        + ", ".join(f"{r[0]:.2f}" for r in runs) + ") |",
        f"| ratio | 1 | **{ratio:.1f}x faster** |",
    ]
    return "\n".join([
        f"The seed article (`samples/ia-sante-numerique.txt`), {len(texts)} spoken segments, "
        f"{len(spoken)} characters, against `audioarticles.testing.fake_gtts` answering every "
        f"request in {LATENCY_S * 1000:.0f} ms (real HTTP on 127.0.0.1, real MP3). Both get the "
        "same spoken text; ours also decodes every answer to PCM and splits shared requests "
        f"back into segments ({splits_failed} split fell back to one request per sentence).",
        "",
        *rows,
        "",
        f"An endpoint that refuses connections is given up after {gone:.2f} s "
        f"({defaults.unreachable_attempts} tries), so an offline `convert` falls back at once.",
        "",
        f"Targets: at least {TARGET_RATIO:g}x faster and at most {TARGET_REQUESTS} requests: "
        f"**{'met' if met else 'NOT met'}** ({ratio:.1f}x, {our_requests} requests).",
        "",
        "Reproduce: `.venv/bin/python -m benchmarks gtts`",
    ])
