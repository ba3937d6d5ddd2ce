// A "Print" link opens the browser's print dialog; without JavaScript it leads to the
// print-ready version of the page instead.
document.querySelectorAll('a[data-print]').forEach(function (a) {
  a.addEventListener('click', function (e) {
    e.preventDefault();
    window.print();
  });
});
