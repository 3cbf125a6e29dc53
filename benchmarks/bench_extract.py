"""How much of the gold each extractor honours on French web pages: trafilatura's three modes
alone, the first release's extraction, and ours (`read_html` then the boilerplate rules of
`clean`, i.e. what is read; also without those rules), side by side in one run."""

from __future__ import annotations

import time
from pathlib import Path

TITLE = "Extraction: gold snippets honoured on French web pages"
TARGET = 0.95
KINDS = {"real": "real pages", "realblind": "real pages (held out, blind)",
         "realafter": "real pages (held out, after the fixes)",
         "realblind2": "real pages, second batch (held out, blind)",
         "own": "own pages (development)", "heldout": "own pages (held out)",
         "all": "**all pages**"}
# Written down when it happened, not recomputed: each batch of held-out pages on its first run,
# before the fixes it prompted. Batch 1 (4 pages, method frozen at bb6959d) prompted a standfirst
# in a <span> and the "suivez-nous sur Google Actualités" rule; batch 2 (2 pages, frozen at
# 24e7fa5) prompted confirming recall with the precision mode only (the default mode had let a
# teaser through); batch 3 (2 pages, frozen at f1c136f) prompted nothing. Batch 4 (6 pages
# `heldout4-*`, session 2, frozen at 51f7d10) prompted the reader-contact and WhatsApp rules;
# batch 5 (4 pages `heldout5-*`, frozen at 88c2557) was written after the session's changes.
# Batch 6 (8 pages `heldout6-*`, session 3) was written blind at d8bc61e, before its author read
# the extraction code; it prompted footnote calls removed, the <h1> as headline (the title, and
# what precedes it pruned), the "L'essentiel" summary box, `noprint`/`signature`/`reactions` as
# chrome names, calls to action that begin with one, title format labels ("VIDÉO. ") and rules
# for credit lines, dates in figures, toggles, comment counts and reference sections. Batch 7
# (4 pages `heldout7-*`) was written after those changes, frozen at 8d87164; it prompted headings
# named "header-…" kept, a data table's box going with its label, and `footnote`, `playlist`,
# `disclaimer` as chrome names. Batch 8 (3 pages `heldout8-*`) was written after those, frozen at
# 0e13208. Batch 9 (6 pages `heldout9-*`, session 3) was written blind at 947f8ae, before its
# author read the extraction code. Batch 10 (12 pages `real-*`, kind "realblind", session 4) is
# the first of REAL pages: French news pages taken byte for byte from other projects' public test
# data (Readability, Postlight Parser, Fundus, Goose3, a PyPI package's fixtures), gold written
# blind and committed at 89cc421 before the first run. It prompted: only the publisher's mark and
# the project's opt-out selectors skip a whole page (a rubric's <h1> nested in a breadcrumb had
# made a packaged chrome selector opt an op-ed out), paywall counters, reading times and a
# bracketed call to subscribe as boilerplate, a definition list holding a picture as a caption,
# a box listing the article's own headings as a table of contents, and a label ending with a
# colon going with the box it introduces. Batch 11 (4 more real pages, kind "realafter": Le Monde
# 2022, InternetActu, Blog du Modérateur, The Conversation 2017) was written after those fixes by
# their author, who had read the extraction code by then; method frozen at 004cdc8, gold
# committed before the first run. Batch 12 (8 pages `real2-*`, kind "realblind2", session 4) is
# the second blind batch of real pages: French news pages taken byte for byte from htmldate's
# test data (20 Minutes, Le Parisien, Le Point, Les Echos, Libération, Ouest-France, a
# Mediapart Club blog post, Révolution Permanente), gold written blind and committed at 09d5e6e
# before the first run, which ran against the rules at 3e887d2 once the last extraction changes
# had landed; a ninth page offered (medef.fr) was left out, an English publication card with no
# article text. It prompted no fix (nothing was missed); before its first run the scorer was
# made blind to the Unicode form, because the Mediapart page writes accents decomposed.
HELDOUT_FIRST_RUN = (
    "held-out pages on their first run: batch 1 (4 pages) ours 42/45, each trafilatura mode "
    "40/45; batch 2 (2 pages) ours 17/19, default 17/19, favor_precision 19/19, favor_recall "
    "17/19; batch 3 (2 pages) ours 21/21, default 19/21, favor_precision 20/21, favor_recall "
    "19/21. Together: ours 80/85 = 94.1 %, default 76/85 = 89.4 %, favor_precision 79/85 = "
    "92.9 %, favor_recall 76/85 = 89.4 %. Batch 4 (6 pages, session 2, method frozen at 51f7d10): "
    "ours 71/76 = 93.4 %, default 66/76 = 86.8 %, favor_precision 67/76 = 88.2 %, favor_recall "
    "66/76 = 86.8 %; ours read two reader-contact lines, a WhatsApp line and an \"À écouter "
    "aussi\" card title. Batch 5 (4 pages, session 2, method frozen at 88c2557, the nearest to "
    "unseen pages): ours 43/45 = 95.6 %, default 41/45 = 91.1 %, favor_precision 41/45 = 91.1 %, "
    "favor_recall 39/45 = 86.7 %; ours read \"Contactez la rédaction du …\" and missed a SPIP "
    "chapo. The first five batches together: ours 194/206 = 94.2 %, default 183/206 = 88.8 %, "
    "favor_precision 187/206 = 90.8 %, favor_recall 181/206 = 87.9 %. Batch 6 (8 pages, session "
    "3, written blind at d8bc61e): ours 182/197 = 92.4 %, default 168/197 = 85.3 %, "
    "favor_precision 170/197 = 86.3 %, favor_recall 164/197 = 83.2 %; ours read a live match "
    "page's scorers, referee, line-ups and a reader's reaction, a newsletter's subscribe callout, "
    "a map's source line, a \"Voir la transcription\" toggle, an encyclopaedia's reference list "
    "and its \"[réf. nécessaire]\" tag, and missed an \"L'essentiel\" box, a review's practical "
    "box and the title of a video article. Batch 7 (4 pages, session 3, method frozen at "
    "8d87164 after batch 6's fixes, the nearest to unseen pages): ours 84/92 = 91.3 %, default "
    "77/92 = 83.7 %, favor_precision 83/92 = 90.2 %, favor_recall 77/92 = 83.7 %; ours read a "
    "stock portal's \"Valeurs associées\" label and investment disclaimer, a radio page's music "
    "playlist and a newsletter's footnotes, and missed that newsletter's two subheads. The first "
    "seven batches together: ours 460/495 = 92.9 %, default 428/495 = 86.5 %, favor_precision "
    "440/495 = 88.9 %, favor_recall 422/495 = 85.3 %. Batch 8 (3 pages, session 3, method frozen "
    "at 0e13208 after batch 7's fixes): ours 64/65 = 98.5 %, default 58/65 = 89.2 %, "
    "favor_precision 58/65 = 89.2 %, favor_recall 56/65 = 86.2 %; ours missed an op-ed's closing "
    "presentation of its author (a paragraph named `signature`). All eight batches together on "
    "their first run: ours 524/560 = 93.6 %, default 486/560 = 86.8 %, favor_precision 498/560 = "
    "88.9 %, favor_recall 478/560 = 85.4 %. Batch 9 (6 pages, session 3, written blind at "
    "947f8ae): ours 138/142 = 97.2 %, default 123/142 = 86.6 %, favor_precision 118/142 = 83.1 %, "
    "favor_recall 118/142 = 83.1 %; ours read a blog's affiliate-link disclosure and an agency "
    "dispatch's desk slug (\"tsq-abc/ito/cbn\"), and missed a council report's title and a "
    "ratings page's closing legend. The two blind batches (6 and 9) together: ours 320/339 = "
    "94.4 %, default 291/339 = 85.8 %, favor_precision 288/339 = 85.0 %, favor_recall 282/339 = "
    "83.2 %. All nine batches together on their first run: ours 662/702 = 94.3 %, default "
    "609/702 = 86.8 %, favor_precision 616/702 = 87.7 %, favor_recall 596/702 = 84.9 %. Batch "
    "10, the first of real pages (12 pages from Le Monde, Libération, Le Figaro, Les Echos, "
    "Euronews, Reporterre, La Tribune, The Conversation; session 4, gold written blind, rules "
    "at 89cc421): ours 281/299 = 94.0 %, default 270/299 = 90.3 %, favor_precision 270/299 = "
    "90.3 %, favor_recall 270/299 = 90.3 %, the first release 273/299 = 91.3 %; ours skipped a "
    "whole op-ed page as an opt-out because its breadcrumb matched an opt-out selector (11 "
    "snippets; the run's first attempt stopped there, the harness now counts a skipped page as "
    "reading nothing), and read a paywall's \"Il vous reste 57.09% de cet article à lire.\", a "
    "news ticker's boxes of links (\"Pour ne rien rater…\", \"Les principales infos de ce "
    "matin\" and a link), an interview's reading time and a photo's pull quote, and a "
    "bracketed newsletter call inside a body. All ten batches together on their first run: "
    "ours 943/1001 = 94.2 %, default 879/1001 = 87.8 %, favor_precision 886/1001 = 88.5 %, "
    "favor_recall 866/1001 = 86.5 %. Batch 11 (4 more real pages written after batch 10's "
    "fixes, method frozen at 004cdc8; not blind: their author had read the code, but no rule "
    "was written for them; two of the four share a template with batch 10's pages): ours 96/96 "
    "= 100 %, default 91/96 = 94.8 %, favor_precision 90/96 = 93.8 %, favor_recall 91/96 = "
    "94.8 %. The two batches of real pages together on their first run: ours 377/395 = 95.4 %, "
    "default 361/395 = 91.4 %, favor_precision 360/395 = 91.1 %, favor_recall 361/395 = "
    "91.4 %. All eleven batches together: ours 1039/1097 = 94.7 %, default 970/1097 = 88.4 %, "
    "favor_precision 976/1097 = 89.0 %, favor_recall 957/1097 = 87.2 %. Batch 12, the second "
    "blind batch of real pages (8 pages from 20 Minutes, Le Parisien, Le Point, Les Echos, "
    "Libération, Ouest-France, Mediapart's Club, Révolution Permanente; session 4, gold written "
    "blind at 09d5e6e, rules at 3e887d2): ours 187/187 = 100 %, default 168/187 = 89.8 %, "
    "favor_precision 160/187 = 85.6 %, favor_recall 168/187 = 89.8 %, the first release "
    "172/187 = 92.0 %; ours missed nothing (trafilatura read Le Point's in-paragraph \"À LIRE "
    "AUSSI\" links, Ouest-France's \"Lire aussi\" links, photo captions set as paragraphs and a "
    "registration wall's pitch, and missed headlines and standfirsts outside the body, its "
    "text leaving the title out). The two blind "
    "batches of real pages (10 and 12) together: ours 468/486 = 96.3 %, default 438/486 = "
    "90.1 %, favor_precision 430/486 = 88.5 %, favor_recall 438/486 = 90.1 %. The three batches "
    "of real pages together: ours 564/582 = 96.9 %, default 529/582 = 90.9 %, favor_precision "
    "520/582 = 89.3 %, favor_recall 529/582 = 90.9 %. All twelve batches together: ours "
    "1226/1284 = 95.5 %, default 1138/1284 = 88.6 %, favor_precision 1136/1284 = 88.5 %, "
    "favor_recall 1125/1284 = 87.6 %")
