/* Show each slider's value as it moves; without JavaScript the value shows after saving. */
document.querySelectorAll("input[type=range][data-output]").forEach(function (slider) {
  var output = document.getElementById(slider.dataset.output);
  slider.addEventListener("input", function () { output.value = slider.value; });
});
