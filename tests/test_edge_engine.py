"""The Edge engine against the local fake read-aloud service: edge-tts's own websocket protocol
code runs; our request cutting, SSML-safe text, limiter, retries, fault handling and word
timings around it."""

from __future__ import annotations

import time

import pytest

from audioarticles.engines.edge import EdgeEngine, EdgeSettings, joined
from audioarticles.engines.limits import ServiceUnreachable
from audioarticles.errors import SynthesisError, UsageError
from audioarticles.model import Audio, Word
from audioarticles.testing.fake_edge import FRAME_S, Fault, FakeEdge
from audioarticles.testing.fake_gtts import spoken_words
from audioarticles.voices import Voice, get_voice
from conftest import free_port

FAST = {"backoff_base": 0.01, "backoff_max": 0.05, "read_timeout": 3.0, "connect_timeout": 2.0}
DENISE = Voice("fr-edge", "edge", options={"voice": "fr-FR-DeniseNeural"})
HELLO = "Bonjour à tous, voici les nouvelles du jour."


@pytest.fixture(scope="module")
def fake():
    with FakeEdge(latency=0.02) as server:
        yield server


@pytest.fixture
def endpoint(fake, monkeypatch):
    monkeypatch.delenv("AUDIOARTICLES_EDGE_URL", raising=False)
    fake.reset()
    fake.latency = 0.02
    yield fake
    fake.reset()


@pytest.fixture
def make_engine(endpoint):
    made = []

    def make(**settings) -> EdgeEngine:
        engine = EdgeEngine(**{"url": endpoint.url, **FAST, **settings})
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.close()


def test_a_sentence_comes_back_as_pcm_with_each_word_where_the_service_put_it(endpoint,
                                                                              make_engine):
    audio = make_engine().synthesize(HELLO, DENISE)
    [request] = endpoint.received
    assert (request.text, request.voice, request.rate, request.pitch) == (
        HELLO, "fr-FR-DeniseNeural", "+0%", "+0Hz")
    assert request.word_boundaries  # edge-tts asked for word boundaries, not sentences
    assert audio.sample_rate == 24000
    expected = spoken_words(HELLO)
    assert [w.text for w in audio.words] == ["Bonjour", "à", "tous", "voici", "les",
                                              "nouvelles", "du", "jour"]
    frame = round(FRAME_S * 24000)
    for word, (first, frames, _) in zip(audio.words, expected):
        assert (word.start, word.end) == (first * frame, (first + frames) * frame)
    # the words sound in the PCM where their times say, and the gaps are silent
    samples = memoryview(audio.pcm).cast("h")
    decoder_delay = 1152  # an MP3 decoder's output starts about one frame late
    for word in audio.words:
        middle = (word.start + word.end) // 2 + decoder_delay
        assert max(abs(s) for s in samples[middle - 100:middle + 100]) > 3000
    assert audio.words[-1].end <= audio.samples


def test_ssml_special_characters_reach_the_service_intact(endpoint, make_engine):
    text = "R&D : « 3 < 5 > 2 » et l'\"IA\" d'abord."
    make_engine().synthesize(text, DENISE)
    # the fake parses the SSML as XML: it would have refused a badly escaped text
    assert [r.text for r in endpoint.received] == [text]


def test_long_sentences_are_cut_into_requests_and_word_times_shifted(endpoint, make_engine):
    words = " ".join(f"mot{i}" for i in range(60)) + "."
    [audio] = make_engine(max_chars=120).synthesize_many([words], DENISE)
    assert len(endpoint.received) > 1 and all(len(r.text) <= 120 for r in endpoint.received)
    assert " ".join(r.text for r in sorted(endpoint.received, key=lambda r: int(
        r.text.split()[0].strip("mot.")))) == words
    assert [w.text for w in audio.words] == [f"mot{i}" for i in range(60)]
    starts = [w.start for w in audio.words]
    assert starts == sorted(starts) and audio.words[-1].end <= audio.samples


