// The editor's keys, buttons and live checks: plain JavaScript, no framework, nothing from
// another origin. A plural unit has one field per plural form; the buttons act on the field
// last focused. Shortcuts are read from event.code (the key's place), so that they work on any
// layout: on a Persian keyboard Alt+C gives event.key "ز", but event.code is still "KeyC".
(function () {
  "use strict";
  var fields = document.querySelectorAll("#save textarea.translation");
  var form = document.getElementById("save");
  if (!fields.length || !form) { return; }
  var area = fields[0];
  var saving = false;
  var loaded = texts();
  fields.forEach(function (field) {
    field.addEventListener("focus", function () { area = field; });
    field.addEventListener("input", scheduleCheck);
  });

  function texts() {
    return Array.prototype.map.call(fields, function (field) { return field.value; }).join("\u0000");
  }

  function edited() {
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function insert(text) {
    var start = area.selectionStart, end = area.selectionEnd;
    area.value = area.value.slice(0, start) + text + area.value.slice(end);
    area.selectionStart = area.selectionEnd = start + text.length;
    area.focus();
    edited();
  }

  function replace(text) {
    area.value = text;
    area.focus();
    area.selectionStart = area.selectionEnd = text.length;
    edited();
  }

  document.querySelectorAll("[data-insert]").forEach(function (button) {
    button.addEventListener("click", function () { insert(button.getAttribute("data-insert")); });
  });
  var suggestions = document.querySelectorAll("button.use-memory");
  suggestions.forEach(function (button) {
    button.addEventListener("click", function () { replace(button.getAttribute("data-replace")); });
  });
  var copy = document.getElementById("copy-source");
  // each field carries the English it is made from: the singular or the plural
  function copySource() { replace(area.getAttribute("data-english")); }
  if (copy) { copy.addEventListener("click", copySource); }

  // The conflict view: keep mine submits the text in the field, edit puts the cursor there.
  var editMine = document.getElementById("edit-mine");
  if (editMine) { editMine.addEventListener("click", function () { area.focus(); }); }

  function submitWith(id) {
    var button = document.getElementById(id) || form.querySelector('button[value="translated"]');
    if (button) { form.requestSubmit(button); }
  }

  function go(id) {
    var link = document.getElementById(id);
    if (link) { window.location.href = link.href; }
    return Boolean(link);
  }

  document.addEventListener("keydown", function (event) {
    var code = event.code;
    var digit = /^(Digit|Numpad)([1-3])$/.exec(code);
    var command = event.ctrlKey || event.metaKey;
    if (command && (code === "Enter" || code === "NumpadEnter")) {
      event.preventDefault();
      var approving = event.shiftKey && document.getElementById("approve-next");
      submitWith(approving ? "approve-next" : "save-next");
    } else if (command && code === "KeyS") {
      event.preventDefault();
      form.requestSubmit(form.querySelector('button[name="state"][value="translated"]'));
    } else if (digit && (event.ctrlKey || event.altKey) && !event.shiftKey) {
      var chosen = suggestions[Number(digit[2]) - 1];
      if (chosen) { event.preventDefault(); chosen.click(); }
    } else if (event.altKey && code === "ArrowDown") {
      if (go("next")) { event.preventDefault(); }
    } else if (event.altKey && code === "PageDown") {
      if (go("next-unit")) { event.preventDefault(); }
    } else if (event.altKey && code === "PageUp") {
      if (go("previous")) { event.preventDefault(); }
    } else if (event.altKey && code === "KeyC") {
      event.preventDefault();
      copySource();
    }
  });

  // Unsaved text is not lost by a click elsewhere: the browser asks first. What a save sends is
  // kept in this browser until the page shows it saved: when the desk does not answer (503), the
  // error page sends it again (kept.js), and this page offers to put it back.
  var KEPT = "desk-unsaved:" + new URL(form.action, location.href).pathname;
  var KEPT_DAYS = 7;
  form.addEventListener("submit", function (event) {
    saving = true;
    try {
      var sent = new FormData(form, event.submitter || undefined);
      var fieldsSent = [];
      sent.forEach(function (value, name) { fieldsSent.push([name, String(value)]); });
      localStorage.setItem(KEPT, JSON.stringify({ fields: fieldsSent, at: Date.now() }));
    } catch (e) { /* no storage (a private window): the save goes as before */ }
  });
  offerKept();

  function keptTexts(kept) {
    return kept.fields.filter(function (pair) { return /^text(_\d+)?$/.test(pair[0]); })
      .map(function (pair) { return pair[1]; });
  }

  function offerKept() {
    var kept = null;
    try { kept = JSON.parse(localStorage.getItem(KEPT) || "null"); } catch (e) { return; }
    if (!kept || !kept.fields) { return; }
    var typed = keptTexts(kept);
    var from = kept.fields.filter(function (pair) { return pair[0] === "version"; })[0];
    var version = form.querySelector('input[name="version"]');
    var unsaved = from && version && from[1] === version.value;  // no save since it was sent
    if (!unsaved || typed.join("\u0000") === texts() || Date.now() - kept.at > KEPT_DAYS * 864e5) {
      localStorage.removeItem(KEPT);  // saved (by this save or a later one), or too old
      return;
    }
    var box = document.getElementById("unsaved");
    if (!box) { return; }
    box.querySelector(".kept-text").textContent = typed.join("\n");
    box.hidden = false;
    document.getElementById("put-back").addEventListener("click", function () {
      typed.forEach(function (text, index) { if (fields[index]) { fields[index].value = text; } });
      var state = kept.fields.filter(function (pair) {
        return pair[0] === "state" || pair[0] === "advance";
      })[0];
      var button = state && form.querySelector(
        'button[name="' + state[0] + '"][value="' + state[1] + '"]');
      form.requestSubmit(button || undefined);
    });
  }
  window.addEventListener("beforeunload", function (event) {
    if (!saving && texts() !== loaded) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // Live checks: the failures of the text being typed, asked for once typing pauses.
  var list = document.getElementById("checks");
  var timer = null, asked = 0;
  function scheduleCheck() {
    if (!list) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(runCheck, 350);
  }

  function runCheck() {
    var body = new URLSearchParams(new FormData(form));
    body.delete("state");
    var ticket = ++asked;
    fetch(list.getAttribute("data-url"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (found) {
      if (found && ticket === asked) { show(found.checks); preview(found.display); }
    }).catch(function () { /* offline: the checks run again on save */ });
  }

  // The line under a Farsi field: the text as it reads, Latin runs and placeholders isolated
  // by the server (escaped there; only <bdi> added), so a link or %(count)d keeps its order.
  var display = document.getElementById("display");
  function preview(html) {
    if (display && typeof html === "string") { display.innerHTML = html; }
  }

  // A check's message keeps its own direction (dir="auto", as the saved list has it) and
  // each quoted piece ('(' or “Evin”) and run of brackets ("(, )") is isolated, so that a
  // bracket keeps its place and its shape inside a right-to-left message.
  var QUOTED = /('[^'\s]{1,40}'|“[^”]{1,80}”|«[^»]{1,80}»|"[^"]{1,80}"|[()[\]{}](?:[ ,]*[()[\]{}])*)/;
  function isolated(text) {
    var pieces = document.createDocumentFragment();
    String(text).split(QUOTED).forEach(function (piece, index) {
      if (!piece) { return; }
      if (index % 2) {
        var quoted = document.createElement("bdi");
        quoted.textContent = piece;
        pieces.appendChild(quoted);
      } else {
        pieces.appendChild(document.createTextNode(piece));
      }
    });
    return pieces;
  }

  function show(checks) {
    list.textContent = "";
    checks.forEach(function (failure) {
      var item = document.createElement("li");
      item.className = failure.severity;
      var name = document.createElement("strong");
      name.textContent = failure.label;
      var message = document.createElement("span");
      message.className = "check-message";
      message.dir = "auto";
      message.appendChild(isolated(failure.message));
      item.append(name, " (" + failure.severity_label + "): ", message);
      list.appendChild(item);
    });
    list.setAttribute("data-checked", String(asked));
  }

  // The translation field has the focus after loading and after saving, the cursor at its end.
  area.focus();
  area.selectionStart = area.selectionEnd = area.value.length;
})();
