// callboard's only script: sortable tables, the wallboard's live updates (server-sent
// events, reconnecting on their own), and a ready marker tests look for.
"use strict";
(function () {
  function sortable(table) {
    var heads = table.querySelectorAll("th[data-sort]");
    heads.forEach(function (th, col) {
      th.addEventListener("click", function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var numeric = th.dataset.sort === "num";
        var dir = th.dataset.dir === "desc" ? 1 : -1;
        th.dataset.dir = dir === -1 ? "desc" : "asc";
        rows.sort(function (a, b) {
          var x = a.cells[col], y = b.cells[col];
          if (numeric) {
            var p = parseFloat(x.dataset.key), q = parseFloat(y.dataset.key);
            p = isNaN(p) ? -Infinity : p; q = isNaN(q) ? -Infinity : q;
            return dir * (p - q);
          }
          return dir * x.textContent.localeCompare(y.textContent);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function clock(s) {
    s = Math.max(0, Math.round(s));
    var m = Math.floor(s / 60), r = s % 60;
    return m + ":" + (r < 10 ? "0" : "") + r;
  }
  function pct(v) { return v === null || v === undefined ? "–" : (v * 100).toFixed(1) + " %"; }
  function num(n) { return n.toLocaleString("en-US"); }

  function render(snap) {
    var main = document.getElementById("queues");
    var tpl = main.querySelector("section.wq");
    if (!tpl) { return; }
    var keep = tpl.cloneNode(true);
    main.textContent = "";
    var queues = snap.queues.slice().sort(function (a, b) {
      return (a.queue === "all" ? 0 : 1) - (b.queue === "all" ? 0 : 1);
    });
    queues.forEach(function (q) {
      var s = keep.cloneNode(true);
      s.dataset.queue = q.queue;
      s.querySelector("h2").textContent = q.queue === "all" ? "All queues" : q.queue;
      var figs = s.querySelectorAll(".fig");
      var colours = [q.status.waiting, q.status.longest_wait, q.status.service_level, q.status.abandon_rate];
      figs.forEach(function (f, i) { f.className = "fig " + colours[i]; });
      var set = function (k, v) { var e = s.querySelector('[data-f="' + k + '"]'); if (e) { e.textContent = v; } return e; };
      set("waiting", q.waiting);
      set("longest", clock(q.longest_wait_s)).dataset.s = q.longest_wait_s;
      set("sl", pct(q.today.service_level));
      set("abandon", pct(q.today.abandon_rate));
      ["available", "on_call", "wrap_up", "paused", "logged_off"].forEach(function (k) { set(k, q.agents[k]); });
      set("reasons", Object.keys(q.paused_reasons).map(function (r) { return (r || "no reason") + " " + q.paused_reasons[r]; }).join(", "));
      set("offered", num(q.today.offered)); set("answered", num(q.today.answered)); set("abandoned", num(q.today.abandoned));
      var fc = s.querySelector(".fc");
      if (q.today.forecast_so_far === null || q.today.forecast_so_far === undefined) { fc.hidden = true; }
      else { fc.hidden = false; set("forecast", num(Math.round(q.today.forecast_so_far))); }
      main.appendChild(s);
    });
    var grid = document.getElementById("agents");
    grid.textContent = "";
    snap.agents.forEach(function (a) {
      var d = document.createElement("div");
      d.className = "agent " + a.state;
      var b = document.createElement("b"); b.textContent = a.agent_id;
      var l = document.createElement("span");
      l.textContent = a.state === "paused" && a.reason ? "paused: " + a.reason : a.state.replace("_", " ");
      var t = document.createElement("span"); t.className = "t"; t.dataset.s = a.seconds_in_state;
      t.textContent = clock(a.seconds_in_state);
      d.appendChild(b); d.appendChild(l); d.appendChild(t);
      grid.appendChild(d);
    });
    var asOf = document.getElementById("as-of");
    asOf.textContent = (snap.replay ? "replay of a log ending " + snap.as_of.slice(0, 10) + " " : "as of ") + snap.as_of.slice(11, 19) + " UTC";
    asOf.dataset.seq = snap.seq;
    asOf.dataset.replay = snap.replay;
    var errs = document.getElementById("wall-errors");
    errs.textContent = "";
    Object.keys(snap.errors).forEach(function (f) {
      var li = document.createElement("li"); li.textContent = f + ": " + snap.errors[f]; errs.appendChild(li);
    });
    received = Date.now();
  }

  var received = Date.now();
  function wallboard(badge) {
    var source = new EventSource(badge.dataset.events);
    source.addEventListener("open", function () { badge.className = "badge live"; badge.textContent = "live"; });
    source.addEventListener("error", function () {
      badge.className = "badge offline"; badge.textContent = "reconnecting…";
    });
    source.addEventListener("live", function (e) {
      badge.className = "badge live"; badge.textContent = "live";
      render(JSON.parse(e.data));
    });
    // Waits and times in state grow between events.
    setInterval(function () {
      if (document.getElementById("as-of").dataset.replay === "true") { return; }
      var gone = (Date.now() - received) / 1000;
      document.querySelectorAll('[data-f="longest"], .agent .t').forEach(function (e) {
        var base = parseFloat(e.dataset.s);
        if (!isNaN(base) && (base > 0 || e.classList.contains("t"))) { e.textContent = clock(base + gone); }
      });
    }, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.sortable").forEach(sortable);
    var badge = document.getElementById("badge");
    if (badge) { wallboard(badge); }
    document.documentElement.dataset.ready = "1";
  });
})();
