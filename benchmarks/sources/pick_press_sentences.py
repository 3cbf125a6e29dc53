"""How the real press sentences of tests/fixtures/normalise_eval_fr_9.tsv to _12.tsv and _14.tsv
were drawn (issue 16, session 4). Not run by the benchmarks: it reads a clone of the public
repository feryah/gilets_jaunes (a student corpus of 2018-2019 French-language press articles).

    git clone https://github.com/feryah/gilets_jaunes /tmp/gilets_jaunes
    python benchmarks/sources/pick_press_sentences.py /tmp/gilets_jaunes OUT_DIR        # set1-4, dev
    python benchmarks/sources/pick_press_sentences.py /tmp/gilets_jaunes OUT_DIR --dz   # set5-6

Sentences of 6 to 45 words that contain a digit, a symbol, an acronym, a roman numeral or an
abbreviation, deduplicated, shuffled with random.Random(20261130); 150 per set. Batches 9 and 11
were written from set1 and set3, 10 and 12 from set2 and set4, 14 from set5; dev.tsv (every
other sentence) was the rule writers' material. The splitter also cuts after "M." before a name:
the batch writers dropped those fragments (listed in each batch's header)."""
import html, random, re, subprocess, sys, unicodedata
REPO, OUT = sys.argv[1], sys.argv[2]
FILES_FIRST = ["Francais/Corpus/fr_CH_corpus.xml", "Francais/Corpus/fr_CH_corpus_contraste.xml",
         "Francais/Corpus/fr_CA_corpus.xml", "Francais/Corpus/fr_CA_corpus_contraste.xml",
         "Francais/Corpus/JDQ.xml", "Francais/Belgique/DH.xml", "Francais/Belgique/DH_CONTRAST.xml",
         "Francais/Belgique/LaLibre.xml", "Francais/Belgique/LaLibreContrast.xml",
         "Francais/France/LHumanite/GJLHumaURL", "Francais/France/LeFigaro/GJLeFigURL",
         "Francais/France/LePoint/GJLePointURL"]
ROUND3 = "--dz" in sys.argv  # a third round: Algerian French-language press, not in the pool above
FILES = ["Francais_DZ/gilets_jaunes.xml", "Francais_DZ/contrast_gilets.xml"] if ROUND3 else FILES_FIRST
SENT = re.compile(r"(?<=[.!?…»])\s+(?=[«\"A-ZÀ-ÖØ-Þ0-9])")
NEEDS = re.compile(r"\d|[%€$£°§/+±<>&]|\b[A-Z]{2,}\b|(?<![\w’'])(?:[IVXLC]{2,}|[IVX])(?:e|er|ème)?(?![\w’'-])|\bM\.|\bMme\b|\bMM\.|\bn°|\bDr\b|\bSt\b|\b[A-Z]\.")
BAD = re.compile(r"https?:|www\.|@|pic\.twitter|\.com\b|&#|\t|Crédits? photo|Lire aussi|LIRE AUSSI|Vidéo|VIDÉO|Publicité")
pool, seen = [], set()
for f in FILES:
    text = html.unescape(subprocess.run(["git", "-C", REPO, "show", f"HEAD:{f}"], capture_output=True, text=True).stdout)
    for line in text.splitlines():
        line = unicodedata.normalize("NFC", " ".join(line.split()))
        line = re.sub(r"^<content>|</content>$", "", line)
        if line.startswith("<") or len(line) < 40:
            continue
        parts = SENT.split(line)
        for i, s in enumerate(parts):
            if not re.search(r"[.!?…»\"]$", s):  # truncated tail of a scraped line
                continue
            if i == 0 and not re.match(r"[«\"A-ZÀ-ÖØ-Þ0-9]", s):
                continue
            words = s.split()
            if not (6 <= len(words) <= 45) or BAD.search(s) or not NEEDS.search(s):
                continue
            key = re.sub(r"\W+", "", s.lower())[:80]
            if key in seen:
                continue
            seen.add(key)
            pool.append((f.split("/")[-1], s))
random.Random(20261130).shuffle(pool)
print(len(pool), "candidates")
if ROUND3:
    for n in range(2):
        with open(f"{OUT}/set{n + 5}.tsv", "w", encoding="utf-8") as out:
            for src, s in pool[n * 150:(n + 1) * 150]:
                out.write(f"{src}\t{s}\n")
    sys.exit(0)
for n in range(4):
    chosen = pool[n * 150:(n + 1) * 150]
    with open(f"{OUT}/set{n + 1}.tsv", "w", encoding="utf-8") as out:
        for src, s in chosen:
            out.write(f"{src}\t{s}\n")
# Everything not drawn for the four blind sets: real sentences the rule writers may study.
with open(f"{OUT}/dev.tsv", "w", encoding="utf-8") as out:
    for src, s in pool[600:]:
        out.write(f"{src}\t{s}\n")
