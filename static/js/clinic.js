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

  // A section of an accordion named in the address (#i-esc, after saving it) opens again, so that a
  // save never closes what the user is working on (post/redirect/get keeps the fragment).
  function openFromHash() {
    var id = decodeURIComponent((window.location.hash || "").slice(1));
    var target = id && document.getElementById(id);
    if (!target) {
      return;
    }
    var section = target.classList.contains("accordion-collapse") ? target : target.querySelector(".accordion-collapse");
    if (!section || section.classList.contains("show")) {
      return;
    }
    var parent = section.getAttribute("data-bs-parent");
    if (parent) {
      document.querySelectorAll(parent + " .accordion-collapse.show").forEach(function (other) {
        other.classList.remove("show");
      });
    }
    section.classList.add("show");
    document.querySelectorAll("[data-bs-target='#" + section.id + "']").forEach(function (button) {
      button.classList.remove("collapsed");
      button.setAttribute("aria-expanded", "true");
    });
    section.closest(".accordion-item").scrollIntoView({block: "start"});
  }
  openFromHash();
  window.addEventListener("hashchange", openFromHash);

  // Print buttons: <button data-print>.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  // Live clocks on the observation board: <span data-since="ISO instant">. They run on the server's clock
  // (the page says its time in <body data-server-now>), not the device's, which may be off.
  var serverNow = Date.parse(document.body.getAttribute("data-server-now") || "");
  var clockOffset = isNaN(serverNow) ? 0 : serverNow - Date.now();
  function tick() {
    var now = Date.now() + clockOffset;
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

  // Drag and drop onto <div data-dropzone> containing a file input.
  document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragover"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragover"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (input && event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        var label = zone.querySelector("[data-dropzone-count]") || zone;
        label.setAttribute("data-files", event.dataTransfer.files.length + " file(s) ready to upload");
      }
    });
  });
  document.addEventListener("htmx:afterSwap", tick);
})();
