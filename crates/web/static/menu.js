// Menu buttons (decision 0074). On a phone the menu folds behind a link to it (#site-menu,
// #office-nav); without JavaScript the link shows the menu by moving to it (CSS :target).
// Here the link becomes a button that opens and closes the menu in place and says whether it
// is open (aria-expanded); Escape closes it and gives the focus back to the button.
(function () {
  "use strict";
  var toggles = document.querySelectorAll("[data-menu-toggle]");
  Array.prototype.forEach.call(toggles, function (toggle) {
    var menu = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!menu) {
      return;
    }
    toggle.setAttribute("role", "button");
    toggle.setAttribute("aria-expanded", "false");
    function set(open) {
      toggle.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("is-open", open);
    }
    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      set(toggle.getAttribute("aria-expanded") !== "true");
    });
    toggle.addEventListener("keydown", function (event) {
      if (event.key === " ") {
        event.preventDefault();
        set(toggle.getAttribute("aria-expanded") !== "true");
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        set(false);
        toggle.focus();
      }
    });
  });
})();
