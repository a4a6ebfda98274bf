// The story search's filters: open on wide screens, folded on narrow ones. The stylesheet
// already shows them on wide screens without JavaScript; this keeps the <details> element's
// own state in step, so assistive technology hears "expanded" when they are shown.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 40rem)");
  function fit() {
    document.querySelectorAll("details.search-filters").forEach(function (details) {
      if (wide.matches) {
        details.open = true;
      } else if (!details.hasAttribute("data-errors")) {
        details.open = false;
      }
    });
  }
  fit();
  wide.addEventListener("change", fit);
})();
