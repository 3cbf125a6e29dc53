from __future__ import annotations

import pytest

from audioarticles.identity import guid_for, identity, slugify
from audioarticles.model import ArticleMeta


@pytest.mark.parametrize("title, slug", [
    ("L’IA, fil conducteur de la 4ᵉ Journée", "l-ia-fil-conducteur-de-la-4e-journee"),
    ("Été 2025 : « Ça chauffe » !", "ete-2025-ca-chauffe"),
    ("../../etc/passwd", "etc-passwd"),
    ("<script>alert('x')</script>", "script-alert-x-script"),
    ("", "episode"),
    ("!!!", "episode"),
    ("a" * 300, "a" * 60),
])
def test_slugify(title, slug):
    assert slugify(title) == slug


def test_slug_is_bounded_at_a_word():
    slug = slugify("mot " * 40)
    assert len(slug) <= 60 and not slug.endswith("-") and slug.endswith("mot")


def test_identity_order():
    meta = ArticleMeta(source="articles/a.txt")
    assert identity(meta) == "path:articles/a.txt"
    meta.canonical_url = "https://ex.fr/a"
    assert identity(meta) == "url:https://ex.fr/a"
    meta.feed_guid = "tag:ex.fr,2026:1"
    assert identity(meta) == "feed-guid:tag:ex.fr,2026:1"
    meta.explicit_id = "article-42"
    assert identity(meta) == "id:article-42" and guid_for(meta) == "article-42"


def test_guid_is_stable_and_ignores_text():
    a = ArticleMeta(source="articles/a.txt", title="Old")
    b = ArticleMeta(source="articles/a.txt", title="New title")
    assert guid_for(a) == guid_for(b)
    assert guid_for(a) != guid_for(ArticleMeta(source="articles/b.txt"))
