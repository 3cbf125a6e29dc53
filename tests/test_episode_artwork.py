"""Per-episode artwork: the article's picture (og:image, JSON-LD, front matter) fetched from a
local web site through the fetch policy, cropped to a square JPEG of 1400 to 3000 px, used in
the feed item, the MP3's APIC, the episode page and the player's Media Session data; the
podcast's cover otherwise (a warning says why)."""

from __future__ import annotations

import io
import json
import os

import pytest
from conftest import make_runner
from lxml import etree
from lxml.html import fromstring
from mutagen.id3 import ID3
from PIL import Image
from publish_helpers import write_config
from web import Answer, Site, page

from audioarticles.cli import cli
from audioarticles.extract.image import json_ld_image, page_image
from audioarticles.publish.artwork import ArtworkError, square_jpeg

BASE = "https://audio.example.org/"
NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
      "podcast": "https://podcastindex.org/namespace/1.0"}
BODY = ("<article><h1>{title}</h1><p>Le conseil municipal a voté le budget de la ville lundi "
        "soir, après un long débat.</p><p>Les habitants attendaient cette décision depuis des "
        "mois.</p></article>")


def picture(width: int, height: int, kind: str = "JPEG", colour=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, kind)
    return out.getvalue()


def article_page(title: str, head: str) -> Answer:
    return page(f"<!DOCTYPE html><html lang=fr><head><title>{title}</title>{head}</head><body>"
                + BODY.format(title=title) + "</body></html>")


@pytest.fixture(scope="module")
def pictured(tmp_path_factory):
    root = tmp_path_factory.mktemp("art") / "project"
    root.mkdir()
    write_config(root, BASE, "[fetch]\nallow_private = true  # the site is on 127.0.0.1")
    routes = {
        "/budget": article_page("Le budget adopté",
                                '<meta property="og:image" content="/photos/budget.jpg">'),
        "/photos/budget.jpg": Answer(200, picture(1800, 1200), {"Content-Type": "image/jpeg"}),
        "/marche": article_page(
            "Le marché rouvre",
            '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": '
            '[{"@type": "WebSite", "name": "Gazette"}, {"@type": "NewsArticle", "image": '
            '{"@type": "ImageObject", "url": "/photos/marche.png"}}]}</script>'),
        "/photos/marche.png": Answer(200, picture(900, 700, "PNG"), {"Content-Type": "image/png"}),
        "/piscine": article_page("La piscine ferme",
                                 '<meta property="og:image" content="/photos/absente.jpg">'),
    }
    with pytest.MonkeyPatch.context() as mp, Site(routes) as site:
        mp.chdir(root)
        result = make_runner().invoke(cli, ["convert", site.url("/budget"), site.url("/marche"),
                                            site.url("/piscine"), "--voice", "fr-espeak",
                                            "--json"])
        assert result.exit_code == 0, result.stderr
        episodes = {e["source"].rsplit("/", 1)[1]: e for e in json.loads(result.stdout)["episodes"]}
        again = make_runner().invoke(cli, ["convert", site.url("/budget"), "--voice", "fr-espeak",
                                           "--rerender", "--json"])
        assert again.exit_code == 0, again.stderr
        yield {"root": root, "output": root / "output", "episodes": episodes, "site": site,
               "stderr": result.stderr}


def item_for(output, guid):
    channel = etree.parse(str(output / "feed.xml")).getroot().find("channel")
    return next(i for i in channel.findall("item") if i.findtext("guid") == guid), channel


def test_the_article_picture_is_the_episode_artwork_everywhere(pictured):
    output, episode = pictured["output"], pictured["episodes"]["budget"]
    item, _ = item_for(output, episode["guid"])
    href = item.find("itunes:image", NS).get("href")
    stem = os.path.basename(episode["mp3"]).removesuffix(".mp3")
    assert href == f"{BASE}episodes/{stem}.jpg"
    with Image.open(output / "episodes" / f"{stem}.jpg") as art:
        assert (art.format, art.size) == ("JPEG", (1400, 1400))  # 1200 px square, raised
    assert item.find("podcast:images", NS).get("srcset") == f"{href} 1400w"
    [apic] = ID3(output / "episodes" / f"{stem}.mp3").getall("APIC")
    with Image.open(io.BytesIO(apic.data)) as embedded:
        assert embedded.size == (600, 600)
        assert embedded.getpixel((300, 300))[0] > 150  # the red photo, not the blue cover
    html = (output / "episodes" / f"{episode['slug']}.html").read_text(encoding="utf-8")
    assert f'<img class="aa-episode-cover" src="{stem}.jpg"' in html
    assert f'data-artwork="{stem}.jpg"' in html  # what player.js gives the Media Session
    # re-rendered: the picture came from the cache, not fetched again
    assert len(pictured["site"].hits("/photos/budget.jpg")) == 1


