"""The player in a real browser: Debian's Chromium driven by Playwright, pages fetched from
`audioarticles serve`. Play, speed, chapters, transcript highlight, keyboard, phone width,
the embed snippet, and a hostile title that must stay text."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from conftest import require_tool
from publish_helpers import abspath, add_companions, free_port, make_project

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
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost"}
    server = subprocess.Popen([sys.executable, "-m", "audioarticles", "--project", str(root),
                               "serve"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, env=env)
    try:
        line = server.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line, line
        yield {"base": base, "root": root, "tram": tram, "hostile": episodes["hostile.txt"],
               "cues": cues, "chapters": chapters, "duration": duration}
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


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


def test_embed_snippet_opens_the_player_in_an_iframe(page, served, runner):
    from audioarticles.cli import cli

    slug = served["tram"]["slug"]
    result = runner.invoke(cli, ["--project", str(served["root"]), "embed", slug])
    assert result.exit_code == 0, result.stderr
    page.set_content(f"<main><h1>Article</h1>{result.stdout}</main>")
    button = page.get_by_role("button", name="Écouter l'article")
    button.click()
    frame_element = page.wait_for_selector("iframe")
    assert frame_element.get_attribute("src") == f"{served['base']}embed/{slug}.html?autoplay=1"
    assert frame_element.get_attribute("title") == f"Lecteur audio : {served['tram']['title']}"
    frame = frame_element.content_frame()
    frame.wait_for_function("document.querySelector('audio') && "
                            "document.querySelector('audio').currentTime > 0.3", timeout=10000)
    assert frame.get_attribute(".aa-play", "aria-label") == "Pause"


def test_hostile_title_stays_text_in_the_browser(page, served):
    open_episode(page, served, "hostile")
    assert page.inner_text("h1") == HOSTILE_TITLE
    assert page.locator("h1 b, h1 script").count() == 0
    page.click(".aa-play")
    page.wait_for_function("!document.querySelector('audio').paused", timeout=10000)
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
