// The report's what-if controls. The model (id "model") carries each candidate's
// settings-free components and the tables of the rules the controls change; `rank` below
// recombines them in the library's order of operations (src/score/: combine, the tech,
// control and goal rules, admission, rank order and the diversity caps), so that the order
// shown equals Recommender::recommend's for the same settings. scripts/whatif-browser.sh
// checks that in a real browser.
(function () {
  "use strict";
  var M = JSON.parse(document.getElementById("model").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var initial = { tol: M.tol, w: M.weights.slice(), goals: M.goals.slice() };
  var state = { tol: M.tol, w: M.weights.slice(), goals: M.goals.slice() };

  // Goals in the library's order (Goal::ALL, which is also a profile's sorted order).
  function goalIndices(goals) {
    var out = [];
    for (var g = 0; g < M.goal_names.length; g++) {
      if (goals.indexOf(M.goal_names[g]) >= 0) out.push(g);
    }
    return out;
  }

  // The ranking for settings `s`: [{c: candidate, score, parts}], best first.
  function rank(s) {
    var sum = 0;
    for (var i = 0; i < 7; i++) sum += s.w[i];
    var w = s.w.map(function (v) { return v / sum; });
    var gs = goalIndices(s.goals);
    var n = Math.max(gs.length, 1);
    var tech = [0, 1, 2].map(function (t) {
      var acc = 0;
      gs.forEach(function (g) { acc += M.tech_fit[g][t]; });
      return acc / n;
    });
    var control = [0, 1, 2].map(function (c) {
      return Math.min(Math.max(1 - M.level_value[c] * (1 - s.tol), 0), 1);
    });
    var goalByKind = [0, 1, 2, 3, 4, 5, 6].map(function (k) {
      var acc = 0;
      gs.forEach(function (g) { acc += M.affinity[g][k]; });
      return acc / n;
    });
    var business = s.goals.indexOf("business_support") >= 0;
    var scored = [];
    M.candidates.forEach(function (c) {
      if (c.help && !business) return;
      var comps = [c.sector, c.region, tech[c.tech], control[c.control], goalByKind[c.kind],
        c.reciprocity, c.evidence];
      var parts = comps.map(function (v, i) { return w[i] * v; });
      var score = 0;
      parts.forEach(function (p) { score += p; });
      if (score > 1) {
        var imax = 0, vmax = -Number.MAX_VALUE;
        parts.forEach(function (p, i) { if (p > vmax) { imax = i; vmax = p; } });
        parts[imax] -= score - 1;
        score = 0;
        parts.forEach(function (p) { score += p; });
        if (score > 1) {
          parts[imax] = Math.max(parts[imax] - Number.EPSILON, 0);
          score = 0;
          parts.forEach(function (p) { score += p; });
        }
      }
      if (c.sector > 0 && score >= M.min_score) scored.push({ c: c, score: score, parts: parts });
    });
    scored.sort(function (a, b) {
      if (a.score !== b.score) return b.score - a.score;
      return a.c.id < b.c.id ? -1 : a.c.id > b.c.id ? 1 : 0;
    });
    return { all: scored, top: select(scored) };
  }

  // The first top_k, skipping a partner whose city or kind has reached its cap.
  function select(ranked) {
    if (M.max_per_city === null && M.max_per_kind === null) return ranked.slice(0, M.top_k);
    var out = [], cities = {}, kinds = [0, 0, 0, 0, 0, 0, 0];
    for (var i = 0; i < ranked.length && out.length < M.top_k; i++) {
      var c = ranked[i].c;
      if (M.max_per_kind !== null && kinds[c.kind] >= M.max_per_kind) continue;
      if (M.max_per_city !== null && c.city !== null && (cities[c.city] || 0) >= M.max_per_city) continue;
      kinds[c.kind] += 1;
      if (c.city !== null) cities[c.city] = (cities[c.city] || 0) + 1;
      out.push(ranked[i]);
    }
    return out;
  }

  // The (tech, control) cells no other occupied cell beats on both counts.
  function front(all) {
    var occ = [[false, false, false], [false, false, false], [false, false, false]];
    all.forEach(function (x) {
      if (x.c.sector >= M.pareto_min_sector) occ[x.c.tech][x.c.control] = true;
    });
    var cells = [];
    for (var t = 0; t < 3; t++) for (var c = 0; c < 3; c++) {
      if (!occ[t][c]) continue;
      var beaten = false;
      for (var tb = t; tb < 3; tb++) for (var cb = 0; cb <= c; cb++) {
        if ((tb !== t || cb !== c) && occ[tb][cb]) beaten = true;
      }
      if (!beaten) cells.push([M.cell_x[t], M.cell_y[c], t, c]);
    }
    cells.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    return cells;
  }

  function nationalText(n) {
    if (n === 0) return "no national body in the top matches";
    if (n === 1) return "+1 national body (works across China)";
    return "+" + n + " national bodies (work across China)";
  }

  function same(a, b) {
    return a.tol === b.tol && a.goals.join() === b.goals.join() &&
      a.w.every(function (v, i) { return v === b.w[i]; });
  }

  function render() {
    var sum = state.w.reduce(function (a, b) { return a + b; }, 0);
    var status = document.getElementById("whatif-status");
    if (!(sum > 0)) {
      status.textContent = "All weights are zero: give at least one a positive value.";
      return;
    }
    var r = rank(state);
    var rankOf = {};
    r.top.forEach(function (x, i) { rankOf[x.c.id] = i + 1; });
    var admitted = {};
    r.all.forEach(function (x) { admitted[x.c.id] = true; });
    var business = state.goals.indexOf("business_support") >= 0;

    // The table: the top rows in order, the rest hidden.
    var body = document.getElementById("matches");
    var rows = {};
    Array.prototype.forEach.call(body.querySelectorAll("tr.match"), function (tr) {
      rows[tr.getAttribute("data-id")] = tr;
      tr.setAttribute("hidden", "hidden");
      tr.removeAttribute("data-rank");
    });
    var none = document.getElementById("none");
    if (none) none.hidden = r.top.length > 0;
    r.top.forEach(function (x, i) {
      var tr = rows[x.c.id];
      if (!tr) return;
      tr.removeAttribute("hidden");
      tr.setAttribute("data-rank", String(i + 1));
      tr.querySelector(".rank").textContent = String(i + 1);
      tr.querySelector(".score").textContent = x.score.toFixed(3);
      var left = 0;
      Array.prototype.forEach.call(tr.querySelectorAll("svg.bar rect"), function (rect, j) {
        var width = 220 * x.parts[j];
        rect.setAttribute("x", left.toFixed(2));
        rect.setAttribute("width", width.toFixed(2));
        var t = rect.querySelector("title");
        if (t) t.textContent = M.components[j] + " " + x.parts[j].toFixed(3);
        left += width;
      });
      body.appendChild(tr);
    });
    Object.keys(rows).forEach(function (id) {
      if (!(id in rankOf)) body.appendChild(rows[id]);
    });

    // The chart: numbered matches, grey candidates, hidden ones not admitted.
    var scoreOf = {};
    r.all.forEach(function (x) { scoreOf[x.c.id] = x.score; });
    M.candidates.forEach(function (c) {
      var dot = document.querySelector('circle.pt[data-id="' + c.id + '"]');
      var label = document.querySelector('text.label[data-id="' + c.id + '"]');
      if (!dot) return;
      var visible = !c.help || business;
      if (visible) dot.removeAttribute("display"); else dot.setAttribute("display", "none");
      var k = rankOf[c.id];
      dot.setAttribute("class", k ? "pt match" : "pt");
      dot.setAttribute("r", k ? "6" : "3");
      dot.setAttribute("fill", k ? "#d94801" : "#9e9e9e");
      var title = dot.querySelector("title");
      if (title && c.id in scoreOf) {
        title.textContent = title.textContent.replace(/\([0-9.]+\)$/, "(" + scoreOf[c.id].toFixed(3) + ")");
      }
      if (label) label.textContent = k ? String(k) : "";
    });
    [0, 1, 2].forEach(function (c) {
      var keep = Math.min(Math.max(1 - M.level_value[c] * (1 - state.tol), 0), 1);
      var band = document.querySelector('rect.tolband[data-level="' + c + '"]');
      var note = document.querySelector('text.tolnote[data-level="' + c + '"]');
      if (band) band.setAttribute("fill-opacity", (0.35 * (1 - keep)).toFixed(3));
      if (note) note.textContent = "keeps " + keep.toFixed(2);
    });
    var cells = front(r.all);
    document.querySelector("polyline.pareto").setAttribute("points",
      cells.map(function (p) { return p[0].toFixed(0) + "," + p[1].toFixed(0); }).join(" "));
    Array.prototype.forEach.call(document.querySelectorAll("rect.pareto-cell"), function (box) {
      var on = cells.some(function (p) {
        return String(p[2]) === box.getAttribute("data-tech") &&
          String(p[3]) === box.getAttribute("data-control");
      });
      if (on) box.removeAttribute("display"); else box.setAttribute("display", "none");
    });
    document.getElementById("pareto-caption").hidden = cells.length === 0;
    document.getElementById("tol-caption").textContent = String(state.tol);

    // The map: matches per province, national bodies apart.
    var per = {}, national = 0;
    r.top.forEach(function (x, i) {
      if (x.c.province === null) national += 1;
      else (per[x.c.province] = per[x.c.province] || []).push(i + 1);
    });
    Array.prototype.forEach.call(document.querySelectorAll("g.count"), function (g) {
      var ranks = per[g.getAttribute("data-tile")] || [];
      if (ranks.length) g.removeAttribute("display"); else g.setAttribute("display", "none");
      var text = g.querySelector("text");
      text.textContent = String(ranks.length);
      text.setAttribute("data-count", String(ranks.length));
      var title = g.querySelector("title");
      title.textContent = title.textContent.replace(/:.*$/, ": #" + ranks.join(", #"));
    });
    var nat = document.getElementById("national");
    nat.textContent = nationalText(national);
    nat.setAttribute("data-count", String(national));

    // The controls and the address.
    document.getElementById("tol").value = String(state.tol);
    document.getElementById("tol-out").textContent = String(state.tol);
    Array.prototype.forEach.call(document.querySelectorAll("input.weight"), function (el) {
      el.value = String(state.w[+el.getAttribute("data-i")]);
    });
    Array.prototype.forEach.call(document.querySelectorAll("output.weight-out"), function (el) {
      el.textContent = (100 * state.w[+el.getAttribute("data-i")] / sum).toFixed(0) + "%";
    });
    Array.prototype.forEach.call(document.querySelectorAll("input.goal"), function (el) {
      el.checked = state.goals.indexOf(el.value) >= 0;
      el.disabled = el.checked && state.goals.length === 1;
    });
    if (same(state, initial)) {
      status.textContent = "These are the report's own settings.";
    } else {
      status.textContent = "Your settings: ranks, scores, bars, the chart and the map follow them. " +
        "The written reasons, risks and helpers are those of the report's settings (tolerance " +
        initial.tol + ", goals " + initial.goals.join(", ") + ").";
    }
    try {
      history.replaceState(null, "", "#" + encode(state));
    } catch (e) { /* a page opened from some viewers cannot change its address */ }
  }

  function encode(s) {
    return "tol=" + s.tol + "&w=" + s.w.join(",") + "&goals=" + s.goals.join(",");
  }

  // Settings from the address (`#tol=0.3&w=...&goals=...`, or the same after `?`); a value
  // that does not parse is named in the status line and left at the report's.
  function fromAddress() {
    var text = (location.search.replace(/^\?/, "") + "&" + location.hash.replace(/^#/, ""));
    var bad = [];
    given = /(^|&)(tol|w|goals)=/.test(text);
    text.split("&").forEach(function (kv) {
      if (!kv) return;
      var i = kv.indexOf("=");
      var key = i < 0 ? kv : kv.slice(0, i);
      var value = i < 0 ? "" : decodeURIComponent(kv.slice(i + 1));
      if (key === "tol") {
        var t = Number(value);
        if (value !== "" && t >= 0 && t <= 1) state.tol = t; else bad.push("tol=" + value);
      } else if (key === "w") {
        var w = value.split(",").map(Number);
        if (w.length === 7 && w.every(function (v) { return isFinite(v) && v >= 0; }) &&
          w.some(function (v) { return v > 0; })) state.w = w; else bad.push("w=" + value);
      } else if (key === "goals") {
        var gs = value.split(",").filter(function (g) { return M.goal_names.indexOf(g) >= 0; });
        if (gs.length && gs.length === value.split(",").length) {
          state.goals = M.goal_names.filter(function (g) { return gs.indexOf(g) >= 0; });
        } else bad.push("goals=" + value);
      } else {
        bad.push(key);
      }
    });
    return bad;
  }

  // Whether the address holds settings: without them the page shows the list as the
  // report was written (the caller's), until a control moves.
  var given = false;
  var ignored = fromAddress();
  document.getElementById("whatif").removeAttribute("hidden");
  document.getElementById("tol").addEventListener("input", function (e) {
    state.tol = Number(e.target.value);
    render();
  });
  Array.prototype.forEach.call(document.querySelectorAll("input.weight"), function (el) {
    el.addEventListener("input", function () {
      state.w[+el.getAttribute("data-i")] = Number(el.value);
      render();
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("input.goal"), function (el) {
    el.addEventListener("change", function () {
      var on = [];
      Array.prototype.forEach.call(document.querySelectorAll("input.goal"), function (x) {
        if (x.checked) on.push(x.value);
      });
      if (on.length) state.goals = on;
      render();
    });
  });
  document.getElementById("reset").addEventListener("click", function () {
    state = { tol: initial.tol, w: initial.w.slice(), goals: initial.goals.slice() };
    render();
  });
  if (given && !same(state, initial)) {
    render();
  } else {
    document.getElementById("whatif-status").textContent = "These are the report's own settings.";
  }
  if (ignored.length) {
    var st = document.getElementById("whatif-status");
    st.textContent = "Ignored in the address (not a setting, or out of range): " +
      ignored.join(", ") + ". " + st.textContent;
  }
})();
