"""Remove boilerplate (ads, buttons, teasers) by rules kept as data, and tidy whitespace."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from audioarticles.errors import UsageError
from audioarticles.model import Article, Block


@dataclass
class Rules:
    drop_lines: list[re.Pattern] = field(default_factory=list)
    cut_from: list[re.Pattern] = field(default_factory=list)

    def extend(self, data: dict, origin: str) -> None:
        for key in ("drop_lines", "cut_from"):
            for pattern in data.get(key, []):
                try:
                    getattr(self, key).append(re.compile(pattern))
                except re.error as exc:
                    raise UsageError(f"{origin}: bad pattern {pattern!r} in {key} ({exc})") from exc


def load_rules(project_root: Path | None = None, language: str = "fr") -> Rules:
    rules = Rules()
    packaged = resources.files("audioarticles") / "data" / f"boilerplate_{language}.toml"
    if packaged.is_file():
        rules.extend(tomllib.loads(packaged.read_text(encoding="utf-8")), str(packaged))
    if project_root is not None:
        custom = project_root / "boilerplate.toml"
        if custom.exists():
            rules.extend(tomllib.loads(custom.read_text(encoding="utf-8")), str(custom))
    return rules


def clean(article: Article, rules: Rules) -> Article:
    blocks: list[Block] = []
    for block in article.blocks:
        text = " ".join(block.text.split())
        if any(p.fullmatch(text) for p in rules.cut_from):
            break
        if not text or any(p.fullmatch(text) for p in rules.drop_lines):
            continue
        blocks.append(Block(block.kind, text))
    if blocks and blocks[0].kind != "title" and not any(b.kind == "title" for b in blocks):
        blocks[0] = Block("title", blocks[0].text)
    meta = article.meta
    if blocks and blocks[0].kind == "title":
        meta.title = blocks[0].text
    return Article(meta=meta, blocks=blocks)
