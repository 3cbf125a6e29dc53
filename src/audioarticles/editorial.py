"""Editorial control: an episode's state, the project policy that sets it when an article is
converted, the editor's publish/hold/unpublish, tombstones. A state machine over the catalog:
it never touches files (`store/` moves them as states change; the caller rebuilds the site).

States: ``draft`` (waits for an editor), ``held`` (kept back, with the reason), ``scheduled``
(becomes published at ``publish_at``, on the first run or build after it), ``published`` (in
the feed, the site and the embeds) and ``unpublished`` (taken down, with who/why/when, and a
tombstone so a later conversion of the same article does not bring it back).
"""

from __future__ import annotations

import getpass
import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from audioarticles.config import EditorialSection, PodcastSection, Settings
from audioarticles.dates import parse_date
from audioarticles.errors import ArticleSkipped, UsageError, UserError
from audioarticles.identity import guid_for, identity
from audioarticles.model import Article, EditorialEvent, Episode, Segment, Tombstone
from audioarticles.optout import OptOutRules, skip_reason
from audioarticles.optout import load_rules as load_optout
from audioarticles.store.interfaces import CatalogStore as Catalog

DRAFT, HELD, SCHEDULED, PUBLISHED, UNPUBLISHED = (
    "draft", "held", "scheduled", "published", "unpublished")
STATES = (DRAFT, HELD, SCHEDULED, PUBLISHED, UNPUBLISHED)
#: the actor recorded for decisions the project's policy made, and for on-time releases
POLICY, SCHEDULE = "policy", "schedule"

def utcnow() -> datetime:
    """The clock every editorial decision reads (one place, so tests can set it)."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def default_actor() -> str:
    """Who an editor's command is recorded as when `--by` is not given."""
    try:
        return os.environ.get("AUDIOARTICLES_EDITOR") or getpass.getuser()
    except (KeyError, OSError):
        return "editor"


# policy


class Policy(EditorialSection):
    """The checked `[editorial]` section (its keys, defaults and checks are the schema's) and
    the podcast's time zone, in which dates without one are read."""

    timezone: str = PodcastSection.model_fields["timezone"].default

    @classmethod
    def from_project(cls, project: Settings) -> Policy:
        return cls(**project.values.editorial.model_dump(),
                   timezone=project.values.podcast.timezone)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def read_time(text: str, zone: ZoneInfo) -> datetime | None:
    """An ISO 8601 date or date-time, in UTC; without a zone it is read in `zone`. None if
    unreadable."""
    moment = parse_date(text, zone)
    return moment.astimezone(UTC) if moment is not None else None


def parse_time(text: str, policy: Policy, option: str = "--at") -> datetime:
    """A time an editor typed; a UsageError naming the option when it is not one."""
    moment = read_time(text, policy.zone)
    if moment is None:
        raise UsageError(f"{option} {text!r}: not a date and time; use ISO 8601, e.g. "
                         f"2026-03-01T08:00 (read in {policy.timezone}) or 2026-03-01T07:00Z")
    return moment


@dataclass(frozen=True)
class Release:
    """How the episodes of one conversion run are to be released: the project's editorial
    policy and opt-out rules, plus the run's own flags (`--force`, `--draft`,
    `--publish-at`). `decide` reads it when an episode is recorded; the screen that skips
    opted-out and unpublished articles reads it before any work."""

    policy: Policy
    optout: OptOutRules = field(default_factory=OptOutRules)
    force: bool = False  # convert articles an editor unpublished (lifts their tombstone)
    draft: bool = False  # new episodes wait as drafts whatever the policy says
    publish_at: datetime | None = None  # new episodes are scheduled for then

    @classmethod
    def for_project(cls, project: Settings, **flags) -> Release:
        return cls(Policy.from_project(project), load_optout(project.root), **flags)


@dataclass(frozen=True)
class Decision:
    state: str
    reason: str = ""
    publish_at: str = ""
    actor: str = POLICY


