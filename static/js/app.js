/* Small helpers every page may use: CSRF-aware JSON calls, one submission per form, confirmations, the menu. */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";

  function fetchJSON(url, options) {
    options = options || {};
    var headers = Object.assign({ "Accept": "application/json" }, options.headers || {});
    if (options.body !== undefined && typeof options.body !== "string") {
      options.body = JSON.stringify(options.body);
      headers["Content-Type"] = "application/json";
    }
    if (options.method && options.method !== "GET") headers["X-CSRFToken"] = csrf;
    options.headers = headers;
    options.credentials = "same-origin";
    return fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        var data = text ? JSON.parse(text) : null;
        if (!response.ok) {
          var error = new Error((data && data.error && data.error.message) || response.statusText);
          error.status = response.status; error.data = data;
          throw error;
        }
        return data;
      });
    });
  }

  // A double click submits a form once: the second press is ignored while the first is on its way.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    setTimeout(function () { form.dataset.submitting = ""; }, 4000);
  }, true);

  // The header's menu on a phone is a <details>, so it opens and closes without JavaScript. With it, the menu
  // also closes the way a menu is expected to: Escape (the focus goes back to its button), a tap outside it, or
  // the focus moving on past its last link; otherwise it would stay open over the page.
  var menu = document.getElementById("menu");
  if (menu) {
    var menuButton = menu.querySelector("summary");
    document.addEventListener("keydown", function (event) {
      if (menu.open && (event.key === "Escape" || event.key === "Esc")) {
        menu.open = false;
        menuButton.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
    menu.addEventListener("focusout", function (event) {
      if (menu.open && event.relatedTarget && !menu.contains(event.relatedTarget)) menu.open = false;
    });
  }

  window.Dialogue = { fetchJSON: fetchJSON, csrf: csrf };
})();
