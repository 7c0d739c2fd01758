// The case page's correction form: find an address in the house register and take its point.
(function () {
  "use strict";
  const input = document.getElementById("amend-address");
  const list = document.getElementById("address-results");
  if (!input || !list) return;
  let timer = null, ticket = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  function search() {
    const q = input.value.trim();
    if (q.length < 2) { list.replaceChildren(); return; }
    const mine = ++ticket;
    fetch(input.dataset.url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : []))
      .then((rows) => {
        if (mine !== ticket) return;
        list.replaceChildren(...rows.map((row) => {
          const item = document.createElement("li");
          const button = document.createElement("button");
          button.type = "button";
          button.className = "link";
          button.textContent = row.address;
          button.addEventListener("click", () => {
            input.value = row.address;
            list.replaceChildren();
            if (window.gridgovCasePick) window.gridgovCasePick(L.latLng(row.lat, row.lng));
          });
          item.append(button);
          return item;
        }));
      });
  }
})();
