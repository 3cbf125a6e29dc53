"""How the real headlines of tests/fixtures/normalise_eval_fr_13.tsv were drawn (issue 16,
session 4); not run by the benchmarks.

    git clone https://github.com/ia-labo/French-News-Clustering /tmp/fnc
    python benchmarks/sources/pick_headlines.py /tmp/fnc OUT_DIR

Real French news headlines (Google News France, 10 January 2020) from the public repository
ia-labo/French-News-Clustering (api/client/test_one_day.csv): those that need normalising,
shuffled with a fixed seed, 150 into set7.tsv and the next 150 into set8.tsv."""
import csv, io, random, re, subprocess, sys, unicodedata
REPO, OUT = sys.argv[1], sys.argv[2]
text = subprocess.run(["git", "-C", REPO, "show", "HEAD:api/client/test_one_day.csv"],
                      capture_output=True, text=True).stdout
NEEDS = re.compile(r"\d|[%€$£°§/+±<>&]|\b[A-Z]{2,}\b|(?<![\w’'])(?:[IVXLC]{2,}|[IVX])(?:e|er|ème)?(?![\w’'-])|\bM\.|\bMme\b|\bn°|\b[A-Z]\.")
seen, pool = set(), []
for row in csv.reader(io.StringIO(text)):
    if len(row) < 4:
        continue
    title, section = unicodedata.normalize("NFC", " ".join(row[0].split())), row[3]
    key = re.sub(r"\W+", "", title.lower())
    if key in seen or len(title.split()) < 5 or not NEEDS.search(title) or re.search(r"https?:|@|#", title):
        continue
    seen.add(key)
    pool.append((section, title))
random.Random(20261130).shuffle(pool)
print(len(pool), "candidates")
with open(f"{OUT}/set7.tsv", "w", encoding="utf-8") as out:
    for section, title in pool[:150]:
        out.write(f"headline-{section}\t{title}\n")
with open(f"{OUT}/set8.tsv", "w", encoding="utf-8") as out:
    for section, title in pool[150:300]:
        out.write(f"headline-{section}\t{title}\n")
