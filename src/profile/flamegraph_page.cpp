// The flame graph page: HTML, CSS and the script that draws and drives the SVG. Written
// for this project; the profile arrives as JSON in a <script type="application/json">.
#include <string>

namespace kscope {
namespace {

constexpr const char* kHead = R"HTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>)HTML";

constexpr const char* kBody = R"HTML(</title>
<style>
body { margin: 0; font: 12px monospace; color: #222; background: #fafafa; }
header { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; padding: 8px 10px; }
h1 { font: bold 15px sans-serif; margin: 0; }
#summary { color: #555; }
#search { width: 280px; padding: 3px 6px; font: 12px monospace; }
#matched { color: #909; font-weight: bold; }
button { font: 12px sans-serif; }
#legend { padding: 0 10px 6px; color: #444; font-family: sans-serif; }
#legend span.swatch { display: inline-block; width: 11px; height: 11px; margin: 0 4px 0 10px; vertical-align: -1px; border: 1px solid #999; }
#chart { padding: 0 10px; }
#chart svg { display: block; width: 100%; }
#chart rect { stroke: #fafafa; stroke-width: 0.6; cursor: pointer; }
#chart g.anc rect { opacity: 0.55; }
#chart g:hover rect { stroke: #000; stroke-width: 1; }
#chart text { font: 11px monospace; pointer-events: none; }
#details { padding: 6px 10px; min-height: 1.4em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#tip { position: fixed; display: none; pointer-events: none; max-width: 60%; padding: 4px 7px; background: #fffff0;
       border: 1px solid #888; box-shadow: 1px 1px 4px rgba(0,0,0,.25); white-space: pre-wrap; word-break: break-all; }
</style>
</head>
<body>
<header>
<h1 id="title"></h1>
<span id="summary"></span>
<input id="search" type="search" placeholder="Search: text or regular expression" aria-label="Search frames">
<span id="matched"></span>
<button id="reset" type="button" disabled>Reset zoom</button>
</header>
<div id="legend"></div>
<div id="chart"></div>
<div id="details">&nbsp;</div>
<div id="tip"></div>
<script type="application/json" id="profile-data">)HTML";

constexpr const char* kScript = R"HTML(</script>
<script>
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('profile-data').textContent);
  var FRAME_H = 17, CHAR_W = 6.7, MIN_W = 0.4;
  var raw = data.nodes, n = raw.length;
  var name = [], kind = [], val = [], before = [], parent = [], depth = [], x = [], kids = [];
  var cursor = [];
  // Nodes arrive in pre-order: each child starts where its previous sibling ended.
  for (var i = 0; i < n; i++) {
    var r = raw[i];
    name.push(data.names[r[0]]); kind.push(r[1]); val.push(r[2]); before.push(r[3]); parent.push(r[4]);
    kids.push([]); cursor.push(0);
    if (r[4] < 0) { depth.push(0); x.push(0); continue; }
    var p = r[4];
    depth.push(depth[p] + 1); x.push(x[p] + cursor[p]); cursor[p] += r[2]; kids[p].push(i);
  }
  var total = data.total, beforeTotal = data.beforeTotal;
  var chart = document.getElementById('chart'), tip = document.getElementById('tip');
  var details = document.getElementById('details'), input = document.getElementById('search');
  var matchedEl = document.getElementById('matched'), resetBtn = document.getElementById('reset');
  var zoom = 0, query = null, matched = {};

