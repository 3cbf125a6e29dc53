"""`audioarticles text INPUT --stage extract|clean|normalized|segments [--json]`."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from audioarticles.cli import cli

PAGE = Path(__file__).parent / "fixtures" / "html" / "soundofscience.fr.1927.html"


def block_lines(output: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^\[(\w+)\] (.*)$", output, re.M)]


def test_extract_shows_the_raw_blocks(runner, sample):
    result = runner.invoke(cli, ["text", str(sample), "--stage", "extract"])
    assert result.exit_code == 0, result.stderr
    blocks = block_lines(result.stdout)
    assert blocks[0] == ("title", "Publicité en cours de chargement...")
    assert ("heading", "France 2030, une approche systémique de l’innovation") in blocks
    assert any("RGPD chez France Travail" in text for _, text in blocks)


def test_clean_shows_the_article_without_boilerplate(runner, sample):
    result = runner.invoke(cli, ["text", str(sample), "--stage", "clean"])
    assert result.exit_code == 0, result.stderr
    blocks = block_lines(result.stdout)
    assert blocks[0][0] == "title" and blocks[0][1].startswith("L’IA, fil conducteur de la 4ᵉ")
    assert [k for k, _ in blocks].count("heading") == 3
    assert [k for k, _ in blocks].count("list_item") == 5
    assert "Publicité" not in result.stdout and "A lire également" not in result.stdout


def test_normalized_seed_has_no_digit_superscript_or_misread_abbreviation(runner, sample):
    result = runner.invoke(cli, ["text", str(sample), "--stage", "normalized"])
    assert result.exit_code == 0, result.stderr
    spoken = "\n".join(text for _, text in block_lines(result.stdout))
    assert not any(ch.isdigit() for ch in spoken)
    assert not re.search(r"[ᵉʳˢ⁰¹²³⁴⁵⁶⁷⁸⁹\u00a0\u202f«»’]", spoken)
    # no abbreviation or acronym left for the voice to guess at
    assert not re.search(r"\b(?:Mme|Pr|M\.|Dr|etc)\b|\b[A-Z]{2,}\b", spoken)
    for said in ("quatrième Journée", "sept mille huit cents projets", "quarante milliards d'euros",
                 "Madame Rist", "le professeur Fabrice André", "France deux mille trente",
                 "stratégie nationale i a", "soixante-dix mille étudiants"):
        assert said in spoken
    assert [k for k, _ in block_lines(result.stdout)].count("heading") == 3


def test_segments_json_gives_blocks_and_segments_with_their_block(runner, sample):
    result = runner.invoke(cli, ["text", str(sample), "--stage", "segments", "--voice", "fr", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    # gTTS takes whole sentences: the engine packs them into its 100-character requests
    assert data["stage"] == "segments" and data["max_chars"] == 1000
    assert data["meta"]["title"].startswith("L’IA")
    blocks, segments = data["blocks"], data["segments"]
    assert [b["index"] for b in blocks] == list(range(len(blocks)))
    assert {"kind", "text", "spoken"} <= set(blocks[0])
    assert [s["position"] for s in segments] == list(range(len(segments)))
    for seg in segments:
        assert seg["block_kind"] == blocks[seg["block"]]["kind"]
        assert seg["written"] in blocks[seg["block"]]["text"]
        assert len(seg["spoken"]) <= data["max_chars"]


def test_max_chars_and_html_input(runner, project):
    shutil.copy(PAGE, project / "page.html")
    result = runner.invoke(cli, ["text", "page.html", "--stage", "segments", "--max-chars", "400",
                                 "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["meta"]["language"] == "fr-FR" and data["meta"]["author"] == "Martin Clavey"
    assert max(len(s["spoken"]) for s in data["segments"]) <= 400
    assert max(len(s["spoken"]) for s in data["segments"]) > 100
    spoken = " ".join(s["spoken"] for s in data["segments"])
    assert "chercheuses et chercheurs" in spoken and "·" not in spoken


def test_text_on_plain_output_lists_metadata(runner, project):
    shutil.copy(PAGE, project / "page.html")
    result = runner.invoke(cli, ["text", "page.html", "--stage", "clean"])
    assert result.exit_code == 0, result.stderr
    assert "# author: Martin Clavey" in result.stdout
    assert "# url: https://www.soundofscience.fr/1927" in result.stdout


@pytest.mark.parametrize("args, code, error", [
    (["text", "nope.txt"], 1,
     "error: nope.txt: no such file; check the path (relative to the current folder)"),
    (["text", "empty.txt"], 1, "error: empty.txt: contains only blank space; nothing to read"),
    (["text", "ad.txt", "--stage", "normalized"], 1,
     "error: ad.txt: nothing left to read after removing boilerplate"),
    (["text", "ad.txt", "--voice", "klingon"], 2,
     "error: unknown voice 'klingon'; valid voices: fr, fr-ca, fr-edge, fr-espeak, fr-piper (see `audioarticles voices`)"),
])
def test_text_errors(runner, project, args, code, error):
    (project / "empty.txt").write_text("\n")
    (project / "ad.txt").write_text("Publicité en cours de chargement...\n")
    result = runner.invoke(cli, args)
    assert result.exit_code == code
    assert result.stderr.strip() == error
    assert result.stdout == ""


def test_text_usage_errors(runner, project):
    result = runner.invoke(cli, ["text", "a.txt", "--stage", "audio"])
    assert result.exit_code == 2
    result = runner.invoke(cli, ["text", "a.txt", "--max-chars", "5"])
    assert result.exit_code == 2


# --- issue 16: tools for editors --------------------------------------------------------------

NEWS = ("Le XV de France a battu l’Irlande 30-24.\n\n"
        "La RATP prévoit 21 grèves, soit 1,5 M€ (p < 0,001).\n")


def test_changes_list_every_rewrite_with_its_rule_and_position(runner, project):
    (project / "news.txt").write_text(NEWS, encoding="utf-8")
    result = runner.invoke(cli, ["text", "news.txt", "--stage", "normalized", "--changes"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines == [
        "0:3-5\troman numerals\tXV → quinze",
        "0:34-40\tranges\t30-24. → 30 à 24.",
        "0:34-40\tnumbers\t30 → trente  (written: 30-24.)",
        "0:34-40\tnumbers\t24. → vingt-quatre .  (written: 30-24.)",
        "1:3-7\tacronyms\tRATP → èr a té pé",
        "1:16-18\tnumbers\t21 → vingt et une",
        "1:32-38\tmoney\t1,5 M€ → un virgule cinq million d'euros",
        "1:42-43\tcomparisons\t< → inférieur à",
        "1:44-51\tnumbers\t0,001). → zéro virgule zéro zéro un ).",
    ]
    written = NEWS.split("\n\n")[1].strip()
    assert written[32:38] == "1,5 M€"


def test_changes_as_json_sit_beside_each_segment(runner, project):
    (project / "news.txt").write_text(NEWS, encoding="utf-8")
    result = runner.invoke(cli, ["text", "news.txt", "--changes", "--json"])
    assert result.exit_code == 0, result.stderr
    segments = json.loads(result.stdout)["segments"]
    assert segments[1]["spoken"].startswith("La èr a té pé prévoit vingt et une grèves")
    assert {"rule": "acronyms", "before": "RATP", "after": "èr a té pé", "written": "RATP",
            "start": 3, "end": 7} in segments[1]["changes"]
    for seg in segments:
        for change in seg["changes"]:
            assert seg["written"][change["start"]:change["end"]] == change["written"]


def test_changes_need_a_normalized_stage(runner, project):
    (project / "news.txt").write_text(NEWS, encoding="utf-8")
    result = runner.invoke(cli, ["text", "news.txt", "--stage", "clean", "--changes"])
    assert result.exit_code == 2
    assert "--changes lists the normaliser's rewrites" in result.stderr


def test_lexicon_add_writes_a_say_entry_the_next_run_uses(runner, project):
    (project / "news.txt").write_text(NEWS, encoding="utf-8")
    (project / "lexicon.toml").write_text('# our names\n[acronyms]\nwords = ["CPAM"]\n',
                                          encoding="utf-8")
    result = runner.invoke(cli, ["lexicon", "add", "RATP", "ératépé"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().endswith("lexicon.toml: RATP is read 'ératépé'")
    assert (project / "lexicon.toml").read_text(encoding="utf-8") == (
        '# our names\n[acronyms]\nwords = ["CPAM"]\n\n[say]\n"RATP" = "ératépé"\n')
    result = runner.invoke(cli, ["lexicon", "add", "RATP", "érateupé", "--json"])
    assert json.loads(result.stdout)["replaced"] == "ératépé"
    result = runner.invoke(cli, ["text", "news.txt", "--changes"])
    assert "1:3-7\tlexicon\tRATP → érateupé" in result.stdout.splitlines()


@pytest.mark.parametrize("args, content, error", [
    (["lexicon", "add", "", "x"], None,
     "error: lexicon entry '' = 'x': both the word and its pronunciation must be non-empty text on one line"),
    (["lexicon", "add", "RATP", "a\nb"], None,
     "error: lexicon entry 'RATP' = 'a\\nb': both the word and its pronunciation must be non-empty text on one line"),
    (["lexicon", "add", "RATP", "x"], "[say\n", "not valid TOML"),
    (["lexicon", "add", "RATP", "x"], "say = 3\n", "lexicon.toml: say = 3: expected a table of texts"),
])
def test_lexicon_add_refuses_bad_entries_and_leaves_the_file(runner, project, args, content, error):
    if content is not None:
        (project / "lexicon.toml").write_text(content, encoding="utf-8")
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert error in result.stderr
    if content is not None:
        assert (project / "lexicon.toml").read_text(encoding="utf-8") == content
    else:
        assert not (project / "lexicon.toml").exists()
