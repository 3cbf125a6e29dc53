"""Project settings: packaged defaults < audioarticles.toml < command-line flags."""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audioarticles.errors import UsageError

CONFIG_NAME = "audioarticles.toml"
STATE_DIR = ".audioarticles"

DEFAULTS: dict[str, Any] = {
    "podcast": {
        "title": "Articles à écouter",
        "description": "Les articles de la rédaction, lus à voix haute.",
        "author": "",
        "publication": "",
        "language": "fr",
        "base_url": "http://127.0.0.1:8000/",
        "link": "",
        "owner_name": "",
        "owner_email": "",
        "category": "News",  # Apple's English names: "News" or "News > Daily News" (or a list)
        "explicit": False,
        "image": "",  # project-relative JPEG/PNG, square, 1400-3000 px; empty: a generated cover
        "timezone": "Europe/Paris",  # for pubDate, and to read source dates that carry no zone
        "feed_limit": 100,  # newest N episodes in feed.xml; older ones stay on the site
        "new_feed_url": "",  # set when the feed moves: itunes:new-feed-url
        "locked": True,  # podcast:locked: other platforms may not import the feed
        # more of what apps show; each is written only when set
        "copyright": "",
        "txt": "",  # podcast:txt, e.g. a platform's verification string
        "txt_purpose": "",  # e.g. "verify"
        "funding_url": "",  # podcast:funding: where listeners support the newsroom
        "funding_text": "",
        "medium": "podcast",  # podcast:medium
        "license": "",  # podcast:license: an SPDX id ("cc-by-4.0") or a licence's name
        "license_url": "",  # needed when the licence is not an SPDX id
        "numbering": False,  # itunes:episode / podcast:episode, given once per feed
        "seasons": "",  # "year": the year of publication is the season
    },
    # section, author and private feeds beside the main one (publish/sections.py):
    # [[feeds]] name = "sante", title = "...", categories = ["Santé"], ... ; see README
    "feeds": [],
    # telling apps and directories that a feed changed (publish/pickup.py); both optional
    "pickup": {
        "websub_hub": "",  # e.g. a public WebSub hub: <atom:link rel="hub"> + publish ping
        "podping_url": "",  # an HTTP Podping endpoint, called with ?url=<feed>
        "retries": 3,  # attempts per notification; a failure is a warning, never an error
        "timeout_s": 10,
    },
    "voice": {"default": "fr"},
    "audio": {
        "bitrate": "64k",  # MP3, mono, CBR with a Xing/Info header
        "sample_rate": 44100,
        "loudness_lufs": -16.0,  # integrated, EBU R128
        "true_peak_db": -1.0,
        "dual_mono": True,  # measure mono as players play it (both speakers): ≈ -19 LUFS plain mono
        "trim_threshold_db": -45.0,  # each engine's own leading/trailing silence below this is cut
        "trim_keep_ms": 15,
        # silence by structure; a voice profile's [pauses] table overrides these
        "pauses": {
            "sentence_ms": 350,
            "paragraph_ms": 750,
            "list_item_ms": 500,
            "after_title_ms": 1200,
            "before_heading_ms": 1100,
            "after_heading_ms": 650,
            "after_intro_ms": 800,
            "before_outro_ms": 1200,
            "around_jingle_ms": 300,
        },
        # spoken templates, voiced like the article; fields: {title} {podcast} {publication}
        # {author} {date}; a sentence naming an empty field is left out; text = "" turns it off
        "intro": {"text": "", "jingle": "", "jingle_gain_db": -6.0,
                  "jingle_fade_in_ms": 0, "jingle_fade_out_ms": 800},
        # the outro ends with the [disclosure] text (and its « mis à jour » line)
        "outro": {"text": "", "jingle": "",
                  "jingle_gain_db": -6.0, "jingle_fade_in_ms": 300, "jingle_fade_out_ms": 1500},
    },
    "tags": {
        "cover_px": 600,  # the artwork embedded in each MP3, as a JPEG this many pixels wide
        "chapter_title_chars": 60,  # ID3 chapter titles are cut to this for Apple Podcasts
    },
    # what happens to an episode once it is converted (editorial.py)
    "editorial": {
        "auto_publish": True,  # false: every new episode waits as a draft for `publish`
        "publish_degraded": False,  # false: an episode voiced by a fallback engine is held
        "embargo": "article-date",  # an article dated in the future waits until then; or "none"
    },
    # the synthetic-voice disclosure, worded once (disclosure.py): said at the end of the
    # audio (so in the transcript), shown by the player, in the feed item and the MP3 comment
    "disclosure": {
        "enabled": True,
        "text": "Cet épisode est lu par une voix de synthèse.",
        "engine_line": "Synthèse vocale : {engine}.",  # written after the text; "" leaves it out
        "updated": "",  # said after a correction, e.g. "Article mis à jour le {date}."
        "engines": {"espeak": "eSpeak NG", "gtts": "Google Text-to-Speech"},
    },
    "publish": {
        # after a re-voice, the previous MP3 and its side files stay reachable this many days
        # (apps that fetched the feed before still download them), then they are deleted
        "keep_old_audio_days": 7,
    },
    # batch runs: how long a second run waits for the project's lock before refusing
    "batch": {"lock_wait_s": 10},
    # hostile input: inputs above these are refused with the limit in the message
    "limits": {
        "max_input_mb": 5,          # raw bytes of a file, stdin or fetched page
        "max_article_chars": 60000,  # text to read after cleaning (about an hour of speech)
    },
    # fetching article pages and feeds
    "fetch": {
        "timeout_s": 20,  # the whole fetch of one URL: DNS, connection, redirects and body
        "max_redirects": 5,
        "user_agent": "",  # empty: "audioarticles/<version> (podcast converter)"
        # loopback, private, link-local, CGNAT and metadata addresses are refused (checked on
        # the resolved address, at every redirect); true lets an intranet CMS be fetched
        "allow_private": False,
        "allow_hosts": [],  # or only these host names may resolve to such addresses
    },
}


