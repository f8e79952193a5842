// Small behaviours for the clinic screens. Loaded from /static: the CSP allows no inline script.
(function () {
  "use strict";

  // Destructive actions ask first: <form data-confirm="Cancel this appointment?">, or a button of its own
  // in a form with several (<button formaction=… data-confirm=…>). They ask only once the form is complete:
  // a novalidate form still submits with a required field empty, and asking before the browser says the
  // reason is missing had the user confirm for nothing. Such a form shows the browser's message instead
  // (a button with formnovalidate sends without the check, and asks).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) || (form.getAttribute && form.getAttribute("data-confirm"));
    if (!question) {
      return;
    }
    var checked = !(button && button.hasAttribute("formnovalidate"));
    if (checked && form.checkValidity && !form.checkValidity()) {
      event.preventDefault();
      form.reportValidity();
      return;
    }
    if (!window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  // A select whose choices depend on another field of its form: <select data-limited-by="procedure_type_id
  // stages"> offers only the values the chosen option of the field named procedure_type_id (or "<prefix>-
  // procedure_type_id") lists in its data-stages ("" for none: only the blank choice). With no such list
  // (nothing chosen yet) everything is offered. A choice no longer offered is cleared when the procedure
  // changes (not on loading: a refused choice is shown again with its message).
  function limitChoices(select, clear) {
    var spec = (select.getAttribute("data-limited-by") || "").split(" ");
    var source = select.form && Array.prototype.find.call(select.form.elements, function (el) {
      return el.name === spec[0] || el.name.slice(-(spec[0].length + 1)) === "-" + spec[0];
    });
    var chosen = source && source.options ? source.options[source.selectedIndex] : null;
    var listed = chosen ? chosen.getAttribute("data-" + spec[1]) : null;
    var allowed = listed === null ? null : listed.split(" ").filter(Boolean);
    Array.prototype.forEach.call(select.options, function (option) {
      var off = allowed !== null && option.value !== "" && allowed.indexOf(option.value) < 0;
      option.hidden = off;
      option.disabled = off && (clear || !option.selected);  // a disabled choice would not be sent
    });
    select.querySelectorAll("optgroup").forEach(function (group) {
      group.hidden = !Array.prototype.some.call(group.children, function (option) { return !option.hidden; });
    });
    if (clear && select.selectedIndex >= 0 && select.options[select.selectedIndex].disabled) {
      select.value = "";
    }
  }
  document.querySelectorAll("select[data-limited-by]").forEach(function (select) {
    limitChoices(select, false);
    var name = select.getAttribute("data-limited-by").split(" ")[0];
    select.form && select.form.addEventListener("change", function (event) {
      var field = event.target.name || "";
      if (field === name || field.slice(-(name.length + 1)) === "-" + name) {
        limitChoices(select, true);
      }
    });
  });

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

  // The observation board refreshes its cards: <div data-board-refresh="URL of the cards"
  // data-refresh-seconds="30">, each card <div data-board-card="key" data-appointment="id">. A card the
  // nurse is editing (focus inside, or a field changed and not yet saved, or a step refused and shown
  // again with what was typed: data-refused) keeps its forms: only its parts marked data-live (header,
  // timers, checks) are replaced. window.clinicBoard.refresh() runs one.
  var board = document.querySelector("[data-board-refresh]");
  function edited(card) {
    if (card.querySelector("[data-refused]")) {
      return true;
    }
    var active = document.activeElement;
    if (active && card.contains(active) && active.matches("input, select, textarea")) {
      return true;
    }
    return Array.prototype.some.call(card.querySelectorAll("input, select, textarea"), function (el) {
      if (el.type === "hidden" || el.type === "submit") {
        return false;
      }
      if (el.type === "checkbox" || el.type === "radio") {
        return el.checked !== el.defaultChecked;
      }
      if (el.tagName === "SELECT") {
        // With no option marked selected in the page, the first one is the default.
        var initial = Array.prototype.findIndex.call(el.options, function (o) { return o.defaultSelected; });
        return el.selectedIndex !== Math.max(initial, 0);
      }
      return el.value !== el.defaultValue;
    });
  }
  function merge(fresh) {
    // Moving the edited card into the fresh board takes it out of the page for a moment, and the field
    // being typed in loses the focus (walk 25: the next words went nowhere): given back afterwards, with
    // the cursor where it was.
    var active = document.activeElement;
    var typing = active && board.contains(active) && active.matches("input, select, textarea") ? active : null;
    var caret = null;
    try {
      caret = typing ? [typing.selectionStart, typing.selectionEnd, typing.selectionDirection] : null;
    } catch (error) { /* a field with no cursor (a number, a checkbox) */ }
    fresh.querySelectorAll("[data-board-card]").forEach(function (card) {
      var key = card.getAttribute("data-board-card");
      var old = board.querySelector('[data-board-card="' + key + '"]');
      if (!old || old.getAttribute("data-appointment") !== card.getAttribute("data-appointment") || !edited(old)) {
        return;
      }
      old.querySelectorAll("[data-live]").forEach(function (part) {
        var update = card.querySelector('[data-live="' + part.getAttribute("data-live") + '"]');
        if (update) {
          part.replaceWith(update);
        }
      });
      var timer = card.querySelector("[data-overdue-after]");
      var oldTimer = old.querySelector("[data-overdue-after]");
      if (timer && oldTimer) {
        oldTimer.setAttribute("data-overdue-after", timer.getAttribute("data-overdue-after"));
      }
      card.replaceWith(old);  // the edited card, with its typed values, moves into the fresh board
    });
    board.replaceChildren.apply(board, Array.prototype.slice.call(fresh.childNodes));
    if (typing && board.contains(typing) && document.activeElement !== typing) {
      typing.focus({ preventScroll: true });
      if (caret && caret[0] !== null) {
        try { typing.setSelectionRange(caret[0], caret[1], caret[2]); } catch (error) { /* no cursor */ }
      }
    }
    tick();
  }
  function refresh() {
    return fetch(board.getAttribute("data-board-refresh"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("board refresh answered " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = document.createElement("div");
        fresh.innerHTML = html;
        merge(fresh);
      })
      .catch(function () { /* the next refresh tries again; the board stays as it is */ });
  }
  if (board) {
    var seconds = parseFloat(board.getAttribute("data-refresh-seconds")) || 30;
    window.clinicBoard = { refresh: refresh };
    window.setInterval(refresh, seconds * 1000);
  }
})();
