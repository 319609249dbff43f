/* mlfolio: click a table header to sort by that column (numbers numerically). No dependencies. */
(function () {
  function cellValue(row, index) {
    var cell = row.children[index];
    var text = cell ? cell.textContent.trim() : "";
    var number = parseFloat(text.replace(/[%,\s]/g, ""));
    return /^[-+]?[\d.,]+\s*%?$/.test(text) && !isNaN(number) ? number : text.toLowerCase();
  }
  function sortBy(table, header, index) {
    var body = table.tBodies[0];
    if (!body) return;
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(header.parentNode.children, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index);
      var order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  function setup() {
    document.querySelectorAll("article table:not([class])").forEach(function (table) {
      var head = table.tHead;
      // Key-value tables (two columns) are not lists of things: nothing to sort.
      if (!head || !head.rows.length || head.rows[0].children.length < 3 || table.dataset.mlfolioSortable) return;
      table.dataset.mlfolioSortable = "1";
      Array.prototype.forEach.call(head.rows[0].children, function (th, index) {
        if (!th.textContent.trim()) return;
        th.setAttribute("data-mlfolio-sort", "");
        th.setAttribute("tabindex", "0");
        th.setAttribute("title", document.documentElement.lang === "ko" ? "정렬" : "Sort");
        th.addEventListener("click", function () { sortBy(table, th, index); });
        th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(table, th, index); } });
      });
    });
  }
  if (typeof document$ !== "undefined" && document$.subscribe) { document$.subscribe(setup); }
  else { document.addEventListener("DOMContentLoaded", setup); }
})();

/* mlfolio: on a phone the table of contents is not beside the page, and a project page is not
   in the navigation (Material nests the contents under the current page there): copy the page's
   contents into the menu, so the sections are one tap away. Before printing, unfold every
   folded part, so the printout (or PDF) is the whole design. */
(function () {
  function contentsInMenu() {
    var toc = document.querySelector(".md-sidebar--secondary nav.md-nav--secondary");
    var menu = document.querySelector(".md-sidebar--primary nav.md-nav--primary > ul.md-nav__list");
    if (!toc || !menu || menu.querySelector(".mlfolio-toc") || menu.querySelector(".md-nav__link--active")) return;
    var item = document.createElement("li");
    item.className = "md-nav__item mlfolio-toc";
    var copy = toc.cloneNode(true);
    copy.removeAttribute("data-md-component");
    copy.querySelectorAll("[data-md-component]").forEach(function (node) { node.removeAttribute("data-md-component"); });
    item.appendChild(copy);
    menu.appendChild(item);
    menu.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest(".mlfolio-toc a[href^='#']");
      var drawer = document.getElementById("__drawer");
      if (link && drawer) drawer.checked = false;  // the menu closes when a section is chosen
    });
  }
  function unfold() {
    document.querySelectorAll("article details:not([open])").forEach(function (d) {
      d.setAttribute("open", "");
      d.setAttribute("data-mlfolio-unfolded", "");
    });
  }
  function refold() {
    document.querySelectorAll("article details[data-mlfolio-unfolded]").forEach(function (d) {
      d.removeAttribute("open");
      d.removeAttribute("data-mlfolio-unfolded");
    });
  }
  window.addEventListener("beforeprint", unfold);
  window.addEventListener("afterprint", refold);
  if (typeof document$ !== "undefined" && document$.subscribe) { document$.subscribe(contentsInMenu); }
  else { document.addEventListener("DOMContentLoaded", contentsInMenu); }
})();
