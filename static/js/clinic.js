// Small behaviours for the clinic screens. Loaded from /static: the CSP allows no inline script.
(function () {
  "use strict";

  // Destructive actions ask first: <form data-confirm="Cancel this appointment?">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  // Elements with data-href navigate on click and on Enter (table rows, calendar blocks).
  document.addEventListener("click", function (event) {
    var row = event.target.closest("[data-href]");
    if (row && !event.target.closest("a, button, input, select, textarea, form")) {
      window.location = row.getAttribute("data-href");
    }
  });
  document.addEventListener("keydown", function (event) {
    var row = event.target.closest && event.target.closest("[data-href]");
    if (row && event.key === "Enter") {
      window.location = row.getAttribute("data-href");
    }
  });

  // Print buttons: <button data-print>.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  // Live clocks on the observation board: <span data-since="ISO instant">.
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var start = Date.parse(el.getAttribute("data-since"));
      if (!isNaN(start)) {
        var minutes = Math.max(0, Math.floor((now - start) / 60000));
        el.textContent = minutes + " min";
      }
    });
    document.querySelectorAll("[data-overdue-after]").forEach(function (el) {
      var end = Date.parse(el.getAttribute("data-overdue-after"));
      if (!isNaN(end)) {
        el.classList.toggle("overdue", now > end);
      }
    });
  }
  tick();
  window.setInterval(tick, 15000);
  document.addEventListener("htmx:afterSwap", tick);
})();
