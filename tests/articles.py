"""Tiny French articles for batch tests: a title and two or three sentences each, so a batch of
many converts in seconds with the offline voice."""

from __future__ import annotations

from pathlib import Path

TOPICS = [
    ("Le budget de la ville adopté", "Le conseil municipal a voté le budget lundi soir. "
     "Les habitants attendaient cette décision depuis des mois."),
    ("Une nouvelle ligne de tramway", "La métropole ouvrira une ligne de tramway au printemps. "
     "Elle reliera la gare au campus en vingt minutes."),
    ("La rentrée des classes", "Les élèves ont retrouvé leurs professeurs ce matin. "
     "Les écoles de la ville accueillent trois nouvelles classes."),
    ("Un festival de musique en juillet", "Le festival réunira des artistes venus de toute "
     "l'Europe. Les concerts auront lieu sur la grande place."),
    ("La bibliothèque rénovée", "La bibliothèque rouvre ses portes après deux ans de travaux. "
     "Les lecteurs découvrent une salle plus lumineuse."),
    ("Le marché du samedi", "Les producteurs locaux installent leurs étals dès sept heures. "
     "Le marché attire chaque semaine des milliers de visiteurs."),
]


def article_text(i: int) -> str:
    title, body = TOPICS[i % len(TOPICS)]
    suffix = f" ({i + 1})" if i >= len(TOPICS) else ""
    return f"{title}{suffix}\n\n{body}\n"


def write_articles(folder: Path, count: int, prefix: str = "article") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"{prefix}-{i:02d}.txt"
        path.write_text(article_text(i), encoding="utf-8")
        paths.append(path)
    return paths
