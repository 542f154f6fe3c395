// Type-ahead for inputs with data-suggest="/url": fills their <datalist> as the member types.
(function () {
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = input.dataset.suggest + "?q=" + encodeURIComponent(input.value);
        fetch(url, { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (items) {
            list.innerHTML = "";
            items.forEach(function (item) {
              var option = document.createElement("option");
              option.value = typeof item === "string" ? item : item.email;
              if (typeof item !== "string") { option.label = item.name + (item.department ? " · " + item.department : ""); }
              list.appendChild(option);
            });
          });
      }, 150);
    });
  });
})();
