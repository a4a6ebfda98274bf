// Progressive enhancement for /tell/: a live character counter, one submit only, and
// service ticks that survive a search answered after the person ticked or unticked.
(function () {
  // The service list is replaced by each search's answer, rendered from the ticks as they
  // were when the search was sent. Ticks changed since win: the box keeps the person's
  // state, and a ticked service the new answer leaves out is put back.
  var ticks = null;
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target.id !== "service-options") { return; }
    ticks = Array.prototype.map.call(
      event.detail.target.querySelectorAll("input[name=services]"),
      function (box) { return { value: box.value, checked: box.checked, option: box.closest(".checkbox") }; }
    );
  });
  document.body.addEventListener("htmx:afterSwap", function () {
    var list = document.getElementById("service-options");
    if (!ticks || !list) { return; }
    var first = list.firstElementChild;
    ticks.forEach(function (tick) {
      var box = list.querySelector('input[name=services][value="' + tick.value + '"]');
      if (box) {
        box.checked = tick.checked;
      } else if (tick.checked && tick.option) {
        var placeholder = list.querySelector("#services_0:not(input)");
        if (placeholder) { placeholder.remove(); }
        // Options are numbered by position: give the kept one an id of its own.
        var kept = tick.option.querySelector("input");
        var label = tick.option.querySelector("label");
        kept.id = "id_services_kept_" + tick.value;
        if (label) { label.htmlFor = kept.id; }
        list.insertBefore(tick.option, first && first.parentNode === list ? first : null);
      }
    });
    ticks = null;
  });

  // The counter's words come from the page, in its language: one for each count whose words
  // differ (data-left-1, -2, -8, -11) and one for any other, with {n} where the number goes.
  document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
    var out = document.getElementById(area.dataset.counter);
    var max = parseInt(area.getAttribute("maxlength"), 10);
    var other = out.getAttribute("data-left-other");
    if (!other) { return; }
    function update() {
      var left = max - area.value.length;
      var words = out.getAttribute("data-left-" + left) || other;
      out.textContent = words.replace("{n}", left);
    }
    area.addEventListener("input", update);
    update();
  });
  document.querySelectorAll("form button[data-once]").forEach(function (button) {
    button.form.addEventListener("submit", function () {
      setTimeout(function () { button.disabled = true; }, 0);
    });
  });

  // The Friends and Family Test question follows the services ticked: when one is ticked
  // or unticked, the questions for the services ticked now come from the server (their
  // trusts decide), with the answers already chosen kept. Without JavaScript, "Find" and
  // a send redraw them instead.
  var tellForm = document.getElementById("tell-form");
  var fieldset = document.getElementById("services-fieldset");
  if (tellForm && fieldset && tellForm.dataset.fftUrl && window.fetch) {
    var asked = 0;
    fieldset.addEventListener("change", function (event) {
      if (!event.target || event.target.name !== "services") { return; }
      var params = new URLSearchParams({ part: "fft" });
      tellForm.querySelectorAll("input[name=services]:checked").forEach(function (box) {
        params.append("services", box.value);
      });
      tellForm.querySelectorAll("input[name^=fft_]:checked").forEach(function (radio) {
        params.append(radio.name, radio.value);
      });
      var mine = ++asked;
      fetch(tellForm.dataset.fftUrl + "?" + params.toString(), {
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
      }).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (html === null || mine !== asked) { return; }  // a later tick has its own answer
        var parts = new DOMParser().parseFromString(html, "text/html");
        ["fft-before", "fft-after"].forEach(function (id) {
          var here = document.getElementById(id);
          var there = parts.getElementById(id);
          if (here && there) { here.innerHTML = there.innerHTML; }
        });
      }).catch(function () { /* the form still works: a send redraws the questions */ });
    });
  }
})();
