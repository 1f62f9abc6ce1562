/* The projector: a full-screen button (browsers allow full screen only after a press). */
(function () {
  "use strict";
  var button = document.getElementById("fullscreen");
  if (!button) return;
  button.addEventListener("click", function () {
    var el = document.documentElement;
    if (document.fullscreenElement) { document.exitFullscreen(); return; }
    if (el.requestFullscreen) el.requestFullscreen();
  });
  document.addEventListener("fullscreenchange", function () { button.hidden = !!document.fullscreenElement; });
})();
