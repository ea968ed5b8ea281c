/* Typing into Dash's dropdowns, whatever has the focus.
   - When a menu opens, Dash moves the focus to the chosen option (so a dropdown that already has
     a value ignored what was typed next), or leaves it on the closed box until the menu has
     options (so a fast typist's second letter was lost between the box and the search field).
   Printable keys typed on the box while its menu is open, or anywhere inside the open menu, go
   to the menu's search field instead: moved on keydown, the key lands in the field. */
(function () {
    function searchField(target) {
        if (!target || !target.closest) {
            return null;
        }
        var menu = target.closest(".dash-dropdown-content");
        if (!menu) {
            var box = target.closest("button.dash-dropdown");
            var wrapper = box ? box.closest(".dash-dropdown-wrapper") : null;
            menu = wrapper ? wrapper.querySelector(".dash-dropdown-content") : null;
        }
        return menu ? menu.querySelector("input.dash-dropdown-search") : null;
    }
    document.addEventListener("keydown", function (event) {
        if (event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1 || event.key === " ") {
            return;  // space still picks the focused option
        }
        var field = searchField(event.target);
        if (field && event.target !== field) {
            field.focus();
        }
    }, true);
})();
