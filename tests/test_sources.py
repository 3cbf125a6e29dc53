"""Hostile and broken input: each case gets one clear `error:` line naming the input, nothing is
written for it, and the batch goes on with the good article beside it."""

from __future__ import annotations

import codecs
import io
import json
import os
from pathlib import Path

import pytest

from audioarticles.cli import cli
from audioarticles.config import load_settings
from audioarticles.errors import InputError
from audioarticles.pipeline import prepare
from audioarticles.sources import Reader, decode_bytes, sniff_kind

VOICE = ["--voice", "fr-espeak"]
GOOD = "Un bon article\n\nLe conseil municipal a voté le budget. Les habitants ont applaudi.\n"
LATIN = "Élections à Besançon\n\nLes électeurs ont voté dès l'ouverture. Le maire sortant est réélu.\n"


# ---- decoding, as a table -------------------------------------------------------------------

@pytest.mark.parametrize("data, text", [
    (GOOD.encode("utf-8"), GOOD),
    (codecs.BOM_UTF8 + LATIN.encode("utf-8"), LATIN),  # the BOM is dropped
    (LATIN.encode("utf-16"), LATIN),  # UTF-16 with its BOM (Windows "Unicode" text)
    (LATIN.encode("cp1252"), LATIN),  # Latin-1/Windows-1252: decoded, with a warning
    ("Œuvre « citée » – 12 €\n".encode("cp1252"), "Œuvre « citée » – 12 €\n"),
])
def test_decodes_what_can_be_decoded(data, text):
    assert decode_bytes(data, "a.txt") == text


@pytest.mark.parametrize("data, reason", [
    (b"", "the file is empty; nothing to read"),
    (b"  \n\t \r\n", "contains only blank space; nothing to read"),
    ("\u00a0\u2003\n".encode(), "contains only blank space; nothing to read"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "this is a PNG image, not a text article; pass a "
                                             ".txt, .md or .html article"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "this is a PDF document, not a text article; pass a .txt, "
                                     ".md or .html article"),
    (b"PK\x03\x04\x14\x00", "this is a ZIP archive (or a Word/OpenDocument file), not a text "
                            "article; pass a .txt, .md or .html article"),
    (bytes(range(256)) * 4, "this is a binary file, not text; pass a .txt, .md or .html article"),
    (b"abc\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12" * 10,
     "this is a binary file, not text; pass a .txt, .md or .html article"),
    # UTF-8 with a stray Latin-1 byte: mixed encodings are refused, not guessed
    ("Élu à Besançon ".encode() + b"\xe9t\xe9", "not valid UTF-8 at byte 18, although other "
     "parts are UTF-8 (mixed encodings); save the file as UTF-8"),
    # bytes Windows-1252 leaves undefined: neither UTF-8 nor Latin-1 text
    (b"Prix \x81\x8d\x8f\x90\x9d", "not valid UTF-8 (byte 5) nor Latin-1/Windows-1252 text "
                                   "(byte 5); save the file as UTF-8"),
    (codecs.BOM_UTF8 + b"caf\xe9", "starts as UTF-8 but byte 6 is not UTF-8 (mixed encodings?); "
                                   "save the file as UTF-8"),
])
def test_refuses_the_rest_with_the_fix(data, reason):
    with pytest.raises(InputError) as caught:
        decode_bytes(data, "a.txt")
    assert caught.value.source == "a.txt"
    assert caught.value.reason == reason


QUOTED = "L’élu a dit « oui » — c’est voté.\n" * 3


@pytest.mark.parametrize("data, declared, text", [
    # a UTF-8 page its server calls iso-8859-1: the claim does not hold, UTF-8 does
    (QUOTED.encode("utf-8"), ("iso-8859-1",), QUOTED),
    (QUOTED.encode("utf-8"), (None, "windows-1252"), QUOTED),
    # UTF-16 without a BOM, both byte orders
    (LATIN.encode("utf-16-le"), (), LATIN),
    (LATIN.encode("utf-16-be"), (), LATIN),
    # the page's <meta> before the server's header, when both decode
    ("Œuvre citée\n".encode("iso-8859-15"), ("iso-8859-15", "windows-1252"), "Œuvre citée\n"),
    # a wrong UTF-8 claim on Latin-1 bytes: the claim fails, Windows-1252 reads it
    (LATIN.encode("cp1252"), ("utf-8",), LATIN),
    # a true Latin-1 claim is kept
    (LATIN.encode("latin-1"), ("ISO-8859-1",), LATIN),
])
def test_declared_encodings_are_checked_before_they_are_believed(data, declared, text):
    assert decode_bytes(data, "page", declared) == text


