/* The phone header's Menu button: shows or hides the main navigation (wide screens always show
   it). Escape closes it and returns focus to the button; following a link closes it. */
(function () {
    function parts() {
        var button = document.getElementById("app-menu-toggle");
        var nav = document.getElementById("app-nav");
        return button && nav ? {button: button, nav: nav} : null;
    }
    function setOpen(p, open) {
        p.button.setAttribute("aria-expanded", open ? "true" : "false");
        p.nav.classList.toggle("app-nav--open", open);
    }
    document.addEventListener("click", function (event) {
        var p = parts();
        if (!p) {
            return;
        }
        if (event.target.closest("#app-menu-toggle")) {
            setOpen(p, p.button.getAttribute("aria-expanded") !== "true");
        } else if (event.target.closest("#app-nav a")) {
            setOpen(p, false);
        }
    });
    document.addEventListener("keydown", function (event) {
        var p = parts();
        if (event.key === "Escape" && p && p.button.getAttribute("aria-expanded") === "true"
                && (p.nav.contains(event.target) || event.target === p.button)) {
            setOpen(p, false);
            p.button.focus();
        }
    });
})();
