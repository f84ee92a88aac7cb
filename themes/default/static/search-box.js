/* pmsite: the `/` key focuses the search box (on every page). */
(function () {
  'use strict';
  document.addEventListener('keydown', function (e) {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var box = document.querySelector('[data-search-shortcut]');
    if (!box) return;
    e.preventDefault();
    box.focus();
    if (box.select) box.select();
  });
})();
