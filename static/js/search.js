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

// A date's boxes search only once all three are filled in (or all emptied): moving from Day
// to Month must not search for half a date and show an error. "Apply filters" always does.
document.addEventListener(
  "change",
  function (event) {
    "use strict";
    var date = event.target.closest && event.target.closest(".story-search .date-input");
    if (!date) {
      return;
    }
    var filled = Array.prototype.filter.call(date.querySelectorAll("input"), function (box) {
      return box.value.trim() !== "";
    }).length;
    if (filled !== 0 && filled !== 3) {
      event.stopPropagation();
    }
  },
  true
);
