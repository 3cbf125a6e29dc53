"""The static site: the podcast page, one page per episode, embeddable players.

Every string that comes from the catalog goes through `html.escape`; links to articles are
kept only when they are http(s). Pages link to each other, the player assets and the audio
with relative URLs (the site works from any host, a preview port or the disk); the feed URL
and the embed snippet are absolute, from the configured base URL."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from audioarticles.chapters import Chapter
from audioarticles.dates import chapter_clock, duration_words, french_day, player_clock
from audioarticles.model import Episode
from audioarticles.publish.channel import Channel
from audioarticles.httputil import http_url
from audioarticles.publish import heads
from audioarticles.publish.embed import (
    PLAYER_DIR,
    embed_data,
    embed_page,
    iframe_snippet,
    script_snippet,
)
from audioarticles.publish.oembed import oembed, oembed_json, oembed_path
from audioarticles import readalong
from audioarticles.publish.feed import (
    episode_byline,
    episode_excerpt,
    episode_page,
    published_at,
)
from audioarticles.store.interfaces import FileStore
from audioarticles.transcripts import Cue

RATES = (0.75, 1, 1.25, 1.5, 1.75, 2)
LISTEN = "Écouter l'article"


@dataclass(frozen=True)
class SiteEpisode:
    """An episode with what its pages show besides the catalog row."""

    episode: Episode
    chapters: list[Chapter]
    cues: list[Cue]
    audio_bytes: int
    image: str = ""  # the episode's own artwork (relative to output/), "" for the channel's


def href(page: str, target: str) -> str:
    """The relative, URL-quoted link from one output file to another (both relative to the
    output folder)."""
    folders, parts = page.split("/")[:-1], target.split("/")
    common = 0
    while common < min(len(folders), len(parts) - 1) and folders[common] == parts[common]:
        common += 1
    relative = "../" * (len(folders) - common) + "/".join(parts[common:])
    return escape(quote(relative, safe="/#?=&"))


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f}".replace(".", ",") + " Mo"


def embed_snippet(channel: Channel, episode: Episode) -> str:
    """What a publisher pastes into the article: the script embed (no inline JavaScript)."""
    return script_snippet(channel, episode)


def _chapters_html(chapters: list[Chapter], heading: str) -> str:
    if not chapters:
        return ""
    items = "".join(
        f'<li><button type="button" class="aa-chapter" data-start="{c.start_s:.3f}">'
        f'<span class="aa-chapter-time">{chapter_clock(c.start_s)}</span> '
        f'<span class="aa-chapter-title">{escape(c.title)}</span></button></li>'
        for c in chapters)
    return (f'<nav class="aa-chapters" aria-label="Chapitres">{heading}'
            f'<ol>{items}</ol></nav>')


def _cue_text(cue: Cue) -> str:
    """The cue's text; with word timings, each word in a span the player highlights."""
    if not cue.words:
        return escape(cue.text)
    return " ".join(f'<span class="aa-word" data-start="{w.start_ms / 1000:.3f}">'
                    f'{escape(w.text)}</span>' for w in cue.words)


def _transcript_html(cues: list[Cue], heading: str) -> str:
    if not cues:
        return ""
    items = "".join(
        f'<li><button type="button" class="aa-cue" tabindex="{0 if i == 0 else -1}" '
        f'data-start="{c.start_s:.3f}" data-end="{c.end_s:.3f}">{_cue_text(c)}</button></li>'
        for i, c in enumerate(cues))
    return (f'<section class="aa-transcript" aria-label="Transcription">{heading}'
            f'<ol class="aa-cues">{items}</ol></section>')


def disclosure_html(episode: Episode, channel: Channel) -> str:
    written = channel.disclosure.written(episode.engine)
    return f'<p class="aa-disclosure">{escape(written)}</p>' if written else ""


def skip_buttons(seconds: int) -> tuple[str, str]:
    """The back and forward buttons: their accessible names begin with their visible text
    (WCAG 2.5.3 « label in name »: a voice user says what they see)."""
    back = (f'<button type="button" class="aa-btn aa-back" aria-label="−{seconds} s : reculer '
            f'de {seconds} secondes" title="Reculer de {seconds} secondes (j)">−{seconds} s'
            '</button>')
    fwd = (f'<button type="button" class="aa-btn aa-fwd" aria-label="+{seconds} s : avancer '
           f'de {seconds} secondes" title="Avancer de {seconds} secondes (l)">+{seconds} s'
           '</button>')
    return back, fwd


