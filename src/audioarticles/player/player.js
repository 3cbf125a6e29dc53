/* audioarticles player: plain JavaScript, no dependencies, works offline.
 * Enhances every [data-aa-player] element the site generator wrote: play/pause, ±15 s,
 * speed, seek bar, chapters, transcript that follows the audio, keyboard shortcuts,
 * Media Session (lock-screen controls). Text from the page is only ever set with
 * textContent, never parsed as HTML. */
(function () {
  "use strict";

  var STEP = 15;
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
    });
    audio.addEventListener("pause", showState);
    audio.addEventListener("ended", showState);
    audio.addEventListener("timeupdate", render);
    audio.addEventListener("seeked", render);
    audio.addEventListener("loadedmetadata", function () {
      seek.max = String(duration());
      total.textContent = clock(duration());
      render();
    });
    audio.addEventListener("error", function () {
      status.textContent = "Lecture impossible : le fichier audio ne peut pas être chargé.";
    });
    audio.addEventListener("ratechange", function () { rate.value = String(audio.playbackRate); });

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

  function boot() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-aa-player]"), init);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
