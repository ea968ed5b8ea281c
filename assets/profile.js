/* The area profile (/area/<code>): its big static blocks (the spine chart's rows, tables, lists)
 * arrive as escaped HTML in a store each, and are written into their empty boxes here in one go.
 * Mounting the same content as hundreds of Dash components costs the browser seconds; parsing it
 * as HTML costs milliseconds. The boxes have no React children, so React never touches them. */
(function () {
  "use strict";
  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.profile = {
    fill: function () {
      var ctx = window.dash_clientside.callback_context;
      var blocks = (ctx && ctx.inputs_list && ctx.inputs_list[0]) || [];
      blocks.forEach(function (b) {
        var box = document.getElementById("area-html-" + b.id.block);
        if (box && box.__filled !== b.value) {
          box.innerHTML = b.value || "";
          box.__filled = b.value;
        }
      });
      return window.dash_clientside.no_update;
    }
  };
})();