# Ours on all held-out batches (own and real pages) on their first run (honoured, total): the
# figure for pages nobody tuned on, beside the one for the pages as they stand after the fixes
# they prompted.
FIRST_RUN = (1226, 1284)
ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "fixtures" / "html"


def _trafilatura(mode: str):
    import trafilatura

    options = {"favor_precision": mode == "favor_precision", "favor_recall": mode == "favor_recall"}

    def extract(html: str, name: str) -> str:
        return trafilatura.extract(html, include_comments=False, include_tables=False,
                                   **options) or ""
    return extract


def _read(article) -> str:
    from audioarticles.clean import clean, load_rules

    return "\n".join(block.text for block in clean(article, load_rules()).blocks)


def _first_release(html: str, name: str) -> str:
    """What the first release read: trafilatura's default mode on the page without the skip
    selectors, then the boilerplate rules."""
    from audioarticles.errors import InputError
    from audioarticles.extract.blocks import article_from_blocks
    from audioarticles.extract.html import DEFAULT_SKIP, _extract_body, parse_html, remove_skipped
    from audioarticles.model import ArticleMeta

    tree = parse_html(html, name)
    remove_skipped(tree, DEFAULT_SKIP)
    try:
        return _read(article_from_blocks(_extract_body(tree, "default"), ArticleMeta(), name))
    except InputError:
        return ""


