"""Share of realistic French news sentences whose spoken form is fully right (goal: 95 %).

The sentences are `tests/fixtures/normalise_eval_fr.tsv` (written for this project in the style
of news wires, sport, economy, health, law and history pages, with what a newsreader says, before
the issue-16 rules) and `normalise_eval_fr_2.tsv` … `_8.tsv` (batches written after them, each
committed with its first-run score, to check that they generalise). `_9.tsv` … `_14.tsv` are REAL
sentences nobody here wrote (French, Belgian, Swiss, Québec and Algerian press of 2018-2019, and
French news headlines of January 2020, drawn by `benchmarks/sources/`), their readings written
blind (by engineers who never read the rules) and committed with the first-run score.
A sentence counts as right when the normaliser's output equals the expected reading, compared
as a listener hears it: case, punctuation, apostrophes and hyphens are ignored.
`python -m benchmarks.bench_french_eval` lists the sentences that are not right.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

TITLE = "French readings of realistic news sentences"
TARGET = 0.95
FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
BATCHES = {"first batch": FIXTURES / "normalise_eval_fr.tsv",
           "second batch": FIXTURES / "normalise_eval_fr_2.tsv",
           "third batch": FIXTURES / "normalise_eval_fr_3.tsv",
           "fourth batch": FIXTURES / "normalise_eval_fr_4.tsv",
           "fifth batch": FIXTURES / "normalise_eval_fr_5.tsv",
           "sixth batch": FIXTURES / "normalise_eval_fr_6.tsv",
           "seventh batch": FIXTURES / "normalise_eval_fr_7.tsv",
           "eighth batch": FIXTURES / "normalise_eval_fr_8.tsv",
           # Real sentences from published French press articles (session 4), each batch written
           # blind and committed with its first-run score; a batch not written yet is left out.
           "ninth batch (real press)": FIXTURES / "normalise_eval_fr_9.tsv",
           "tenth batch (real press)": FIXTURES / "normalise_eval_fr_10.tsv",
           "eleventh batch (real press)": FIXTURES / "normalise_eval_fr_11.tsv",
           "twelfth batch (real press)": FIXTURES / "normalise_eval_fr_12.tsv",
           "thirteenth batch (real headlines)": FIXTURES / "normalise_eval_fr_13.tsv",
           "fourteenth batch (real press, Algeria)": FIXTURES / "normalise_eval_fr_14.tsv"}

# Figures that cannot be measured again from this tree: the rules before issue 16 and the
# second batch's first score, taken before the fixes it prompted.
HISTORY = ("Before the issue-16 rules (commit ec46a58), the same comparison gave 105/191 (55.0 %) on "
           "the first batch and 57/79 (72.2 %) on the second. The second batch, written after the "
           "rules, scored 75/79 (94.9 %) when first run; its misses (ASSE, sprint times \"9\\\"86\", "
           "\"du kWh\", \"T2\") became rules and golden cases, so read 94.9 % as the nearest figure "
           "to unseen text. The third batch (131 sentences, written in session 2 before any rule change, rules "
           "frozen at 51f7d10) scored 123/131 (93.9 %) when first run; its misses: agreement across "
           "\"voix contre 221\", the blood pressure \"16/10\", \"1/8e de finale\", hundredths "
           "\"49\\\"03\", the race time \"2:05:42\", the letter in \"RER B\", \"Inserm\" "
           "(lexicon respelling, same sound) and \"kg/m²\" read \"kilos\" (the last two were "
           "transcription slips against the conventions; the expectations were corrected). The fourth "
           "batch (65 sentences, written after the rules were frozen at 88c2557) scored 65/65 "
           "(100.0 %) when first run. The fifth batch (272 sentences in the styles of the French "
           "treebanks and news pages, written in session 3 by someone who had not read the rules or "
           "their golden tables, rules at d8bc61e) scored 253/272 (93.0 %) when first run; its misses: "
           "the short number \"3114\" read as a quantity, the dotted \"S.G.\" and hyphenated "
           "\"PPE-DE\" acronyms, agreement with a noun left out (\"61 contre\" voix, \"dont 1\" "
           "usine) or not in the lexicon (\"1 gélule\"), the frequencies \"1/10\" (twice) and "
           "ratings \"4/5\", \"8/10\" read as fractions, \"cours/bénéfice\" without \"sur\", "
           "the units \"mmHg\", \"µm\" and \"CO2/km\", \"PAC\" spelled, the letter in "
           "\"planète B.\", and three transcription slips against the conventions (\"€/m²\", "
           "\"€/MWh\" read \"le\", the lone \"b)\"; the expectations were corrected); they became "
           "rules and golden cases (d14ed74). The sixth batch (116 sentences, written after those "
           "rules were frozen, by their author) scored 113/116 (97.4 %) when first run; its misses: "
           "\"41 cette année\" (the determiner \"cette\" taken for a feminine noun), the unit "
           "\"/mm³\" and the pharmacology term \"Cmax\", which then became rules and golden "
           "cases too. The seventh batch (79 sentences, written after a second round of rules was "
           "frozen at a2dfd07, by their author) scored 79/79 (100.0 %) when first run. The sixth and "
           "seventh were written by someone who knew the rules. The eighth batch (256 sentences in the "
           "styles of the French treebanks and news pages, written in session 3 by a second engineer "
           "who had not read the rules, their data or their golden tables, rules at 947f8ae) scored "
           "233/256 (91.0 %) when first run; its 23 misses: agreement wrongly made with the noun after "
           "a number (\"1 place\" in an address, \"3-1 face\"), or missed across a range (\"en 1 à 2 "
           "heures\"); \"de 1,2 %\", \"de 1,1 °C\", \"de 1,2 ‰\" read \"d'un\" (three); "
           "\"500 k€\" spelled \"cinq cents mille\"; \"2,8 milliards de CHF\" spelled; \"33 Mt\" "
           "read \"mégatonnes\" (newsreaders say \"millions de tonnes\"); the frequency \"1/1 000\" "
           "read \"pour mille\"; the gap \"0\\\"34\" not read as hundredths; \"90e+4\" given an "
           "added \"minute\"; the abbreviations \"al.\" (alinéa) and \"th.\" (thermostat) and the "
           "ordinal \"2d\"; the bare roman numerals \"du I et du II de l'article\"; the lifespan "
           "\"(1802-1885)\" read as a range with \"à\"; \"RAM\" spelled and \"mAh\" without "
           "plural; the web address \"www.….fr\" and the e-mail's \".fr\" (\"www\" dropped, \"fr\" "
           "not spelled); \"#MeToo\" read \"hashtag\"; \"Insee\" respelled \"insé\" (same sound); "
           "and \"TGV\" spelled where the expectation left it written. Seven expectations were then "
           "corrected as transcription slips against the earlier batches' conventions (the three "
           "\"d'un\", \"insé\", \"TGV\", the \"minute\" of \"90e+4\" and the \"à\" of "
           "\"(1802-1885)\", as in \"(1545-1563)\"); the others became rules and golden cases "
           "(street numbers, prepositions \"face à\", ranges after \"en\"/\"dans\"/\"sous\", "
           "\"k€\", currency codes after a scale word, \"Mt\", frequencies after a comparison, "
           "gaps under a second, \"al.\", \"th.\", \"2d\", article parts \"du II\", \"RAM\", "
           "\"mAh\"). Still read otherwise than the batch expects: the web address, the e-mail's "
           "\".fr\" and \"#MeToo\", where the web rules' golden readings (\"www\" dropped, "
           "\"point fr\", \"hashtag\") are kept. Blind "
           "batches (written before their authors read the rules), on their first run: the fifth "
           "253/272 and the eighth 233/256 = 486/528 (92.0 %), the least biased figure. Every batch "
           "written after rules existed, on its first run: 75/79 + 123/131 + 65/65 + 253/272 + "
           "113/116 + 79/79 + 233/256 = 941/998 (94.3 %). "
           "REAL sentences (session 4), each batch's readings written blind by an engineer who "
           "never read the rules, their data or golden tables, and scored once before any change "
           "for it: the ninth (138 sentences of French, Belgian, Swiss and Québec press) 131/138 and "
           "the tenth (138) 124/138 against the rules at the session's start (3114476): 255/276 "
           "(92.4 %); their misses were mostly acronyms said as words (RIC, BAC, EHPAD, FOX), "
           "acronyms inside compounds (PSG-Montpellier, N-VA), headings in capitals, \"acte X\", "
           "dotted thousands (\"124.000\"), footnote calls \"(2)\", NDLR, \"49-2\"; they and a scan "
           "of 21,443 other real sentences (benchmarks/sources, dev set) became general rules. Then, "
           "after those rules: the thirteenth (150 real headlines of Google News France, January "
           "2020) 143/150 (95.3 %; 110/117 = 94.0 % without its 33 near-identical weather headlines) "
           "and the fourteenth (143 sentences of Algerian French-language press) 133/143 (93.0 %), "
           "both at 3e887d2; their misses: \"DA\" not read dinars (twice), \"Y a-t-il\" read with "
           "the letter Y, \"OK\" spelled, an agency's +quote closed by the outer quote read "
           "\"plus\", \"FERMENTALG\", \"AIR\", \"MAX\" spelled in capitals, \"N3F\", \"MMArena\", "
           "\"Cdiscount\", UGTA and CICE read as words, P/APC, DAB, a web address's path, and one "
           "slip (\"kilogrammes\" for the batches' \"kilos\"); the first five became rules "
           "(4b63093). The eleventh (142, same press as the ninth) 137/142 (96.5 %) at 642fcfb and "
           "the twelfth (140) 137/140 (97.9 %) at 4b63093; their misses: \"DGFIP\", \"S.O Good\", "
           "\"NVIDIA\", quoted roman numerals «VII» «VIII», \"N-VA\" (the writers disagree on "
           "it), and three slips (\"etc.\", \"2010-2011\" without \"à\", \"quatre-vingt\"). "
           "Real sentences read blind after this session's rules, on their first run: 143/150 + "
           "133/143 + 137/142 + 137/140 = 550/575 (95.7 %; 517/542 = 95.4 % without the weather "
           "headlines); the European press alone (eleventh and twelfth) 274/282 (97.2 %).")
_NOT_HEARD = re.compile(r"[^\w]+|_")


def heard(text: str) -> str:
    """What a listener can tell apart: the words, in lower case."""
    return " ".join(_NOT_HEARD.sub(" ", text.lower()).split())


def cases(paths=tuple(BATCHES.values())) -> list[tuple[str, str, str]]:
    rows = []
    lines = [line for path in paths if path.exists()
             for line in path.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        if line.strip() and not line.startswith("#"):
            category, written, spoken = line.split("\t")
            rows.append((category, written, spoken))
    return rows


def misses(speak=None, rows=None) -> list[tuple[str, str, str, str]]:
    """(category, written, expected, got) for every sentence not read right."""
    if speak is None:
        from audioarticles.normalise import normaliser
        speak = normaliser("fr")
    rows = cases() if rows is None else rows
    return [(c, w, s, got) for c, w, s in rows if heard(got := speak(w)) != heard(s)]


def run() -> str:
    from audioarticles.normalise import normaliser

    speak = normaliser("fr")
    lines = ["Sentences written for this project (not the private held-out set), compared as heard: "
             "case, punctuation and hyphens ignored. The first batch was written before the issue-16 "
             "rules, the second after them, the third in session 2 before its rule changes, the fourth "
             "after they were frozen, the fifth in session 3 before its author read the rules, the "
             "sixth and seventh after that session's rule changes, the eighth in session 3 by a "
             "second engineer before reading the rules. The ninth to fourteenth are real sentences from "
             "published French-language press and headlines, read by engineers who never saw the "
             "rules (session 4).", "",
             "| batch | category | sentences | fully right |", "| --- | --- | ---: | ---: |"]
    everything, wrong_total, elapsed = 0, 0, 0.0
    for batch, path in BATCHES.items():
        if not path.exists():
            continue
        rows = cases((path,))
        started = time.perf_counter()
        wrong = misses(speak, rows)
        elapsed += (time.perf_counter() - started) * 1000
        total, bad = Counter(c for c, _, _ in rows), Counter(c for c, *_ in wrong)
        for category in total:
            ok = total[category] - bad[category]
            lines.append(f"| {batch} | {category} | {total[category]} | {ok} ({ok / total[category]:.0%}) |")
        right = len(rows) - len(wrong)
        lines.append(f"| {batch} | **all** | {len(rows)} | **{right} ({right / len(rows):.1%})** |")
        everything += len(rows)
        wrong_total += len(wrong)
    share = (everything - wrong_total) / everything
    lines += [
        "",
        f"Normalising all {everything} took {elapsed:.0f} ms. Target: at least {TARGET:.0%} fully right — "
        f"{'met' if share >= TARGET else 'NOT met'} ({share:.1%} over all batches, most of which the "
        "rules were then fixed on: the figure that speaks for unseen text is the blind first runs "
        "below). "
        "The sentences still wrong: `.venv/bin/python -m benchmarks.bench_french_eval`.",
        "",
        HISTORY,
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    if sys.argv[1:]:  # one batch's misses and score: python -m benchmarks.bench_french_eval FILE.tsv
        rows = cases(tuple(Path(arg) for arg in sys.argv[1:]))
        wrong = misses(rows=rows)
        for category, written, expected, got in wrong:
            print(f"[{category}] {written}\n   expected: {expected}\n   got:      {got}\n")
        print(f"{len(rows) - len(wrong)}/{len(rows)} fully right "
              f"({(len(rows) - len(wrong)) / max(len(rows), 1):.1%})")
        sys.exit(0)
    for category, written, expected, got in misses():
        print(f"[{category}] {written}\n   expected: {expected}\n   got:      {got}\n")
    print(run())