def decide(policy: Policy, episode: Episode, previous: Episode | None, now: datetime, *,
           article_date: str = "", publish_at: datetime | None = None,
           draft: bool = False) -> Decision:
    """The state a freshly converted episode takes, from the policy and what it was before.

    An editor's hold and a draft stick (an editor releases them); a new fallback voice is held
    unless `publish_degraded`; a published episode stays published through corrections;
    otherwise the episode is a draft when `auto_publish` is off (or `--draft`), scheduled
    while an embargo runs, else published.
    """
    if previous is not None and previous.state == UNPUBLISHED:
        previous = None  # only `convert --force` gets here: the article starts over
    if previous is not None and previous.state == HELD and previous.state_by != POLICY:
        return Decision(HELD, previous.state_reason, actor=previous.state_by)
    if previous is not None and previous.state == DRAFT:
        return Decision(DRAFT, previous.state_reason, actor=previous.state_by)
    if episode.degraded and not policy.publish_degraded:
        approved = previous is not None and previous.state == PUBLISHED and previous.degraded
        if not approved:
            wanted = episode.intended_voice or "the chosen voice"
            why = f": {episode.degraded_reason}" if episode.degraded_reason else ""
            return Decision(HELD, f"degraded: voiced by {episode.voice} ({episode.engine}) "
                                  f"instead of {wanted}{why}")
    if previous is not None and previous.state == PUBLISHED:
        return Decision(PUBLISHED)
    if draft:
        return Decision(DRAFT, "converted with --draft")
    if not policy.auto_publish:
        return Decision(DRAFT, "auto_publish is off")
    if publish_at is not None:
        if publish_at > now:
            return Decision(SCHEDULED, "publish_at given", iso(publish_at))
        return Decision(PUBLISHED)
    if previous is not None and previous.state == SCHEDULED and previous.state_by != POLICY:
        due = read_time(previous.publish_at, policy.zone)
        if due is not None and due > now:
            return Decision(SCHEDULED, previous.state_reason, previous.publish_at,
                            previous.state_by)
    if policy.embargo == "article-date":
        dated = read_time(article_date, policy.zone)
        if dated is not None and dated > now:
            return Decision(SCHEDULED, "embargo: the article is dated in the future", iso(dated))
    return Decision(PUBLISHED)


# transitions


def enter_state(catalog: Catalog, episode: Episode, state: str, actor: str, *, reason: str = "",
                publish_at: str = "", now: datetime | None = None) -> Episode:
    """Put an episode in a state and record the transition (inside the caller's transaction)."""
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}")
    moment = iso(now or utcnow())
    previous = catalog.get(episode.guid)
    from_state = previous.state if previous is not None else ""
    changed = (from_state, previous.state_reason if previous else "",
               previous.publish_at if previous else "") != (state, reason, publish_at)
    episode.state = state
    episode.state_reason = reason
    episode.publish_at = publish_at
    if changed or not episode.state_at:
        episode.state_by = actor
        episode.state_at = moment
    saved = catalog.save(episode)
    if changed:
        catalog.add_event(EditorialEvent(guid=episode.guid, slug=episode.slug, at=moment,
                                         from_state=from_state, to_state=state, actor=actor,
                                         reason=reason, publish_at=publish_at))
    return saved


def apply_decision(catalog: Catalog, episode: Episode, decision: Decision,
                   now: datetime | None = None) -> Episode:
    return enter_state(catalog, episode, decision.state, decision.actor, reason=decision.reason,
                       publish_at=decision.publish_at, now=now)


@dataclass
class Change:
    """What an editor's command did to one episode."""

    episode: Episode
    from_state: str
    note: str = ""  # set when nothing changed, e.g. "already published"

    @property
    def changed(self) -> bool:
        return not self.note


def find_episodes(catalog: Catalog, names: Iterable[str]) -> list[Episode]:
    """All the named episodes (by slug or id), or a UserError naming every unknown one
    (nothing changed)."""
    found, unknown = [], []
    for name in dict.fromkeys(names):
        episode = catalog.find(name)
        (found if episode else unknown).append(episode or name)
    if unknown:
        raise UserError(f"{', '.join(unknown)}: no such episode; nothing was changed "
                        f"(see `audioarticles episodes`)")
    return found


def _change_all(catalog: Catalog, episodes: list[Episode],
                change: Callable[[Episode], Change]) -> list[Change]:
    """Apply an editor's command to each episode in one transaction. The caller then rebuilds
    the feed and the site (which moves their files in or out of the public folder)."""
    with catalog.transaction():
        return [change(episode) for episode in episodes]


def publish_episodes(catalog: Catalog, episodes: list[Episode], actor: str,
                     at: datetime | None = None,
                     present: Callable[[Episode], bool] = lambda episode: True,
                     reason: str = "") -> list[Change]:
    """Release episodes now, or schedule them for `at`; an unpublished one comes back unless
    its files are gone (`present` says whether they are). `reason` is recorded with it."""
    now = utcnow()
    for episode in episodes:
        if episode.state == UNPUBLISHED and not present(episode):
            raise UserError(f"{episode.slug}: its files were deleted (`unpublish --purge`); "
                            f"convert the article again with --force")
    if at is not None and at > now:
        target, reason, when = SCHEDULED, reason or f"scheduled by {actor}", iso(at)
    else:
        target, when = PUBLISHED, ""

    def change(episode: Episode) -> Change:
        before = episode.state
        if (before, episode.publish_at) == (target, when):
            return Change(episode, before, f"already {target}")
        if before == UNPUBLISHED:
            catalog.remove_tombstone(episode.identity)
        return Change(enter_state(catalog, episode, target, actor, reason=reason,
                                  publish_at=when, now=now), before)

    return _change_all(catalog, episodes, change)


