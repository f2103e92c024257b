/* While a plan runs, disable the run button and show that it is running.
 *
 * The form posts as usual, and the result page replaces this one. Pairing
 * across the counties of a province takes about half a minute.
 */
(function () {
  "use strict";

  function start() {
    var form = document.getElementById("plan-form");
    var button = document.getElementById("plan-run");
    var note = document.getElementById("plan-running");
    if (!form || !button || !note) {
      return;
    }
    form.addEventListener("submit", function () {
      button.disabled = true;
      note.hidden = false;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
