/* The area search's browser-side step: a chosen result opens /area/<code> at once, without a
   round trip to the server, and the box is emptied for the next search. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    areaSearch: {
        go: function (code, pathname) {
            var noUpdate = window.dash_clientside.no_update;
            if (!code) {
                return [noUpdate, noUpdate];
            }
            var target = "/area/" + encodeURIComponent(code);
            return [target === pathname ? noUpdate : target, null];
        }
    }
});
