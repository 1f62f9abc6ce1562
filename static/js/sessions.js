/* The invitee list's print button (inline handlers are refused by the page's security policy). */
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (button) button.addEventListener("click", function () { window.print(); });
})();
