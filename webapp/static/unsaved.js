// The profile page has a form per section, and each button saves only its own section.
// Pressing one while another section holds typed but unsaved input shows the page's
// warning in the pressed form and marks the other section; pressing again saves anyway.
// Leaving the page with unsaved input asks the browser's "leave the page?" question.
(function () {
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-unsaved-guard]"));
  if (!forms.length) { return; }

  function changed(form) {
    return Array.prototype.some.call(form.elements, function (el) {
      if (el.type === "hidden" || el.type === "submit" || el.disabled) { return false; }
      if (el.type === "checkbox" || el.type === "radio") { return el.checked !== el.defaultChecked; }
      if (el.tagName === "SELECT") {
        return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
      }
      return el.value !== el.defaultValue;
    });
  }

  var submitting = false;
  forms.forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var others = forms.filter(function (other) { return other !== form && changed(other); });
      var warning = form.querySelector("[data-unsaved-warning]");
      if (others.length && warning && warning.hidden) {
        event.preventDefault();
        warning.hidden = false;
        others.forEach(function (other) { other.classList.add("unsaved"); });
        return;
      }
      submitting = true;
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (!submitting && forms.some(changed)) { event.preventDefault(); event.returnValue = ""; }
  });
})();
