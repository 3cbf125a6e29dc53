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
