/* The clerk's console: buttons call the JSON API (same services as everything else); the new state arrives by
   Socket.IO, and is also fetched after each action in case the connection is down. "Next" always carries the
   version shown, so two clerks pressing it on the same state start one turn. */
(function () {
  "use strict";
  var live = window.DialogueLive;
  if (!live) return;
  var config = live.config;
  var t = config.i18n || {};
  var api = config.api;
  var messageEl = document.getElementById("console-message");

  function say(text, kind) {
    if (!messageEl) return;
    messageEl.textContent = text || "";
    messageEl.className = "flash flash-" + (kind || "info");
    messageEl.hidden = !text;
  }

  function call(method, path, body) {
    say("");
    var options = { method: method };
    if (body !== undefined) options.body = body;
    return window.Dialogue.fetchJSON(api + path, options)
      .then(function (data) { live.refresh(); return data; })
      .catch(function (error) {
        var stale = error.data && error.data.error && error.data.error.code === "stale_version";
        say(stale ? t.stale : error.message, "error");
        live.refresh();
      });
  }

  function current() { var s = live.state(); return s && s.current; }

  var actions = {
    next: function () {
      var s = live.state();
      return call("POST", "/sessions/" + config.session_id + "/speakers/next", { version: s ? s.version : null });
    },
    pause: function () { var c = current(); if (c) return call("PATCH", "/speakers/" + c.speaker_id, { paused: true }); },
    resume: function () { var c = current(); if (c) return call("PATCH", "/speakers/" + c.speaker_id, { paused: false }); },
    finish: function () { var c = current(); if (c) return call("PATCH", "/speakers/" + c.speaker_id, { status: "finished" }); },
    plus: function (button) {
      var c = current();
      if (c) return call("PATCH", "/speakers/" + c.speaker_id, { seconds_allowed: c.seconds_allowed + Number(button.dataset.seconds || 60) });
    },
    readd: function () { return call("POST", "/sessions/" + config.session_id + "/speakers/readd-last"); },
    start: function (button) { return call("PATCH", "/speakers/" + button.dataset.speakerId, { status: "speaking" }); },
    up: function (button) { return call("PATCH", "/speakers/" + button.dataset.speakerId, { position: Number(button.dataset.position) - 1 }); },
    down: function (button) { return call("PATCH", "/speakers/" + button.dataset.speakerId, { position: Number(button.dataset.position) + 1 }); },
    remove: function (button) {
      if (window.confirm(t.confirm_remove)) return call("PATCH", "/speakers/" + button.dataset.speakerId, { status: "withdrawn" });
    },
  };

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-act]");
    if (!button || !actions[button.dataset.act]) return;
    event.preventDefault();
    if (button.dataset.busy === "1") return;
    button.dataset.busy = "1";
    Promise.resolve(actions[button.dataset.act](button)).then(function () { button.dataset.busy = ""; });
  });

  // Drag a waiting person to another place in the list (the arrows do the same by keyboard).
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest('[data-live="queue"] li[draggable="true"]');
    if (!item) return;
    dragged = item;
    item.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.speakerId);
  });
  document.addEventListener("dragend", function () { if (dragged) dragged.classList.remove("dragging"); dragged = null; });
  document.addEventListener("dragover", function (event) {
    if (dragged && event.target.closest && event.target.closest('[data-live="queue"] li')) event.preventDefault();
  });
  document.addEventListener("drop", function (event) {
    var target = event.target.closest && event.target.closest('[data-live="queue"] li[draggable="true"]');
    if (!dragged || !target || target === dragged) return;
    event.preventDefault();
    call("PATCH", "/speakers/" + dragged.dataset.speakerId, { position: Number(target.dataset.position) });
  });

  document.addEventListener("change", function (event) {
    var box = event.target.closest("input[data-option]");
    if (!box) return;
    var body = {};
    body[box.dataset.option] = box.checked;
    call("PATCH", "/sessions/" + config.session_id + "/live/options", body);
  });

  var secondsForm = document.getElementById("seconds-form");
  if (secondsForm) secondsForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var c = current();
    var value = Number(secondsForm.querySelector("input").value);
    if (c && value > 0) call("PATCH", "/speakers/" + c.speaker_id, { seconds_allowed: value });
  });

  var summaryForm = document.getElementById("summary-form");
  if (summaryForm) summaryForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var c = current();
    if (c) call("PATCH", "/speakers/" + c.speaker_id, { summary: summaryForm.querySelector("textarea").value });
  });

  var addForm = document.getElementById("add-speaker-form");
  if (addForm) addForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var userId = Number(addForm.querySelector("select").value);
    if (userId) call("POST", "/sessions/" + config.session_id + "/speakers", { user_id: userId });
  });
})();
