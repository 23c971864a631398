/* Tianping's page behaviours, by data- attributes and event delegation: the Content-Security-Policy
   allows no inline script, so no template carries an on…= handler or a <script> body.

   data-autosubmit        on a select or input: submit its form when it changes
   data-print             on a button: print the page
   data-confirm="…"       on a form (on submit) or a submit button (on click): ask first
   data-check-all="sel"   on a button: check every input matching sel inside its form
   data-tree-toggle="id"  on an htmx button of the organisation tree: fold the children in #id
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
})();