def test_joined_shifts_each_part_by_the_samples_before_it():
    first = Audio(b"\0\0" * 100, 24000, (Word(10, 50, "a"),))
    second = Audio(b"\0\0" * 40, 24000, (Word(5, 30, "b"),))
    both = joined([first, second])
    assert both.samples == 140 and both.words == (Word(10, 50, "a"), Word(105, 130, "b"))


def test_requests_in_flight_stay_under_the_cap(endpoint, make_engine):
    endpoint.latency = 0.1
    texts = [f"Phrase numéro {i}, assez courte." for i in range(12)]
    audios = make_engine(concurrency=3).synthesize_many(texts, DENISE)
    assert len(audios) == 12 and all(a.words for a in audios)
    assert endpoint.max_in_flight == 3


def test_throttling_is_retried_after_the_pause_the_service_asks_for(endpoint, make_engine):
    endpoint.inject(Fault("429", retry_after="1"), Fault("503"))
    engine = make_engine()
    started = time.monotonic()
    audio = engine.synthesize(HELLO, DENISE)
    assert time.monotonic() - started >= 1.0
    assert engine.sent == 3 and len(endpoint.received) == 1 and audio.words


def test_a_connection_dropped_mid_stream_is_retried_never_kept_short(endpoint, make_engine):
    whole = make_engine().synthesize(HELLO, DENISE)
    endpoint.reset()
    endpoint.inject(Fault("drop"))
    engine = make_engine()
    again = engine.synthesize(HELLO, DENISE)
    assert [r.fault for r in endpoint.received] == ["drop", ""]
    assert again.samples == whole.samples and again.words == whole.words


def test_a_connection_dropped_every_time_fails_with_the_reason(endpoint, make_engine):
    endpoint.fail_always(Fault("drop"))
    with pytest.raises(SynthesisError, match=r"^connection dropped from the Edge TTS service at "
                                             r"127\.0\.0\.1:\d+: tried 3 times over "):
        make_engine(attempts=3).synthesize(HELLO, DENISE)


def test_a_refused_handshake_is_not_retried(endpoint, make_engine):
    endpoint.fail_always("403")
    engine = make_engine()
    with pytest.raises(SynthesisError) as caught:
        engine.synthesize(HELLO, DENISE)
    assert str(caught.value).startswith("handshake refused (403 Invalid response status) from "
                                        "the Edge TTS service at 127.0.0.1:")
    # edge-tts itself tries once more after a 403 (its clock-skew fix); we add nothing
    assert engine.sent == 1 and endpoint.state.refused == 2


def test_an_unknown_voice_name_is_one_clear_error_without_retries(endpoint, make_engine):
    engine = make_engine()
    with pytest.raises(SynthesisError, match="sent no audio for voice 'fr-FR-NobodyNeural'; "
                                             "check the voice name"):
        engine.synthesize(HELLO, Voice("x", "edge", options={"voice": "fr-FR-NobodyNeural"}))
    assert engine.sent == 1


def test_bad_rate_in_a_profile_is_a_usage_error(make_engine):
    with pytest.raises(UsageError, match=r'^x \[options\]: rate = "10%": expected text in the '
                                         r'form \^\[\+-\]\\d\+%\$, like "\+0%"$'):
        make_engine().synthesize(HELLO, Voice("x", "edge", options={"rate": "10%"}))


def test_an_unreachable_host_fails_fast_then_at_once(make_engine):
    engine = make_engine(url=f"ws://127.0.0.1:{free_port()}")
    started = time.monotonic()
    with pytest.raises(ServiceUnreachable, match=r"^cannot reach the Edge TTS service at "
                                                 r"127\.0\.0\.1:\d+ \(connection refused"):
        engine.synthesize(HELLO, DENISE)
    assert time.monotonic() - started < 2 and engine.sent == 2
    with pytest.raises(ServiceUnreachable):
        engine.synthesize(HELLO, DENISE)
    assert engine.sent == 2  # within the cooldown, no new connection


def test_a_hanging_service_times_out_and_is_retried(endpoint, make_engine):
    endpoint.inject(Fault("hang", seconds=3))
    engine = make_engine(read_timeout=1.0, connect_timeout=1.0)
    audio = engine.synthesize(HELLO, DENISE)
    assert engine.sent == 2 and audio.words


