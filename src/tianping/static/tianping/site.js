/* Tianping's page behaviours, by data- attributes and event delegation: the Content-Security-Policy
   allows no inline script, so no template carries an on…= handler or a <script> body.

   data-autosubmit        on a select or input: submit its form when it changes
   data-print             on a button: print the page
   data-confirm="…"       on a form (on submit) or a submit button (on click): ask first
   data-check-all="sel"   on a button: check every input matching sel inside its form
   data-tree-toggle="id"  on an htmx button of the organisation tree: fold the children in #id
   data-picker            on a picker's text box (lib/pickers.py): its search fills the list
                          named by aria-controls; a click, or arrows and Enter, take a match
   data-picker-multi="n"  on a picker for several: a match becomes a checked box named n
*/
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      el.form.submit();
    }
  });

  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-print], [data-check-all], button[data-confirm]") : null;
    if (!el) return;
    if (el.hasAttribute("data-print")) {
      window.print();
    } else if (el.hasAttribute("data-check-all")) {
      var scope = el.closest("form") || document;
      scope.querySelectorAll(el.getAttribute("data-check-all")).forEach(function (input) {
        input.checked = true;
      });
    } else if (!window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // The organisation tree: a second click folds an open node instead of loading it again.
  function treeButton(event) {
    var el = event.detail && event.detail.elt;
    return el && el.matches && el.matches("[data-tree-toggle]") ? el : null;
  }

  function fold(el, open) {
    el.dataset.open = open ? "1" : "0";
    el.setAttribute("aria-expanded", open ? "true" : "false");
    el.textContent = open ? "\u25be" : "\u25b8";
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var el = treeButton(event);
    if (!el) return;
    var config = event.detail.requestConfig;
    var byClick = config && config.triggeringEvent && config.triggeringEvent.type === "click";
    if (byClick && el.dataset.open === "1") {
      event.preventDefault();
      fold(el, false);
      var kids = document.getElementById(el.getAttribute("data-tree-toggle"));
      if (kids) kids.innerHTML = "";
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var el = treeButton(event);
    if (el) fold(el, true);
  });

  // Pickers: the box searches as one types (htmx); the list below it offers the matches.
  function pickerList(input) {
    return document.getElementById(input.getAttribute("aria-controls"));
  }

  function closePicker(input) {
    var list = pickerList(input);
    if (list) list.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function choose(input, item) {
    var label = item.getAttribute("data-pick");
    var many = input.getAttribute("data-picker-multi");
    if (many) {
      // Several choices: each becomes a checked box beside the search box.
      var chosen = document.getElementById(input.id + "-chosen");
      var taken = Array.prototype.some.call(chosen.querySelectorAll("input"), function (box) {
        return box.value === label;
      });
      if (!taken) {
        var chip = document.createElement("label");
        chip.className = "picker-chip";
        var box = document.createElement("input");
        box.type = "checkbox";
        box.name = many;
        box.value = label;
        box.checked = true;
        chip.appendChild(box);
        chip.appendChild(document.createTextNode(" " + label));
        chosen.appendChild(chip);
      }
      input.value = "";
    } else {
      input.value = label;
    }
    closePicker(input);
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function highlight(input, step) {
    var list = pickerList(input);
    var items = list ? Array.prototype.slice.call(list.querySelectorAll("[data-pick]")) : [];
    if (!items.length) return;
    var at = items.findIndex(function (li) { return li.getAttribute("aria-selected") === "true"; });
    var next = items[(at + step + items.length) % items.length];
    items.forEach(function (li) { li.setAttribute("aria-selected", li === next ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", next.id);
    next.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    if (!list.matches || !list.matches(".picker-options")) return;
    var input = list.parentNode.querySelector("[data-picker]");
    if (input && document.activeElement !== input) {
      list.innerHTML = "";  // the answer came after the user moved on
      return;
    }
    if (input) input.setAttribute("aria-expanded", list.children.length ? "true" : "false");
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-picker]")) return;
    var open = input.getAttribute("aria-expanded") === "true";
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open) return;
      event.preventDefault();
      highlight(input, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && open) {
      var list = pickerList(input);
      var item = list && list.querySelector('[data-pick][aria-selected="true"]');
      if (item) {
        event.preventDefault();
        choose(input, item);
      }
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      closePicker(input);
    }
  });

  // mousedown, not click: the box must not lose focus (and close the list) first.
  document.addEventListener("mousedown", function (event) {
    var item = event.target.closest ? event.target.closest(".picker-options [data-pick]") : null;
    if (!item) return;
    event.preventDefault();
    var input = item.closest(".picker").querySelector("[data-picker]");
    if (input) choose(input, item);
  });

  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (input.matches && input.matches("[data-picker]")) closePicker(input);
  });
})();
