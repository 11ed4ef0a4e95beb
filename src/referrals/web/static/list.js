// The lead list, progressive enhancement only: without this file the country filter is a plain multiple select and
// every link and form works as it is. With it: a type-ahead country picker with chips, and keyboard shortcuts
// (j/k move, Enter opens, f hearts, / searches, ? lists the keys).
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // -- the country filter: a text box that suggests countries, the chosen ones as removable chips --------------
  // The hidden <select multiple> stays the form's field: choosing or removing a country selects or deselects its
  // option, so the form sends exactly what it sent before.
  function countryPicker(field) {
    var select = field.querySelector("select");
    var label = field.querySelector("label");
    if (!select || !label) return;
    var options = Array.prototype.slice.call(select.options);
    var box = document.createElement("div");
    box.className = "country-box";
    var chips = document.createElement("span");
    chips.className = "country-chips";
    var input = document.createElement("input");
    input.type = "text";
    input.id = select.id + "-search";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    var list = document.createElement("ul");
    list.id = select.id + "-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    box.appendChild(chips);
    box.appendChild(input);
    box.appendChild(list);
    select.hidden = true;
    select.after(box);
    label.htmlFor = input.id;
    var active = -1;

    function drawChips() {
      chips.textContent = "";
      options.filter(function (o) { return o.selected; }).forEach(function (option) {
        var chip = document.createElement("span");
        chip.className = "chip";
        chip.dataset.country = option.value;
        chip.appendChild(document.createTextNode(option.text));
        var remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "×";
        remove.setAttribute("aria-label", field.dataset.remove + ": " + option.text);
        remove.addEventListener("click", function () {
          option.selected = false;
          drawChips();
          input.focus();
        });
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function suggest() {
      var typed = fold(input.value.trim());
      list.textContent = "";
      if (!typed) { close(); return; }
      var found = options.filter(function (o) {
        return !o.selected && (fold(o.text).indexOf(typed) !== -1 || o.value.toLowerCase() === typed);
      });
      found.sort(function (a, b) { return fold(a.text).indexOf(typed) === 0 ? (fold(b.text).indexOf(typed) === 0 ? 0 : -1) : (fold(b.text).indexOf(typed) === 0 ? 1 : 0); });
      found.slice(0, 8).forEach(function (option, index) {
        var item = document.createElement("li");
        item.id = list.id + "-" + option.value;
        item.setAttribute("role", "option");
        item.dataset.value = option.value;
        item.textContent = option.text;
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();  // keep the focus in the text box
          choose(option);
        });
        list.appendChild(item);
        if (index === 0) item.setAttribute("aria-selected", "true");
      });
      if (!found.length) {
        var none = document.createElement("li");
        none.className = "none";
        none.textContent = field.dataset.none;
        list.appendChild(none);
      }
      active = found.length ? 0 : -1;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      mark();
    }

    function items() { return Array.prototype.slice.call(list.querySelectorAll("[role=option]")); }

    function mark() {
      items().forEach(function (item, index) { item.setAttribute("aria-selected", index === active ? "true" : "false"); });
      var current = items()[active];
      if (current) input.setAttribute("aria-activedescendant", current.id);
    }

    function choose(option) {
      option.selected = true;
      input.value = "";
      close();
      drawChips();
      input.focus();
    }

    input.addEventListener("input", suggest);
    input.addEventListener("blur", close);
    input.addEventListener("keydown", function (event) {
      var shown = items();
      if (event.key === "ArrowDown" && shown.length) {
        event.preventDefault();
        active = (active + 1) % shown.length;
        mark();
      } else if (event.key === "ArrowUp" && shown.length) {
        event.preventDefault();
        active = (active - 1 + shown.length) % shown.length;
        mark();
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();  // choose, do not send the form
        choose(select.querySelector('option[value="' + shown[active].dataset.value + '"]'));
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      } else if (event.key === "Backspace" && !input.value) {
        var chosen = options.filter(function (o) { return o.selected; });
        if (chosen.length) {
          chosen[chosen.length - 1].selected = false;
          drawChips();
        }
      }
    });
    drawChips();
  }

  document.querySelectorAll("[data-countries]").forEach(countryPicker);

  // -- keyboard shortcuts ---------------------------------------------------------------------------------------
  var table = document.querySelector("[data-keys-list]");
  var dialog = document.querySelector("dialog[data-keys]");
  var opener = document.querySelector("[data-keys-open]");
  var search = document.querySelector("[data-key-search]");
  if (opener && dialog && dialog.showModal) {
    opener.hidden = false;
    opener.addEventListener("click", function () { dialog.showModal(); });
  }

  function rows() { return table ? Array.prototype.slice.call(table.tBodies[0].rows) : []; }

  function currentRow() {
    var focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("tr[data-lead-id]");
    return focused || (table && table.querySelector("tr.current"));
  }

  function moveTo(row) {
    rows().forEach(function (r) { r.classList.toggle("current", r === row); });
    var link = row.querySelector("[data-row-link]");
    if (link) link.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  function typing(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (dialog && dialog.open) return;  // Escape closes it (the browser's own)
    var all = rows();
    var row = currentRow();
    var index = row ? all.indexOf(row) : -1;
    if (event.key === "j" && all.length) {
      event.preventDefault();
      moveTo(all[Math.min(index + 1, all.length - 1)]);
    } else if (event.key === "k" && all.length) {
      event.preventDefault();
      moveTo(all[Math.max(index - 1, 0)]);
    } else if (event.key === "f" && row) {
      var heart = row.querySelector("form[data-heart]");
      if (heart) {
        event.preventDefault();
        if (heart.requestSubmit) heart.requestSubmit(); else heart.submit();
      }
    } else if (event.key === "/" && search) {
      event.preventDefault();
      search.focus();
      search.select();
    } else if (event.key === "?" && dialog && dialog.showModal) {
      event.preventDefault();
      dialog.showModal();
    }
  });

  // Enter opens the current lead: its link has the focus (j/k put it there), so the browser follows it. A row
  // chosen by a click on its empty space gets the same.
  if (table) {
    table.addEventListener("click", function (event) {
      var row = event.target.closest("tr[data-lead-id]");
      if (row && event.target === event.target.closest("td")) moveTo(row);
    });
  }

  // -- the counts the page is served without (web/pages/leads.py): the saved views' chips and, under a filter,
  // the other tabs, from one request once the page is shown. Without this file the chips show their names alone.
  function countSpan(text, tab) {
    var span = document.createElement("span");
    span.className = "count";
    span.textContent = text;
    if (tab) span.setAttribute("data-count", tab);
    return span;
  }

  function fillIn(link, text, tab) {
    if (!link || link.querySelector(".count")) return;
    link.appendChild(document.createTextNode(" "));
    link.appendChild(countSpan(text, tab));
  }

  var counted = document.querySelector("[data-counts-url]");
  if (counted && window.fetch) {
    fetch(counted.getAttribute("data-counts-url"), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (found) {
        if (!found) return;
        Object.keys(found.tabs).forEach(function (tab) {
          fillIn(counted.querySelector('.tabs a[data-tab="' + tab + '"]'), found.tabs[tab], tab);
        });
        Object.keys(found.views).forEach(function (id) {
          fillIn(counted.querySelector('.views a[data-view-id="' + id + '"]'), found.views[id]);
        });
        counted.setAttribute("data-counted", "");
      })
      .catch(function () { /* the page works without the counts */ });
  }
})();
