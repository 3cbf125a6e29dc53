"""The gTTS engine against the local fake endpoint: gTTS's own request and decoding code runs,
our packing, pooling, parallelism, retries, backoff and failure handling around it."""

from __future__ import annotations

import threading
import time

import pytest

from audioarticles.config import load_project
from audioarticles.engines.gtts import (GttsEngine, GttsSettings, ServiceUnreachable, Transport,
                                        _gtts_for, _problem)
from audioarticles.engines.limits import RequestLimiter
from audioarticles.engines.packing import pack
from audioarticles.errors import SynthesisError, UsageError
from audioarticles.pipeline import text_at_stage
from audioarticles.testing.fake_gtts import Fault, FakeGtts, speech_seconds
from audioarticles.voices import get_voice
from conftest import SAMPLE, free_port

FAST = {"backoff_base": 0.01, "backoff_max": 0.05, "read_timeout": 2.0, "connect_timeout": 1.0}
HELLO = "Bonjour à tous, voici les nouvelles du jour."


FAKE_GTTS_LATENCY = 0.02


@pytest.fixture
def endpoint(fake_gtts, monkeypatch):
    """The fake service, named to each engine by its `url` setting."""
    monkeypatch.delenv("AUDIOARTICLES_GTTS_URL", raising=False)
    fake_gtts.pauses = True
    return fake_gtts


@pytest.fixture
def make_engine(endpoint):
    made = []

    def make(**settings) -> GttsEngine:
        engine = GttsEngine(**{"url": endpoint.url, **FAST, **settings})
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.close()


def starts(fake: FakeGtts) -> list[float]:
    return [r.started for r in fake.received]


def test_seed_article_goes_out_packed_in_parallel_over_pooled_connections(endpoint, make_engine):
    seed = str(SAMPLE)
    view = text_at_stage(load_project(SAMPLE.parent), seed, "segments", GttsEngine.max_chars)
    texts = [s.spoken for s in view.segments]
    engine = make_engine(concurrency=4)
    audios = engine.synthesize_many(texts, get_voice("fr"))

    sent = [r.text for r in endpoint.received]
    assert sorted(sent) == sorted(r.text for r in pack(texts, 100, across_segments=True))
    assert len(sent) == engine.requests_sent <= 60
    assert all(len(text) <= 100 for text in sent)
    assert {(r.lang, r.slow) for r in endpoint.received} == {("fr", False)}
    assert 2 <= endpoint.max_in_flight <= 4  # parallel, within the cap
    assert endpoint.connections <= 4  # kept alive and reused, not one per request
    assert engine.splits_failed == 0
    # every segment got its own audio, as long as the fake says its words take
    assert len(audios) == len(texts)
    for text, audio in zip(texts, audios):
        assert abs(audio.duration_s - speech_seconds(text)) < 0.6, text


def test_our_text_goes_out_as_is_with_the_voice_accent_and_speed(endpoint, make_engine):
    text = "Le Dr. Martin dit que c'est."  # gTTS's English pre-processors would drop both periods
    engine = make_engine()
    [normal] = engine.synthesize_many([text], get_voice("fr"))
    [slow] = engine.synthesize_many([text], _slow_voice())
    assert [(r.text, r.slow) for r in endpoint.received] == [(text, False), (text, True)]
    assert slow.duration_s > 1.3 * normal.duration_s


def _slow_voice():
    from dataclasses import replace

    voice = get_voice("fr-ca")
    return replace(voice, options={**voice.options, "slow": True})


def test_accent_comes_from_the_voice_tld_and_the_url_setting_keeps_the_path():
    france = _gtts_for("Bonjour.", get_voice("fr"))._prepare_requests()[0].url
    canada = _gtts_for("Bonjour.", get_voice("fr-ca"))._prepare_requests()[0].url
    assert france == "https://translate.google.fr/_/TranslateWebserverUi/data/batchexecute"
    assert canada == "https://translate.google.ca/_/TranslateWebserverUi/data/batchexecute"
    local = Transport(GttsSettings(url="http://127.0.0.1:8765"), RequestLimiter())
    assert local.route(france) == "http://127.0.0.1:8765/_/TranslateWebserverUi/data/batchexecute"
    assert Transport(GttsSettings(), RequestLimiter()).route(canada) == canada


@pytest.mark.parametrize("faults", [
    ["500"], ["503", "502"], ["drop"], ["drop", "500", "drop"], [Fault("hang", seconds=6)],
], ids=["500", "503-502", "drop", "drop-500-drop", "read-timeout"])
def test_transient_failures_are_retried(endpoint, make_engine, faults):
    endpoint.inject(*faults)
    engine = make_engine(read_timeout=1.5)  # a normal answer comes well within it
    [audio] = engine.synthesize_many([HELLO], get_voice("fr"))
    assert audio.duration_s > 1
    assert [r.fault for r in endpoint.received] == [
        f.kind if isinstance(f, Fault) else f for f in faults] + [""]
    assert engine.requests_sent == len(faults) + 1


