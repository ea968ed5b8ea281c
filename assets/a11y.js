/* Accessibility repairs for markup that Dash's own components render (checked by axe-core in the
 * test suite). Each repair is idempotent and re-applied when Dash re-renders:
 *  - Dropdowns: Dash puts an aria-hidden proxy <input> in the tab order that forwards focus to the
 *    real (named) button; make the button itself focusable and take the hidden proxy out of the
 *    tab order.
 *  - Radio items and checklists (not dropdown menus): Dash renders role="listbox"/"option" around native radio and
 *    checkbox inputs (nested interactive controls, and no group name); keep the native semantics
 *    and name the group after its visible label.
 *  - Data tables: the pagination buttons are icons with no text; give them names. The filter row's
 *    case-sensitivity toggle is too small and low-contrast; tables here filter case-insensitively,
 *    so it is hidden (CSS) and taken out of the tab order.
 *  - File uploads: the hidden file input gets the visible text of its drop zone as its name.
 *  - A region that scrolls sideways gets a tab stop and a name, so keyboard users can scroll it.
 */
(function () {
  "use strict";
  var PAGER = { "first-page": "First page", "previous-page": "Previous page", "next-page": "Next page",
                "last-page": "Last page" };

  function labelFor(el) {
    if (!el.id) { return null; }
    var lab = document.querySelector('label[for="' + CSS.escape(el.id) + '"]');
    if (lab) { return lab; }
    var wrap = el.closest(".control, .mm-field, .ov-controls");
    return wrap ? wrap.querySelector("label, legend, .control-label") : null;
  }

  function fixDropdowns(root) {
    root.querySelectorAll(".dash-dropdown-wrapper").forEach(function (w) {
      var proxy = w.querySelector(":scope > .dash-dropdown-focus-target");
      var button = w.querySelector(":scope > button.dash-dropdown");
      if (!proxy || !button) { return; }
      if (proxy.tabIndex !== -1) { proxy.tabIndex = -1; }
      if (!button.disabled && button.tabIndex !== 0) { button.tabIndex = 0; }
    });
  }

  function fixOptionLists(root) {
    // only radio items and checklists: a dropdown's menu is a real listbox, and its options
    // must keep role="option" for screen readers (and the search box's keyboard use)
    root.querySelectorAll(".dash-options-list:not(.dash-dropdown-options)").forEach(function (list) {
      var multi = !!list.querySelector("input[type=checkbox]");
      if (list.getAttribute("role") !== (multi ? "group" : "radiogroup")) {
        list.setAttribute("role", multi ? "group" : "radiogroup");
      }
      if (!list.hasAttribute("aria-labelledby") && !list.hasAttribute("aria-label")) {
        var lab = labelFor(list);
        if (lab) {
          if (!lab.id) { lab.id = (list.id || "options") + "-label"; }
          list.setAttribute("aria-labelledby", lab.id);
        }
      }
      list.querySelectorAll(".dash-options-list-option").forEach(function (opt) {
        if (opt.hasAttribute("role")) { opt.removeAttribute("role"); }
        if (opt.hasAttribute("aria-selected")) { opt.removeAttribute("aria-selected"); }
      });
    });
  }

  function fixTables(root) {
    root.querySelectorAll(".previous-next-container button").forEach(function (b) {
      for (var cls in PAGER) {
        if (b.classList.contains(cls) && b.getAttribute("aria-label") !== PAGER[cls]) {
          b.setAttribute("aria-label", PAGER[cls]);
        }
      }
    });
    root.querySelectorAll("input.dash-filter--case").forEach(function (b) {
      if (b.tabIndex !== -1) { b.tabIndex = -1; }
      if (b.getAttribute("aria-hidden") !== "true") { b.setAttribute("aria-hidden", "true"); }
    });
    root.querySelectorAll(".dash-filter input[type=text]:not([aria-label])").forEach(function (inp) {
      var th = inp.closest("th");
      var col = th ? th.getAttribute("data-dash-column") : "";
      inp.setAttribute("aria-label", "Filter the " + (col || "column") + " column");
    });
  }

  function fixUploads(root) {
    root.querySelectorAll("input[type=file]:not([aria-label])").forEach(function (inp) {
      var zone = inp.parentElement;
      var text = zone ? zone.textContent.trim() : "";
      inp.setAttribute("aria-label", text || "Choose a file to upload");
    });
  }

  /* A region that scrolls sideways (a wide table on a phone) must be reachable by keyboard. */
  function fixScrollRegions(root) {
    root.querySelectorAll(".dash-spreadsheet-container, .table-wrap, .mm-grid-wrap").forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
      var overflow = window.getComputedStyle(el).overflowX;
      if (scrolls && overflow !== "visible" && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        if (!el.hasAttribute("role")) { el.setAttribute("role", "region"); }
        if (!el.hasAttribute("aria-label") && !el.hasAttribute("aria-labelledby")) {
          var cap = el.closest(".table-wrap");
          var id = cap && cap.getAttribute("aria-labelledby");
          if (id) { el.setAttribute("aria-labelledby", id); } else { el.setAttribute("aria-label", "Table (scrolls sideways)"); }
        }
      }
    });
  }

  function repair(root) {
    try {
      fixDropdowns(root); fixOptionLists(root); fixTables(root); fixUploads(root); fixScrollRegions(root);
    } catch (e) { /* a repair must never break the page */ }
  }

  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; repair(document); });
  }

  function start() {
    repair(document);
    new MutationObserver(schedule).observe(document.body, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["tabindex", "role", "aria-selected"]
    });
  }
  window.addEventListener("resize", schedule);
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
