// "Select all on this page" ticks every pupil on the page without reloading it; without
// JavaScript the link reloads the page with every box ticked.
document.querySelectorAll('a[data-select-all]').forEach(function (a) {
  a.addEventListener('click', function (e) {
    e.preventDefault();
    var form = document.getElementById('bulk-form');
    if (!form) return;
    var boxes = form.querySelectorAll('input[type=checkbox][name=pupil]');
    var all = Array.prototype.every.call(boxes, function (b) { return b.checked; });
    boxes.forEach(function (b) { b.checked = !all; });
    a.textContent = all ? 'Select all on this page' : 'Clear the ticks on this page';
  });
});
