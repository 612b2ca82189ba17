/* Offline stand-in for the jQuery + bootstrap-table calls GX Data Docs make (the CDN copies are removed so
   the pages open without a network). Supports exactly what the pages call: $(fn), $(document).ready(fn),
   $(sel).bootstrapTable({columns, data}) (renders the rows, a row opens its link), .on, .removeClass,
   .addClass, .data; anything else is a no-op. Written for zh-speech-corpus (pipeline/validation.py). */
(function () {
  function Wrapped(nodes) { this.nodes = nodes; }
  Wrapped.prototype.ready = function (fn) {
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", fn); } else { fn(); }
    return this;
  };
  Wrapped.prototype.on = function () { return this; };
  Wrapped.prototype.removeClass = function (name) { this.nodes.forEach(function (n) { n.classList.remove(name); }); return this; };
  Wrapped.prototype.addClass = function (name) { this.nodes.forEach(function (n) { n.classList.add(name); }); return this; };
  Wrapped.prototype.data = function (key) { return this.nodes.length ? this.nodes[0].getAttribute("data-" + key) : undefined; };
  Wrapped.prototype.bootstrapTable = function (options) {
    if (typeof options !== "object" || options === null) { return this; }  /* 'clearFilterControl', ... */
    this.nodes.forEach(function (table) {
      var head = "<thead><tr>" + options.columns.map(function (c) { return "<th>" + c.title + "</th>"; }).join("") + "</tr></thead>";
      var rows = (options.data || []).map(function (row) {
        var link = row._table_row_link_path ? ' class="clickable-row" data-href="' + row._table_row_link_path + '"' : "";
        return "<tr" + link + ">" + options.columns.map(function (c) {
          var cell = row[c.field] === undefined ? "" : row[c.field];
          return "<td>" + cell + "</td>";
        }).join("") + "</tr>";
      }).join("");
      table.innerHTML = head + "<tbody>" + rows + "</tbody>";
      table.classList.add("table");
      Array.prototype.forEach.call(table.querySelectorAll("tr[data-href]"), function (tr) {
        tr.addEventListener("click", function () { window.location = tr.getAttribute("data-href"); });
      });
    });
    return this;
  };
  window.$ = window.jQuery = function (target) {
    if (typeof target === "function") { return new Wrapped([document]).ready(target); }
    if (typeof target === "string") { return new Wrapped(Array.prototype.slice.call(document.querySelectorAll(target))); }
    return new Wrapped(target ? [target] : []);
  };
})();
