/* Draws the analytics dashboard's charts as SVG from the figures the page carries
   (script#analytics-figures). No library: lines, bars and labels only. Each chart container
   gets data-drawn = the number of marks drawn (0 when there is nothing to show). */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var figures = JSON.parse(document.getElementById("analytics-figures").textContent);

  function el(name, attrs, text) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function chart(name) { return document.querySelector('[data-chart="' + name + '"]'); }

  function empty(container) {
    var note = document.createElement("p");
    note.className = "empty";
    note.textContent = "No data for this range.";
    container.appendChild(note);
    container.setAttribute("data-drawn", "0");
  }

  function svg(container, width, height, label) {
    var root = el("svg", { viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": label });
    container.appendChild(root);
    return root;
  }

  function line(container, points, label) {
    if (!points.length || points.every(function (p) { return p.value === 0; })) { return empty(container); }
    var width = 600, height = 220, left = 40, bottom = 30, top = 10, right = 10;
    var max = Math.max.apply(null, points.map(function (p) { return p.value; })) || 1;
    var root = svg(container, width, height, label);
    var x = function (i) { return left + (points.length === 1 ? 0.5 : i / (points.length - 1)) * (width - left - right); };
    var y = function (v) { return top + (1 - v / max) * (height - top - bottom); };
    root.appendChild(el("line", { class: "axis", x1: left, y1: y(0), x2: width - right, y2: y(0) }));
    root.appendChild(el("text", { x: 4, y: y(max) + 4 }, String(max)));
    root.appendChild(el("text", { x: 4, y: y(0) }, "0"));
    root.appendChild(el("polyline", {
      class: "line",
      points: points.map(function (p, i) { return x(i) + "," + y(p.value); }).join(" ")
    }));
    points.forEach(function (p, i) {
      var dot = el("circle", { class: "point", cx: x(i), cy: y(p.value), r: 3.5, "data-value": p.value });
      dot.appendChild(el("title", {}, p.label + ": " + p.value));
      root.appendChild(dot);
    });
    root.appendChild(el("text", { x: left, y: height - 8 }, points[0].label));
    root.appendChild(el("text", { x: width - right, y: height - 8, "text-anchor": "end" }, points[points.length - 1].label));
    container.setAttribute("data-drawn", String(points.length));
  }

  /* rows: [{label, bars: [{value, cls, text}], low, high}] drawn as horizontal bars. */
  function bars(container, rows, label, max) {
    if (!rows.length) { return empty(container); }
    var perRow = rows[0].bars.length, barHeight = 14, gap = 12, labelWidth = 190, width = 600;
    var height = rows.length * (perRow * barHeight + gap) + 10;
    max = max || Math.max.apply(null, rows.map(function (r) {
      return Math.max.apply(null, r.bars.map(function (b) { return b.value || 0; }).concat([r.high || 0]));
    })) || 1;
    var root = svg(container, width, height, label);
    var scale = function (v) { return (v / max) * (width - labelWidth - 70); };
    var marks = 0;
    rows.forEach(function (row, i) {
      var y0 = 5 + i * (perRow * barHeight + gap);
      var name = row.label.length > 30 ? row.label.slice(0, 29) + "\u2026" : row.label;
      var text = el("text", { x: 0, y: y0 + (perRow * barHeight) / 2 + 4 }, name);
      text.appendChild(el("title", {}, row.label));
      root.appendChild(text);
      row.bars.forEach(function (bar, j) {
        var y = y0 + j * barHeight;
        var rect = el("rect", {
          class: "bar " + (bar.cls || ""), x: labelWidth, y: y, height: barHeight - 2,
          width: Math.max(1, scale(bar.value || 0)), "data-value": bar.value
        });
        rect.appendChild(el("title", {}, row.label + ": " + bar.text));
        root.appendChild(rect);
        root.appendChild(el("text", { x: labelWidth + scale(bar.value || 0) + 4, y: y + barHeight - 4 }, bar.text));
        marks += 1;
      });
      if (row.low !== null && row.low !== undefined && row.high !== null && row.high !== undefined) {
        var mid = y0 + (perRow * barHeight) / 2;
        root.appendChild(el("line", { class: "whisker", x1: labelWidth + scale(row.low), x2: labelWidth + scale(row.high), y1: mid, y2: mid }));
      }
    });
    container.setAttribute("data-drawn", String(marks));
  }

  function percent(value) { return value === null ? "n/a" : (value * 100).toFixed(2) + " %"; }

  line(chart("active-users"), figures.overview.map(function (day) {
    return { label: day.date, value: day.active_users };
  }), "Daily active users");

  var totals = {};
  figures.overview.forEach(function (day) {
    Object.keys(day.by_type).forEach(function (type) { totals[type] = (totals[type] || 0) + day.by_type[type]; });
  });
  bars(chart("interactions"), Object.keys(totals).sort(function (a, b) { return totals[b] - totals[a]; })
    .map(function (type) { return { label: type, bars: [{ value: totals[type], text: String(totals[type]) }] }; }),
    "Interactions by type");

  bars(chart("ctr"), figures.recommendations.engines.filter(function (e) { return e.impressions > 0; })
    .map(function (e) {
      return {
        label: e.engine + " (" + e.users + " users)",
        bars: [{ value: e.ctr, text: percent(e.ctr) + " of " + e.impressions }],
        low: e.ctr_low, high: e.ctr_high
      };
    }), "Click-through by engine");

  document.getElementById("top-date").textContent = figures.top_movies_date ? "(" + figures.top_movies_date + ")" : "";
  bars(chart("top-movies"), figures.top_movies.map(function (m) {
    return { label: m.title || ("#" + m.movie_id), bars: [{ value: m.views, text: String(m.views) }] };
  }), "Top movies by views");

  bars(chart("latency"), figures.latency.map(function (row) {
    return {
      label: row.endpoint,
      bars: [
        { value: row.p50, cls: "p50", text: "p50 " + row.p50 },
        { value: row.p95, cls: "p95", text: "p95 " + row.p95 },
        { value: row.p99, cls: "p99", text: "p99 " + row.p99 }
      ]
    };
  }), "Endpoint latency");
}());