def test_a_detector_reads_what_windows_1252_cannot():
    greek = "Η δημοτική αρχή ψήφισε τον προϋπολογισμό της πόλης για το επόμενο έτος.\n"
    warnings = []
    assert decode_bytes(greek.encode("iso-8859-7"), "g.txt", warn=warnings.append) == greek
    assert warnings == ["g.txt: not UTF-8; read as cp1253 (a guess). Check the text, and "
                        "save the file as UTF-8 to silence this"]


def test_latin1_decoding_warns():
    warnings = []
    decode_bytes(LATIN.encode("latin-1"), "old.txt", warn=warnings.append)
    assert warnings == ["old.txt: not UTF-8; read as Latin-1 (Windows-1252). Check the accents, "
                        "and save the file as UTF-8 to silence this"]


@pytest.mark.parametrize("head, kind", [
    (b"<!DOCTYPE html><html>", "html"), (b"\xef\xbb\xbf  <html lang=fr>", "html"),
    (b"<article><h1>T</h1>", "html"), (b"Titre\n\nTexte.", "txt"), (b"# Titre", "txt"),
])
def test_sniff_kind_for_stdin(head, kind):
    assert sniff_kind(head) == kind


# ---- the CLI: one error line each, nothing written, the batch goes on ----------------------

HOSTILE_FILES: dict[str, tuple[bytes, str]] = {
    "empty.txt": (b"", "the file is empty; nothing to read"),
    "blank.md": (b"\n   \n\t\n", "contains only blank space; nothing to read"),
    "image.txt": (b"\x89PNG\r\n\x1a\n" + os.urandom(64),
                  "this is a PNG image, not a text article; pass a .txt, .md or .html article"),
    "noise.html": (b"\x00\x01" + bytes(range(256)) * 8,
                   "this is a binary file, not text; pass a .txt, .md or .html article"),
    "mixed.txt": ("Élu à Besançon\n\n".encode() + b"Le maire \xe9lu.",
                  "not valid UTF-8 at byte 28, although other parts are UTF-8 (mixed "
                  "encodings); save the file as UTF-8"),
    "boilerplate.txt": ("Publicité en cours de chargement...\nÉcouter l'article\n".encode(),
                        "nothing left to read after removing boilerplate"),
    "notes.docx": (b"PK\x03\x04", "unsupported file type '.docx'; supported: .txt, .text, .md, "
                                  ".markdown, .html, .htm"),
}


def test_hostile_files_fail_one_by_one_and_the_batch_goes_on(runner, project):
    folder = project / "in"
    folder.mkdir()
    for name, (data, _) in HOSTILE_FILES.items():
        (folder / name).write_bytes(data)
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "latin1.txt").write_bytes(LATIN.encode("latin-1"))
    (folder / "bom.txt").write_bytes(codecs.BOM_UTF8 + b"Avec BOM\n\nUn texte court.\n")
    names = sorted(HOSTILE_FILES) + ["good.txt", "latin1.txt", "bom.txt"]
    result = runner.invoke(cli, ["convert", *[f"in/{n}" for n in names], *VOICE, "--json"])
    assert result.exit_code == 1
    errors = sorted(line for line in result.stderr.splitlines() if line.startswith("error:"))
    assert errors == sorted(f"error: in/{name}: {reason}"
                            for name, (_, reason) in HOSTILE_FILES.items())
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: in/latin1.txt: not UTF-8; read as Latin-1 (Windows-1252). "
                        "Check the accents, and save the file as UTF-8 to silence this"]
    report = json.loads(result.stdout)
    assert [(e["source"], e["title"]) for e in report["episodes"]] == [
        ("in/good.txt", "Un bon article"), ("in/latin1.txt", "Élections à Besançon"),
        ("in/bom.txt", "Avec BOM")]
    assert report["summary"]["failed"] == len(HOSTILE_FILES)
    written = sorted(p.name for p in (project / "output" / "episodes").glob("*.mp3"))
    assert [n.rsplit("-", 1)[0] for n in written] == ["avec-bom", "elections-a-besancon",
                                                     "un-bon-article"]


