// After htmx puts a form back with its errors, move focus to the summary of the problems, as
// the page's own autofocus does when the server sends a whole page.
document.addEventListener("htmx:afterSettle", function () {
  "use strict";
  var summary = document.querySelector(".error-summary:not([data-focused])");
  if (summary) {
    summary.setAttribute("data-focused", "");
    summary.focus();
  }
});