def _ours_without_rules(html: str, name: str) -> str:
    from audioarticles.errors import ArticleSkipped, InputError
    from audioarticles.extract import read_html

    try:
        return "\n".join(block.text for block in read_html(html, name).blocks)
    except (InputError, ArticleSkipped):  # a page skipped (opt-out) reads nothing
        return ""


def _ours(html: str, name: str) -> str:
    from audioarticles.errors import ArticleSkipped, InputError
    from audioarticles.extract import read_html

    try:
        return _read(read_html(html, name))
    except (InputError, ArticleSkipped):  # a page skipped (opt-out) reads nothing
        return ""


# The last one is ours, the one the target is about.
EXTRACTORS = {
    "trafilatura default": _trafilatura("default"),
    "trafilatura favor_precision": _trafilatura("favor_precision"),
    "trafilatura favor_recall": _trafilatura("favor_recall"),
    "first release (default + rules)": _first_release,
    "ours without the rules": _ours_without_rules,
    "ours (read_html + rules)": _ours,
}


def score_all() -> tuple[list, dict]:
    """Per page and extractor: (honoured, total, failures, seconds)."""
    from audioarticles.extract.gold import check, gold_pages, load_gold

    pages = gold_pages(PAGES)
    order = list(KINDS)
    pages.sort(key=lambda page: (order.index(load_gold(page).kind), page.name))
    for extract in EXTRACTORS.values():  # imports and one-time set-up out of the timings
        extract(pages[0].read_text(encoding="utf-8"), pages[0].name)
    rows = []
    for page in pages:
        gold = load_gold(page)
        html = page.read_text(encoding="utf-8")
        results = {}
        for name, extract in EXTRACTORS.items():
            started = time.perf_counter()
            text = extract(html, page.name)
            elapsed = time.perf_counter() - started
            verdict = check(text, gold)
            results[name] = (verdict.honoured, len(gold), verdict.failures, elapsed)
        rows.append((page.name, gold.kind, results))
    totals = {}
    for name in EXTRACTORS:
        for kind in KINDS:
            picked = [r[2][name] for r in rows if kind == "all" or r[1] == kind]
            totals[(name, kind)] = (sum(p[0] for p in picked), sum(p[1] for p in picked),
                                    sum(p[3] for p in picked))
    return rows, totals


