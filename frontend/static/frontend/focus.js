// Keeps the keyboard's place when htmx swaps part of a page. htmx itself refocuses an element with the same
// id; when that element is gone or hidden (Start becomes Done, Done becomes Undo, a form inside a
// <details> that the new HTML closes), focus would fall back to <body> and a keyboard user would start
// again from the top. So: open <details> stay open, and focus goes to the nearest place that still exists
// (the same element, else the first button of the nearest enclosing element with an id, else the message
// that says what happened).
// The focus moves after htmx has settled, not right after the swap: htmx wires up the new content (its
// hx-post buttons) only while settling, and a key pressed on a button before then would submit its form
// natively and reload the whole page.
(function () {
  var saved = null;
  var USABLE = "button:not([disabled]), summary, a[href], input:not([type=hidden]):not([disabled]), textarea, select";

  function visible(el) {
    return el.getClientRects().length > 0;
  }

  function firstUsable(root) {
    var buttons = root.querySelectorAll("button:not([disabled])");
    for (var i = 0; i < buttons.length; i++) if (visible(buttons[i])) return buttons[i];
    var all = root.querySelectorAll(USABLE);
    for (var j = 0; j < all.length; j++) if (visible(all[j])) return all[j];
    return null;
  }

  function focusable(el) {
    return el && el.matches(USABLE) && visible(el);
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target) return;
    var ids = [];
    var active = document.activeElement;
    for (var el = active; el && el !== document.body; el = el.parentElement) {
      if (el.id) ids.push(el.id);
    }
    var open = [];
    target.querySelectorAll("details[open][id]").forEach(function (d) { open.push(d.id); });
    saved = { ids: ids, open: open, inside: !!(active && target.contains(active)), target: target.id };
  });

  document.addEventListener("htmx:afterSwap", function () {
    if (!saved) return;
    saved.open.forEach(function (id) {
      var d = document.getElementById(id);
      if (d) d.open = true;
    });
  });

  document.addEventListener("htmx:afterSettle", function () {
    var state = saved;
    saved = null;
    if (!state) return;
    var now = document.activeElement;
    if (!state.inside || (now && now !== document.body && now.isConnected && visible(now))) return;
    for (var i = 0; i < state.ids.length; i++) {
      var el = document.getElementById(state.ids[i]);
      if (!el) continue;
      var to = focusable(el) ? el : firstUsable(el);
      if (to) { to.focus(); return; }
    }
    var swapped = state.target && document.getElementById(state.target);
    if (!swapped) return;
    var message = swapped.querySelector("[role=status], [role=alert]") || swapped.querySelector("h1, h2") || swapped;
    message.setAttribute("tabindex", "-1");
    message.focus();
  });
})();
