/* mlfolio: the site's search, in the theme's header search box, over the Pagefind index that the
   build writes into <site>/pagefind/ (see generator/pages/search.py). Everything is loaded from
   the site itself. Pagefind starts before the first keystroke: the page asks for its script and
   WebAssembly while it loads (the header's preload links, partials/search.html), and this script
   starts it when the page is idle, or at once when the box gets the focus or a search key is
   pressed; then a query loads only the parts of the index it needs. One result per page (per
   project), with the section that matched and a snippet of its text, each result shown as soon
   as its own text is in; filters for stage, verdict, team and tag, loaded after the first answer.
   Korean text comes back from the index decomposed (NFD: the index is written so, see
   search.py): every string shown is composed again (NFC). Keys as in the theme: "/", "s" or "f"
   opens the search, Escape closes it, the arrow keys move through the results. */
(function () {
  "use strict";
  var box = document.querySelector("[data-mlfolio-search]");
  var toggle = document.getElementById("__search");
  if (!box || !toggle) return;
  var form = box.querySelector("form");
  var input = box.querySelector(".md-search__input");
  var meta = box.querySelector(".md-search-result__meta");
  var list = box.querySelector(".md-search-result__list");
  var moreButton = box.querySelector(".mlfolio-search-more");
  var filterBox = box.querySelector(".mlfolio-search-filters");
  var selects = Array.prototype.slice.call(box.querySelectorAll("select[data-mlfolio-filter]"));

  var PAGE_SIZE = 10;      // results shown at once ("more" shows the next ones)
  var SNIPPET_WORDS = 28;  // words of text in a result's snippet
  // Words that exist only in the index (Korean endings, see search.py) start with this mark.
  var MARK = "`|";
  // Particles and endings taken off the end of a Korean query word (longest first), so that
  // "재구매율은" looks for words starting with "재구매율". A word keeps at least two syllables.
  var KOREAN_ENDINGS = [
    "에서부터", "으로부터", "에서는", "에서도", "에게는", "에게서", "으로는", "으로도", "이라는", "이라고",
    "까지는", "부터는", "에서", "에게", "한테", "으로", "까지", "부터", "보다", "처럼", "마다", "이나",
    "이랑", "이란", "에는", "에도", "와는", "과는", "로는", "로도", "라는", "라고", "하고", "께서",
    "은", "는", "이", "가", "을", "를", "의", "에", "로", "와", "과", "도", "만", "나", "랑", "란"
  ];

  var settings = {};
  try { settings = JSON.parse(document.getElementById("__config").textContent); } catch (e) { /* defaults */ }
  var translations = settings.translations || {};
  var siteRoot = new URL((settings.base || ".") + "/", location.href);
  var korean = (document.documentElement.lang || "").slice(0, 2) === "ko";

  // Text from the index as it is shown: composed (NFC). The index holds Korean decomposed.
  function nfc(text) {
    text = String(text == null ? "" : text);
    return text.normalize ? text.normalize("NFC") : text;
  }

  function say(key, fallback, count) {
    var text = translations[key] || fallback;
    return count === undefined ? text : text.replace("#", String(count));
  }

  // ------------------------------------------------------------------ Pagefind, loaded once
  var loading = null;
  var failures = 0;  // a failed module is remembered by its address: a retry asks for another
  function pagefind() {
    if (!loading) {
      loading = import(new URL("pagefind/pagefind.js" + (failures ? "?retry=" + failures : ""), siteRoot).href).then(function (module) {
        // No worker: one script less to load before the first answer (the search itself
        // takes milliseconds even at thousands of pages).
        return Promise.resolve(module.options({ baseUrl: siteRoot.pathname, noWorker: true })).then(function () {
          module.init();
          return module;
        });
      });
      loading.catch(function (error) {
        console.error("mlfolio search: the index could not be loaded", error);
        meta.textContent = korean ? "검색 색인을 불러오지 못했습니다" : "The search index could not be loaded";
        loading = null;  // tried again on the next use (under `mkdocs serve` the index comes after the pages)
        failures++;
      });
    }
    return loading;
  }

  // Start Pagefind (its script, entry, metadata and WebAssembly) once the page is idle, so that
  // the first query finds it ready; the box's focus and the search keys start it at once.
  function whenIdle(task, timeout) {
    if (window.requestIdleCallback) window.requestIdleCallback(task, {timeout: timeout});
    else setTimeout(task, 1);
  }
  function warmUp() { whenIdle(function () { pagefind(); }, 1500); }
  if (document.readyState === "complete") warmUp();
  else window.addEventListener("load", warmUp, {once: true});

  var filtersLoaded = false;
  function loadFilters() {
    if (filtersLoaded || !selects.length) return;
    filtersLoaded = true;
    pagefind().then(function (module) { return module.filters(); }).then(function (available) {
      selects.forEach(function (select) {
        var values = available[select.getAttribute("data-mlfolio-filter")] || {};
        Object.keys(values).sort(function (a, b) { return a.localeCompare(b); }).forEach(function (value) {
          var option = document.createElement("option");
          option.value = value;
          option.textContent = nfc(value) + " (" + values[value] + ")";  // the value itself as the index has it
          select.appendChild(option);
        });
        select.disabled = !Object.keys(values).length;
      });
      filterBox.hidden = false;
    }).catch(function () { filtersLoaded = false; });
  }

  // ------------------------------------------------------------------ the query
  function koreanStem(word) {
    if (!/[\uac00-\ud7a3]$/.test(word)) return word;
    for (var i = 0; i < KOREAN_ENDINGS.length; i++) {
      var ending = KOREAN_ENDINGS[i];
      if (word.length > ending.length && word.slice(-ending.length) === ending) {
        var rest = word.slice(0, -ending.length);
        if (/[\uac00-\ud7a3]{2}$/.test(rest)) return rest;
      }
    }
    return word;
  }

  // The query as Pagefind gets it: composed first (a pasted decomposed word is stemmed alike;
  // Pagefind decomposes it again itself), then a Korean particle taken off each word.
  function normalize(query) {
    return nfc(query).split(/\s+/).filter(Boolean).map(koreanStem).join(" ");
  }

  function activeFilters() {
    var chosen = {};
    selects.forEach(function (select) {
      select.classList.toggle("mlfolio-search-filter-on", !!select.value);
      if (select.value) chosen[select.getAttribute("data-mlfolio-filter")] = select.value;
    });
    return chosen;
  }

  var generation = 0;
  var results = [];
  var shown = 0;

  function search() {
    var mine = ++generation;
    var query = normalize(input.value.trim());
    var filters = activeFilters();
    if (!query && !Object.keys(filters).length) {
      results = [];
      list.textContent = "";
      moreButton.hidden = true;
      meta.textContent = say("search.result.placeholder", "Type to start searching");
      return;
    }
    pagefind().then(function (module) {
      return module.search(query || null, { filters: filters });
    }).then(function (found) {
      if (mine !== generation || !found) return;
      results = found.results;
      shown = 0;
      list.textContent = "";
      var n = results.length;
      meta.textContent = n === 0 ? say("search.result.none", "No matching documents")
        : n === 1 ? say("search.result.one", "1 matching document")
        : say("search.result.other", "# matching documents", n);
      showMore(mine);
    });
  }

  // The next results: their texts fetched together, each shown in its place as soon as its own
  // text is in (a hidden placeholder holds the place of one still on its way).
  function showMore(mine) {
    var batch = results.slice(shown, shown + PAGE_SIZE);
    shown += batch.length;
    moreButton.hidden = true;
    var first = true;
    Promise.all(batch.map(function (result) {
      var slot = element("li");
      slot.hidden = true;
      list.appendChild(slot);
      return result.data().then(function (page) {
        if (mine !== generation) return;
        if (slot.parentNode === list) list.replaceChild(render(page), slot);
        if (first) { first = false; afterFirst(); }
      }, function (error) {
        if (slot.parentNode === list) list.removeChild(slot);
        console.error("mlfolio search: a result could not be loaded", error);
      });
    })).then(function () {
      if (mine !== generation) return;
      moreButton.hidden = shown >= results.length;
      if (first) { first = false; afterFirst(); }  // nothing to show: the filters may still help
    });
  }

  // After the first answer is shown: what it did not need (the filters' lists).
  function afterFirst() {
    whenIdle(loadFilters, 500);
  }

  // ------------------------------------------------------------------ one result
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A heading or title as the index holds it, without its index-only words and permalink.
  function headingText(text) {
    return nfc(words(text).filter(function (word) { return !isMark(word); }).join(" ").replace(/\s*¶$/, ""));
  }

  function words(text) {
    return String(text || "").split(/[\r\n\s]+/g).filter(Boolean);
  }

  function headings(page) {
    return (page.anchors || []).filter(function (a) {
      return /^h\d$/i.test(a.element) && a.text && /\S/.test(a.text);
    }).sort(function (a, b) { return a.location - b.location; });
  }

  function score(section) {
    return (section.weighted_locations || []).reduce(function (sum, w) { return sum + w.balanced_score; }, 0);
  }

  // The section with the strongest match (the first of equals).
  function bestSection(page) {
    var best = null;
    (page.sub_results || []).forEach(function (section) {
      if (section.locations && section.locations.length && (!best || score(section) > score(best))) best = section;
    });
    return best;
  }

  // "Problem › Output use": the section's heading, under its top-level section's.
  function trail(page, section) {
    if (!section || !section.anchor) return "";
    var own = headingText(section.anchor.text);
    var level = parseInt(section.anchor.element.slice(1), 10);
    var parent = null;
    headings(page).forEach(function (a) {
      var l = parseInt(a.element.slice(1), 10);
      if (a.location < section.anchor.location && l < level && l >= 2) parent = a;
    });
    return parent ? headingText(parent.text) + " \u203a " + own : own;
  }

  function isMark(word) { return !!word && word.indexOf(MARK) === 0; }

  // A window of the section's text around its strongest match. Matched words are marked; a
  // match on an index-only word is shown on the word it came from, just before it.
  function snippet(page, section) {
    var text = String(page.content || "").split(/[\r\n\s]+/g);
    var all = headings(page);
    var from = 0, to = text.length;
    var hits = {}, best = -1, bestScore = -1;
    if (section) {
      if (section.anchor) {
        from = section.anchor.location + words(section.anchor.text).length;
        for (var k = 0; k < all.length; k++) {
          if (all[k].location > section.anchor.location) { to = all[k].location; break; }
        }
      } else {
        from = words(page.meta && page.meta.title).length;  // the title opens the page
        if (all.length) to = all[0].location;
      }
      (section.weighted_locations || []).forEach(function (w) {
        var at = w.location;
        while (at > 0 && isMark(text[at])) at--;
        hits[at] = true;
        if (at >= from && w.balanced_score > bestScore) { bestScore = w.balanced_score; best = at; }
      });
    } else {
      from = words(page.meta && page.meta.title).length;
    }
    var start = best >= 0 ? Math.max(Math.min(from, best), best - 8) : from;
    var paragraph = element("p", "mlfolio-search-snippet");
    if (start > from) paragraph.appendChild(document.createTextNode("\u2026 "));
    var count = 0, at = start;
    for (; at < to && count < SNIPPET_WORDS; at++) {
      var word = (text[at] || "").replace(/¶/g, "");
      if (!word || isMark(word)) continue;
      if (count) paragraph.appendChild(document.createTextNode(" "));
      word = nfc(word);
      paragraph.appendChild(hits[at] ? element("mark", "", word) : document.createTextNode(word));
      count++;
    }
    if (at < to) paragraph.appendChild(document.createTextNode(" \u2026"));
    return paragraph;
  }

  function render(page) {
    var section = bestSection(page);
    var item = element("li", "md-search-result__item");
    var link = element("a", "md-search-result__link");
    link.href = section && section.url ? section.url : page.url;
    link.tabIndex = -1;
    var article = element("article", "md-search-result__article md-search-result__article--document md-typeset");
    article.appendChild(element("div", "md-search-result__icon md-icon"));
    article.appendChild(element("h1", "", headingText((page.meta && page.meta.title) || page.url)));
    var where = trail(page, section);
    if (where) article.appendChild(element("p", "mlfolio-search-section", where));
    article.appendChild(snippet(page, section));
    var facets = ["stage", "verdict", "team"].map(function (key) {
      return nfc(((page.filters || {})[key] || []).join(", "));
    }).filter(Boolean);
    if (facets.length) article.appendChild(element("p", "mlfolio-search-facets", facets.join(" \u00b7 ")));
    link.appendChild(article);
    item.appendChild(link);
    return item;
  }

  // ------------------------------------------------------------------ opening, closing, keys
  function setOpen(open) {
    if (toggle.checked !== open) {
      toggle.checked = open;
      toggle.dispatchEvent(new Event("change"));
    }
  }

  function start() {
    // The filters' lists wait for the first answer, or for a moment when no query is typed.
    pagefind().then(function () { if (!input.value.trim()) whenIdle(loadFilters, 1000); });
    if (!input.value && !list.children.length) meta.textContent = say("search.result.placeholder", "Type to start searching");
  }

  function openSearch() {
    setOpen(true);
    start();
    input.focus();
  }

  function closeSearch() {
    setOpen(false);
    input.blur();
  }

  function editable(node) {
    return node && (node.isContentEditable || /^(input|textarea|select)$/i.test(node.tagName));
  }

  function links() {
    return Array.prototype.slice.call(list.querySelectorAll(".md-search-result__link"));
  }

  // A reader about to search (pointer on the box, a finger on it): start loading already.
  ["pointerenter", "touchstart"].forEach(function (name) {
    box.addEventListener(name, function () { pagefind(); }, { once: true, passive: true });
  });
  toggle.addEventListener("change", function () {
    if (toggle.checked) { start(); if (document.activeElement !== input) input.focus(); }
  });
  input.addEventListener("focus", function () { setOpen(true); start(); });
  input.addEventListener("input", search);
  selects.forEach(function (select) { select.addEventListener("change", search); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () {
    setTimeout(function () { search(); input.focus(); }, 0);
  });
  moreButton.addEventListener("click", function () { showMore(generation); });
  list.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest(".md-search-result__link")) setOpen(false);
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (!toggle.checked) {
      if ((event.key === "/" || event.key === "s" || event.key === "f") && !editable(event.target)) {
        event.preventDefault();
        openSearch();
      }
      return;
    }
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (event.key === "Escape") {
      event.preventDefault();
      closeSearch();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length || (at < 0 && document.activeElement !== input)) return;
      event.preventDefault();
      var next = event.key === "ArrowDown" ? Math.min(at + 1, all.length - 1) : at - 1;
      if (next < 0) input.focus(); else all[next].focus();
    } else if (event.key === "Enter" && document.activeElement === input) {
      event.preventDefault();
      if (all.length) all[0].click();
    } else if (at >= 0 && event.key.length === 1) {
      input.focus();  // typing on a result goes on in the box
    }
  });
})();