def test_a_large_text_is_refused_above_the_configured_limit(runner, project):
    big = project / "big.txt"
    with open(big, "w", encoding="utf-8") as handle:
        handle.write("Un très long texte\n\n")
        sentence = "Le conseil municipal a longuement débattu du budget de la ville. "
        while handle.tell() < 10 * 1024 * 1024:
            handle.write(sentence * 200 + "\n\n")
    (project / "good.txt").write_text(GOOD, encoding="utf-8")
    result = runner.invoke(cli, ["convert", "big.txt", "good.txt", *VOICE])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: big.txt: is 10 MB, above the 5 MB limit for one input; raise [limits] "
        "max_input_mb in audioarticles.toml if this really is one article")
    assert "1 converted" in result.stdout

    # above the byte limit, the text limit keeps a render within memory bounds
    (project / "audioarticles.toml").write_text("[limits]\nmax_input_mb = 20\n")
    result = runner.invoke(cli, ["convert", "big.txt", *VOICE])
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: big.txt: has 10")
    assert line.endswith("characters to read, above the limit of 60000 (about an hour of "
                         "speech); split the article, or raise [limits] max_article_chars in "
                         "audioarticles.toml")
    assert len(list((project / "output" / "episodes").glob("*.mp3"))) == 1


def test_stdin_text_and_html(runner, project):
    result = runner.invoke(cli, ["convert", "-", *VOICE, "--json"], input=GOOD.encode("utf-8"))
    assert result.exit_code == 0, result.stderr
    [episode] = json.loads(result.stdout)["episodes"]
    assert episode["title"] == "Un bon article"
    assert episode["source"] == "stdin:un-bon-article"
    # the same article piped again is the same episode (identified by its title)
    again = json.loads(runner.invoke(cli, ["convert", "-", *VOICE, "--json"],
                                     input=GOOD.encode("utf-8")).stdout)["episodes"][0]
    assert (again["guid"], again["status"]) == (episode["guid"], "unchanged")

    html = ("<!DOCTYPE html><html lang=fr><head><title>Page</title>"
            "<link rel=canonical href='https://journal.example/a/1'></head><body><article>"
            "<h1>Une page lue depuis stdin</h1><p>Le conseil municipal a voté le budget de la "
            "ville lundi soir, après un long débat.</p><p>Les habitants attendaient cette "
            "décision depuis des mois, et ils ont applaudi.</p></article></body></html>")
    result = runner.invoke(cli, ["convert", "-", *VOICE, "--json"], input=html.encode())
    assert result.exit_code == 0, result.stderr
    [episode] = json.loads(result.stdout)["episodes"]
    assert episode["title"] == "Une page lue depuis stdin"
    assert episode["source"] == "-"

    result = runner.invoke(cli, ["convert", "-", *VOICE], input=b"")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: -: the file is empty; nothing to read"


HOSTILE_TITLE = ('<script>alert("x")</script> L\'"ultime" ../../etc/passwd / a\\b '
                 + "très long titre " * 18).strip()


def test_hostile_title_gets_a_safe_slug_and_is_escaped_everywhere(runner, project):
    assert len(HOSTILE_TITLE) > 300
    (project / "hostile.txt").write_text(f"{HOSTILE_TITLE}\n\nUne phrase. Une autre phrase.\n",
                                         encoding="utf-8")
    result = runner.invoke(cli, ["convert", "hostile.txt", *VOICE, "--json"])
    assert result.exit_code == 0, result.stderr
    [episode] = json.loads(result.stdout)["episodes"]
    assert episode["title"] == HOSTILE_TITLE  # kept as text
    slug = episode["slug"]
    assert slug.startswith("script-alert-x-script-l-ultime-etc-passwd-a-b-tres-long")
    assert len(slug) <= 60 and set(slug) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
    mp3 = Path(episode["mp3"])
    assert mp3.parent == Path("output/episodes") and mp3.name.startswith(slug)
    # nothing outside the output folder, and no file carries the title's markup unescaped
    assert not (project / "etc").exists() and not (project.parent / "etc").exists()
    for path in (project / "output").rglob("*"):
        if path.is_file() and path.suffix in (".xml", ".html", ".json", ".vtt", ".srt", ".js"):
            assert '<script>alert("x")' not in path.read_text(encoding="utf-8"), path


