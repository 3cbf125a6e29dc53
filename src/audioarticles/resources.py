"""What the HTTP API and the webhooks say about an episode: one JSON shape, with public URLs
only for what is public (a draft's audio has no address yet)."""

from __future__ import annotations

from audioarticles import publish
from audioarticles.model import Episode
from audioarticles.publish.channel import Channel


def episode_resource(channel: Channel, episode: Episode) -> dict:
    """The episode as `GET /v1/articles/{id}`, `GET /v1/episodes` and `episode.*` webhooks
    show it. URLs (`audio_url`, `transcripts`, `chapters`, `page_url`, `embed_html`) are
    given once the episode is published, else null."""
    public = episode.state == "published"

    def url(relative: str) -> str | None:
        return channel.url(relative) if public and relative else None

    return {
        "guid": episode.guid,
        "slug": episode.slug,
        "title": episode.title,
        "state": episode.state,
        "state_reason": episode.state_reason or None,
        "publish_at": episode.publish_at or None,
        "audio_url": url(episode.mp3),
        "duration_s": episode.duration_s,
        "bytes": episode.bytes,
        "voice": episode.voice,
        "degraded": episode.degraded,
        "degraded_reason": episode.degraded_reason or None,
        "transcripts": {kind: url(path) for kind, path in episode.transcripts.items()}
        if public else {},
        "chapters": url(episode.chapters),
        "page_url": url(publish.episode_page(episode)),
        "embed_html": publish.embed_snippet(channel, episode) if public else None,
        "pub_date": episode.pub_date or None,
        "updated_at": episode.updated_at,
    }