def test_settings_are_checked(monkeypatch):
    monkeypatch.delenv("AUDIOARTICLES_EDGE_URL")
    with pytest.raises(UsageError, match=r"^\[edge\]: unknown key `voice`; valid keys: url, "):
        EdgeSettings.from_mapping({"voice": "x"})
    with pytest.raises(UsageError, match=r'^\[edge\]: url = "http://x": not an ws/wss URL'):
        EdgeSettings.from_mapping({"url": "http://x"})
    assert EdgeSettings.from_mapping({}, env={"AUDIOARTICLES_EDGE_URL": "ws://127.0.0.1:9"}).url \
        == "ws://127.0.0.1:9"


def test_the_packaged_profile_falls_back_to_piper_then_espeak():
    from audioarticles.pipeline import fallback_chain

    assert [v.name for v in fallback_chain(get_voice("fr-edge"), None)] == ["fr-piper",
                                                                            "fr-espeak"]


# ---- through the CLI: fallback chain, degraded, upgrade -------------------------------------

ARTICLE = """Le budget est voté

Le conseil municipal a voté le budget hier soir. Les écoles en profitent.
"""


def test_edge_down_falls_back_along_the_chain_then_upgrade_revoices_with_edge(
        runner, project, endpoint, monkeypatch):
    import json

    from audioarticles.cli import cli

    (project / "article.txt").write_text(ARTICLE, encoding="utf-8")
    endpoint.fail_always(Fault("503"))
    (project / "audioarticles.toml").write_text(
        "[edge]\nattempts = 2\nbackoff_base = 0.01\nbackoff_max = 0.02\n", encoding="utf-8")
    monkeypatch.setenv("AUDIOARTICLES_EDGE_URL", endpoint.url)
    result = runner.invoke(cli, ["convert", "article.txt", "--voice", "fr-edge", "--json"])
    assert result.exit_code == 0, result.stderr
    [episode] = json.loads(result.stdout)["episodes"]
    # fr-piper (no model installed here) is skipped: fr-espeak voices the whole article
    assert (episode["voice"], episode["engine"], episode["intended_voice"]) == (
        "fr-espeak", "espeak", "fr-edge")
    assert episode["degraded"] is True
    assert episode["degraded_reason"].startswith("503 Invalid response status from the Edge TTS "
                                                 "service at 127.0.0.1:")
    [warning] = result.stderr.splitlines()
    assert warning.startswith("warning: article.txt: voice fr-edge (edge) failed (503 ")
    assert warning.endswith("voiced by fr-espeak instead, marked degraded (`audioarticles "
                            "upgrade` re-voices it once the voice works)")

    endpoint.fail_always(None)
    upgraded = runner.invoke(cli, ["upgrade", "--json"])
    assert upgraded.exit_code == 0, upgraded.stderr
    [again] = json.loads(upgraded.stdout)["episodes"]
    assert (again["guid"], again["voice"], again["engine"], again["degraded"]) == (
        episode["guid"], "fr-edge", "edge", False)
    assert again["transcripts"]["json"].endswith(".transcript.json")


def test_when_every_fallback_fails_the_error_names_each(runner, project, endpoint, monkeypatch):
    from audioarticles.cli import cli

    (project / "article.txt").write_text(ARTICLE, encoding="utf-8")
    (project / "voices").mkdir()
    (project / "voices" / "fr-espeak.toml").write_text(
        'engine = "espeak"\n[options]\nvoice = "nosuchvoice"\n', encoding="utf-8")
    endpoint.fail_always(Fault("403"))
    monkeypatch.setenv("AUDIOARTICLES_EDGE_URL", endpoint.url)
    result = runner.invoke(cli, ["convert", "article.txt", "--voice", "fr-edge"])
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("error: article.txt: voice fr-edge (edge) failed (handshake refused "
                           "(403 Invalid response status) from the Edge TTS service at ")
    assert ") and its fallbacks failed too: fr-piper: Piper model fr_FR-siwis-medium is not " \
           "installed" in line
    assert "; fr-espeak: espeak-ng has no voice 'nosuchvoice'" in line