def test_json_ld_picture_is_cropped_and_scaled(pictured):
    output, episode = pictured["output"], pictured["episodes"]["marche"]
    item, _ = item_for(output, episode["guid"])
    href = item.find("itunes:image", NS).get("href")
    with Image.open(output / href[len(BASE):]) as art:
        assert art.size == (1400, 1400)


def test_a_missing_picture_is_a_warning_and_the_cover_stands_in(pictured):
    output, episode = pictured["output"], pictured["episodes"]["piscine"]
    assert "/photos/absente.jpg not found (HTTP 404); check the address; the podcast's cover " \
           "is used instead" in pictured["stderr"]
    item, channel = item_for(output, episode["guid"])
    assert item.find("itunes:image", NS) is None  # apps show the channel's
    [apic] = ID3(output / episode["mp3"].split("output/", 1)[1]).getall("APIC")
    cover = channel.find("itunes:image", NS).get("href")
    with Image.open(io.BytesIO(apic.data)) as embedded, \
            Image.open(output / cover[len(BASE):]) as channel_cover:
        assert embedded.size == (600, 600)
        assert embedded.convert("RGB").getpixel((10, 10)) == pytest.approx(
            channel_cover.convert("RGB").getpixel((10, 10)), abs=8)


def test_front_matter_picture_beside_the_article_and_drafts_keep_it_private(runner, project):
    write_config(project, BASE)
    (project / "articles").mkdir()
    (project / "articles" / "photo.png").write_bytes(picture(2000, 2000, "PNG"))
    (project / "articles" / "a.md").write_text(
        "---\ntitle: La plage\nimage: photo.png\n---\n\n# La plage\n\nLa plage rouvre demain.\n",
        encoding="utf-8")
    (project / "outside.png").write_bytes(picture(2000, 2000, "PNG"))
    (project / "articles" / "b.md").write_text(
        "---\ntitle: Le port\nimage: ../../etc/passwd\n---\n\n# Le port\n\nLe port s'agrandit.\n",
        encoding="utf-8")
    result = runner.invoke(cli, ["convert", "articles/a.md", "articles/b.md", "--voice",
                                 "fr-espeak", "--draft", "--json"])
    assert result.exit_code == 0, result.stderr
    assert ("its picture ../../etc/passwd is not a file inside the project folder; the "
            "podcast's cover is used instead") in result.stderr
    first = json.loads(result.stdout)["episodes"][0]
    stem = os.path.basename(first["mp3"]).removesuffix(".mp3")
    # a draft's files, artwork included, wait in the private mirror
    assert (project / ".audioarticles" / "unreleased" / "episodes" / f"{stem}.jpg").is_file()
    assert not (project / "output" / "episodes" / f"{stem}.jpg").exists()
    assert runner.invoke(cli, ["publish", first["slug"]]).exit_code == 0
    with Image.open(project / "output" / "episodes" / f"{stem}.jpg") as art:
        assert art.size == (2000, 2000)


# small pure functions


@pytest.mark.parametrize(("size", "side"), [
    ((1800, 1200), 1400), ((2200, 2600), 2200), ((4000, 3500), 3000), ((600, 900), 1400),
])
def test_square_jpeg_crops_the_centre_and_keeps_within_apple_sizes(size, side):
    jpeg, px = square_jpeg(picture(*size))
    with Image.open(io.BytesIO(jpeg)) as image:
        assert (image.format, image.size, px) == ("JPEG", (side, side), side)


@pytest.mark.parametrize(("data", "reason"), [
    (picture(500, 900), "is 500×900 px; an episode picture needs at least 600 px on its short "
                        "side"),
    (b"<html>not a picture</html>", "is not an image Pillow can read"),
])
def test_square_jpeg_refuses_what_cannot_be_artwork(data, reason):
    with pytest.raises(ArtworkError) as caught:
        square_jpeg(data)
    assert str(caught.value) == reason


@pytest.mark.parametrize(("head", "expected"), [
    ('<meta property="og:image" content="https://cdn.example/a.jpg">', "https://cdn.example/a.jpg"),
    ('<meta name="twitter:image" content="/b.jpg">', "https://journal.example/b.jpg"),
    ('<meta property="og:image" content="javascript:alert(1)">', ""),
    ('<link rel="image_src" href="c.jpg">', "https://journal.example/a/c.jpg"),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "image": '
     '["https://cdn.example/d.jpg", "https://cdn.example/e.jpg"]}</script>',
     "https://cdn.example/d.jpg"),
    ('<script type="application/ld+json">{broken</script>', ""),
    ("", ""),
])
def test_page_image(head, expected):
    tree = fromstring(f"<html><head>{head}</head><body><p>x</p></body></html>")
    assert page_image(tree, "https://journal.example/a/1") == expected


def test_json_ld_prefers_the_article_over_the_site_logo():
    documents = [{"@graph": [{"@type": "Organization", "image": "https://x/logo.png"},
                             {"@type": ["NewsArticle"], "image": {"contentUrl": "https://x/p.jpg"}}]}]
    assert json_ld_image(documents) == "https://x/p.jpg"
