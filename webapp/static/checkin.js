// A check-in link's page sends the answer it names at once, so one click in the email answers.
// Mail scanners that open links without running scripts record nothing (a GET never does).
(function () {
  var form = document.querySelector("form[data-autosubmit]");
  if (form) { form.submit(); }
})();