def test_429_waits_for_retry_after_and_pauses_the_whole_run(endpoint, make_engine):
    endpoint.inject(Fault("429", retry_after="1"))
    engine = make_engine(concurrency=2)
    paused_at = []
    pause = engine.limiter.pause
    engine.limiter.pause = lambda seconds: (pause(seconds),
                                            paused_at.append((time.monotonic(), seconds)))
    texts = [f"Phrase {n}, assez longue pour demander à elle seule une requête entière." for n in
             range(3)]
    audios = engine.synthesize_many(texts, get_voice("fr"))
    assert all(a.duration_s > 1 for a in audios)
    received = endpoint.received
    [refused] = [r for r in received if r.fault == "429"]
    assert len(received) == 4
    [(when, seconds)] = paused_at
    assert seconds == 1.0 and when >= refused.ended
    # once the pause was set, nothing at all was sent for the second the 429 asked for:
    # neither its own retry nor the next sentence (the fake and the engine share one clock)
    later = [r for r in received if r.started > when]
    assert refused.text in {r.text for r in later}
    assert all(r.started - when >= 0.95 for r in later)


def test_backoff_grows_and_retries_stop(endpoint, make_engine):
    endpoint.fail_always("500")
    engine = make_engine(attempts=4, backoff_base=0.1, backoff_max=1.0)
    with pytest.raises(SynthesisError) as failure:
        engine.synthesize_many([HELLO], get_voice("fr"))
    assert engine.requests_sent == 4
    gaps = [b - a for a, b in zip(starts(endpoint), starts(endpoint)[1:])]
    # equal jitter: at least half of 0.1, 0.2, 0.4 s
    assert [g >= low for g, low in zip(gaps, (0.05, 0.1, 0.2))] == [True, True, True]
    assert str(failure.value).startswith(
        f"500 Internal Server Error from the TTS service at {endpoint.url[7:]}: tried 4 times over")
    assert str(failure.value).endswith("or use the offline voice fr-espeak")


@pytest.mark.parametrize("status, gtts_says", [("400", "400 (Bad Request) from TTS API"),
                                               ("403", "403 (Forbidden) from TTS API. Probable "
                                                       "cause: Bad token or upstream API changes")])
def test_other_client_errors_are_not_retried(endpoint, make_engine, status, gtts_says):
    endpoint.fail_always(status)
    engine = make_engine()
    with pytest.raises(SynthesisError, match="the TTS service refused: ") as failure:
        engine.synthesize_many([HELLO], get_voice("fr"))
    assert gtts_says in str(failure.value)  # gTTS's own stream() raised it
    assert engine.requests_sent == 1


@pytest.mark.parametrize("fault, message", [
    ("malformed", "the TTS service refused: 200 (OK) from TTS API"),  # gTTS found no audio
    ("no_audio", "the TTS service answered without audio"),
    ("corrupt_audio", "the TTS service sent audio that does not decode"),
])
def test_an_answer_without_audio_is_an_error(endpoint, make_engine, fault, message):
    endpoint.inject(fault)
    engine = make_engine()
    with pytest.raises(SynthesisError) as failure:
        engine.synthesize_many([HELLO], get_voice("fr"))
    assert str(failure.value).startswith(message)
    assert engine.requests_sent == 1


def test_retry_after_longer_than_the_budget_gives_up_at_once(endpoint, make_engine):
    endpoint.inject(Fault("429", retry_after="120"))
    engine = make_engine(retry_budget=5.0)
    with pytest.raises(SynthesisError, match=r"asks to wait 120 s \(more than \[gtts\] "
                                             r"retry_budget = 5 s\)"):
        engine.synthesize_many([HELLO], get_voice("fr"))
    assert engine.requests_sent == 1


def test_unreachable_service_fails_fast_and_stays_down_for_the_run(monkeypatch):
    monkeypatch.delenv("AUDIOARTICLES_GTTS_URL")
    port = free_port()
    engine = GttsEngine(url=f"http://127.0.0.1:{port}", backoff_base=0.05, attempts=5)
    try:
        started = time.monotonic()
        with pytest.raises(ServiceUnreachable) as failure:
            engine.synthesize_many([HELLO, "Une autre phrase."], get_voice("fr"))
        assert time.monotonic() - started < 3
        assert str(failure.value) == (
            f"cannot reach the TTS service at 127.0.0.1:{port} (connection refused, 2 tries); "
            "check the network or use the offline voice fr-espeak")
        sent = engine.requests_sent
        assert sent <= 4
        with pytest.raises(ServiceUnreachable):
            engine.synthesize_many([HELLO], get_voice("fr"))
        assert engine.requests_sent == sent  # no new attempt while the service is known down
    finally:
        engine.close()


