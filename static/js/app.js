/* Small helpers every page may use: CSRF-aware JSON calls, one submission per form, confirmations. */
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

  window.Dialogue = { fetchJSON: fetchJSON, csrf: csrf };
})();
