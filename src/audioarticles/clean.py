"""Remove boilerplate (ads, buttons, bylines, teasers for other articles) by rules kept as data.

The packaged French rules live in `data/boilerplate_<language>.toml`; a project adds its own in
`boilerplate.toml` at its root. A title first loses a format label it begins with
(`title_labels`: "VIDÉO. "), then three kinds of rule apply, in this order:
- `cut_from`: from a block matching a marker ("A lire également") to the end, all is dropped;
- `[teasers]`: a block matching a `stamp` (a date and time) marks a teaser for another
  article; it goes with its title (the block before), its rubric and its summary;
- `drop_lines`: a block matching a pattern is dropped wherever it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from audioarticles.config import BOILERPLATE_FILE, BoilerplateFile, Teasers, read_toml
from audioarticles.extract.blocks import squeeze
from audioarticles.languages import base_language
from audioarticles.model import Article, Block
from audioarticles.validation import check

PROJECT_RULES = BOILERPLATE_FILE


@dataclass
class Rules:
    drop_lines: list[re.Pattern] = field(default_factory=list)
    cut_from: list[re.Pattern] = field(default_factory=list)
    title_labels: list[re.Pattern] = field(default_factory=list)
    teaser_stamps: list[re.Pattern] = field(default_factory=list)
    rubric_max_words: int = Teasers().rubric_max_words

    def extend(self, data: dict, origin: str) -> None:
        """Add the rules of one TOML document, checked against `BoilerplateFile`; `origin`
        names it in error messages."""
        rules = check(BoilerplateFile, data, origin)
        self.drop_lines += [re.compile(p) for p in rules.drop_lines]
        self.cut_from += [re.compile(p) for p in rules.cut_from]
        self.title_labels += [re.compile(p) for p in rules.title_labels]
        self.teaser_stamps += [re.compile(p) for p in rules.teasers.stamp]
        if "rubric_max_words" in data.get("teasers", {}):
            self.rubric_max_words = rules.teasers.rubric_max_words


def load_rules(project_root: Path | None = None, language: str = "fr") -> Rules:
    """The packaged rules for the language (its base code), plus the project's own."""
    rules = Rules()
    base = base_language(language)  # from the fixed table: never a path from the page
    packaged = resources.files("audioarticles") / "data" / f"boilerplate_{base}.toml"
    if base and packaged.is_file():
        rules.extend(read_toml(packaged), str(packaged))
    if project_root is not None:
        custom = project_root / PROJECT_RULES
        if custom.exists():
            rules.extend(read_toml(custom, PROJECT_RULES), PROJECT_RULES)
    return rules


def _matches(patterns: list[re.Pattern], text: str) -> bool:
    return any(p.fullmatch(text) for p in patterns)


def cut_at_marker(blocks: list[Block], markers: list[re.Pattern]) -> list[Block]:
    """Drop everything from the first marker in the second half of the text; a marker in the
    first half (a box inside the body) is dropped alone."""
    total = sum(len(b.text) for b in blocks)
    seen = 0
    kept: list[Block] = []
    for block in blocks:
        if block.kind != "title" and _matches(markers, block.text):
            if seen >= total / 2:
                break
            continue
        seen += len(block.text)
        kept.append(block)
    return kept


def drop_teasers(blocks: list[Block], stamps: list[re.Pattern], rubric_max_words: int) -> list[Block]:
    """Remove each teaser: title, date stamp, short rubric blocks, then one summary block."""
    if not stamps:
        return blocks
    dropped: set[int] = set()
    for index, block in enumerate(blocks):
        if not _matches(stamps, block.text):
            continue
        dropped.add(index)
        if index > 0 and blocks[index - 1].kind != "title":
            dropped.add(index - 1)
        after = index + 1
        while after < len(blocks) and len(blocks[after].text.split()) <= rubric_max_words \
                and not _matches(stamps, blocks[after].text):
            dropped.add(after)
            after += 1
        if after < len(blocks) and not _matches(stamps, blocks[after].text):
            dropped.add(after)
    return [b for i, b in enumerate(blocks) if i not in dropped]


def without_label(title: str, labels: list[re.Pattern]) -> str:
    """The title without a format label it begins with ("VIDÉO. Dans les Alpes…" → "Dans les
    Alpes…"): the label says what the page shows, and the title alone is the headline."""
    for label in labels:
        match = label.match(title)
        if match and title[match.end():].strip():
            return title[match.end():].strip()
    return title


def clean(article: Article, rules: Rules) -> Article:
    """The article without boilerplate; the first block left is its title."""
    blocks = [Block(b.kind, squeeze(b.text)) for b in article.blocks]
    blocks = [b for b in blocks if b.text]
    if blocks and blocks[0].kind == "title":
        blocks[0] = Block("title", without_label(blocks[0].text, rules.title_labels))
    blocks = cut_at_marker(blocks, rules.cut_from)
    blocks = drop_teasers(blocks, rules.teaser_stamps, rules.rubric_max_words)
    blocks = [b for b in blocks if not _matches(rules.drop_lines, b.text)]
    if blocks and blocks[0].kind != "title":
        # the title was boilerplate (an ad placeholder above the headline): the next block is it
        blocks = [Block("title", blocks[0].text)] + [b for b in blocks[1:] if b.kind != "title"]
    meta = replace(article.meta)
    if blocks:
        meta.title = blocks[0].text
    return Article(meta=meta, blocks=blocks)
