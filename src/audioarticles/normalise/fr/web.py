"""Web addresses, e-mail addresses, @mentions and #hashtags read the way people say them:
"https://www.soundofscience.fr/1927" -> "soundofscience point fr" (the site, not the path),
"suivi.reformes@gmail.com" -> "suivi point reformes arobase gmail point com"."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"«»]+", re.I)
_BARE_DOMAIN = re.compile(
    r"(?<![\w@./-])((?:[A-Za-z0-9-]+\.)+(?:fr|com|org|net|eu|io|info|be|ch|ca|de|uk|gouv\.fr|tv|app))"
    r"(?:/[^\s<>\"«»]*)?(?![\w-])")
_MENTION = re.compile(r"(?<![\w@])@(\w{2,})")
_HASHTAG = re.compile(r"(?<![\w&#])#(\w+)")
_SEPARATORS = {".": " point ", "-": " tiret ", "_": " tiret bas ", "+": " plus "}
_TRAILING = ".,;:!?)»'’"


def say_address_part(part: str) -> str:
    """Dots, hyphens and underscores of a host or mailbox name, said."""
    return re.sub(r"[._+-]", lambda m: _SEPARATORS[m.group(0)], part).strip()


def say_host(url: str) -> str:
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.I).split("/")[0].split("?")[0]
    host = host.split(":")[0].split("#")[0]
    return say_address_part(host.lower())


def say_urls(text: str) -> str:
    def url(match: re.Match) -> str:
        address = match.group(0)
        trailing = ""
        while address and address[-1] in _TRAILING:
            trailing = address[-1] + trailing
            address = address[:-1]
        return say_host(address) + trailing
    return _URL.sub(url, text)


def say_emails(text: str) -> str:
    return _EMAIL.sub(lambda m: f"{say_address_part(m.group(1))} arobase {say_address_part(m.group(2))}",
                      text)


def say_web(text: str) -> str:
    """E-mail addresses, then URLs, then bare domains ("franceinfo.fr"), mentions, hashtags."""
    text = say_urls(say_emails(text))
    text = _BARE_DOMAIN.sub(lambda m: say_host(m.group(1)), text)
    text = _MENTION.sub(r"arobase \1", text)
    return _HASHTAG.sub(r"hashtag \1", text)
