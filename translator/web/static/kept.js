// The page of a save the desk could not take (503): the editor kept what it sent in this
// browser; send it again every Retry-After seconds until the desk answers, then go where the
// save leads (the editor, which shows the text saved, or the next unit).
(function () {
  "use strict";
  var box = document.getElementById("kept");
  if (!box) { return; }
  var key = "desk-unsaved:" + location.pathname;
  var kept = null;
  try { kept = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return; }
  if (!kept || !kept.fields) { return; }
  box.hidden = false;
  box.querySelector(".kept-text").textContent = kept.fields
    .filter(function (pair) { return /^text(_\d+)?$/.test(pair[0]); })
    .map(function (pair) { return pair[1]; }).join("\n");
  var wait = Math.max(1, Number(box.getAttribute("data-retry")) || 5) * 1000;

  function again() {
    var body = new URLSearchParams();
    kept.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    fetch(location.pathname, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (response.status >= 500) { window.setTimeout(again, wait); return; }
        location.href = response.url;  // a save answers with the editor (or the next unit)
      })
      .catch(function () { window.setTimeout(again, wait); });
  }
  window.setTimeout(again, wait);
})();
