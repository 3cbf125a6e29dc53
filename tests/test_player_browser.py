"""The player in a real browser: Debian's Chromium driven by Playwright, pages fetched from
`audioarticles serve`. Play, speed, chapters, transcript highlight, keyboard, phone width,
the embeds (script embed on a host page of another origin under a strict
Content-Security-Policy, iframe resized to its content), read-along in the host article,
listening events and beacons, axe-core, and a hostile title that must stay text."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import require_axe, require_tool
from publish_helpers import abspath, add_companions, free_port, make_project

from audioarticles.store.catalog import Catalog

ARTICLE = """Le tramway arrive dans le quartier nord
Les travaux du tramway commencent lundi dans le quartier nord de la ville.
Pendant six mois, la circulation sera réduite sur l’avenue principale.
Des navettes gratuites remplaceront les bus aux heures de pointe.
La mairie promet un chantier rapide et des rues plus calmes à la fin de l’année.
"""
HOSTILE_TITLE = '<script>alert("piège")</script> Le <b>budget</b> & "vous"'
HOSTILE = HOSTILE_TITLE + "\nLe conseil a adopté le budget.\n"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The project served by `audioarticles serve` on its base_url's port."""
    require_tool("chromium")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    root = tmp_path_factory.mktemp("player") / "project"
    episodes = make_project(root, base, {"tram.txt": ARTICLE, "hostile.txt": HOSTILE})
    tram = episodes["tram.txt"]
    duration = tram["duration_s"]
    assert duration > 12, duration
    # known cue and chapter times (the first cue is short so playback crosses into the second)
    cut = [0.0, 1.0, duration / 2, duration * 3 / 4, duration]
    texts = ["Les travaux du tramway commencent lundi.", "La circulation sera réduite.",
             "Des navettes gratuites remplaceront les bus.", "La mairie promet un chantier rapide."]
    cues = [(cut[i], cut[i + 1], texts[i]) for i in range(4)]
    chapters = [(0.0, "Le chantier"), (round(duration / 3, 3), "La circulation"),
                (round(duration * 2 / 3, 3), "Les promesses")]
    # the second sentence has word timings, as Edge and Piper give them
    words = {1: "La <00:00:01.600>circulation <00:00:02.600>sera <00:00:03.200>réduite."}
    add_companions(root, tram["slug"], cues, chapters, words)
    # two article blocks as the timeline records them: sentences 1-2, then 3-4
    set_blocks(root, tram["slug"], [[0, 0.0, round(cut[2], 3)],
                                    [1, round(cut[2], 3), round(duration, 3)]])
    with serving(root, port):
        yield {"base": base, "root": root, "tram": tram, "hostile": episodes["hostile.txt"],
               "cues": cues, "chapters": chapters, "duration": duration, "port": port}


def set_blocks(root, slug: str, blocks: list) -> None:
    with Catalog(root / ".audioarticles" / "catalog.sqlite") as catalog:
        episode = catalog.by_slug(slug)
        episode.meta = {**episode.meta, "blocks": blocks}
        with catalog.transaction():
            catalog.save(episode)


