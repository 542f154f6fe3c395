// Type-ahead for inputs with data-suggest="/url": fills their <datalist> as the member types.
// An input with data-id-field="name" also keeps the picked suggestion's id in that hidden field
// (the manager is picked by name; the page never needs anyone's email).
(function () {
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var idField = input.dataset.idField ? input.form.elements[input.dataset.idField] : null;
    var ids = {};
    var timer = null;
    input.addEventListener("input", function () {
      if (idField) { idField.value = ids[input.value] || ""; }
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = input.dataset.suggest + "?q=" + encodeURIComponent(input.value);
        fetch(url, { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (items) {
            list.innerHTML = "";
            items.forEach(function (item) {
              var option = document.createElement("option");
              option.value = typeof item === "string" ? item : item.label;
              if (typeof item !== "string") {
                ids[item.label] = String(item.id);
                if (item.email) { option.label = item.email; }
              }
              list.appendChild(option);
            });
            if (idField && ids[input.value]) { idField.value = ids[input.value]; }
          });
      }, 150);
    });
  });
})();
