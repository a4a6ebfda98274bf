// Progressive enhancement for /tell/: a live character counter and one submit only.
(function () {
  document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
    var out = document.getElementById(area.dataset.counter);
    var max = parseInt(area.getAttribute("maxlength"), 10);
    function update() {
      var left = max - area.value.length;
      out.textContent = left + " character" + (left === 1 ? "" : "s") + " left";
    }
    area.addEventListener("input", update);
    update();
  });
  document.querySelectorAll("form button[data-once]").forEach(function (button) {
    button.form.addEventListener("submit", function () {
      setTimeout(function () { button.disabled = true; }, 0);
    });
  });
})();
