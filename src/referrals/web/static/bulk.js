// Bulk actions, progressive enhancement only: the list's bar and the job page work as plain forms and links.
(function () {
  "use strict";

  // The list: say how many rows are chosen; "all matching this view" chooses every row and says so.
  var bar = document.querySelector("form[data-bulk]");
  if (bar) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("input[data-bulk-row]"));
    var all = bar.querySelector("[data-bulk-all]");
    var status = bar.querySelector("[data-bulk-status]");
    var update = function () {
      var chosen = rows.filter(function (box) { return box.checked; }).length;
      if (all && all.checked) {
        status.textContent = bar.dataset.all;
      } else {
        status.textContent = chosen ? bar.dataset.some + " " + chosen : bar.dataset.none;
      }
      bar.classList.toggle("active", Boolean(chosen || (all && all.checked)));
    };
    if (all) {
      all.addEventListener("change", function () {
        rows.forEach(function (box) { box.checked = all.checked; });
        update();
      });
    }
    rows.forEach(function (box) {
      box.addEventListener("change", function () {
        if (all && !box.checked) all.checked = false;
        update();
      });
    });
    update();
  }

  // A job's page: follow its progress from the JSON API (the session cookie, with the CSRF token), then show the
  // results by loading the page again.
  var job = document.querySelector("[data-bulk-job]");
  if (job && job.dataset.done !== "true" && window.fetch) {
    var headers = { "Accept": "application/json", "X-CSRF-Token": job.dataset.csrf || "" };
    var bar_ = job.querySelector("[data-bulk-progress]");
    var text = job.querySelector("[data-bulk-progress-text]");
    var refresh = job.querySelector("[data-bulk-refresh]");
    if (refresh) refresh.hidden = true;
    var poll = function () {
      fetch("/api/v1/leads/bulk/" + encodeURIComponent(job.dataset.bulkJob) + "?limit=1",
            { credentials: "same-origin", headers: headers })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (state) {
          bar_.max = state.total;
          bar_.value = state.processed;
          text.textContent = state.processed + " / " + state.total;
          if (state.status === "done") {
            window.location.reload();
          } else {
            setTimeout(poll, 1500);
          }
        })
        .catch(function () {
          if (refresh) refresh.hidden = false;  // fall back to the plain link
        });
    };
    setTimeout(poll, 1000);
  }
})();
