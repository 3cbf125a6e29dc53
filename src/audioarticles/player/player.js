/* audioarticles player: plain JavaScript, no dependencies, works offline.
 * Enhances every [data-aa-player] element the site generator wrote: play/pause, ±15 s (or
 * ±30 s: data-skip), speed, seek bar, chapters, transcript that follows the audio, keyboard
 * shortcuts, Media Session (lock-screen controls). Text from the page is only ever set with
 * textContent, never parsed as HTML.
 * Listening events (no cookie, no storage, no personal data; see analytics.py): a bubbling
 * CustomEvent "audioarticles:<event>" on the player, a postMessage to the parent window when
 * the player is in an iframe, navigator.sendBeacon to data-beacon when set. In an iframe the
 * page also posts its height, so the host's embed.js can size the frame to its content.
 * embed.js carries this file and calls window.audioarticlesPlayer.init on the players it
 * draws in host pages. */
(function () {
  "use strict";

  var RATE_KEY = "audioarticles.rate";
  var audios = [];

  function clock(seconds) {
    var total = Math.max(0, Math.floor(seconds || 0));
    var h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    var ss = (s < 10 ? "0" : "") + s;
    if (h) return h + ":" + (m < 10 ? "0" : "") + m + ":" + ss;
    return m + ":" + ss;
  }

  function spoken(seconds) {
    var total = Math.max(0, Math.round(seconds || 0));
    var h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    if (h) return h + " h " + m + " min";
    return m ? m + " min " + s + " s" : s + " s";
  }

  function storedRate() {
    try { return parseFloat(window.localStorage.getItem(RATE_KEY)) || 1; } catch (e) { return 1; }
  }

  function storeRate(rate) {
    try { window.localStorage.setItem(RATE_KEY, String(rate)); } catch (e) { /* private mode, sandboxed frame */ }
  }

  function listenId() {
    var bytes = new Uint8Array(8);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  function round3(value) { return Math.round((value || 0) * 1000) / 1000; }

  var framed = window.parent !== window;

  function tellParent(message) {
    if (!framed) return;
    try { window.parent.postMessage(message, "*"); } catch (e) { /* a detached frame */ }
  }

  /* index of the last item whose start is <= t, or -1 */
  function locate(starts, t) {
    var lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= t + 0.05) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  function init(root) {
    if (!root || root.hasAttribute("data-aa-ready")) return;  // embed.js and player.js both on a page
    root.setAttribute("data-aa-ready", "");
    var STEP = parseInt(root.getAttribute("data-skip"), 10) || 15;
    var audio = root.querySelector("audio");
    var play = root.querySelector(".aa-play");
    var icon = play.querySelector(".aa-icon");
    var back = root.querySelector(".aa-back");
    var fwd = root.querySelector(".aa-fwd");
    var rate = root.querySelector(".aa-rate");
    var seek = root.querySelector(".aa-seek");
    var elapsed = root.querySelector(".aa-elapsed");
    var total = root.querySelector(".aa-total");
    var status = root.querySelector(".aa-status");
    var cueList = root.querySelector(".aa-cues");
    var cues = Array.prototype.slice.call(root.querySelectorAll(".aa-cue"));
    var chapters = Array.prototype.slice.call(root.querySelectorAll(".aa-chapter"));
    var cueStarts = cues.map(function (c) { return parseFloat(c.getAttribute("data-start")); });
    var chapterStarts = chapters.map(function (c) { return parseFloat(c.getAttribute("data-start")); });
    // word timings (Edge, Piper): the word being read is highlighted inside its sentence
    var cueWords = cues.map(function (c) { return Array.prototype.slice.call(c.querySelectorAll(".aa-word")); });
    var wordStarts = cueWords.map(function (list) {
      return list.map(function (w) { return parseFloat(w.getAttribute("data-start")); });
    });
    var activeCue = -1, activeChapter = -1, activeWord = null, dragging = false;
    // one listening: from a play to its end (or the page's); its events share a random id
    var listen = null, marks = {}, lastTime = 0, lastStamp = 0;

    audio.controls = false;
    root.classList.remove("aa-nojs");
    audios.push(audio);

    function duration() {
      return isFinite(audio.duration) && audio.duration > 0
        ? audio.duration : parseFloat(root.getAttribute("data-duration")) || 0;
    }

    function seekTo(t) {
      var end = duration();
      audio.currentTime = Math.max(0, end ? Math.min(t, end) : t);
      render();
    }

    function emit(name, extra) {
      if (!listen) return;  // nothing before the first play
      var detail = { v: 1, event: name, episode: root.getAttribute("data-episode") || "",
        slug: root.getAttribute("data-slug") || "", listen: listen,
        position_s: round3(audio.currentTime), duration_s: round3(duration()) };
      for (var key in extra) detail[key] = extra[key];
      root.dispatchEvent(new CustomEvent("audioarticles:" + name, { detail: detail, bubbles: true, composed: true }));
      tellParent({ type: "audioarticles:event", detail: detail });
      var beacon = root.getAttribute("data-beacon");
      if (beacon && navigator.sendBeacon) {
        try { navigator.sendBeacon(beacon, JSON.stringify(detail)); } catch (e) { /* refused by the page's policy */ }
      }
    }

    function progress() {
      var end = duration();
      if (!listen || !end) return;
      [25, 50, 75].forEach(function (mark) {
        if (!marks[mark] && audio.currentTime >= end * mark / 100) {
          marks[mark] = true;
          emit("progress", { percent: mark });
        }
      });
    }

    function pauseOthers() {
      audios.forEach(function (other) { if (other !== audio) other.pause(); });
    }

    function start() {
      pauseOthers();  // one voice at a time (the play event repeats this for native controls)
      var attempt = audio.play();
      if (attempt && attempt.catch) {
        attempt.catch(function (err) {
          if (err && err.name !== "AbortError") status.textContent = "Lecture impossible : " + err.message;
        });
      }
    }

    function toggle() { if (audio.paused) { start(); } else { audio.pause(); } }

    function mark(list, index, previous, cls) {
      if (index === previous) return previous;
      if (previous >= 0 && list[previous]) {
        list[previous].classList.remove(cls);
        list[previous].removeAttribute("aria-current");
      }
      if (index >= 0 && list[index]) {
        list[index].classList.add(cls);
        list[index].setAttribute("aria-current", "true");
      }
      return index;
    }

    function followCue(index) {
      if (!cueList || index < 0) return;
      var cue = cues[index];
      // keep the sentence being read in view inside the transcript box, never scroll the page
      var top = cue.offsetTop - cueList.offsetTop, bottom = top + cue.offsetHeight;
      if (top < cueList.scrollTop || bottom > cueList.scrollTop + cueList.clientHeight) {
        cueList.scrollTop = Math.max(0, top - cueList.clientHeight / 3);
      }
      cues.forEach(function (c, i) { c.tabIndex = i === index ? 0 : -1; });
    }

    function render() {
      var t = audio.currentTime || 0, end = duration();
      elapsed.textContent = clock(t);
      if (!dragging) seek.value = String(t);
      seek.setAttribute("aria-valuetext", spoken(t) + " sur " + spoken(end));
      var cue = locate(cueStarts, t);
      if (cue !== activeCue) {
        activeCue = mark(cues, cue, activeCue, "aa-active");
        if (document.activeElement === null || !cueList || !cueList.contains(document.activeElement)) followCue(cue);
      }
      activeChapter = mark(chapters, locate(chapterStarts, t), activeChapter, "aa-active");
      var words = cue >= 0 ? cueWords[cue] : [];
      var word = words.length ? words[Math.max(0, locate(wordStarts[cue], t))] : null;
      if (word !== activeWord) {
        if (activeWord) activeWord.classList.remove("aa-word-active");
        if (word) word.classList.add("aa-word-active");
        activeWord = word;
      }
    }

    function showState() {
      var playing = !audio.paused;
      play.setAttribute("aria-label", playing ? "Pause" : "Lire");
      icon.textContent = playing ? "❚❚" : "▶";
      root.classList.toggle("aa-playing", playing);
    }

    function mediaSession() {
      if (!("mediaSession" in navigator)) return;
      var session = navigator.mediaSession;
      try {
        var art = root.getAttribute("data-artwork");
        session.metadata = new window.MediaMetadata({
          title: root.getAttribute("data-title") || "",
          artist: root.getAttribute("data-artist") || "",
          album: root.getAttribute("data-album") || "",
          artwork: art ? [{ src: new URL(art, document.baseURI).href }] : []
        });
        session.setActionHandler("play", start);
        session.setActionHandler("pause", function () { audio.pause(); });
        session.setActionHandler("seekbackward", function (d) { seekTo(audio.currentTime - ((d && d.seekOffset) || STEP)); });
        session.setActionHandler("seekforward", function (d) { seekTo(audio.currentTime + ((d && d.seekOffset) || STEP)); });
        session.setActionHandler("seekto", function (d) { if (d && isFinite(d.seekTime)) seekTo(d.seekTime); });
      } catch (e) { /* an action this browser does not know */ }
    }

    audio.addEventListener("play", function () {
      pauseOthers();
      status.textContent = "";
      mediaSession();
      showState();
      if (!listen) listen = listenId();
      emit("play");
    });
    audio.addEventListener("pause", function () {
      showState();
      if (!audio.ended) emit("pause");
    });
    audio.addEventListener("ended", function () {
      showState();
      progress();
      emit("complete");
      listen = null;  // playing again is another listening
      marks = {};
    });
    audio.addEventListener("timeupdate", function () {
      render();
      if (!audio.seeking) { lastTime = audio.currentTime; lastStamp = Date.now(); }
      progress();
    });
    audio.addEventListener("seeking", function () {
      // where the listener was: the last time update, plus what played since (up to 250 ms)
      var since = audio.paused ? 0 : Math.min(0.5, (Date.now() - lastStamp) / 1000) * audio.playbackRate;
      emit("seek", { from_s: round3(lastTime + since) });
      lastTime = audio.currentTime;
      lastStamp = Date.now();
    });
    audio.addEventListener("seeked", render);
    audio.addEventListener("loadedmetadata", function () {
      seek.max = String(duration());
      total.textContent = clock(duration());
      render();
    });
    audio.addEventListener("error", function () {
      status.textContent = "Lecture impossible : le fichier audio ne peut pas être chargé.";
    });
    audio.addEventListener("ratechange", function () {
      rate.value = String(audio.playbackRate);
      emit("ratechange", { rate: audio.playbackRate });
    });

    play.addEventListener("click", toggle);
    back.addEventListener("click", function () { seekTo(audio.currentTime - STEP); });
    fwd.addEventListener("click", function () { seekTo(audio.currentTime + STEP); });

    rate.addEventListener("change", function () {
      var value = parseFloat(rate.value) || 1;
      audio.playbackRate = value;
      audio.defaultPlaybackRate = value;
      storeRate(value);
    });
    var preferred = storedRate();
    if (rate.querySelector('option[value="' + preferred + '"]')) {
      rate.value = String(preferred);
      audio.playbackRate = audio.defaultPlaybackRate = preferred;
    }

    seek.addEventListener("input", function () { dragging = true; elapsed.textContent = clock(parseFloat(seek.value)); });
    seek.addEventListener("change", function () { dragging = false; seekTo(parseFloat(seek.value)); });
    seek.addEventListener("keydown", function (event) {
      var moves = { ArrowLeft: -5, ArrowDown: -5, ArrowRight: 5, ArrowUp: 5, PageDown: -60, PageUp: 60 };
      if (event.key in moves) {
        event.preventDefault();
        seekTo(audio.currentTime + moves[event.key]);
      } else if (event.key === "Home" || event.key === "End") {
        event.preventDefault();
        seekTo(event.key === "Home" ? 0 : duration());
      }
    });

    chapters.forEach(function (button, i) {
      button.addEventListener("click", function () { seekTo(chapterStarts[i]); start(); });
    });
    cues.forEach(function (button, i) {
      button.addEventListener("click", function () { seekTo(cueStarts[i]); start(); });
      button.addEventListener("keydown", function (event) {
        var next = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: cues.length - 1 }[event.key];
        if (next === undefined) return;
        event.preventDefault();
        next = Math.max(0, Math.min(cues.length - 1, next));
        cues[i].tabIndex = -1;
        cues[next].tabIndex = 0;
        cues[next].focus();
      });
    });

    // j / k / l as in most web players; never while typing in a field
    root.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var tag = event.target.tagName;
      if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
      var key = event.key.toLowerCase();
      if (key === "k") { event.preventDefault(); toggle(); }
      else if (key === "j") { event.preventDefault(); seekTo(audio.currentTime - STEP); }
      else if (key === "l") { event.preventDefault(); seekTo(audio.currentTime + STEP); }
    });

    showState();
    render();
    if (root.closest(".aa-embed") && /[?&]autoplay=1\b/.test(window.location.search)) start();
  }

  /* in an iframe: the page's height for the host's embed.js, whenever it changes (chapters
     or transcript opened, a phone's narrow width) */
  function postHeight() {
    var body = document.body;
    if (!framed || !body || !body.classList.contains("aa-embed")) return;
    var send = function () {
      var player = body.querySelector("[data-aa-player]");
      tellParent({ type: "audioarticles:resize", slug: player ? player.getAttribute("data-slug") : "",
        height: Math.ceil(body.getBoundingClientRect().height) });
    };
    if (window.ResizeObserver) new ResizeObserver(send).observe(body);
    send();
  }

  function boot() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-aa-player]"), init);
    postHeight();
  }

  window.audioarticlesPlayer = window.audioarticlesPlayer || { init: init };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