  function esc(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }
  function pct(v, of) { return of > 0 ? (100 * v / of).toFixed(2) : '0.00'; }
  function num(v) { return String(v).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }
  function hash(s) {
    var h = 2166136261;
    for (var i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619); }
    return h >>> 0;
  }
  function shareChange(i) {
    var a = total > 0 ? val[i] / total : 0, b = beforeTotal > 0 ? before[i] / beforeTotal : 0;
    return a - b;
  }
  var maxChange = 0;
  if (data.diff) for (var k = 1; k < n; k++) maxChange = Math.max(maxChange, Math.abs(shareChange(k)));

  function color(i) {
    if (query && matched[i]) return 'rgb(230,0,230)';
    if (data.diff) {
      var d = shareChange(i), t = maxChange > 0 ? Math.min(1, Math.abs(d) / maxChange) : 0;
      var c = Math.round(235 - 190 * t);
      if (d > 0 && t > 0.005) return 'rgb(255,' + c + ',' + c + ')';
      if (d < 0 && t > 0.005) return 'rgb(' + c + ',' + c + ',255)';
      return 'rgb(235,235,235)';
    }
    var h = hash(name[i]), v1 = (h % 997) / 997, v2 = ((h >>> 11) % 991) / 991;
    if (i === 0 || kind[i] === 2) return 'rgb(' + Math.round(185 + 30 * v1) + ',' + Math.round(185 + 30 * v1) + ',' + Math.round(195 + 30 * v1) + ')';
    if (kind[i] === 1) return 'rgb(' + Math.round(60 + 60 * v1) + ',' + Math.round(170 + 50 * v2) + ',' + Math.round(190 + 45 * v1) + ')';
    return 'rgb(' + Math.round(205 + 50 * v2) + ',' + Math.round(80 + 150 * v1) + ',' + Math.round(40 * v2) + ')';
  }

  // Dark fills (deep blue in diffs, the search highlight) get white text.
  function ink(rgb) {
    var m = rgb.match(/\d+/g);
    return 0.299 * m[0] + 0.587 * m[1] + 0.114 * m[2] < 120 ? '#fff' : '#111';
  }

  function describe(i) {
    var label = name[i] + (kind[i] === 1 ? ' [kernel]' : kind[i] === 2 ? ' [process]' : '');
    if (data.diff) {
      var d = shareChange(i) * 100;
      return label + '\nafter: ' + num(val[i]) + ' ' + data.unit + ' (' + pct(val[i], total) + '%)' +
             '\nbefore: ' + num(before[i]) + ' ' + data.unit + ' (' + pct(before[i], beforeTotal) + '%)' +
             '\nchange: ' + (d >= 0 ? '+' : '') + d.toFixed(2) + ' percentage points' +
             (d > 0 ? ' (hotter)' : d < 0 ? ' (cooler)' : '');
    }
    var s = label + '\n' + num(val[i]) + ' ' + data.unit + ' (' + pct(val[i], total) + '% of all';
    if (zoom !== 0 && zoom !== i) s += ', ' + pct(val[i], val[zoom]) + '% of zoomed';
    var self = val[i];
    for (var c = 0; c < kids[i].length; c++) self -= val[kids[i][c]];
    return s + ')\nself: ' + num(self) + ' ' + data.unit + ' (' + pct(self, total) + '%)';
  }

  function render() {
    var width = Math.max(200, chart.clientWidth - 20 || 1200);
    var scale = val[zoom] > 0 ? width / val[zoom] : 0, x0 = x[zoom];
    var shown = [], ancestors = {}, maxDepth = 0;
    for (var a = parent[zoom]; a >= 0; a = parent[a]) { shown.push(a); ancestors[a] = true; }
    var stack = [zoom];
    while (stack.length) {
      var i = stack.pop();
      if (val[i] * scale < MIN_W) continue;
      shown.push(i);
      if (depth[i] > maxDepth) maxDepth = depth[i];
      for (var c = 0; c < kids[i].length; c++) stack.push(kids[i][c]);
    }
    var height = (maxDepth + 1) * FRAME_H + 2, out = [];
    for (var s = 0; s < shown.length; s++) {
      var j = shown[s], anc = ancestors[j] === true;
      var fx = anc ? 0 : (x[j] - x0) * scale, fw = anc ? width : val[j] * scale;
      var fy = height - (depth[j] + 1) * FRAME_H;
      var fits = Math.floor((fw - 6) / CHAR_W), label = '';
      if (fits >= 3) label = name[j].length <= fits ? name[j] : name[j].slice(0, fits - 2) + '..';
      var fill = color(j);
      out.push('<g data-i="' + j + '"' + (anc ? ' class="anc"' : '') + '><rect x="' + fx.toFixed(2) + '" y="' + fy +
               '" width="' + fw.toFixed(2) + '" height="' + (FRAME_H - 1) + '" rx="2" fill="' + fill + '"></rect>' +
               (label ? '<text x="' + (fx + 3).toFixed(2) + '" y="' + (fy + 12) + '" fill="' + ink(fill) + '">' +
                        esc(label) + '</text>' : '') + '</g>');
    }
    chart.innerHTML = '<svg width="' + width + '" height="' + height + '" viewBox="0 0 ' + width + ' ' + height +
                      '" role="img" aria-label="flame graph">' + out.join('') + '</svg>';
    resetBtn.disabled = zoom === 0;
  }

  function frameAt(target) {
    while (target && target !== chart) {
      if (target.getAttribute && target.getAttribute('data-i') !== null) return +target.getAttribute('data-i');
      target = target.parentNode;
    }
    return -1;
  }
  function setZoom(i) { zoom = i; render(); }
  function search() {
    var q = input.value, sum = 0;
    matched = {}; query = null;
    if (q) {
      try { query = new RegExp(q, 'i'); } catch (e) { query = new RegExp(q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'); }
      // Count the topmost matches only: a match inside a match is already in its total.
      var stack = [[0, false]];
      while (stack.length) {
        var e = stack.pop(), i = e[0], under = e[1], hit = i !== 0 && query.test(name[i]);
        if (hit) { matched[i] = true; if (!under) sum += val[i]; }
        for (var c = 0; c < kids[i].length; c++) stack.push([kids[i][c], under || hit]);
      }
      matchedEl.textContent = 'Matched: ' + pct(sum, total) + '% (' + num(sum) + ' ' + data.unit + ')';
    } else {
      matchedEl.textContent = '';
    }
    render();
  }

  chart.addEventListener('click', function (ev) {
    var i = frameAt(ev.target);
    if (i >= 0) setZoom(i === zoom ? (parent[i] >= 0 ? parent[i] : 0) : i);
  });
  chart.addEventListener('mousemove', function (ev) {
    var i = frameAt(ev.target);
    if (i < 0) { tip.style.display = 'none'; return; }
    var text = describe(i);
    tip.textContent = text;
    details.textContent = text.replace(/\n/g, '  |  ');
    tip.style.display = 'block';
    var left = ev.clientX + 14, top = ev.clientY + 14;
    if (left + tip.offsetWidth > window.innerWidth) left = Math.max(0, ev.clientX - tip.offsetWidth - 14);
    if (top + tip.offsetHeight > window.innerHeight) top = Math.max(0, ev.clientY - tip.offsetHeight - 14);
    tip.style.left = left + 'px'; tip.style.top = top + 'px';
  });
  chart.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
  input.addEventListener('input', search);
  resetBtn.addEventListener('click', function () { setZoom(0); });
  document.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape') { setZoom(0); }
    else if ((ev.ctrlKey || ev.metaKey) && ev.key === 'f') { ev.preventDefault(); input.focus(); }
  });
  var pending = false;
  window.addEventListener('resize', function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; render(); });
  });

  document.getElementById('title').textContent = data.title;
  document.getElementById('summary').textContent = data.diff
    ? 'after: ' + num(total) + ' ' + data.unit + ', before: ' + num(beforeTotal) + ' ' + data.unit + '; widths show after'
    : num(total) + ' ' + data.unit;
  var swatch = function (rgb, text) { return '<span class="swatch" style="background:' + rgb + '"></span>' + esc(text); };
  document.getElementById('legend').innerHTML = data.diff
    ? swatch('rgb(255,70,70)', 'hotter (larger share)') + swatch('rgb(70,70,255)', 'cooler (smaller share)') + swatch('rgb(235,235,235)', 'unchanged')
    : swatch('rgb(240,150,20)', 'user code') + swatch('rgb(90,195,215)', 'kernel') + swatch('rgb(200,200,210)', 'process');
  render();
})();
</script>
</body>
</html>
)HTML";

std::string html_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

}  // namespace

std::string flamegraph_page(const std::string& title, const std::string& data_json) {
    std::string out = kHead;
    out += html_escape(title);
    out += kBody;
    out += data_json;
    out += kScript;
    return out;
}

}  // namespace kscope