def test_two_articles_with_the_same_title_keep_their_slugs_across_runs(runner, project):
    (project / "b.txt").write_text("Même titre\n\nLe second article.\n", encoding="utf-8")
    (project / "a.txt").write_text("Même titre\n\nLe premier article.\n", encoding="utf-8")
    first = json.loads(runner.invoke(cli, ["convert", "b.txt", "a.txt", *VOICE, "--json",
                                           "--jobs", "2"]).stdout)["episodes"]
    assert [(e["source"], e["slug"]) for e in first] == [("b.txt", "meme-titre"),
                                                        ("a.txt", "meme-titre-2")]
    (project / "a.txt").write_text("Même titre\n\nLe premier article, corrigé.\n")
    again = json.loads(runner.invoke(cli, ["convert", "a.txt", "b.txt", *VOICE, "--json",
                                           "--rerender"]).stdout)["episodes"]
    assert [(e["source"], e["slug"]) for e in again] == [("a.txt", "meme-titre-2"),
                                                        ("b.txt", "meme-titre")]


HOSTILE_HTML = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Une page piégée</title>
<script>document.write("Ne lisez pas ce script");</script>
<style>body { content: "Ni ce style"; }</style></head>
<body onload="alert('Ni ce gestionnaire')">
<nav><a href="/">Accueil</a> <a href="/a">Rubriques</a></nav>
<article>
<h1>Une page piégée</h1>
<p onclick="alert('clic')">Le conseil municipal a voté le budget de la ville lundi soir, après
un long débat sur les investissements.</p>
<iframe src="https://pub.example/ad" title="Publicité">Votre navigateur ne lit pas les cadres</iframe>
<script>var texte = "Ni ce code au milieu";</script>
<p>Les habitants attendaient cette décision depuis des mois, et ils ont applaudi la fin des
travaux.<img src=x onerror="alert('Ni cette image')"></p>
<noscript>Activez JavaScript pour voir la suite</noscript>
</article>
<footer>Mentions légales</footer>
</body></html>"""


def test_html_with_scripts_iframes_and_event_handlers_reads_only_the_text(project):
    path = project / "piege.html"
    path.write_text(HOSTILE_HTML, encoding="utf-8")
    paths = load_settings(project)
    article = Reader(paths).read_path(path, "piege.html")
    cleaned, segments = prepare(article, paths, 200)
    spoken = " ".join(s.spoken for s in segments)
    assert cleaned.meta.title == "Une page piégée"
    assert "conseil municipal a voté le budget" in spoken
    assert "applaudi la fin des travaux" in spoken
    for never in ("Ne lisez pas", "Ni ce style", "Ni ce gestionnaire", "clic", "Ni ce code",
                  "Ni cette image", "alert", "navigateur ne lit pas", "Activez JavaScript",
                  "Accueil", "Mentions légales", "document.write"):
        assert never not in spoken, never


def test_reader_expands_folders_globs_and_stdin_in_order(project):
    (project / "in" / "sub").mkdir(parents=True)
    for name in ("b.txt", "a.md", "sub/c.html", "skip.pdf", ".hidden.txt"):
        (project / "in" / name).write_text("x")
    (project / "in" / ".git").mkdir()
    (project / "in" / ".git" / "d.txt").write_text("x")
    reader = Reader(load_settings(project), stdin=io.BytesIO(GOOD.encode()))
    entries = reader.expand(["in", "-", "in/*.txt", "ftp://example.org/a", "in/none-*.txt"])
    names = [getattr(e, "name", None) or f"error {e}" for e in entries]
    assert names == ["in/a.md", "in/b.txt", "in/sub/c.html", "-",
                     "error ftp://example.org/a: unsupported address scheme 'ftp'; use an "
                     "http(s) URL or a file path",
                     "error in/none-*.txt: no file matches this pattern"]
