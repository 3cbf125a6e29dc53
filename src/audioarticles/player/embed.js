/* audioarticles embed.js: the player in a publisher's article, with no inline JavaScript.
 *
 *   <div data-audioarticles="SLUG"></div>                      (or data-readalong on it)
 *   <audio-article src="https://SITE/episodes/SLUG.html"></audio-article>
 *   <script src="https://SITE/player/embed.js" async></script>
 *
 * draws the episode's player in a shadow root of each such element, from the episode's data
 * script (SITE/embed/SLUG.js: a script, not a fetch, so a host policy that allows our scripts
 * and media is all it takes: script-src SITE; media-src SITE). Its style is a constructed
 * style sheet (no <style>, no style attribute, no sheet from our origin). It also sizes the
 * iframes of our embed pages to the height they post, and re-dispatches their listening events
 * on the iframe element. With data-readalong, the paragraph of the host article being read
 * is highlighted (attribute data-audioarticles-reading) and a click on a paragraph plays from
 * it; links, buttons and the host's own click handlers are left alone.
 *
 * The build writes player/embed.js as player.js followed by this file, with player.css in it. */

/* player.js */

(function () {
  "use strict";

  var CSS = "/* player.css */";
  var HOST_CSS = ":where([data-audioarticles-reading]) { background: #fff3c4; box-shadow: 0 0 0 0.25em #fff3c4; }\n" +
    ":where([data-audioarticles-playable]) { cursor: pointer; }";
  var PREFIX_CHARS = 48;  // readalong.PREFIX_CHARS
  var SLUG = /^[a-z0-9][a-z0-9-]*$/;
  var script = document.currentScript;
  if (!script || !script.src) return;
  var base = new URL("../", script.src).href;  // SITE/player/embed.js -> SITE/
  var origin = new URL(base).origin;
  if (window.audioarticlesEmbed) {  // a second snippet on the page: the first loader does the work
    window.audioarticlesEmbed.scan();
    return;
  }
  var episodes = window.audioarticlesEpisodes = window.audioarticlesEpisodes || {};
  var waiting = {};
  var sheets = null;

  function styleSheets() {
    if (sheets === null) {
      try {
        var player = new CSSStyleSheet();
        player.replaceSync(CSS);
        var host = new CSSStyleSheet();
        host.replaceSync(HOST_CSS);
        sheets = { player: player, host: host };
      } catch (e) { sheets = false; }  // no constructed style sheets: the player is unstyled
    }
    return sheets;
  }

  /* the episode's data script, loaded once per slug */
  function load(site, slug, done) {
    var key = site + "|" + slug;
    if (episodes[slug] && episodes[slug].page.indexOf(site) === 0) { done(episodes[slug]); return; }
    if (waiting[key]) { waiting[key].push(done); return; }
    waiting[key] = [done];
    var tag = document.createElement("script");
    tag.src = site + "embed/" + slug + ".js";
    tag.async = true;
    tag.addEventListener("load", function () {
      var data = episodes[slug];
      var callbacks = waiting[key];
      delete waiting[key];
      if (data) callbacks.forEach(function (callback) { callback(data); });
    });
    (document.head || document.documentElement).appendChild(tag);
  }

  function target(host) {
    var slug = host.getAttribute("data-audioarticles");
    if (slug !== null) return SLUG.test(slug) ? { site: base, slug: slug } : null;
    var src = host.getAttribute("src") || "";
    var match = /^(https?:\/\/.+\/)(?:episodes|embed)\/([a-z0-9][a-z0-9-]*)\.(?:html|js)$/.exec(src);
    return match ? { site: match[1], slug: match[2] } : null;
  }

  function mount(host) {
    if (host.audioarticlesMounted) return;
    var where = target(host);
    if (!where) return;
    host.audioarticlesMounted = true;
    load(where.site, where.slug, function (data) {
      var shadow = host.shadowRoot || host.attachShadow({ mode: "open" });
      var css = styleSheets();
      if (css) shadow.adoptedStyleSheets = [css.player];
      var box = document.createElement("div");
      box.className = "aa-hosted";
      box.innerHTML = data.html;  // the build's own markup, every string in it escaped
      shadow.appendChild(box);
      var root = box.querySelector("[data-aa-player]");
      // the lock screen's picture would be an image from our origin: a host's img-src may
      // refuse it (and report it); title, artist and controls are enough there
      root.removeAttribute("data-artwork");
      window.audioarticlesPlayer.init(root);
      if (host.hasAttribute("data-readalong")) readAlong(host, root, data.segments || []);
    });
  }

  function scan() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-audioarticles], audio-article"), mount);
    Array.prototype.forEach.call(document.querySelectorAll("iframe[data-audioarticles-frame]"), function (frame) {
      frame.style.border = "0";  // CSSOM: allowed where style attributes are not
      frame.style.maxWidth = "100%";
    });
  }

  /* --- iframes of our embed pages: their height and their events ------------------------- */

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || typeof data.type !== "string") return;
    var frame = null;
    Array.prototype.forEach.call(document.getElementsByTagName("iframe"), function (f) {
      if (f.contentWindow === event.source) frame = f;
    });
    if (!frame) return;
    if (data.type === "audioarticles:resize") {
      var height = Math.ceil(Number(data.height));
      if (height > 0 && height < 20000) frame.height = String(height);
    } else if (data.type === "audioarticles:event" && data.detail && typeof data.detail.event === "string") {
      frame.dispatchEvent(new CustomEvent("audioarticles:" + data.detail.event, { detail: data.detail, bubbles: true }));
    }
  });

  /* --- read-along in the host article -------------------------------------------------------- */

  var FOLD = { "’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "«": "\"", "»": "\"", "“": "\"",
    "”": "\"", "„": "\"", "‹": "\"", "›": "\"", "–": "-", "—": "-", "‑": "-", "−": "-", "…": "...",
    "œ": "oe", "æ": "ae" };

  /* readalong.fingerprint: lower case, no accents, typography folded, letters and digits */
  function fingerprint(text) {
    var folded = String(text || "").toLowerCase().replace(/[’‘ʼ`´«»“”„‹›–—‑−…œæ]/g, function (c) { return FOLD[c]; });
    folded = folded.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
    return folded.replace(/[^0-9a-z]+/g, " ").trim();
  }

  var BLOCKS = "p, li, blockquote, h1, h2, h3, h4, h5, h6, dd, figcaption";
  var INTERACTIVE = "a, button, input, select, textarea, label, summary, video, audio, iframe, [contenteditable], [role=button], [role=link], [tabindex]";

  function readAlong(host, root, segments) {
    var audio = root.querySelector("audio");
    var scope = null;
    var chosen = host.getAttribute("data-readalong");
    if (chosen) { try { scope = document.querySelector(chosen); } catch (e) { scope = null; } }
    scope = scope || host.closest("article") || host.parentElement || document.body;
    var candidates = Array.prototype.filter.call(scope.querySelectorAll(BLOCKS), function (el) {
      // the innermost blocks (a <li> holding a <p>: the <p>), never inside the player itself
      return !host.contains(el) && !el.querySelector(BLOCKS) && el.textContent.trim();
    });
    var owner = segments.map(function () { return null; });
    var marked = scope.querySelectorAll("[data-audio-block]");
    if (marked.length) {
      var byBlock = {};
      Array.prototype.forEach.call(marked, function (el) { byBlock[el.getAttribute("data-audio-block")] = el; });
      segments.forEach(function (segment, i) {
        if (segment[2] !== null && byBlock[String(segment[2])]) owner[i] = byBlock[String(segment[2])];
      });
    } else {
      var prints = candidates.map(function (el) { return fingerprint(el.textContent); });
      var cursor = 0;
      segments.forEach(function (segment, i) {
        var key = fingerprint(segment[3]).slice(0, PREFIX_CHARS).trim();
        if (!key) return;
        for (var j = cursor; j < prints.length; j++) {
          if (prints[j].indexOf(key) !== -1) { owner[i] = candidates[j]; cursor = j; return; }
        }
      });
    }
    var starts = segments.map(function (segment) { return segment[0]; });
    var paragraphs = [], startOf = [];
    owner.forEach(function (el, i) {
      if (el && paragraphs.indexOf(el) === -1) { paragraphs.push(el); startOf.push(starts[i]); }
    });
    if (!paragraphs.length) return;
    var css = styleSheets();
    if (css && document.adoptedStyleSheets && document.adoptedStyleSheets.indexOf(css.host) === -1) {
      document.adoptedStyleSheets = document.adoptedStyleSheets.concat([css.host]);
    }
    paragraphs.forEach(function (el) { el.setAttribute("data-audioarticles-playable", ""); });
    var reading = null;

    function follow() {
      var t = audio.currentTime || 0, found = -1;
      for (var i = 0; i < starts.length && starts[i] <= t + 0.05; i++) found = i;
      var el = found >= 0 && t < segments[found][1] + 0.5 ? owner[found] : null;
      if (audio.paused && t === 0) el = null;
      if (el === reading) return;
      if (reading) reading.removeAttribute("data-audioarticles-reading");
      if (el) el.setAttribute("data-audioarticles-reading", "");
      reading = el;
    }

    audio.addEventListener("timeupdate", follow);
    audio.addEventListener("seeked", follow);

    scope.addEventListener("click", function (event) {
      // a link, a button, a field... does what it does; so does selecting text
      var node = event.target;
      if (event.defaultPrevented || event.button !== 0 || !node || !node.closest) return;
      if (node.closest(INTERACTIVE)) return;
      var selection = window.getSelection && window.getSelection();
      if (selection && !selection.isCollapsed) return;
      for (var i = 0; i < paragraphs.length; i++) {
        if (paragraphs[i].contains(node)) {
          audio.currentTime = startOf[i];
          var attempt = audio.play();
          if (attempt && attempt.catch) attempt.catch(function () { /* the player shows why */ });
          return;
        }
      }
    });  // never preventDefault, never stopPropagation: the host's handlers still run
  }

  window.audioarticlesEmbed = { scan: scan, fingerprint: fingerprint };
  if (window.customElements && !window.customElements.get("audio-article")) {
    try {
      window.customElements.define("audio-article", class extends HTMLElement {
        connectedCallback() { mount(this); }
      });
    } catch (e) { /* a browser without classes or custom elements: the scan finds them */ }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  scan();
  if (window.MutationObserver) {
    new MutationObserver(function (changes) {
      for (var i = 0; i < changes.length; i++) {
        if (changes[i].addedNodes.length) { scan(); return; }
      }
    }).observe(document.documentElement, { childList: true, subtree: true });
  }
})();
