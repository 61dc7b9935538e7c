// sc-docs workspace: list rows, live validation, batch progress. Served from the package (no CDN);
// the Content-Security-Policy forbids inline script, so all behaviour is attached from here.
"use strict";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function text(tag, value) {
  const el = document.createElement(tag);
  el.textContent = value; // never innerHTML: messages quote what the user typed
  return el;
}

// --- list rows: add and remove -------------------------------------------------------------
function setupLists(form, onChange) {
  form.addEventListener("click", (event) => {
    const button = event.target;
    if (!(button instanceof HTMLButtonElement)) return;
    if (button.classList.contains("add-row")) {
      const list = button.closest(".list");
      const template = list.querySelector(":scope > template");
      const next = Number(button.dataset.next || "0");
      const html = template.innerHTML.split(button.dataset.placeholder).join(String(next));
      button.dataset.next = String(next + 1);
      const holder = document.createElement("div");
      holder.innerHTML = html; // the template is server-rendered and escaped
      const row = holder.firstElementChild;
      list.querySelector(":scope > .rows").appendChild(row);
      const first = row.querySelector("input, select, textarea");
      if (first) first.focus();
      onChange();
    } else if (button.classList.contains("remove-row")) {
      button.closest(".row").remove();
      onChange();
    }
  });
}

// --- live validation -----------------------------------------------------------------------
function showProblems(form, result) {
  form.querySelectorAll("ul.problem").forEach((ul) => { ul.replaceChildren(); });
  form.querySelectorAll(".has-problem").forEach((el) => el.classList.remove("has-problem"));
  const list = document.getElementById("problem-list");
  const count = document.getElementById("problem-count");
  if (count) count.textContent = String(result.count);
  if (list) list.replaceChildren();
  for (const p of result.problems) {
    const slot = form.querySelector('ul.problem[data-for="' + CSS.escape(p.path) + '"]');
    if (slot) {
      slot.appendChild(text("li", p.message));
      slot.parentElement.classList.add("has-problem");
    }
    if (list) {
      const li = document.createElement("li");
      const a = text("a", p.path);
      a.href = "#f-" + p.path;
      li.appendChild(a);
      li.appendChild(document.createTextNode(": " + p.message));
      list.appendChild(li);
    }
  }
}

function setupLiveValidation(form) {
  let timer = null;
  let serial = 0;
  const check = () => {
    const mine = ++serial;
    fetch(form.dataset.checkUrl, {
      method: "POST",
      headers: { "X-CSRF-Token": csrfToken() },
      body: new FormData(form),
      credentials: "same-origin",
    }).then((r) => (r.ok ? r.json() : null)).then((result) => {
      if (result && mine === serial) showProblems(form, result);
    }).catch(() => {});
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  return later;
}

// --- batch progress (polling; the state lives on the server, so a reload picks it up) --------
function setupBatch(box) {
  const row = (e) => {
    const tr = document.createElement("tr");
    tr.className = e.status;
    const name = document.createElement("td");
    if (e.id) {
      const a = text("a", e.source);
      a.href = "/a/" + encodeURIComponent(e.id) + "/edit";
      name.appendChild(a);
    } else {
      name.textContent = e.source;
    }
    tr.appendChild(name);
    tr.appendChild(text("td", e.status));
    tr.appendChild(text("td", e.reason));
    const cell = document.createElement("td");
    const ul = document.createElement("ul");
    for (const p of e.problems) {
      const li = document.createElement("li");
      if (p.href) {
        const a = text("a", p.path);
        a.href = p.href;
        li.appendChild(a);
        li.appendChild(document.createTextNode(": "));
      }
      li.appendChild(document.createTextNode(p.message));
      ul.appendChild(li);
    }
    cell.appendChild(ul);
    tr.appendChild(cell);
    tr.appendChild(text("td", String(e.seconds)));
    return tr;
  };
  const poll = () => {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" }).then((r) => r.json()).then((s) => {
      document.getElementById("batch-progress").value = s.entries.length;
      document.getElementById("batch-count").textContent = String(s.entries.length);
      document.getElementById("batch-state").textContent = s.state;
      const error = document.getElementById("batch-error");
      if (s.error) { error.hidden = false; error.textContent = "Error: " + s.error; }
      document.querySelector("#batch-table tbody").replaceChildren(...s.entries.map(row));
      box.dataset.state = s.state;
      if (s.state === "running") setTimeout(poll, 500);
    }).catch(() => setTimeout(poll, 2000));
  };
  if (box.dataset.state === "running") setTimeout(poll, 300);
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("record-form");
  if (form) {
    const later = setupLiveValidation(form);
    setupLists(form, later);
  }
  const all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", () => {
      document.querySelectorAll('input[name="ids"]').forEach((box) => { box.checked = all.checked; });
    });
  }
  const batch = document.getElementById("batch");
  if (batch) setupBatch(batch);
});
