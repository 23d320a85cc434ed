// The progress page of a job: polls its status URL, then offers (and starts) the download.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var state = box.querySelector(".job-state");
  var bar = box.querySelector("progress");
  var link = box.querySelector(".job-file");
  var delay = 500;

  function show(job) {
    var p = job.progress || {done: 0, total: 1};
    bar.max = Math.max(p.total, 1);
    bar.value = p.done;
    if (job.state === "running") {
      state.textContent = box.dataset.running
        .replace("{done}", String(p.done)).replace("{total}", String(p.total));
    } else if (job.state === "failed") {
      var reason = document.createElement("bdi");  // the job's own words, their own direction
      reason.textContent = job.said || job.message;  // said in the reader's language
      state.replaceChildren(box.dataset.failed + " ", reason);
    } else if (job.state === "done") {
      bar.value = bar.max;
      state.textContent = box.dataset.done;
    } else {
      state.textContent = box.dataset.queued;
    }
  }

  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (job) {
        show(job);
        if (job.state === "done" && job.result) {
          link.href = job.result;
          link.hidden = false;
          window.location.assign(job.result);
        } else if (job.state !== "failed") {
          delay = Math.min(delay * 1.5, 3000);
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        state.textContent = box.dataset.lost;
        window.setTimeout(poll, 3000);
      });
  }
  window.setTimeout(poll, 300);
}());