def run() -> str:
    import trafilatura

    rows, totals = score_all()
    names = list(EXTRACTORS)
    count = {kind: sum(1 for r in rows if r[1] == kind) for kind in KINDS}
    intro = (f"{len(rows)} pages in `tests/fixtures/html/` with gold files: {count['real']} real "
             "pages saved from French sites (the copies of `../shared/corpus/html`), "
             f"{count['realblind']} real French news pages taken from other projects' public "
             "test data whose gold was written blind (`real-*`), "
             f"{count['realafter']} more written after the fixes those prompted, "
             f"{count['realblind2']} more in a second blind batch (`real2-*`), "
             f"{count['own']} written for the tests imitating French news-site structures while "
             f"the method was developed, {count['heldout']} written after it was frozen. Each "
             "snippet is text that must be read or must never be read; same HTML, same scorer "
             "(`audioarticles.extract.gold.check`), one run, trafilatura "
             f"{trafilatura.__version__} (`include_comments=False, include_tables=False`).")
    lines = [intro, ""]
    lines.append("| page | snippets | " + " | ".join(names) + " |")
    lines.append("| --- | ---: |" + " ---: |" * len(names))
    for page, kind, results in rows:
        total = results[names[0]][1]
        cells = " | ".join(str(results[n][0]) for n in names)
        lines.append(f"| `{page}` ({kind}) | {total} | {cells} |")
    for kind, label in KINDS.items():
        cells = []
        for name in names:
            honoured, total, _ = totals[(name, kind)]
            cells.append(f"{honoured}/{total} = {100 * honoured / total:.1f} %")
        lines.append(f"| {label} | {totals[(names[0], kind)][1]} | " + " | ".join(cells) + " |")
    seconds = " | ".join(f"{1000 * totals[(n, 'all')][2] / len(rows):.0f}" for n in names)
    lines.append(f"| ms per page (mean) | | {seconds} |")
    lines.append("")
    ours = names[-1]
    misses = [(page, f) for page, _, results in rows for f in results[ours][2]]
    if misses:
        lines.append(f"What ours still gets wrong ({len(misses)}):")
        lines.extend(f"- `{page}`: {failure}" for page, failure in misses)
        lines.append("")
    honoured, total, _ = totals[(ours, "all")]
    best_other = max(totals[(n, "all")][0] for n in names[:3])
    rate = honoured / total
    lines.append(f"For the record, {HELDOUT_FIRST_RUN}.")
    lines.append("")
    met = rate >= TARGET and honoured > best_other
    first, first_total = FIRST_RUN
    lines.append(f"Target: at least {100 * TARGET:.0f} % of the gold honoured, beyond every "
                 f"trafilatura mode alone: {'met' if met else 'NOT met'} ({100 * rate:.1f} %) on "
                 "the pages as they stand, after the fixes their misses prompted; on held-out "
                 f"pages on their first run, the figure for pages nobody tuned on: "
                 f"{'met' if first / first_total >= TARGET else 'NOT met'} ({first}/{first_total}"
                 f" = {100 * first / first_total:.1f} %).")
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
