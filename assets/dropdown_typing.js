/* Dash's dropdown moves the keyboard focus to the chosen option when its menu opens, so a
   dropdown that already has a value ignores what is typed next. Send printable keys typed
   anywhere in an open menu to that menu's search box (the key then lands in the box). */
document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1 || event.key === " ") {
        return;  // space still picks the focused option
    }
    var target = event.target;
    var menu = target && target.closest ? target.closest(".dash-dropdown-content") : null;
    var box = menu ? menu.querySelector("input.dash-dropdown-search") : null;
    if (box && target !== box) {
        box.focus();
    }
}, true);
