/* Check-in with one tap: the button posts through the API and the row changes without reloading the page (the
   plain form still works without JavaScript). Also the print button of the QR page. */
(function () {
  "use strict";
  var printButton = document.getElementById("print-page");
  if (printButton) printButton.addEventListener("click", function () { window.print(); });
  var live = window.DialogueLive;
  var list = document.getElementById("checkin-list");
  if (!live || !list) return;
  var api = live.config.api + "/sessions/" + live.config.session_id + "/checkins";
  list.addEventListener("submit", function (event) {
    var form = event.target.closest("form.checkin-form");
    if (!form || form.querySelector('input[name="undo"]')) return; // undo keeps the plain form (and its page)
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    var userId = Number(form.querySelector('input[name="user_id"]').value);
    window.Dialogue.fetchJSON(api, { method: "POST", body: { user_id: userId } })
      .then(function (data) {
        var row = document.getElementById("u" + userId);
        if (row) row.className = "present";
        var time = data.checked_in_at ? data.checked_in_at.slice(11, 16) : "";
        button.textContent = "✓ " + time;
        button.className = "small";
        var undo = document.createElement("input");
        undo.type = "hidden"; undo.name = "undo"; undo.value = "1";
        form.appendChild(undo);
        form.dataset.submitting = "";
        button.disabled = false;
        live.refresh();
      })
      .catch(function (error) { button.disabled = false; form.dataset.submitting = ""; window.alert(error.message); });
  });
})();
