/* The register's fixes to markup the Django admin's own scripts write (select2 autocompletes,
   the two-box selector, the date and time inputs), which no template can reach. Checked by axe in
   tests/browser/test_admin_pages_accessible.py. Loaded (deferred) from templates/admin/base_site.html. */
(function () {
  "use strict";

  function labelOf(field) {
    // The field's own label (tabular inline rows get a visually hidden one: edit_inline/tabular.html).
    if (!field || !field.id) {
      return null;
    }
    const label = document.querySelector('label[for="' + field.id + '"]');
    if (label && !label.id) {
      label.id = field.id + "-label";
    }
    return label;
  }

  function labelledBy(element, ids) {
    const value = ids.filter(Boolean).join(" ");
    if (value && element.getAttribute("aria-labelledby") !== value) {
      element.setAttribute("aria-labelledby", value);
    }
  }

  function fix(root) {
    // aria-input-field-name, label: select2 names its box only by the value shown (nothing when
    // empty) and its search input not at all; both are named by the field's label too.
    root.querySelectorAll("select.select2-hidden-accessible").forEach(function (select) {
      const container = select.nextElementSibling;
      const label = labelOf(select);
      if (!label || !container || !container.classList.contains("select2")) {
        return;
      }
      const rendered = container.querySelector(".select2-selection__rendered[role=textbox]");
      const box = container.querySelector(".select2-selection[role=combobox]");
      if (box) {
        labelledBy(box, [label.id, rendered && rendered.id]);
      }
      if (rendered && rendered.id) {
        labelledBy(rendered, [label.id, rendered.id]);
      }
      const search = container.querySelector(".select2-search__field");
      if (search) {
        labelledBy(search, [label.id]);
      }
    });
    // aria-prohibited-attr: the two-box selector's search icon is a <span> with aria-label (not
    // allowed on a span without a role); as an image its label names the filter input.
    root.querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  // label: the date and time inputs of a date-and-time field are preceded by the bare text
  // "Date:" and "Time:"; that text becomes each input's label.
  document.querySelectorAll("p.datetime input").forEach(function (input) {
    const text = input.previousSibling;
    if (!input.id || !text || text.nodeType !== Node.TEXT_NODE || !text.textContent.trim()) {
      return;
    }
    const label = document.createElement("label");
    label.htmlFor = input.id;
    label.textContent = text.textContent.trim();
    text.textContent = text.textContent.replace(/\S[\s\S]*\S|\S/, "");
    input.before(label, " ");
  });

  // list: select2's "clear all" cross of a multiple autocomplete is a <span> inside its <ul> of
  // choices; each choice keeps its own cross. Set before autocomplete.js starts select2 (on ready).
  document.querySelectorAll("select.admin-autocomplete[multiple]").forEach(function (select) {
    select.dataset.allowClear = "false";
  });

  fix(document);
  new MutationObserver(function () {
    fix(document);
  }).observe(document.body, { childList: true, subtree: true });
})();
