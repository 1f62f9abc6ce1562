/* The live screens (console, phone, projector, check-in): draw the snapshot, follow `state` events on the
   Socket.IO namespace /live, tick the clock locally, ignore a state older than the one shown, and reconnect and
   re-join by themselves. The words come from the page (#live-config), never from this file. */
(function () {
  "use strict";
  var configEl = document.getElementById("live-config");
  if (!configEl) return;
  var config = JSON.parse(configEl.textContent);
  var t = config.i18n || {};
  var state = null;
  var receivedAt = 0; // performance.now() when `state` arrived: the clock ticks from there
  var listeners = [];

  function $(sel, root) { return (root || document).querySelector(sel); }
  function all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function fmt(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (_, k) { return values[k] !== undefined ? values[k] : ""; });
  }
  function setText(name, value) {
    all('[data-live="' + name + '"]').forEach(function (el) { el.textContent = value == null ? "" : value; });
  }
  function show(name, visible) {
    all('[data-live="' + name + '"]').forEach(function (el) { el.hidden = !visible; });
  }

  // The clock ------------------------------------------------------------------------------------------------
  function secondsLeft() {
    if (!state || !state.current) return null;
    var c = state.current;
    var elapsed = c.paused ? 0 : (performance.now() - receivedAt) / 1000;
    return c.seconds_left - elapsed;
  }
  function clockText(left) {
    var over = left < 0;
    var s = Math.floor(Math.abs(over ? Math.floor(left) : Math.ceil(left)));
    var m = Math.floor(s / 60);
    var r = s % 60;
    return (over ? "+" : "") + m + ":" + (r < 10 ? "0" : "") + r;
  }
  function tick() {
    var left = secondsLeft();
    all("[data-live-clock]").forEach(function (el) {
      if (left === null) { el.textContent = "–:––"; el.className = el.dataset.baseClass || el.className; return; }
      if (!el.dataset.baseClass) el.dataset.baseClass = el.className;
      var warning = state.warning_seconds || 30;
      var cls = el.dataset.baseClass;
      if (left <= 0) cls += " overrun";
      else if (left <= warning) cls += " warning";
      if (state.current.paused) cls += " paused";
      el.className = cls;
      el.textContent = clockText(left);
      el.setAttribute("data-seconds-left", Math.round(left));
    });
    var left2 = secondsLeft();
    setText("clock-note", left2 === null ? "" : state.current.paused ? t.paused : left2 <= 0 ? t.overrun : t.time_left);
  }

  // Drawing --------------------------------------------------------------------------------------------------
  function li(text, cls) {
    var el = document.createElement("li");
    if (cls) el.className = cls;
    el.textContent = text;
    return el;
  }
  function personLine(item) {
    return item.name + (item.unit ? " — " + item.unit : "");
  }

  function drawQueue(list, items, withButtons) {
    list.innerHTML = "";
    if (!items.length) { list.appendChild(li(t.empty_queue, "muted")); return; }
    items.forEach(function (item, i) {
      var el = li("", item.user_id === config.me ? "me" : "");
      el.dataset.speakerId = item.speaker_id;
      el.dataset.position = item.position;
      if (withButtons) el.draggable = true;
      var name = document.createElement("span");
      name.className = "who";
      name.textContent = personLine(item);
      el.appendChild(name);
      if (item.question_topic) {
        var q = document.createElement("span");
        q.className = "q muted";
        q.textContent = " · " + t.question + ": " + item.question_topic;
        el.appendChild(q);
      }
      if (item.times_spoken) {
        var n = document.createElement("span");
        n.className = "spoken";
        n.textContent = " (" + fmt(t.times_spoken, { n: item.times_spoken }) + ")";
        el.appendChild(n);
      }
      if (withButtons) {
        var box = document.createElement("span");
        box.className = "qbtns";
        [["start", t.start], ["up", "↑"], ["down", "↓"], ["remove", "✕"]].forEach(function (b) {
          var btn = document.createElement("button");
          btn.type = "button";
          btn.className = "small";
          btn.dataset.act = b[0];
          btn.dataset.speakerId = item.speaker_id;
          btn.dataset.position = item.position;
          btn.textContent = b[1];
          btn.title = t[b[0]] || b[1];
          btn.setAttribute("aria-label", (t[b[0]] || b[1]) + ": " + item.name);
          if (b[0] === "up" && i === 0) btn.disabled = true;
          if (b[0] === "down" && i === items.length - 1) btn.disabled = true;
          box.appendChild(btn);
        });
        el.appendChild(box);
      }
      list.appendChild(el);
    });
  }

  function draw() {
    var s = state;
    var c = s.current;
    document.body.dataset.liveVersion = s.version;
    document.body.dataset.liveStatus = s.status;
    setText("version", s.version);
    setText("status", (t.status_labels || {})[s.status] || s.status);
    setText("current-name", c ? c.name : t.nobody);
    setText("current-unit", c ? c.unit || "" : "");
    var q = s.current_question;
    setText("current-question", q ? q.topic : "");
    setText("current-question-body", q ? q.body : "");
    show("current-question-box", !!q);
    show("has-current", !!c);
    show("no-current", !c);
    setText("turns-done", fmt(t.turns_done, { n: s.turns_done }));
    setText("time-used", fmt(t.time_used, { t: clockText(s.time_used_seconds || 0) }));
    setText("present", fmt(t.present, { p: s.attendance.present, i: s.attendance.invited }));
    setText("present-count", s.attendance.present);
    setText("invited-count", s.attendance.invited);
    setText("queue-count", s.queue.length);
    show("queue-closed", !s.queue_open);
    all('[data-live="queue"]').forEach(function (list) { drawQueue(list, s.queue, list.dataset.buttons === "1"); });
    all('[data-live="next"]').forEach(function (list) { drawQueue(list, s.next || s.queue.slice(0, 3), false); });
    all('[data-live="by-unit"]').forEach(function (body) {
      body.innerHTML = "";
      (s.attendance.by_unit || []).forEach(function (u) {
        var tr = document.createElement("tr");
        [u.name, u.present + "/" + u.invited].forEach(function (v) {
          var td = document.createElement("td"); td.textContent = v; tr.appendChild(td);
        });
        body.appendChild(tr);
      });
    });
    all('[data-live="agenda"]').forEach(function (list) {
      list.innerHTML = "";
      (s.agenda || []).forEach(function (item) {
        var el = li(item.kind_label + ": " + item.topic, item.status === "answered" ? "answered" : "");
        if (item.status === "answered") {
          var b = document.createElement("span"); b.className = "status status-ok"; b.textContent = t.answered;
          el.appendChild(document.createTextNode(" ")); el.appendChild(b);
        }
        if (c && c.question_id === item.id) el.className += " current";
        list.appendChild(el);
      });
    });
    // The person's own situation (phone page).
    if (config.me) {
      var speaking = !!(c && c.user_id === config.me);
      var mine = null;
      s.queue.forEach(function (item) { if (item.user_id === config.me) mine = item; });
      show("me-speaking", speaking);
      show("me-waiting", !!mine && !speaking);
      show("me-idle", !mine && !speaking);
      setText("me-place", mine ? fmt(t.your_place, { n: mine.position }) : "");
      all("form[data-withdraw]").forEach(function (form) {
        if (mine) form.action = form.dataset.withdraw.replace("0", String(mine.speaker_id));
      });
      show("can-ask", !mine && !speaking && s.status === "live" && s.queue_open);
    }
    // The clerk's controls.
    all("[data-needs-current]").forEach(function (b) { b.disabled = !c; });
    all("[data-needs-paused]").forEach(function (b) { b.hidden = !(c && c.paused); });
    all("[data-needs-running]").forEach(function (b) { b.hidden = !!(c && c.paused); b.disabled = !c; });
    all("[data-needs-queue]").forEach(function (b) { b.disabled = !s.queue.length || s.status !== "live"; });
    all("input[data-option]").forEach(function (box) { box.checked = !!s[box.dataset.option]; });
    all("[data-live-seconds]").forEach(function (input) {
      if (document.activeElement !== input) input.value = c ? c.seconds_allowed : s.turn_seconds;
    });
    all("[data-live-summary]").forEach(function (area) {
      var id = c ? String(c.speaker_id) : "";
      if (document.activeElement !== area && (area.dataset.speakerId !== id || !area.value)) {
        area.value = c && c.summary ? c.summary : "";
      }
      area.dataset.speakerId = id;
    });
    tick();
    listeners.forEach(function (fn) { fn(s); });
  }

  // A newer state replaces the one shown; an older one is ignored.
  function apply(next) {
    if (!next || typeof next.version !== "number" || next.session_id !== config.session_id) return false;
    if (state && next.version < state.version) return false;
    state = next;
    receivedAt = performance.now();
    draw();
    return true;
  }

  function refresh() {
    return window.Dialogue.fetchJSON(config.live_url).then(apply).catch(function () {});
  }

  var linkRevoked = false;  // once told, the screen keeps saying so whatever the socket does next

  function setOnline(online) {
    if (linkRevoked) return;
    all('[data-live="connection"]').forEach(function (el) {
      el.textContent = online ? t.online : t.offline;
      el.className = "connection " + (online ? "online" : "offline");
    });
  }

  // Socket.IO ------------------------------------------------------------------------------------------------
  var socket = null;
  if (window.io) {
    socket = window.io("/live", {
      auth: config.projector ? { projector: config.projector } : {},
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    // The organizer reset the projector link this screen was opened with: it receives nothing more. The server
    // says so by an event to an open screen, or by refusing a connect or a join that comes after the reset.
    var revoked = function () {
      linkRevoked = true;
      socket.io.opts.reconnection = false;
      socket.disconnect();
      all('[data-live="connection"]').forEach(function (el) {
        el.textContent = t.revoked;
        el.className = "connection offline";
      });
    };
    socket.on("connect", function () {
      setOnline(true);
      socket.emit("join", { session_id: config.session_id }, function (answer) {
        if (answer && answer.error === "revoked") revoked();
      });
    });
    socket.on("disconnect", function () { setOnline(false); });
    socket.on("connect_error", function (err) {
      if (err && err.message === "revoked") revoked();
      else setOnline(false);
    });
    socket.on("state", apply);
    socket.on("revoked", revoked);
  }

  var initial = document.getElementById("live-initial");
  if (initial) apply(JSON.parse(initial.textContent));
  setInterval(tick, 250);
  // A phone waking from sleep catches up at once (timers stop while the screen is off).
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });

  window.DialogueLive = {
    apply: apply,
    refresh: refresh,
    state: function () { return state; },
    secondsLeft: secondsLeft,
    onState: function (fn) { listeners.push(fn); },
    socket: socket,
    config: config,
  };
})();
