/* While an invitee types a submission, the session's accepted submissions that ask the same thing appear under
   the text, and one can be supported instead of sending the same again. Nothing typed is touched. Without
   JavaScript the form works as before, with no suggestions. */
(function () {
  "use strict";
  var box = document.querySelector("[data-similar]");
  var body = document.getElementById("body");
  if (!box || !body || !window.Dialogue) return;
  var list = box.querySelector("[data-similar-list]");
  var status = box.querySelector("[data-similar-status]");
  var MIN_CHARS = 15;    // fewer says too little to compare
  var MAX_CHARS = 500;   // the beginning of a long draft says what it asks, and keeps the URL short
  var WAIT_MS = 700;     // after the last key press
  var timer = null;
  var asked = 0;
  var lastText = null;

  function msg(name, values) {
    var text = box.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (key) { text = text.split("{" + key + "}").join(values[key]); });
    return text;
  }

  function urlFor(attribute, id) {
    return box.getAttribute(attribute).replace(/\/0(\/|$)/, "/" + id + "$1");
  }

  function draft() {
    var text = body.value.replace(/\s+/g, " ").trim();
    if (text.length > MAX_CHARS) {
      text = text.slice(0, MAX_CHARS);
      var cut = text.lastIndexOf(" ");
      if (cut > MAX_CHARS / 2) text = text.slice(0, cut);
    }
    return text;
  }

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", !!isError);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function row(item) {
    var li = element("li");
    li.setAttribute("data-question-id", item.id);
    li.appendChild(element("div", "similar-head", "#" + item.id + " " + item.kind_label + " · " + item.topic));
    var excerpt = item.body.length > 280 ? item.body.slice(0, 277) + "…" : item.body;
    li.appendChild(element("p", "similar-body", excerpt));
    var actions = element("div", "similar-actions");
    actions.appendChild(element("span", "muted", msg("supporters", { n: item.supporters })));
    if (item.mine) {
      actions.appendChild(element("span", "muted", msg("mine")));
    } else if (item.can_support) {
      if (item.supported) actions.appendChild(element("span", "", msg("supported")));
      var button = element("button", "small", item.supported ? msg("unsupport") : msg("support"));
      button.type = "button";
      button.addEventListener("click", function () { toggle(item, button, li); });
      actions.appendChild(button);
    }
    var link = element("a", "", msg("view", { id: item.id }));
    link.href = urlFor("data-detail-url", item.id);
    link.target = "_blank";
    link.rel = "noopener";
    actions.appendChild(link);
    li.appendChild(actions);
    return li;
  }

  function show(items) {
    while (list.firstChild) list.removeChild(list.firstChild);
    items.forEach(function (item) { list.appendChild(row(item)); });
    box.hidden = items.length === 0 && !status.textContent;
  }

  function toggle(item, button, li) {
    var wanted = !item.supported;
    button.disabled = true;
    window.Dialogue.fetchJSON(urlFor("data-support-url", item.id), { method: "POST", body: { supported: wanted } })
      .then(function (data) {
        item.supported = data.supported;
        item.supporters = data.supporters;
        var fresh = row(item);
        li.parentNode.replaceChild(fresh, li);
        say(msg(wanted ? "done" : "undone", { id: item.id }), false);
        var again = fresh.querySelector("button");
        if (again) again.focus();
      })
      .catch(function (error) {
        button.disabled = false;
        say(msg("error") + " " + error.message, true);
      });
  }

  function ask() {
    var text = draft();
    if (text === lastText) return;
    lastText = text;
    var mine = ++asked;
    if (text.length < MIN_CHARS) { show([]); return; }
    var url = box.getAttribute("data-url") + "?text=" + encodeURIComponent(text);
    window.Dialogue.fetchJSON(url)
      .then(function (data) { if (mine === asked) show(data.items || []); })
      .catch(function () { if (mine === asked) show([]); });  // no suggestions is the page without them
  }

  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, WAIT_MS);
  });
  if (draft().length >= MIN_CHARS) ask();  // the form shown again with what was typed
})();
