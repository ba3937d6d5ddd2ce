// Pickers (decision 0074): a text field marked data-lookup="schools" (or data-lookup-from
// naming a select whose value is the kind of record) offers suggestions from
// /admin/lookup/{kind}?q= as the person types. A suggestion's label ends with the record's key
// in brackets, which the server reads back; without this script the server resolves whatever
// was typed, so the field works either way.
(function () {
  "use strict";
  var kinds = { school: "schools", pupil: "pupils", staff: "staff", instrument: "instruments" };
  var inputs = document.querySelectorAll("input[data-lookup], input[data-lookup-from]");
  Array.prototype.forEach.call(inputs, function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var status = document.getElementById(input.id + "-status");
    if (!list) {
      return;
    }
    var timer = null;
    var asked = "";
    function kind() {
      var from = input.getAttribute("data-lookup-from");
      if (from) {
        var select = document.getElementById(from);
        return select ? kinds[select.value] || null : null;
      }
      return input.getAttribute("data-lookup");
    }
    function ask() {
      var q = input.value.trim();
      var k = kind();
      // A chosen suggestion ends with its key in brackets: nothing more to ask.
      if (!k || q.length < 2 || /\)$/.test(q) || q + "|" + k === asked) {
        return;
      }
      asked = q + "|" + k;
      fetch("/admin/lookup/" + k + "?q=" + encodeURIComponent(q), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || input.value.trim() !== q) {
            return;
          }
          while (list.firstChild) {
            list.removeChild(list.firstChild);
          }
          data.rows.forEach(function (row) {
            var option = document.createElement("option");
            option.value = row.label;
            list.appendChild(option);
          });
          if (status) {
            var n = data.rows.length;
            status.textContent = n === 0 ? "No matches" : n === 1 ? "1 match" : n + " matches";
          }
        })
        .catch(function () { /* the field still works as typed */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
  });
})();
