"""Write ID3 v2.3 tags (title, artist, album, date, genre) into the MP3."""

from __future__ import annotations

from pathlib import Path

from mutagen.id3 import ID3, TALB, TCON, TIT2, TLAN, TPE1, TYER

from audioarticles.model import Article


def tag(mp3: Path, article: Article, album: str, artist: str) -> None:
    tags = ID3()
    tags.add(TIT2(encoding=3, text=article.meta.title))
    tags.add(TPE1(encoding=3, text=artist or article.meta.author or album))
    tags.add(TALB(encoding=3, text=album))
    if article.meta.date[:4].isdigit():
        tags.add(TYER(encoding=3, text=article.meta.date[:4]))
    tags.add(TCON(encoding=3, text="Podcast"))
    tags.add(TLAN(encoding=3, text="fre" if article.meta.language.startswith("fr") else article.meta.language))
    tags.save(mp3, v2_version=3)
