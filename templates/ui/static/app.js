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
      if (frame.hasAttribute("data-fit")) fit(frame);
      document.querySelectorAll(".switcher button").forEach(function (o) { o.setAttribute("aria-pressed", o === b ? "true" : "false"); });
    });
  });

  // Preview frames sized to their content, up to a cap so a long page
  // does not push the rest away; "Full height" lifts the cap. The frames
  // run no script, but keep the UI's origin so this one can measure them.
  var fitCap = 1400, full = false;
  var fit = function (f) {
    var d;
    try { d = f.contentDocument; } catch (e) { return; }
    if (!d || !d.documentElement || d.readyState !== "complete") return;
    f.height = "1"; // measure the content, not the frame's own height
    var h = Math.ceil(Math.max(d.documentElement.scrollHeight, d.body ? d.body.scrollHeight : 0)) + 2;
    f.height = String(full ? h : Math.min(h, fitCap));
  };
  var fitted = document.querySelectorAll("iframe[data-fit]");
  var fitAll = function () { fitted.forEach(fit); };
  fitted.forEach(function (f) {
    f.addEventListener("load", function () { fit(f); });
    fit(f);
  });
  document.querySelectorAll("button[data-full-height]").forEach(function (b) {
    b.addEventListener("click", function () {
      full = !full;
      document.querySelectorAll("button[data-full-height]").forEach(function (o) { o.setAttribute("aria-pressed", full ? "true" : "false"); });
      fitAll();
    });
  });
  document.querySelectorAll("button[data-pair-width]").forEach(function (b) {
    b.addEventListener("click", function () {
      var w = b.getAttribute("data-pair-width");
      document.querySelectorAll("[data-frames=email]").forEach(function (p) { p.classList.toggle("w375", w !== "602"); });
      document.querySelectorAll("[data-frames=email] iframe").forEach(function (f) { f.width = w; });
      document.querySelectorAll("button[data-pair-width]").forEach(function (o) { o.setAttribute("aria-pressed", o === b ? "true" : "false"); });
      fitAll();
    });
  });

  // The writer's editor: a live preview of every channel, re-rendered a
  // moment after typing stops, and images dropped on the text.
  var form = document.getElementById("editor");
  if (form) {
    var frame2 = document.querySelector("iframe[data-live]");
    var status = form.querySelector("[data-status]");
    var warnList = document.querySelector("[data-warnings]");
    var fileInput = form.querySelector("input[type=file]");
    var dropped = new DataTransfer();
    var frames = {};
    var channel = "email";
    var timer = null, seq = 0;

    var show = function () {
      var src = frames[channel] || "about:blank";
      if (frame2.getAttribute("src") !== src) frame2.src = src;
    };
    document.querySelectorAll(".live-tabs button").forEach(function (b) {
      b.addEventListener("click", function () {
        channel = b.getAttribute("data-channel");
        document.querySelectorAll(".live-tabs button").forEach(function (o) { o.setAttribute("aria-pressed", o === b ? "true" : "false"); });
        show();
      });
    });

    // Every problem shows at its input (lists at the text areas, with
    // their line), and once more in the preview's banner.
    var where = function (e) {
      if (e.body_line) return "Text, line " + e.body_line;
      if (e.line) return "More front matter, line " + e.line;
      var label = form.querySelector('label[for="' + ((form.querySelector('[name="' + e.input + '"]') || {}).id || "") + '"]');
      return label ? label.firstChild.textContent.trim() : "";
    };
    var setErrors = function (errs) {
      form.querySelectorAll("[data-for]").forEach(function (el) { el.textContent = ""; });
      form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
      errs.forEach(function (e) {
        var el = form.querySelector('[data-for="' + (e.input === "form" ? "body" : e.input) + '"]');
        if (!el) el = form.querySelector('[data-for="body"]');
        if (el.tagName === "UL") {
          var li = document.createElement("li");
          var line = e.body_line || e.line;
          li.textContent = (line ? "Line " + line + ": " : "") + e.message;
          el.appendChild(li);
        } else {
          el.textContent = el.textContent ? el.textContent + " " + e.message : e.message;
        }
        if (e.input === "extra") { var det = form.querySelector("details[data-extra]"); if (det) det.open = true; }
        var input = form.querySelector('[name="' + e.input + '"]');
        if (input) input.setAttribute("aria-invalid", "true");
      });
    };

    // With problems, the last good preview stays, under a banner that
    // says it is out of date and why.
    var stale = document.querySelector("[data-stale]");
    var staleWhy = stale.querySelector("[data-stale-why]");
    var problems = stale.querySelector("[data-problems]");
    var good = false;
    var setStale = function (errs, failed) {
      problems.textContent = "";
      var names = Object.keys(failed || {});
      if (!errs.length && !names.length) { stale.hidden = true; return; }
      errs.forEach(function (e) {
        var li = document.createElement("li");
        var w = where(e);
        li.textContent = (w ? w + ": " : "") + e.message;
        problems.appendChild(li);
      });
      var n = errs.length;
      var why = n ? n + " problem" + (n > 1 ? "s" : "") + " to fix" : "";
      if (names.length) why += (why ? "; " : "") + names.join(", ") + " did not render";
      staleWhy.textContent = (good ? "Out of date: this preview shows the last version without problems (" : "No preview yet (") + why + ").";
      stale.hidden = false;
    };

    var render = function () {
      var mine = ++seq;
      var data = new FormData(form);
      data.delete("files");
      for (var i = 0; i < fileInput.files.length; i++) data.append("files", fileInput.files[i]);
      status.textContent = "Rendering…";
      fetch(form.getAttribute("data-preview"), { method: "POST", body: data, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (res) {
          if (mine !== seq) return; // a newer render is on its way
          var errs = res.errors || [];
          setErrors(errs);
          warnList.textContent = "";
          (res.warnings || []).forEach(function (w) {
            var li = document.createElement("li");
            li.className = "warn";
            li.textContent = (w.body_line ? "Line " + w.body_line + ": " : "") + w.message;
            warnList.appendChild(li);
          });
          var got = res.frames || {};
          if (!errs.length) {
            frames = got;
            good = true;
          } else {
            // Keep the last good frame of each channel; a channel that
            // rendered despite the problems shows its new one.
            Object.keys(got).forEach(function (ch) { frames[ch] = got[ch]; });
          }
          setStale(errs, res.failed);
          show();
          var n = errs.length;
          status.textContent = n ? n + " problem" + (n > 1 ? "s" : "") + " to fix" : "Preview up to date";
        })
        .catch(function () { status.textContent = "Preview failed; it will try again as you type."; });
    };
    var soon = function () { clearTimeout(timer); timer = setTimeout(render, 500); };
    form.addEventListener("input", soon);
    form.addEventListener("change", soon);

    // Images dropped on the text join the form's files and are referred
    // to where they were dropped.
    var heroSelect = form.querySelector("select[data-images]");
    var addImages = function (files) {
      var text = form.querySelector("textarea[data-drop]");
      var insert = "";
      for (var i = 0; i < files.length; i++) {
        var f = files[i];
        if (!/^image\//.test(f.type)) continue;
        dropped.items.add(f);
        var name = "images/" + f.name.toLowerCase().replace(/ /g, "-").replace(/[^a-z0-9._-]/g, "").replace(/^\.+/, "");
        insert += "\n![" + f.name.replace(/\.[^.]+$/, "").replace(/[-_]/g, " ") + "](" + name + ")\n";
        if (heroSelect && !heroSelect.querySelector('option[value="' + name + '"]')) {
          var o = document.createElement("option");
          o.value = o.textContent = name;
          heroSelect.appendChild(o);
        }
      }
      fileInput.files = dropped.files;
      var at = text.selectionStart || text.value.length;
      text.value = text.value.slice(0, at) + insert + text.value.slice(at);
      soon();
    };
    var drop = form.querySelector("textarea[data-drop]");
    drop.addEventListener("dragover", function (e) { e.preventDefault(); drop.classList.add("dragover"); });
    drop.addEventListener("dragleave", function () { drop.classList.remove("dragover"); });
    drop.addEventListener("drop", function (e) {
      e.preventDefault();
      drop.classList.remove("dragover");
      if (e.dataTransfer && e.dataTransfer.files.length) addImages(e.dataTransfer.files);
    });
    fileInput.addEventListener("change", function () {
      // Picking files replaces the input's list; keep the dropped ones too.
      var picked = Array.prototype.slice.call(fileInput.files);
      fileInput.files = dropped.files;
      if (picked.length) addImagesQuietly(picked);
    });
    var addImagesQuietly = function (files) {
      files.forEach(function (f) {
        dropped.items.add(f);
        var name = "images/" + f.name.toLowerCase().replace(/ /g, "-").replace(/[^a-z0-9._-]/g, "").replace(/^\.+/, "");
        if (heroSelect && !heroSelect.querySelector('option[value="' + name + '"]')) {
          var o = document.createElement("option");
          o.value = o.textContent = name;
          heroSelect.appendChild(o);
        }
      });
      fileInput.files = dropped.files;
      soon();
    };
    // The language's placeholder names the chosen brand's default.
    var brandSel = form.querySelector('select[name="brand"]'), langIn = form.querySelector('input[name="lang"]');
    if (brandSel && langIn) brandSel.addEventListener("change", function () {
      var o = brandSel.options[brandSel.selectedIndex];
      var l = o && o.getAttribute("data-lang");
      langIn.placeholder = "Brand default" + (l ? " (" + l + ")" : "");
    });
    // A new, empty form shows no problems before the writer types.
    if (form.hasAttribute("data-item") || form.querySelector('[name="title"]').value || form.querySelector('[name="body"]').value) render();
  }

  // crosscast preview: switch channels, and reload when the files change.
  var local = document.querySelector("[data-local-preview]");
  if (local) {
    var lframe = document.querySelector("iframe[data-local-frame]");
    var current = "email";
    document.querySelectorAll("[data-local-preview] .live-tabs button").forEach(function (b) {
      b.addEventListener("click", function () {
        current = b.getAttribute("data-channel");
        lframe.src = b.getAttribute("data-src");
        document.querySelectorAll("[data-local-preview] .live-tabs button").forEach(function (o) { o.setAttribute("aria-pressed", o === b ? "true" : "false"); });
      });
    });
    var gen = local.getAttribute("data-gen");
    setInterval(function () {
      fetch("/gen", { cache: "no-store" }).then(function (r) { return r.text(); }).then(function (g) {
        if (g !== gen) location.replace("/?channel=" + current);
      }).catch(function () {});
    }, 700);
    var want = new URL(location.href).searchParams.get("channel");
    if (want) { var b = document.querySelector('[data-local-preview] button[data-channel="' + want + '"]'); if (b) b.click(); }
  }
})();
