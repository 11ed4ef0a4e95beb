// Progressive enhancement only: every control works as a plain form or link without this file.
(function () {
  "use strict";

  // Hearts toggle in place: the same form, sent with fetch, answered with JSON.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-heart]") || !window.fetch) return;
    event.preventDefault();
    var button = form.querySelector("button.heart");
    var wanted = form.elements.favorite.value === "1";
    button.disabled = true;
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then(function (answer) {
      var on = Boolean(answer.favorite);
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.title = on ? button.dataset.labelOn : button.dataset.labelOff;
      form.elements.favorite.value = on ? "0" : "1";
      var count = document.querySelector('[data-count="favorites"]');
      if (count && on === wanted) {
        var n = parseInt(count.textContent.replace(/\D/g, ""), 10);
        if (!isNaN(n)) count.textContent = String(Math.max(0, n + (on ? 1 : -1)));
      }
    }).catch(function () {
      form.submit();  // fall back to the plain post
    }).finally(function () {
      button.disabled = false;
    });
  });

  // Copy buttons for email and phone.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) return;
    var value = button.dataset.copy;
    var done = function () {
      var label = button.textContent;
      button.textContent = button.dataset.done;
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(value).then(done, function () { fallback(value); done(); });
    } else {
      fallback(value);
      done();
    }
  });

  function fallback(value) {
    var area = document.createElement("textarea");
    area.value = value;
    area.setAttribute("readonly", "");
    area.style.position = "absolute";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more we can do */ }
    document.body.removeChild(area);
  }

  // Suggested partners: choosing one sets the Partner field in place (without this, the form is re-shown).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-pick]");
    var form = button && button.form;
    var select = form && form.querySelector("select[data-partner-select]");
    if (!select) return;
    event.preventDefault();
    select.value = button.dataset.pick;
    form.querySelectorAll("button[data-pick]").forEach(function (other) {
      var on = other === button;
      other.setAttribute("aria-pressed", on ? "true" : "false");
      other.textContent = on ? other.dataset.chosen : other.dataset.choose;
      other.closest(".suggestion").classList.toggle("chosen", on);
    });
    var status = form.querySelector("[data-pick-status]");
    if (status) status.textContent = button.dataset.chosen;
  });

  // A form with errors: move focus to its first invalid field.
  var invalid = document.querySelector('[aria-invalid="true"]');
  if (invalid) {
    var target = invalid.matches("fieldset") ? invalid.querySelector("input") : invalid;
    if (target) target.focus();
  }
})();
