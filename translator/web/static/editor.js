// The editor's keys and character buttons: plain JavaScript, no framework, nothing fetched.
// A plural unit has one field per plural form; the buttons act on the field last focused.
(function () {
  "use strict";
  var fields = document.querySelectorAll("#save textarea.translation");
  var form = document.getElementById("save");
  if (!fields.length || !form) { return; }
  var area = fields[0];
  fields.forEach(function (field) {
    field.addEventListener("focus", function () { area = field; });
  });

  function insert(text) {
    var start = area.selectionStart, end = area.selectionEnd;
    area.value = area.value.slice(0, start) + text + area.value.slice(end);
    area.selectionStart = area.selectionEnd = start + text.length;
    area.focus();
  }

  document.querySelectorAll("[data-insert]").forEach(function (button) {
    button.addEventListener("click", function () { insert(button.getAttribute("data-insert")); });
  });
  var copy = document.getElementById("copy-source");
  // each field carries the English it is made from: the singular or the plural
  function copySource() { area.value = area.getAttribute("data-english"); area.focus(); }
  if (copy) { copy.addEventListener("click", copySource); }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey && event.key === "Enter") {
      event.preventDefault();
      form.requestSubmit(form.querySelector('button[value="translated"]'));
    } else if (event.altKey && event.key === "ArrowDown") {
      var next = document.getElementById("next");
      if (next) { event.preventDefault(); window.location.href = next.href; }
    } else if (event.altKey && (event.key === "c" || event.key === "C")) {
      event.preventDefault();
      copySource();
    }
  });
})();
