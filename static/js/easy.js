// The easy-read pages (docs/easy-read.md) work without this script. With it: a send
// button pressed once stays pressed (the server makes one story per submission key
// anyway), and at a kiosk the pages go back to the kiosk's start after a while without
// a touch, so the next person never finds what someone else wrote.
(function () {
  "use strict";
  document.querySelectorAll("form button[data-once]").forEach(function (button) {
    button.form.addEventListener("submit", function () {
      setTimeout(function () { button.disabled = true; }, 0);
    });
  });
  var box = document.querySelector("[data-easy-idle]");
  if (!box) { return; }
  var seconds = parseInt(box.getAttribute("data-easy-idle"), 10);
  var again = box.getAttribute("data-easy-again");
  if (!seconds || !again) { return; }
  var timer = null;
  function restart() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { window.location.replace(again); }, seconds * 1000);
  }
  ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach(function (name) {
    document.addEventListener(name, restart, { passive: true });
  });
  restart();
})();
