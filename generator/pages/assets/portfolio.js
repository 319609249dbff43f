/* mlfolio: the portfolio home page, for a lead who steers by it. Without this script the page is
   plain tables. With it:
   - filters for stage, verdict, team, tag, owner and status combine (every one must match), and
     the query string keeps them (?stage=development&status=stale), so a filtered view can be
     shared, and a reload or a link (the stage and verdict bars) opens it;
   - a click on a column header sorts its table: stage in life-cycle order, verdict most severe
     first, readiness and last changed by value (the cells' data-sort); the URL keeps the sort too;
   - "Download this view" saves the rows shown, in the order shown, as CSV: those rows of
     projects.csv (the whole portfolio, for readers without the script), fetched from the site
     when the button is pressed, so the page does not carry every row twice.
   Everything it shows comes from the page (data-* attributes); the one request it makes is
   projects.csv, from the site, on that button. The page has a row per project (1,000 rows at
   1,000 projects): the first ones are in the tables as the page loads and the rest wait in a
   template, which this script moves into the tables while the page is idle (at once for a
   filter, a sort, a download or printing); it does nothing per row until a filter or a sort
   asks for it. */
(function () {
  "use strict";

  // projects.csv's records: [id, text] each, the text as the file has it (its line end
  // included). A record ends at a line end outside quotes; the id (a validated slug, never
  // quoted) is its first cell.
  function csvRecords(text) {
    var records = [], start = 0, quoted = false;
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c === 34) quoted = !quoted;  // "
      else if (c === 10 && !quoted) {  // \n
        var record = text.slice(start, i + 1);
        records.push([record.split(",", 1)[0], record]);
        start = i + 1;
      }
    }
    if (start < text.length) records.push([text.slice(start).split(",", 1)[0], text.slice(start)]);
    return records;
  }

  function parse(text, fallback) {
    try { return JSON.parse(text); } catch (e) { return fallback; }
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  function rowValues(row, key) {
    if (key === "tag") return parse(row.getAttribute("data-tags"), []);
    if (key === "owner") return parse(row.getAttribute("data-owners"), []);
    if (key === "status") return (row.getAttribute("data-status") || "").split(" ").filter(Boolean);
    return [row.getAttribute("data-" + key) || ""];
  }

  function setup() {
    var root = document.querySelector(".mlfolio-portfolio");
    if (!root || root.getAttribute("data-mlfolio-ready")) return;
    root.setAttribute("data-mlfolio-ready", "1");
    var filters = parse(root.getAttribute("data-filters"), []).filter(function (f) { return f.options.length; });
    var labels = parse(root.getAttribute("data-labels"), {});
    var tables = Array.prototype.slice.call(root.querySelectorAll("table[data-mlfolio-table]"));
    var language = document.documentElement.lang || undefined;
    var selects = {};
    var sort = null;  // {column: "stage", descending: false}

    // -- the filters ---------------------------------------------------------------------------
    var form = document.createElement("form");
    form.className = "mlfolio-filters";
    form.setAttribute("aria-label", labels.filter_heading || "Filter");
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    filters.forEach(function (filter) {
      var label = document.createElement("label");
      var name = document.createElement("span");
      name.textContent = filter.label;
      var select = document.createElement("select");
      select.name = filter.key;
      select.appendChild(new Option(labels.all || "All", ""));
      filter.options.forEach(function (option) { select.appendChild(new Option(option[1], option[0])); });
      select.addEventListener("change", function () { apply(); remember(); });
      label.appendChild(name);
      label.appendChild(select);
      form.appendChild(label);
      selects[filter.key] = select;
    });
    var actions = document.createElement("div");
    actions.className = "mlfolio-filter-actions";
    var clear = document.createElement("button");
    clear.type = "button";
    clear.className = "md-button";
    clear.textContent = labels.clear_filters || "Clear filters";
    clear.addEventListener("click", function () {
      Object.keys(selects).forEach(function (key) { selects[key].value = ""; });
      apply();
      remember();
    });
    var download = document.createElement("button");
    download.type = "button";
    download.className = "md-button md-button--primary mlfolio-download";
    download.textContent = labels.download_csv || "Download CSV";
    download.addEventListener("click", save);
    actions.appendChild(clear);
    actions.appendChild(download);
    form.appendChild(actions);
    var status = document.createElement("p");
    status.className = "mlfolio-filter-status";
    status.setAttribute("role", "status");
    form.appendChild(status);
    root.insertBefore(form, root.firstChild);

    // -- rows that wait ------------------------------------------------------------------------
    // Past its first rows, a table's rows wait in a template inside it (home.html.jinja): they
    // move into the table a slice at a time while the page is idle, or all at once when a
    // filter, a sort, a download or printing needs every row.
    var SLICE = 100;  // rows moved in one idle moment (a few milliseconds of work)
    function attach(limit) {
      var left = false;
      tables.forEach(function (table) {
        var template = table.querySelector("template.mlfolio-more-rows");
        if (!template) return;
        var content = template.content;
        var moved = document.createDocumentFragment();
        while (content.firstElementChild && (limit === undefined || limit-- > 0)) moved.appendChild(content.firstElementChild);
        table.tBodies[0].insertBefore(moved, table.tBodies[0].querySelector("tr.mlfolio-no-match"));
        if (content.firstElementChild) left = true;
        else template.remove();
      });
      return left;
    }
    function attachAll() { attach(); }
    function waiting(table) {
      var template = table.querySelector("template.mlfolio-more-rows");
      return template ? template.content.childElementCount : 0;
    }
    function whenIdle(task) {
      if (window.requestIdleCallback) window.requestIdleCallback(task, {timeout: 3000});
      else setTimeout(task, 50);
    }
    function attachWhenIdle() {
      whenIdle(function () {
        // In the page's own order: the view is still the default one (a filter or a sort moves
        // every row in at once).
        if (attach(SLICE)) attachWhenIdle();
      });
    }
    window.addEventListener("beforeprint", attachAll);

    function rows() {
      attachAll();
      var found = [];
      tables.forEach(function (table) {
        Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
          if (row.hasAttribute("data-id")) found.push(row);
        });
      });
      return found;
    }

    function chosen() {
      var out = [];
      filters.forEach(function (filter) {
        var value = selects[filter.key].value;
        if (value) out.push([filter.key, value]);
      });
      return out;
    }

    function apply() {
      var wanted = chosen();
      if (wanted.length) attachAll();
      var shown = 0, total = 0;
      tables.forEach(function (table) {
        var body = table.tBodies[0];
        var visible = 0;
        Array.prototype.forEach.call(body.rows, function (row) {
          if (!row.hasAttribute("data-id")) return;
          var match = wanted.every(function (pair) { return rowValues(row, pair[0]).indexOf(pair[1]) >= 0; });
          row.hidden = !match;
          visible += match ? 1 : 0;
        });
        // Rows still waiting are shown as they come (there is no filter: one moves them all in).
        total += body.querySelectorAll("tr[data-id]").length + waiting(table);
        shown += visible + waiting(table);
        // A table with no row left says so (a row of its own, there only while it is needed).
        var none = body.querySelector("tr.mlfolio-no-match");
        if (visible === 0 && !none) {
          none = document.createElement("tr");
          none.className = "mlfolio-no-match";
          var cell = document.createElement("td");
          cell.colSpan = table.tHead.rows[0].cells.length;
          cell.textContent = labels.no_match || "No project matches.";
          none.appendChild(cell);
          body.appendChild(none);
        } else if (visible > 0 && none) {
          none.remove();
        }
      });
      status.textContent = format(labels.showing || "{shown} / {total}", {shown: shown, total: total});
      form.classList.toggle("mlfolio-filtered", wanted.length > 0);
    }

    // -- the URL keeps the view -----------------------------------------------------------------
    function remember() {
      var params = new URLSearchParams();
      chosen().forEach(function (pair) { params.append(pair[0], pair[1]); });
      if (sort) params.append("sort", (sort.descending ? "-" : "") + sort.column);
      var query = params.toString();
      var url = location.pathname + (query ? "?" + query : "") + location.hash;
      if (url !== location.pathname + location.search + location.hash) history.replaceState(history.state, "", url);
    }

    function restore() {
      var params = new URLSearchParams(location.search);
      filters.forEach(function (filter) {
        var value = params.get(filter.key) || "";
        var known = filter.options.some(function (option) { return option[0] === value; });
        selects[filter.key].value = known ? value : "";
      });
      var asked = params.get("sort");
      if (asked) {
        var descending = asked.charAt(0) === "-";
        sortBy(descending ? asked.slice(1) : asked, descending);
      }
      apply();
      remember();  // drops what the page does not know
    }

    // -- sorting --------------------------------------------------------------------------------
    function key(row, index, type) {
      var cell = row.cells[index];
      if (!cell) return type === "number" ? -Infinity : "";
      var value = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
      if (type === "number") {
        var number = parseFloat(String(value).replace(/[%,\s]/g, ""));
        return isNaN(number) ? -Infinity : number;
      }
      return String(value);
    }

    function sortBy(column, descending) {
      attachAll();
      var known = false;
      tables.forEach(function (table) {
        var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
        heads.forEach(function (th) { th.removeAttribute("aria-sort"); });
        var index = heads.findIndex(function (th) { return th.getAttribute("data-column") === column; });
        if (index < 0) return;
        known = true;
        var type = heads[index].getAttribute("data-sort-type") || "text";
        heads[index].setAttribute("aria-sort", descending ? "descending" : "ascending");
        var body = table.tBodies[0];
        var list = Array.prototype.slice.call(body.querySelectorAll("tr[data-id]"));
        list.forEach(function (row, position) { row._mlfolioPosition = position; });
        list.sort(function (a, b) {
          var x = key(a, index, type), y = key(b, index, type);
          var order = type === "number" ? x - y : x.localeCompare(y, language, {sensitivity: "base"});
          if (descending) order = -order;
          return order || a._mlfolioPosition - b._mlfolioPosition;  // stable: ties keep their order
        });
        list.forEach(function (row) { body.insertBefore(row, body.querySelector("tr.mlfolio-no-match")); });
      });
      sort = known ? {column: column, descending: descending} : null;
    }

    tables.forEach(function (table) {
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
        var column = th.getAttribute("data-column");
        if (!column) return;
        th.setAttribute("data-mlfolio-sort", "");
        th.setAttribute("tabindex", "0");
        th.setAttribute("title", document.documentElement.lang === "ko" ? "정렬" : "Sort");
        var go = function () {
          var descending = !!sort && sort.column === column && !sort.descending;
          sortBy(column, descending);
          remember();
        };
        th.addEventListener("click", go);
        th.addEventListener("keydown", function (event) {
          if (event.key === "Enter" || event.key === " ") { event.preventDefault(); go(); }
        });
      });
    });

    // -- the current view as CSV ---------------------------------------------------------------
    var csvUrl = root.getAttribute("data-csv");
    function save() {
      var ids = rows().filter(function (row) { return !row.hidden; }).map(function (row) { return row.getAttribute("data-id"); });
      download.disabled = true;
      fetch(csvUrl).then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + csvUrl);
        return response.text();
      }).then(function (text) {
        // The byte-order mark that projects.csv starts with (so a spreadsheet reads UTF-8), which
        // decoding the response takes off.
        var records = csvRecords(text.charAt(0) === "\ufeff" ? text.slice(1) : text);
        var byId = {};
        records.slice(1).forEach(function (record) { byId[record[0]] = record[1]; });
        var out = [records.length ? records[0][1] : ""];
        ids.forEach(function (id) { if (byId[id] !== undefined) out.push(byId[id]); });
        var blob = new Blob(["\ufeff" + out.join("")], {type: "text/csv;charset=utf-8"});
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = "projects-view.csv";
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
      }).catch(function (error) {
        console.error("mlfolio: projects.csv could not be loaded", error);
        status.textContent = document.documentElement.lang === "ko" ? "projects.csv를 불러오지 못했습니다" : "projects.csv could not be loaded";
      }).then(function () { download.disabled = false; });
    }

    restore();
    attachWhenIdle();
  }

  if (typeof document$ !== "undefined" && document$.subscribe) { document$.subscribe(setup); }
  else if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); }
  else { setup(); }
})();