def player_html(item: SiteEpisode, channel: Channel, page: str, artwork: str, *,
                extras: str = "full", link: Callable[[str], str] | None = None) -> str:
    """The player: controls, seek bar, download link and, per `extras`, chapters and
    transcript ("full": shown; "folded": in <details>; "none": left out). Files are linked
    relative to `page`, or by `link(path)` (absolute URLs, for the script embed)."""
    link = link or (lambda target: href(page, target))
    episode = item.episode
    title = escape(episode.title)
    duration = max(episode.duration_s, 0.0)
    if extras == "full":
        chapters = _chapters_html(item.chapters, "<h2>Chapitres</h2>")
        transcript = _transcript_html(item.cues, "<h2>Transcription</h2>")
    elif extras == "folded":
        chapters = _chapters_html(item.chapters, "")
        chapters = f"<details><summary>Chapitres</summary>{chapters}</details>" if chapters else ""
        transcript = _transcript_html(item.cues, "")
        transcript = (f"<details><summary>Transcription</summary>{transcript}</details>"
                      if transcript else "")
    else:
        chapters = transcript = ""
    rates = "".join(f'<option value="{r}"{" selected" if r == 1 else ""}>'
                    f'{str(r).replace(".", ",")}×</option>' for r in RATES)
    audio = link(episode.mp3)
    back, fwd = skip_buttons(channel.skip_s)
    beacon = f' data-beacon="{escape(channel.beacon_url)}"' if channel.beacon_url else ""
    return f"""<div class="aa-player aa-nojs" data-aa-player role="region" aria-label="Lecteur audio : {title}"
 data-title="{title}" data-artist="{escape(episode_byline(episode, channel))}" data-album="{escape(channel.title)}"
 data-artwork="{link(item.image or artwork)}" data-duration="{duration:.3f}" data-skip="{channel.skip_s}"
 data-episode="{escape(episode.guid)}" data-slug="{escape(episode.slug)}"{beacon}>
<audio controls preload="metadata" src="{audio}"></audio>
<div class="aa-bar">
{back}
<button type="button" class="aa-btn aa-play" aria-label="Lire" title="Lire ou mettre en pause (k)"><span class="aa-icon" aria-hidden="true">▶</span></button>
{fwd}
<label class="aa-speed">Vitesse <select class="aa-rate" aria-label="Vitesse de lecture">{rates}</select></label>
</div>
<div class="aa-timeline">
<span class="aa-elapsed">0:00</span>
<input class="aa-seek" type="range" min="0" max="{duration:.3f}" step="1" value="0" aria-label="Position de lecture" aria-valuetext="0 s sur {duration_words(duration)}">
<span class="aa-total">{player_clock(duration)}</span>
</div>
<p class="aa-status" role="status" aria-live="polite"></p>
<p class="aa-links"><a class="aa-download" href="{audio}" download>Télécharger l’épisode (MP3, {megabytes(item.audio_bytes)})</a></p>
{disclosure_html(episode, channel)}
{chapters}{transcript}
</div>"""


def _page(channel: Channel, page: str, title: str, body: str, artwork: str, *,
          body_class: str = "", head: str = "") -> str:
    feed = escape(channel.feed_url)
    return f"""<!doctype html>
<html lang="{escape(channel.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="stylesheet" href="{href(page, PLAYER_DIR + '/player.css')}">
<link rel="alternate" type="application/rss+xml" title="{escape(channel.title)}" href="{feed}">
<link rel="icon" href="{href(page, artwork)}">
{head}
</head>
<body class="{body_class}">
{body}
<script src="{href(page, PLAYER_DIR + '/player.js')}" defer></script>
</body>
</html>
"""


def _meta_line(item: SiteEpisode, channel: Channel) -> str:
    episode = item.episode
    return (f'<p class="aa-meta"><time datetime="{escape(published_at(episode, channel).isoformat())}">'
            f"{french_day(published_at(episode, channel).date())}</time> · "
            f"{duration_words(episode.duration_s)}"
            f" · {escape(episode_byline(episode, channel))}</p>")


def _subscribe(channel: Channel) -> str:
    return (f'<p class="aa-subscribe"><a href="{escape(channel.feed_url)}" rel="alternate" '
            f'type="application/rss+xml">S’abonner au podcast</a> '
            f'<span class="aa-feed-url">{escape(channel.feed_url)}</span></p>')


def episode_html(item: SiteEpisode, channel: Channel, artwork: str) -> str:
    episode = item.episode
    page = episode_page(episode)
    article = http_url(episode.url)
    read = (f'<p><a class="aa-article" href="{escape(article)}">Lire l’article</a></p>'
            if article else "")
    excerpt = episode_excerpt(episode)
    summary = f'<p class="aa-summary">{escape(excerpt)}</p>' if excerpt else ""
    cover = (f'<img class="aa-episode-cover" src="{href(page, item.image)}" alt="" width="300" '
             f'height="300">' if item.image else "")
    body = f"""<header class="aa-site"><a href="{href(page, 'index.html')}">← {escape(channel.title)}</a></header>
<main class="aa-main">
{cover}<h1>{escape(episode.title)}</h1>
{_meta_line(item, channel)}
{summary}
{player_html(item, channel, page, artwork, extras="full")}
{read}
{_subscribe(channel)}
<details class="aa-embed-code"><summary>Intégrer ce lecteur</summary>
<p>Dans l’article (aucun JavaScript en ligne : compatible avec une politique de sécurité
des contenus qui autorise ce site dans <code>script-src</code> et <code>media-src</code>) :</p>
<pre><code>{escape(script_snippet(channel, episode))}</code></pre>
<p>Ou dans un cadre (iframe), qui prend la hauteur de son contenu :</p>
<pre><code>{escape(iframe_snippet(channel, episode))}</code></pre></details>
</main>"""
    head = heads.episode_head(channel, episode, image=item.image or artwork,
                              transcript=" ".join(c.text for c in item.cues),
                              audio_bytes=item.audio_bytes)
    return _page(channel, page, f"{episode.title} — {channel.title}", body, artwork, head=head)


