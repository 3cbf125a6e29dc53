"""The feed, byte for byte, against the checked-in golden file (tests/golden/feed.xml).

Regenerate it after an intended change (then read the diff before committing):
    AUDIOARTICLES_REGENERATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_publish_golden.py
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from audioarticles.config import Settings
from audioarticles.model import Episode
from audioarticles.publish import write_public
from audioarticles.publish.channel import channel_settings
from audioarticles.publish.cover import Artwork
from audioarticles.store.files import LocalFiles

GOLDEN = Path(__file__).parent / "golden" / "feed.xml"


def golden_project(root: Path) -> Settings:
    settings = {"podcast": {
        "title": "La Gazette à écouter", "publication": "La Gazette",
        "description": "Les articles de La Gazette, lus à voix haute.",
        "base_url": "https://audio.example.org/gazette/", "link": "https://www.example.org/",
        "owner_name": "Service audio", "owner_email": "radio@example.org",
        "category": "News > Daily News", "author": "Rédaction de La Gazette",
        "copyright": "© 2025 La Gazette", "txt": "gazette-verification-7f3a",
        "txt_purpose": "verify", "funding_url": "https://www.example.org/abonnement",
        "funding_text": "Soutenez La Gazette", "license": "cc-by-nd-4.0",
        "numbering": True, "seasons": "year"},
        "pickup": {"websub_hub": "https://hub.example.org/"}}
    return Settings(root=root, settings=settings)


def golden_episodes(output: Path) -> list[Episode]:
    episodes_dir = output / "episodes"
    episodes_dir.mkdir(parents=True)
    (episodes_dir / "budget-0123456789.mp3").write_bytes(b"\xff" * 48213)
    (episodes_dir / "mediatheque-abcdef0123.mp3").write_bytes(b"\xff" * 30002)
    (episodes_dir / "mediatheque-abcdef0123.jpg").write_bytes(b"\xff\xd8\xff episode art")
    (episodes_dir / "budget.vtt").write_text("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nLe budget.\n",
                                             encoding="utf-8")
    (episodes_dir / "budget.srt").write_text("1\n00:00:00,000 --> 00:00:02,000\nLe budget.\n",
                                             encoding="utf-8")
    (episodes_dir / "budget.chapters.json").write_text(json.dumps({"version": "1.2.0", "chapters": [
        {"startTime": 0, "title": "Le conseil adopte le budget"},
        {"startTime": 64.5, "title": "Les débats"},
        {"startTime": 130, "title": "Le vote & après"}]}), encoding="utf-8")
    return [
        Episode(guid="5b0e9a62-6f1f-5d8c-9d3e-0d1a2b3c4d5e", slug="budget",
                title="Le conseil adopte le budget <2025>", source="articles/budget.txt",
                voice="fr-espeak", engine="espeak", mp3="episodes/budget-0123456789.mp3",
                duration_s=182.6, bytes=48213, author="Marie Dupont",
                pub_date="2025-01-14T18:30:00+01:00", url="https://www.example.org/budget?x=1&y=2",
                summary="Le budget est adopté après trois heures de débats.",
                transcripts={"vtt": "episodes/budget.vtt", "srt": "episodes/budget.srt"},
                chapters="episodes/budget.chapters.json",
                meta={"chapters": [{"startTime": 0, "title": "Le conseil adopte le budget"},
                                   {"startTime": 64.5, "title": "Les débats"},
                                   {"startTime": 130, "title": "Le vote & après"}]},
                created_at="2025-01-14T17:30:00+00:00", updated_at="2025-01-14T17:31:00+00:00"),
        Episode(guid="https://www.example.org/mediatheque", slug="mediatheque",
                title="La médiathèque rouvre", source="articles/mediatheque.txt",
                voice="fr-espeak", engine="espeak", mp3="episodes/mediatheque-abcdef0123.mp3",
                duration_s=61.4, bytes=30002, pub_date="2025-07-02T09:00:00+02:00",
                meta={"excerpt": "Après huit mois de travaux, la médiathèque rouvre samedi.",
                      "artwork": "episodes/mediatheque-abcdef0123.jpg", "artwork_px": 1400},
                created_at="2025-07-02T07:00:00+00:00", updated_at="2025-07-02T07:01:00+00:00"),
    ]


def test_feed_matches_the_golden_file(tmp_path):
    project = golden_project(tmp_path)
    output = tmp_path / "output"
    channel = channel_settings(project)
    site = LocalFiles(output, tmp_path / "private")
    build = write_public(channel, golden_episodes(output), site,
                         artwork=Artwork(data=b"golden cover", extension="png", mime="image/png",
                                         size=1400),
                         guid="c8a1e6b5-3f0d-5e8e-a6b2-4f1d9c2e7b10",
                         last_build=datetime(2025, 7, 2, 9, 1, tzinfo=ZoneInfo("Europe/Paris")),
                         numbers={"5b0e9a62-6f1f-5d8c-9d3e-0d1a2b3c4d5e": 1,
                                  "https://www.example.org/mediatheque": 2})
    produced = build.feed.read_bytes()
    if os.environ.get("AUDIOARTICLES_REGENERATE_GOLDEN"):
        GOLDEN.write_bytes(produced)
    assert produced == GOLDEN.read_bytes(), (
        "feed.xml differs from tests/golden/feed.xml; if the change is intended, regenerate it: "
        "AUDIOARTICLES_REGENERATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_publish_golden.py")
