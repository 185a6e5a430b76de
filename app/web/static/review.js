// Review screen keys: 1-9 toggle themes, Enter accepts and moves on, Backspace undoes,
// c / s focus the country / sector inputs, n opens the neighbours, ? shows the keys.
(function () {
  "use strict";
  const form = document.getElementById("decide");
  const undo = document.getElementById("undo");
  const keys = document.getElementById("keys");
  let busy = false;

  function submit(f) {
    if (busy || !f) return;
    busy = true;
    document.body.classList.add("busy");
    f.requestSubmit ? f.requestSubmit() : f.submit();
  }

  function syncTheme(label) {
    const box = label.querySelector("input[type=checkbox]");
    label.classList.toggle("on", box.checked);
  }

  document.querySelectorAll("label.theme").forEach(function (label) {
    label.querySelector("input").addEventListener("change", function () { syncTheme(label); });
  });

  const showKeys = document.getElementById("show-keys");
  if (showKeys) showKeys.addEventListener("click", function () { keys.showModal(); });

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target;
    const typing = t && (t.tagName === "INPUT" && t.type !== "checkbox" || t.tagName === "TEXTAREA" || t.tagName === "SELECT");
    if (typing) {
      if (ev.key === "Escape") { t.blur(); ev.preventDefault(); }
      else if (ev.key === "Enter" && form && form.contains(t)) { ev.preventDefault(); submit(form); }
      return;
    }
    if (keys && keys.open) {
      if (ev.key === "?") { keys.close(); ev.preventDefault(); }
      return;
    }
    if (ev.key === "?") { keys.showModal(); ev.preventDefault(); return; }
    if (ev.key === "Enter") { ev.preventDefault(); submit(form); return; }
    if (ev.key === "Backspace") { ev.preventDefault(); submit(undo); return; }
    if (!form) return;
    if (/^[1-9]$/.test(ev.key)) {
      const label = form.querySelector('label.theme[data-key="' + ev.key + '"]');
      if (label) {
        const box = label.querySelector("input");
        box.checked = !box.checked;
        syncTheme(label);
        ev.preventDefault();
      }
      return;
    }
    if (ev.key === "c" || ev.key === "s") {
      const input = document.getElementById(ev.key === "c" ? "country_add" : "sector_add");
      if (input) { input.focus(); ev.preventDefault(); }
      return;
    }
    if (ev.key === "n") {
      const ctx = document.querySelectorAll("details[data-ctx]");
      const open = !Array.prototype.some.call(ctx, function (d) { return d.open; });
      ctx.forEach(function (d) { d.open = open; });
      ev.preventDefault();
    }
  });
  window.addEventListener("pageshow", function () { busy = false; document.body.classList.remove("busy"); });
})();