def embed_html(item: SiteEpisode, channel: Channel, artwork: str) -> str:
    episode = item.episode
    page = embed_page(episode)
    body = f"""<main class="aa-main">
<h1 class="aa-embed-title"><a href="{href(page, episode_page(episode))}" target="_blank" rel="noopener">{escape(episode.title)}</a></h1>
{player_html(item, channel, page, artwork, extras="folded")}
</main>"""
    return _page(channel, page, f"{LISTEN} : {episode.title}", body, artwork,
                 body_class="aa-embed")


def _summary(episode: Episode) -> str:
    excerpt = episode_excerpt(episode)
    return f'<p class="aa-summary">{escape(excerpt)}</p>' if excerpt else ""


def index_html(items: list[SiteEpisode], channel: Channel, artwork: str,
               page: str = "index.html") -> str:
    """The podcast's page (or a section feed's, at `page`): cover, description, the feed to
    subscribe to, and every episode with its player."""
    if items:
        entries = "\n".join(
            f"""<article class="aa-episode">
<h2><a href="{href(page, episode_page(i.episode))}">{escape(i.episode.title)}</a></h2>
{_meta_line(i, channel)}
{_summary(i.episode)}
{player_html(i, channel, page, artwork, extras="none")}
</article>""" for i in items)
    else:
        entries = "<p>Aucun épisode publié pour l’instant.</p>"
    description = (f'<p class="aa-description">{escape(channel.description)}</p>'
                   if channel.description else "")
    body = f"""<header class="aa-podcast">
<img class="aa-cover" src="{href(page, artwork)}" alt="" width="160" height="160">
<div><h1>{escape(channel.title)}</h1>
{description}
{_subscribe(channel)}</div>
</header>
<main class="aa-main">
{entries}
</main>"""
    return _page(channel, page, channel.title, body, artwork)


def embed_data_js(item: SiteEpisode, channel: Channel, artwork: str) -> str:
    """The script embed.js loads to draw the player in a host page: the player's markup (our
    own, escaped, with absolute URLs) and the transcript segments read-along follows. A script,
    not JSON: a host page whose Content-Security-Policy allows our scripts may still forbid
    fetching from us (connect-src)."""
    episode = item.episode
    data = {"slug": episode.slug, "episode": episode.guid, "title": episode.title,
            "page": channel.url(episode_page(episode)),
            "html": player_html(item, channel, embed_page(episode), artwork, extras="folded",
                                link=lambda target: escape(channel.url(target))),
            "segments": readalong.segments(item.cues, episode.meta.get("blocks"))}
    return ("/* audioarticles: the player of one episode, for player/embed.js */\n"
            "(window.audioarticlesEpisodes = window.audioarticlesEpisodes || {})"
            f"[{json.dumps(episode.slug)}] = {heads.script_json(data)};\n")


def episode_pages(item: SiteEpisode, channel: Channel, artwork: str,
                  artwork_px: int = 0) -> dict[str, str]:
    """An episode's own files on the site, by path under the output folder: its page, its
    embed page, its embed data script and its oEmbed answer (`artwork_px`: the cover's size).
    Every file made for one episode belongs here: an incremental build renders them again
    only when the episode changed, and deletes them when it leaves the site."""
    episode = item.episode
    own = item.image and episode.meta.get("artwork_px")
    answer = oembed(channel, episode, thumbnail=item.image if own else artwork,
                    thumbnail_px=int(episode.meta["artwork_px"]) if own else artwork_px)
    return {episode_page(episode): episode_html(item, channel, artwork),
            embed_page(episode): embed_html(item, channel, artwork),
            embed_data(episode): embed_data_js(item, channel, artwork),
            oembed_path(episode): oembed_json(answer)}


#: what each site folder holds per episode (its page, its embed page and data, its oEmbed)
EPISODE_FILES = {"episodes": (".html",), "embed": (".html", ".js"), "oembed": (".json",)}


def remove_stale_pages(site: FileStore, pages: dict[str, str] | set[str],
                       gone: set[str] | None = None) -> None:
    """Pages of episodes no longer on the site (unpublished, held...) go away: those of `gone`
    (what the last build wrote for episodes this one did not build), else every file in the
    episode folders that is not in `pages`. The file store deletes only pages we wrote (a
    page of the publisher's own is never "stale")."""
    if gone is None:
        gone = {name for folder, suffixes in EPISODE_FILES.items()
                for name in site.listing(folder) if name.endswith(suffixes)}
    for name in sorted(gone):
        if name not in pages:
            site.delete_site(name)
