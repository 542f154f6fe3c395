// The solve progress page: poll its JSON status and update the bar; go to the round when it is done.
// Without JavaScript the page refreshes itself (meta refresh), so this only makes it smoother.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var refresh = document.querySelector('meta[http-equiv="refresh"]');
  if (refresh) { refresh.parentNode.removeChild(refresh); }
  var url = box.getAttribute("data-status-url");
  function part(name) { return box.querySelector('[data-job="' + name + '"]'); }
  function show(state) {
    part("status_label").textContent = state.status_label;
    part("phase_label").textContent = state.phase_label;
    part("percent").value = state.percent;
    part("percent_text").textContent = state.percent + "%";
    var message = part("message");
    message.textContent = state.message;
    message.hidden = !state.message;
    if (!state.active) {
      var cancel = part("cancel");
      if (cancel) { cancel.hidden = true; }
      if (state.status === "finished") { window.location.assign(state.review_url); }
      else { window.location.reload(); }
      return false;
    }
    return true;
  }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state === null || show(state)) { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
}());