def test_host_not_found_and_timeouts_are_told_apart():
    import requests
    from urllib3.exceptions import MaxRetryError, NameResolutionError, ProtocolError

    not_found = requests.ConnectionError(MaxRetryError(
        None, "/", NameResolutionError("translate.google.fr", None, OSError("no name"))))
    dropped = requests.ConnectionError(ProtocolError("Connection aborted."))
    assert _problem(not_found, 15) == ("host name not found", True)
    assert _problem(requests.ConnectTimeout(), 15) == ("connection timed out", True)
    assert _problem(requests.ReadTimeout(), 15) == ("no answer within 15 s", False)
    assert _problem(dropped, 15) == ("connection dropped", False)


def test_without_a_clear_pause_the_sentences_are_asked_for_one_by_one(endpoint, make_engine):
    endpoint.pauses = False  # the voice runs sentences together: no place to split
    texts = ["Deux réussites majeures.", "La formation avance vite."]
    engine = make_engine()
    audios = engine.synthesize_many(texts, get_voice("fr"))
    joint, *alone = [r.text for r in endpoint.received]
    assert joint == " ".join(texts) and sorted(alone) == sorted(texts)
    assert engine.splits_failed == 1
    for text, audio in zip(texts, audios):
        assert audio.duration_s == pytest.approx(speech_seconds(text), abs=0.08)


def test_one_engine_shared_by_a_batch_keeps_one_cap(endpoint, make_engine):
    endpoint.latency = 0.05
    try:
        engine = make_engine(concurrency=2)
        texts = [f"Phrase numéro {n}, assez longue pour remplir une requête entière du service "
                 f"de synthèse vocale, cette fois {n}." for n in range(6)]
        failures = []

        def article():
            try:
                engine.synthesize_many(texts, get_voice("fr"))
            except Exception as exc:  # reported below
                failures.append(exc)

        threads = [threading.Thread(target=article) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not failures
        assert len(endpoint.received) >= 3 * 6
        assert endpoint.max_in_flight == 2 and engine.limiter.peak_in_flight == 2
    finally:
        endpoint.latency = 0.02


def test_a_failed_request_stops_the_others_of_its_article(endpoint, make_engine):
    endpoint.latency = 0.05
    try:
        endpoint.fail_always("400")
        engine = make_engine(concurrency=2)
        texts = [f"Phrase numéro {n} qui demande sa propre requête, puisqu'elle est longue, "
                 f"bien longue, vraiment {n}." for n in range(20)]
        with pytest.raises(SynthesisError):
            engine.synthesize_many(texts, get_voice("fr"))
        time.sleep(0.2)
        assert len(endpoint.received) < 10
    finally:
        endpoint.latency = 0.02


def test_settings_are_checked():
    with pytest.raises(UsageError,
                       match=r"^\[gtts\] unknown setting\(s\) concurency; valid: url, "):
        GttsSettings.from_mapping({"concurency": 2})
    with pytest.raises(UsageError, match=r"^\[gtts\] attempts = 'five' is not a int"):
        GttsSettings.from_mapping({"attempts": "five"})
    with pytest.raises(UsageError, match="must be at least 1"):
        GttsSettings.from_mapping({"concurrency": 0})
    with pytest.raises(UsageError, match="is not an http"):
        GttsSettings.from_mapping({"url": "ftp://x"}, env={})
    settings = GttsSettings.from_mapping({"read_timeout": 3, "url": "http://a:1"},
                                         env={"AUDIOARTICLES_GTTS_URL": "http://127.0.0.1:9"})
    assert settings.read_timeout == 3.0 and settings.url == "http://127.0.0.1:9"


def test_answers_decode_in_process_like_ffmpeg_does():
    from audioarticles.engines.gtts import SAMPLE_RATE, decode_mp3
    from audioarticles.testing.fake_gtts import speech_mp3
    from audioarticles.tools import decode_to_pcm

    mp3 = speech_mp3(HELLO)
    ours, ffmpeg = decode_mp3(mp3), decode_to_pcm(mp3, SAMPLE_RATE)
    assert len(ours) == len(ffmpeg) and len(ours) / 2 / SAMPLE_RATE == pytest.approx(
        speech_seconds(HELLO), abs=0.1)
    with pytest.raises(ValueError):
        decode_mp3(b"<html>not audio</html>")