def _merge(base: dict, override: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@dataclass
class Project:
    """A project folder: its settings, its private state and its published site."""

    root: Path
    settings: dict = field(default_factory=lambda: copy.deepcopy(DEFAULTS))
    out_dir: Path | None = None

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def output(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.root / "output"

    @property
    def catalog_path(self) -> Path:
        return self.state_dir / "catalog.sqlite"

    @property
    def unreleased_dir(self) -> Path:
        """Private mirror of the output folder: files of episodes that are not published."""
        return self.state_dir / "unreleased"

    @property
    def cache_dir(self) -> Path:
        return self.state_dir / "cache"

    def section(self, name: str) -> dict:
        return self.settings.get(name, {})

    def relative_source(self, path: Path) -> str:
        """The project-relative POSIX path of an input file (never absolute)."""
        resolved = path.resolve()
        try:
            return resolved.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            import os

            return Path(os.path.relpath(resolved, self.root.resolve())).as_posix()


def read_toml(path) -> dict:
    """A TOML file's data (a `Path` or a packaged resource); a file that is not valid TOML or
    not UTF-8 is a usage error naming the file."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not valid TOML ({exc}); fix the file or remove it") from exc


def load_project(root: str | Path | None = None, out: str | Path | None = None) -> Project:
    """Read `audioarticles.toml` (if any) from the project root and merge it over the defaults."""
    root_path = Path(root or ".").resolve()
    if not root_path.is_dir():
        raise UsageError(f"project folder {root_path} does not exist; pass an existing folder to --project")
    settings = copy.deepcopy(DEFAULTS)
    config_file = root_path / CONFIG_NAME
    if config_file.exists():
        settings = _merge(settings, read_toml(config_file))
    out_dir = Path(out).resolve() if out else None
    return Project(root=root_path, settings=settings, out_dir=out_dir)
