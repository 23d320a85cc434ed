// The editor's keys and character buttons: plain JavaScript, no framework, nothing fetched.
(function () {
  "use strict";
  var area = document.getElementById("translation");
  var form = document.getElementById("save");
  if (!area || !form) { return; }

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
  var source = document.getElementById("source");
  function copySource() { area.value = source.textContent; area.focus(); }
  if (copy && source) { copy.addEventListener("click", copySource); }

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
