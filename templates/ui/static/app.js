// crosscast editor UI: small progressive enhancements. Every page works
// without this file.
(function () {
  "use strict";

  // Live inbox: re-fetch the rows every few seconds while the tab is
  // visible and swap them in when they changed.
  var rows = document.querySelector("tbody[data-poll]");
  if (rows) {
    var every = parseInt(rows.getAttribute("data-poll"), 10) || 5000;
    var last = rows.innerHTML;
    setInterval(function () {
      if (document.hidden) return;
      var u = new URL(location.href);
      u.searchParams.set("part", "rows");
      fetch(u, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html !== null && html !== last) { rows.innerHTML = html; last = html; }
        })
        .catch(function () {});
    }, every);
  }

  // The editor's time zone goes with a schedule; times show in it.
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) {}
  document.querySelectorAll("[data-tz]").forEach(function (el) { el.value = zone; });
  document.querySelectorAll("[data-tzname]").forEach(function (el) { if (zone) el.textContent = "(" + zone + ")"; });
  document.querySelectorAll("time[data-local]").forEach(function (el) {
    var d = new Date(el.getAttribute("datetime"));
    if (!isNaN(d)) el.textContent = d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  });

  // Portal width switcher.
  var frame = document.querySelector("iframe[data-resizable]");
  document.querySelectorAll(".switcher button[data-width]").forEach(function (b) {
    b.setAttribute("aria-pressed", b.getAttribute("data-width") === "1280" ? "true" : "false");
    b.addEventListener("click", function () {
      frame.style.width = b.getAttribute("data-width") + "px";
      document.querySelectorAll(".switcher button").forEach(function (o) { o.setAttribute("aria-pressed", o === b ? "true" : "false"); });
    });
  });
})();
