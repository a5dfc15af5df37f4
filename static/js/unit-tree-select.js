// The unit tree's search (accounts/widgets.py UnitTreeSelect): typing part of a unit's name keeps
// the units that match and the branches that lead to them, unfolded; the rest are hidden. Accents
// and letter case are ignored ("hoan kiem" finds "Hoàn Kiếm"). Without this script the tree is a
// plain list of choices.
(function () {
  "use strict";

  function plain(text) {
    return text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .toLowerCase()
      .trim();
  }

  function ownItems(list) {
    return Array.prototype.filter.call(list.children, function (child) {
      return child.matches("li[data-unit-name]");
    });
  }

  // Shows the items of `list` that match or hold a match; returns how many matched.
  function filterList(list, query) {
    var found = 0;
    ownItems(list).forEach(function (item) {
      var matches = !query || plain(item.getAttribute("data-unit-name")).indexOf(query) !== -1;
      var below = 0;
      var branch = item.querySelector(":scope > details");
      var sublist = branch && branch.querySelector(":scope > ul");
      if (sublist) {
        below = filterList(sublist, query);
        if (query) branch.open = below > 0 || branch.open;
      }
      item.hidden = !(matches || below > 0);
      found += (matches && query ? 1 : 0) + below;
    });
    return found;
  }

  function setUp(tree) {
    if (tree.hasAttribute("data-unit-tree-ready")) return;
    tree.setAttribute("data-unit-tree-ready", "");
    var box = tree.querySelector("[data-unit-tree-search-box]");
    var input = tree.querySelector("[data-unit-tree-search]");
    var status = tree.querySelector("[data-unit-tree-status]");
    var list = tree.querySelector(":scope > ul");
    if (!box || !input || !list) return;
    box.hidden = false;
    input.addEventListener("input", function () {
      var query = plain(input.value);
      var found = filterList(list, query);
      if (!query) status.textContent = "";
      else if (found === 0) status.textContent = status.getAttribute("data-none");
      else status.textContent = status.getAttribute("data-some").replace("{count}", found);
    });
    // Enter in the search field must not submit the filter form with a half-typed name.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
  }

  function setUpAll() {
    document.querySelectorAll("[data-unit-tree]").forEach(setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpAll);
  else setUpAll();
  // Wagtail swaps parts of a listing after a filter changes: set up any tree that arrives.
  document.addEventListener("w-swap:success", setUpAll);
})();