class serving:
    """`audioarticles serve` for a project, on its base_url's port."""

    def __init__(self, root, port: int) -> None:
        self.root, self.port = root, port

    def __enter__(self):
        env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost"}
        self.server = subprocess.Popen(
            [sys.executable, "-m", "audioarticles", "--project", str(self.root), "serve"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        line = self.server.stdout.readline()
        assert f"http://127.0.0.1:{self.port}/" in line, line
        return self

    def __exit__(self, *exc) -> None:
        self.server.send_signal(signal.SIGINT)
        try:
            self.server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()


@pytest.fixture(scope="module")
def browser(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.errors = errors
    yield page
    context.close()
    assert errors == []


def open_episode(page, served, key="tram"):
    page.goto(served["base"] + f"episodes/{served[key]['slug']}.html")
    page.wait_for_function("!document.querySelector('[data-aa-player]').classList.contains('aa-nojs')")


def current_time(page) -> float:
    return page.evaluate("document.querySelector('audio').currentTime")


def test_play_advances_time_and_fills_the_lock_screen(page, served):
    open_episode(page, served)
    assert page.get_attribute(".aa-play", "aria-label") == "Lire"
    assert page.inner_text(".aa-elapsed") == "0:00"
    page.click(".aa-play")
    page.wait_for_function("document.querySelector('audio').currentTime > 1.2", timeout=10000)
    assert page.get_attribute(".aa-play", "aria-label") == "Pause"
    # the elapsed time and the seek bar follow (on the next timeupdate)
    page.wait_for_function("document.querySelector('.aa-elapsed').textContent !== '0:00'")
    page.wait_for_function("parseFloat(document.querySelector('.aa-seek').value) >= 1")
    session = page.evaluate("""() => { const m = navigator.mediaSession.metadata;
        return {title: m.title, artist: m.artist, album: m.album, art: m.artwork[0].src}; }""")
    assert session["title"] == served["tram"]["title"]
    assert (session["artist"], session["album"]) == ("La Gazette", "La Gazette à écouter")
    assert session["art"].startswith(served["base"] + "artwork/podcast-")
    page.click(".aa-play")
    assert page.evaluate("document.querySelector('audio').paused") is True
    page.wait_for_function("document.querySelector('.aa-play').getAttribute('aria-label') === 'Lire'")


def test_speed_changes_and_is_remembered(page, served):
    open_episode(page, served)
    page.select_option(".aa-rate", "1.5")
    assert page.evaluate("document.querySelector('audio').playbackRate") == 1.5
    page.click(".aa-play")
    page.wait_for_function("document.querySelector('audio').currentTime > 0.5", timeout=10000)
    assert page.evaluate("document.querySelector('audio').playbackRate") == 1.5
    open_episode(page, served)
    assert page.input_value(".aa-rate") == "1.5"
    assert page.evaluate("document.querySelector('audio').playbackRate") == 1.5


def test_chapter_click_lands_at_its_start(page, served):
    open_episode(page, served)
    start, title = served["chapters"][2]
    chapter = page.locator(".aa-chapter").nth(2)
    assert title in chapter.inner_text()
    chapter.click()
    page.wait_for_function("!document.querySelector('audio').paused", timeout=10000)
    assert start - 0.05 <= current_time(page) <= start + 0.8
    assert chapter.get_attribute("aria-current") == "true"
    assert page.locator(".aa-chapter[aria-current]").count() == 1


def test_transcript_highlight_follows_playback_and_seeks_on_click(page, served):
    open_episode(page, served)
    cues = page.locator(".aa-cue")
    assert cues.count() == 4
    assert cues.nth(0).get_attribute("aria-current") == "true"  # at 0:00, the first sentence
    page.click(".aa-play")
    # playback crosses the first cue's end (1 s): the highlight moves on by itself
    page.wait_for_function(
        "document.querySelectorAll('.aa-cue')[1].getAttribute('aria-current') === 'true'",
        timeout=10000)
    assert current_time(page) >= 0.95  # the player moves on 50 ms early (timeupdate granularity)
    assert cues.nth(0).get_attribute("aria-current") is None
    assert "aa-active" in cues.nth(1).get_attribute("class")
    # clicking a sentence plays from it
    start = served["cues"][3][0]
    cues.nth(3).click()
    assert start - 0.05 <= current_time(page) <= start + 0.8
    assert cues.nth(3).get_attribute("aria-current") == "true"
    assert page.locator(".aa-cue[aria-current]").count() == 1


def test_the_word_being_read_is_highlighted_inside_its_sentence(page, served):
    open_episode(page, served)
    words = page.locator(".aa-cue").nth(1).locator(".aa-word")
    assert [words.nth(i).inner_text() for i in range(words.count())] == [
        "La", "circulation", "sera", "réduite."]
    assert page.locator(".aa-cue").nth(0).locator(".aa-word").count() == 0  # no timings there
    page.evaluate("document.querySelector('audio').currentTime = 1.1")
    page.click(".aa-play")
    page.wait_for_function(
        "document.querySelectorAll('.aa-cue')[1].querySelectorAll('.aa-word')[1]"
        ".classList.contains('aa-word-active')", timeout=10000)
    assert current_time(page) >= 1.5
    assert page.locator(".aa-word-active").count() == 1
    page.wait_for_function(
        "document.querySelectorAll('.aa-word')[2].classList.contains('aa-word-active')",
        timeout=10000)
    assert "aa-word-active" not in words.nth(1).get_attribute("class")
    # seeking back before the sentence leaves no word highlighted
    page.evaluate("document.querySelector('audio').currentTime = 0.2")
    page.wait_for_function("document.querySelectorAll('.aa-word-active').length === 0",
                           timeout=5000)


def focused(page) -> str:
    return page.evaluate("document.activeElement.className || document.activeElement.tagName")


def tab_to(page, class_name: str, limit: int = 30) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if class_name in focused(page).split():
            return
    raise AssertionError(f"{class_name} cannot be reached with Tab (stuck on {focused(page)})")


def test_keyboard_operates_the_player_with_visible_focus(page, served):
    open_episode(page, served)
    tab_to(page, "aa-play")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")  # focus is visible
    page.keyboard.press("Enter")
    page.wait_for_function("!document.querySelector('audio').paused", timeout=10000)
    page.keyboard.press("k")  # pause
    assert page.evaluate("document.querySelector('audio').paused") is True

    tab_to(page, "aa-fwd")
    before = current_time(page)
    page.keyboard.press("Enter")
    assert current_time(page) == pytest.approx(min(before + 15, served["duration"]), abs=0.3)
    tab_to(page, "aa-seek")
    before = current_time(page)
    page.keyboard.press("ArrowLeft")
    assert current_time(page) == pytest.approx(before - 5, abs=0.3)
    page.keyboard.press("Home")
    assert current_time(page) == pytest.approx(0, abs=0.3)

    # chapters are buttons; the transcript is one tab stop, arrows move inside it
    tab_to(page, "aa-chapter")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    tab_to(page, "aa-cue")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == served["cues"][2][2]
    page.keyboard.press("Enter")
    assert current_time(page) == pytest.approx(served["cues"][2][0], abs=0.8)
    page.keyboard.press("j")  # back 15 s, clamped at the start
    assert current_time(page) == pytest.approx(max(0.0, served["cues"][2][0] - 15), abs=0.8)


def test_usable_at_phone_width(browser, served):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        open_episode(page, served)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        for selector in (".aa-back", ".aa-play", ".aa-fwd", ".aa-rate", ".aa-seek", ".aa-download"):
            box = page.locator(selector).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, selector
        play = page.locator(".aa-play").bounding_box()
        assert play["width"] >= 44 and play["height"] >= 44  # a finger-sized target
    finally:
        context.close()


def test_index_page_plays_one_episode_at_a_time(page, served):
    page.goto(served["base"])
    players = page.locator("[data-aa-player]")
    assert players.count() == 2
    players.nth(0).locator(".aa-play").click()
    page.wait_for_function("!document.querySelectorAll('audio')[0].paused", timeout=10000)
    players.nth(1).locator(".aa-play").click()
    page.wait_for_function("!document.querySelectorAll('audio')[1].paused", timeout=10000)
    # the first stops on the second's "play" event, a task queued after `paused` turns false
    page.wait_for_function("document.querySelectorAll('audio')[0].paused", timeout=10000)
    assert page.evaluate("document.querySelectorAll('audio')[1].paused") is False
    page.wait_for_function("document.querySelectorAll('.aa-play')[0].getAttribute('aria-label')"
                           " === 'Lire'")


def test_hostile_title_stays_text_in_the_browser(page, served):
    open_episode(page, served, "hostile")
    assert page.inner_text("h1") == HOSTILE_TITLE
    assert page.locator("h1 b, h1 script").count() == 0
    page.click(".aa-play")
    # `paused` turns false at play(); the "play" handler that sets the metadata runs a task later
    page.wait_for_function("navigator.mediaSession.metadata !== null", timeout=10000)
    assert page.evaluate("navigator.mediaSession.metadata.title") == HOSTILE_TITLE
    page.goto(served["base"])
    assert HOSTILE_TITLE in page.inner_text("main")
    # the page's `errors` list (dialogs, script errors) is checked empty when the test ends


def test_transcript_and_chapters_written_by_the_audio_stage(page, served):
    """The hostile episode keeps the VTT and chapters the audio stage wrote: every cue is
    listed, its text exact (the title's markup is text), and clicking one plays from it."""
    from audioarticles.store.recover import parse_vtt

    vtt = abspath(served["hostile"]["transcripts"]["vtt"])  # JSON paths open from the cwd
    cues = parse_vtt(vtt.read_text(encoding="utf-8"))
    assert len(cues) >= 2 and cues[0].text == HOSTILE_TITLE
    open_episode(page, served, "hostile")
    shown = page.locator(".aa-cue")
    assert shown.count() == len(cues)
    assert [shown.nth(i).inner_text() for i in range(len(cues))] == [c.text for c in cues]
    assert page.locator(".aa-transcript script, .aa-transcript b").count() == 0
    shown.nth(len(cues) - 1).click()
    assert current_time(page) == pytest.approx(cues[-1].start_s, abs=0.8)
    assert shown.nth(len(cues) - 1).get_attribute("aria-current") == "true"
    chapters = json.loads(abspath(served["hostile"]["chapters"]).read_text(encoding="utf-8"))
    assert page.locator(".aa-chapter").count() == len(chapters["chapters"])


# --- embeds on a publisher's page, on another origin -------------------------------------------

VIOLATIONS = """window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
}, true);"""
SHADOW_AUDIO = "document.querySelector('[data-audioarticles]').shadowRoot.querySelector('audio')"
HOST_SCRIPT = """window.hostClicks = 0;
document.querySelectorAll("article p").forEach(function (p) {
  p.addEventListener("click", function () { window.hostClicks += 1; });
});"""


class HostSite:
    """A publisher's web site on its own origin: pages with the headers given, and a beacon
    endpoint that records what it is sent."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, dict]] = {}
        self.posts: list[tuple[str, str, bytes]] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                page = host.pages.get(self.path.split("?")[0].split("#")[0])
                if page is None:
                    self.send_error(404)
                    return
                body, headers = page
                data = body.encode("utf-8")
                self.send_response(200)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802
                size = int(self.headers.get("Content-Length") or 0)
                host.posts.append((self.path, self.headers.get("Content-Type", ""),
                                   self.rfile.read(size)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, path: str, body: str, csp: str = "", kind: str = "text/html") -> str:
        headers = {"Content-Type": f"{kind}; charset=utf-8"}
        if csp:
            headers["Content-Security-Policy"] = csp
        self.pages[path] = (body, headers)
        return self.origin + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def host_site(served):
    site = HostSite()
    yield site
    site.close()


def wait_until(page, expression: str, timeout: float = 10) -> None:
    """Poll `expression` (Playwright's wait_for_function evaluates a string, which a strict
    policy forbids; evaluate goes through the debugger and is not the page's own script)."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.05)


def article_page(body: str, scripts: str = "") -> str:
    return ('<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Article</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">{scripts}'
            f"</head><body><main>{body}</main></body></html>")


def embed_output(runner, served, *options: str) -> str:
    from audioarticles.cli import cli

    result = runner.invoke(cli, ["--project", str(served["root"]), "embed",
                                 served["tram"]["slug"], *options])
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture
def strict_page(browser, monkeypatch):
    """A page that records every Content-Security-Policy violation and console message."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.add_init_script(VIOLATIONS)
    page.console_lines = []
    page.on("console", lambda message: page.console_lines.append(message.text))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def site_origin(served) -> str:
    return served["base"].rstrip("/")


def test_script_embed_plays_under_a_strict_content_security_policy(strict_page, served, runner,
                                                                   host_site):
    page = strict_page
    origin = site_origin(served)
    csp = f"default-src 'self'; script-src {origin}; media-src {origin}"
    snippet = embed_output(runner, served)
    url = host_site.add("/strict.html", article_page(
        f"<h1>Le tramway arrive</h1><p>Un article du journal.</p>{snippet}"), csp)
    page.goto(url)
    wait_until(page, "document.querySelector('[data-audioarticles]').shadowRoot && "
                     "document.querySelector('[data-audioarticles]').shadowRoot"
                     ".querySelector('[data-aa-ready]:not(.aa-nojs)')")
    # the player is styled by its constructed style sheet, its fallback link is hidden
    assert page.evaluate("getComputedStyle(document.querySelector('[data-audioarticles]')"
                         ".shadowRoot.querySelector('.aa-play')).backgroundColor") == \
        "rgb(12, 59, 92)"
    assert page.locator("[data-audioarticles] > a").is_visible() is False
    page.evaluate("""() => { window.__events = [];
        for (const name of ["play", "pause", "progress", "complete", "ratechange", "seek"])
          document.addEventListener("audioarticles:" + name, e => window.__events.push(e.detail));
    }""")
    page.click("[data-audioarticles] .aa-play")  # Playwright's CSS selectors pierce shadow roots
    wait_until(page, f"{SHADOW_AUDIO}.currentTime > 1", 10)
    page.select_option("[data-audioarticles] .aa-rate", "1.5")
    page.evaluate(f"{SHADOW_AUDIO}.currentTime = {served['duration']} - 0.6")
    wait_until(page, f"{SHADOW_AUDIO}.ended", 10)
    events = page.evaluate("window.__events")
    names = [e["event"] for e in events]
    assert names[0] == "play" and names[-1] == "complete", names
    assert {"ratechange", "seek", "progress"} <= set(names)
    assert [e["percent"] for e in events if e["event"] == "progress"] == [25, 50, 75]
    assert next(e for e in events if e["event"] == "ratechange")["rate"] == 1.5
    seek = next(e for e in events if e["event"] == "seek")
    assert seek["from_s"] > 0.9 and seek["position_s"] > served["duration"] - 1
    assert {e["episode"] for e in events} == {served["tram"]["guid"]}
    assert len({e["listen"] for e in events}) == 1
    from audioarticles.analytics import parse_event

    assert [parse_event(e)["event"] for e in events] == names  # the body the API accepts

    assert page.evaluate("window.__violations") == []
    assert not [line for line in page.console_lines if "Content Security Policy" in line]
    # the policy is enforced: an inline script is refused, and reported
    page.evaluate("""() => { const s = document.createElement("script");
        s.textContent = "window.inlineRan = true"; document.body.appendChild(s); }""")
    wait_until(page, "window.__violations.length > 0")
    assert page.evaluate("window.inlineRan") is None


def test_custom_element_embed(strict_page, served, host_site):
    page = strict_page
    origin = site_origin(served)
    slug = served["tram"]["slug"]
    url = host_site.add("/element.html", article_page(
        f'<h1>Titre</h1><audio-article src="{served["base"]}episodes/{slug}.html">'
        f'</audio-article><script src="{served["base"]}player/embed.js" async></script>'),
        f"default-src 'self'; script-src {origin}; media-src {origin}")
    page.goto(url)
    page.click("audio-article .aa-play")
    wait_until(page, "document.querySelector('audio-article').shadowRoot"
                     ".querySelector('audio').currentTime > 0.5", 10)
    assert page.evaluate("window.__violations") == []


def frame_fits(frame_element) -> None:
    """The iframe is as tall as its page's content: nothing clipped, no inner scrolling."""
    frame = frame_element.content_frame()
    content = frame.evaluate("Math.ceil(document.body.getBoundingClientRect().height)")
    assert abs(int(frame_element.get_attribute("height")) - content) <= 1
    assert frame.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    assert frame.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_iframe_embed_takes_its_content_height_at_phone_width(browser, served, runner,
                                                               host_site):
    snippet = embed_output(runner, served, "--iframe")
    assert "onclick" not in snippet
    url = host_site.add("/frame.html", article_page(f"<h1>Article</h1>{snippet}"))
    context = browser.new_context(viewport={"width": 375, "height": 700}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        page.goto(url)
        frame_element = page.wait_for_selector("iframe[data-audioarticles-frame]")
        wait_until(page, "document.querySelector('iframe').height !== '240'", 10)
        frame_fits(frame_element)
        closed = int(frame_element.get_attribute("height"))
        assert closed > 240  # a phone's narrow width wraps the controls: the frame grew
        frame = frame_element.content_frame()
        assert frame.locator("h1").count() == 1  # the embed page has a heading
        for summary in ("Chapitres", "Transcription"):
            frame.locator("summary", has_text=summary).click()
        wait_until(page, f"parseInt(document.querySelector('iframe').height) > {closed} + 150")
        page.wait_for_timeout(300)  # the last resize message
        frame_fits(frame_element)
        box = frame_element.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375
        # the frame's listening events reach the host as events on the iframe element
        page.evaluate("""() => { window.__events = [];
            document.querySelector("iframe").addEventListener("audioarticles:play",
              e => window.__events.push(e.detail)); }""")
        frame.tap(".aa-play")
        wait_until(page, "window.__events.length > 0", 10)
        assert page.evaluate("window.__events[0].slug") == served["tram"]["slug"]
    finally:
        context.close()


READ_ALONG = """<article>
<h1>Le tramway arrive dans le quartier nord</h1>
<p id="p1">LES  travaux du tramway commencent lundi&nbsp;dans le quartier nord de la ville.
Pendant six mois, la circulation sera réduite sur l’avenue principale.</p>
<p id="p2">Des navettes «&nbsp;gratuites&nbsp;» remplaceront les bus aux heures de pointe.
La mairie promet un chantier <a id="link" href="#plan">rapide</a> et des rues plus calmes.</p>
<p id="other">Publicité : abonnez-vous au journal.</p>
{snippet}
</article><h2 id="plan">Le plan</h2>"""


def read_along_page(browser, served, host_site, path: str, body: str):
    origin = site_origin(served)
    host_site.add("/host.js", HOST_SCRIPT, kind="text/javascript")
    url = host_site.add(path, article_page(body, '<script src="/host.js" defer></script>'),
                        f"default-src 'self'; script-src 'self' {origin}; media-src {origin}")
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.add_init_script(VIOLATIONS)
    page.goto(url)
    wait_until(page, "document.querySelector('[data-audioarticles-playable]')", 10)
    return context, page


def test_read_along_highlights_the_paragraph_and_plays_from_a_click(browser, served, runner,
                                                                   host_site):
    snippet = embed_output(runner, served, "--readalong")
    assert "data-readalong" in snippet
    context, page = read_along_page(browser, served, host_site, "/readalong.html",
                                    READ_ALONG.format(snippet=snippet))
    try:
        playable = page.evaluate("[...document.querySelectorAll('[data-audioarticles-playable]')]"
                                 ".map(p => p.id)")
        assert playable == ["p1", "p2"]  # matched by text despite case, spaces, « », ’
        page.click("[data-audioarticles] .aa-play")
        wait_until(page, "document.querySelector('#p1').hasAttribute("
                   "'data-audioarticles-reading')", 10)
        # a click on the second paragraph plays from its first sentence
        page.click("#p2", position={"x": 4, "y": 4})
        start = served["cues"][2][0]
        assert start - 0.05 <= page.evaluate(f"{SHADOW_AUDIO}.currentTime") <= start + 0.8
        wait_until(page, "document.querySelector('#p2').hasAttribute("
                   "'data-audioarticles-reading')", 10)
        assert page.locator("[data-audioarticles-reading]").count() == 1
        assert page.evaluate("window.hostClicks") == 1  # the host's own handler ran
        assert page.evaluate("getComputedStyle(document.querySelector('#p2')).backgroundColor") \
            == "rgb(255, 243, 196)"  # the highlight, from a constructed style sheet
        # a link in a paragraph is followed and does not seek
        page.evaluate(f"{SHADOW_AUDIO}.pause()")
        page.evaluate(f"{SHADOW_AUDIO}.currentTime = {served['cues'][3][0] + 0.5}")
        page.click("#link")
        wait_until(page, "location.hash === '#plan'")
        assert page.evaluate(f"{SHADOW_AUDIO}.currentTime") == pytest.approx(
            served["cues"][3][0] + 0.5, abs=0.01)
        assert page.evaluate(f"{SHADOW_AUDIO}.paused") is True
        assert page.evaluate("window.hostClicks") == 2
        # a click on unrelated text does nothing
        page.click("#other")
        assert page.evaluate(f"{SHADOW_AUDIO}.paused") is True
        assert page.evaluate("window.__violations") == []
    finally:
        context.close()


def test_read_along_by_block_markers(browser, served, runner, host_site):
    output = embed_output(runner, served, "--markers")
    assert 'data-audio-block="0"' in output and 'data-audio-block="1"' in output
    snippet = output.split("<!--")[0]
    body = ('<article><p data-audio-block="0" id="m0">Premier paragraphe, réécrit par la '
            'rédaction.</p><p data-audio-block="1" id="m1">Le second, lui aussi réécrit.</p>'
            f"{snippet}</article>")
    context, page = read_along_page(browser, served, host_site, "/markers.html", body)
    try:
        page.click("#m1")
        start = served["cues"][2][0]
        assert start - 0.05 <= page.evaluate(f"{SHADOW_AUDIO}.currentTime") <= start + 0.8
        wait_until(page, "document.querySelector('#m1').hasAttribute("
                   "'data-audioarticles-reading')", 10)
    finally:
        context.close()


def test_beacon_sends_the_events_without_cookies(browser, served, host_site, tmp_path):
    """A copy of the project with `[analytics] beacon_url`: its pages send each event."""
    root = tmp_path / "beacon"
    shutil.copytree(served["root"], root, ignore=shutil.ignore_patterns("*.lock"))
    port = free_port()
    config = (root / "audioarticles.toml").read_text(encoding="utf-8")
    config = config.replace(served["base"], f"http://127.0.0.1:{port}/")
    (root / "audioarticles.toml").write_text(
        config + f'\n[analytics]\nbeacon_url = "{host_site.origin}/v1/events"\n'
                 "\n[player]\nskip_s = 30\n", encoding="utf-8")
    host_site.posts.clear()
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    try:
        with serving(root, port):
            page.goto(f"http://127.0.0.1:{port}/episodes/{served['tram']['slug']}.html")
            assert page.inner_text(".aa-fwd") == "+30 s"  # [player] skip_s
            page.click(".aa-play")
            wait_until(page, "document.querySelector('audio').currentTime > 0.5", 10)
            page.click(".aa-play")
            wait_until(page, "document.querySelector('audio').paused")
            page.click(".aa-fwd")
            page.wait_for_timeout(500)
            assert page.evaluate("document.cookie") == ""
            assert context.cookies() == []
    finally:
        context.close()
    from audioarticles.analytics import parse_event

    bodies = [parse_event(body) for path, kind, body in host_site.posts]
    assert {path for path, _, _ in host_site.posts} == {"/v1/events"}
    assert {kind.split(";")[0] for _, kind, _ in host_site.posts} == {"text/plain"}
    assert [b["event"] for b in bodies][:2] == ["play", "pause"]
    [seek] = [b for b in bodies if b["event"] == "seek"]
    assert seek["position_s"] == pytest.approx(
        min(seek["from_s"] + 30, served["duration"]), abs=0.3)


# --- accessibility: axe-core -------------------------------------------------------------------

def axe_violations(page) -> tuple[list, set]:
    """Serious and critical violations on the page, and the rules that applied."""
    page.add_script_tag(content=require_axe())
    results = page.evaluate("""() => axe.run(document, {
        rules: {"label-content-name-mismatch": {enabled: true}}}).then(r => ({
          violations: r.violations.map(v => ({id: v.id, impact: v.impact,
            nodes: v.nodes.map(n => n.html).slice(0, 3)})),
          applied: [...r.passes, ...r.violations, ...r.incomplete].map(v => v.id)}))""")
    bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")
           or v["id"] == "label-content-name-mismatch"]
    return bad, set(results["applied"])


@pytest.mark.parametrize("where", ["episode", "embed", "index", "script embed"])
def test_no_serious_accessibility_violation(page, served, runner, host_site, where):
    require_axe()
    slug = served["tram"]["slug"]
    if where == "script embed":  # in a publisher's article (axe reads the shadow root)
        url = host_site.add("/a11y.html", article_page(
            f"<h1>Le tramway arrive</h1><p>Un article.</p>{embed_output(runner, served)}"))
    else:
        url = served["base"] + {"episode": f"episodes/{slug}.html",
                                "embed": f"embed/{slug}.html", "index": ""}[where]
    page.goto(url)
    page.wait_for_selector("[data-aa-ready]:not(.aa-nojs)")
    for summary in page.locator("summary").all():
        summary.click()  # chapters and transcript opened, as a listener sees them
    bad, applied = axe_violations(page)
    assert bad == []
    assert "label-content-name-mismatch" in applied  # the ±15 s buttons were checked
