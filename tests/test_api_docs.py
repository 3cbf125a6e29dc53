"""docs/API.md's examples and examples/cms_hook.py run as written (offline voice)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

import audioarticles as aa

CONFIG = '[voice]\ndefault = "fr-espeak"\n'
MARCHE = ("---\ntitle: Le marché couvert rouvre\n---\n\n# Le marché couvert rouvre\n\n"
          "Les commerçants reviennent samedi matin, après deux ans de travaux.\n")


def code_blocks(markdown: str, language: str = "python") -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", markdown, re.M | re.S)


def newsroom(folder: Path) -> Path:
    root = folder / "newsroom"
    (root / "articles").mkdir(parents=True)
    (root / "audioarticles.toml").write_text(CONFIG, encoding="utf-8")
    (root / "articles" / "marche.md").write_text(MARCHE, encoding="utf-8")
    return root


@pytest.mark.slow
def test_the_api_page_examples_run_in_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    newsroom(tmp_path)
    page = (ROOT / "docs" / "API.md").read_text(encoding="utf-8")
    blocks = code_blocks(page)
    assert len(blocks) >= 6
    assert code_blocks(page, "toml") == [CONFIG]  # the settings the page says it runs with
    namespace: dict = {}
    for number, block in enumerate(blocks, start=1):
        try:
            exec(compile(block, f"docs/API.md block {number}", "exec"), namespace)
        except Exception as error:  # name the block that broke
            raise AssertionError(f"docs/API.md block {number} failed: {error!r}\n{block}") \
                from error


@pytest.mark.slow
def test_the_cms_hook_example_publishes_corrects_and_takes_down(tmp_path):
    root = newsroom(tmp_path)
    article = {"id": 4512, "title": "Le tramway arrive à Brest",
               "body_html": "<p>La nouvelle ligne ouvre lundi entre la gare et le port.</p>",
               "url": "https://example.org/brest-tramway", "author": "Anne Le Goff",
               "published_at": "2026-03-02T08:00+01:00", "sections": ["Transports"]}
    payload = tmp_path / "article.json"
    payload.write_text(json.dumps(article), encoding="utf-8")
    hook = [sys.executable, str(ROOT / "examples" / "cms_hook.py"), "--project", str(root),
            str(payload)]
    done = subprocess.run(hook, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["id"], result["state"]) == ("4512", "published")
    assert f'data-audioarticles="{result["slug"]}"' in result["player"]  # the script embed

    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import cms_hook
    finally:
        sys.path.remove(str(ROOT / "examples"))
    project = aa.Project.open(root)
    corrected = cms_hook.on_publish(project, {**article, "body_html": "<p>Elle ouvre mardi.</p>"})
    assert (corrected["id"], corrected["slug"]) == ("4512", result["slug"])
    assert cms_hook.on_unpublish(project, "4512", "article retiré") == "unpublished"
    assert [e.guid for e in project.episodes(state="unpublished")] == ["4512"]

    payload.write_text(json.dumps({"id": 1, "body_html": ""}), encoding="utf-8")
    failed = subprocess.run(hook, capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1
    assert json.loads(failed.stdout) == {
        "id": 1, "error": "article:1: nothing to read; give html, markdown, text or a url"}