def hold_episodes(catalog: Catalog, episodes: list[Episode], actor: str,
                  reason: str) -> list[Change]:
    """Keep episodes back (a published one leaves the feed, the site and the embeds) until an
    editor publishes them."""
    now = utcnow()
    for episode in episodes:
        if episode.state == UNPUBLISHED:
            raise UserError(f"{episode.slug}: unpublished; `audioarticles publish "
                            f"{episode.slug}` brings it back, then hold it")

    def change(episode: Episode) -> Change:
        before = episode.state
        if (before, episode.state_reason) == (HELD, reason):
            return Change(episode, before, "already held for this reason")
        return Change(enter_state(catalog, episode, HELD, actor, reason=reason, now=now), before)

    return _change_all(catalog, episodes, change)


def unpublish_episodes(catalog: Catalog, episodes: list[Episode], actor: str,
                       reason: str) -> list[Change]:
    """Take episodes down and tombstone their articles (the rebuild then retires their files
    to the private mirror, from where `publish` can bring them back)."""
    now = utcnow()

    def change(episode: Episode) -> Change:
        before = episode.state
        if before == UNPUBLISHED and episode.state_reason == reason:
            return Change(episode, before, "already unpublished")
        saved = enter_state(catalog, episode, UNPUBLISHED, actor, reason=reason, now=now)
        catalog.add_tombstone(Tombstone(identity=episode.identity, guid=episode.guid,
                                        slug=episode.slug, reason=reason, actor=actor,
                                        at=iso(now)))
        return Change(saved, before)

    return _change_all(catalog, episodes, change)


def release_due(catalog: Catalog, now: datetime | None = None) -> list[Episode]:
    """Publish every scheduled episode whose time has come (each run and build calls this)."""
    now = now or utcnow()
    released = []
    with catalog.transaction():
        for episode in catalog.episodes(states=(SCHEDULED,)):
            due = read_time(episode.publish_at, ZoneInfo("UTC"))
            if due is not None and due <= now:
                released.append(enter_state(catalog, episode, PUBLISHED, SCHEDULE,
                                            reason=f"scheduled for {episode.publish_at}",
                                            now=now))
    return released


def screen(catalog: Catalog, article: Article, release: Release) -> None:
    """Raise ArticleSkipped for an article an opt-out rule excludes, or one an editor
    unpublished (unless `--force`: the save then lifts its tombstone)."""
    meta = article.meta
    reason = skip_reason(article, release.optout)
    if reason is not None:
        existing = catalog.get(guid_for(meta))
        if existing is not None and existing.state != UNPUBLISHED:
            reason += (f"; its episode {existing.slug} stays {existing.state} "
                       f"(`audioarticles unpublish {existing.slug}` takes it down)")
        raise ArticleSkipped(meta.source, reason)
    stone = catalog.tombstone(identity(meta))
    if stone is not None and not release.force:
        raise ArticleSkipped(meta.source, f"unpublished on {stone.at} by {stone.actor} "
                                          f"({stone.reason}); convert with --force to bring it back")


# corrections (for the spoken « mis à jour le … »)


def text_digest(segments: Iterable[Segment]) -> str:
    """Changes when what the article says changes (its written text), not its metadata."""
    return hashlib.sha256("\n".join(s.written for s in segments).encode("utf-8")).hexdigest()


def was_published(catalog: Catalog, episode: Episode) -> bool:
    return episode.state == PUBLISHED or any(
        event.to_state == PUBLISHED for event in catalog.events(episode.guid))


def correction_day(catalog: Catalog, existing: Episode | None, digest: str,
                   zone: ZoneInfo) -> str:
    """The day (ISO date, in `zone`) the article was corrected after it had been published:
    today when its text differs from the published version's, else the day recorded before;
    "" for an article never corrected."""
    if existing is None:
        return ""
    known = existing.meta.get("text_digest")
    if known and known != digest and was_published(catalog, existing):
        return utcnow().astimezone(zone).date().isoformat()
    return existing.meta.get("corrected_on", "")
