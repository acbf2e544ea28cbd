// The authmock console: a page over this listener's control API (/__authmock__/…).
// Everything shown is written as text nodes (never markup from data); a mail's HTML goes
// into a sandboxed frame without scripts. With an admin token set, the page asks for it and
// keeps it in this tab's session storage.
"use strict";

const API = "/__authmock__";
const TOKEN_KEY = "authmock-admin-token";
const $ = (selector) => document.querySelector(selector);

// ---- building blocks --------------------------------------------------------------------

/** An element with properties (`className`, `onclick`, …) and children (strings become text). */
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** An RFC 3339 instant, to the second. */
function when(instant) {
  return String(instant).replace("T", " ").replace(/\.\d+/, "");
}

function say(text) {
  $("#message").textContent = text || "";
}

async function api(method, path, body) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = "Bearer " + token;
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(API + path, init);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
  if (response.status === 401) {
    $("#token-form").hidden = false;
    throw new Error((data && data.message) || "the control API wants the admin token");
  }
  if (!response.ok) throw new Error((data && data.message) || method + " " + path + ": " + response.status);
  return data;
}

/** Runs `work`, showing its error instead of throwing. */
async function attempt(work) {
  try {
    await work();
  } catch (error) {
    say(error.message);
  }
}

/** A link the console may follow: http(s) only. */
function safeLink(url, text) {
  let parsed;
  try { parsed = new URL(url, location.href); } catch (_) { return el("span", {}, url); }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return el("span", {}, url);
  return el("a", { href: parsed.href, rel: "noopener noreferrer" }, text || url);
}

function headerList(headers) {
  return el("dl", { className: "kv" },
    Object.entries(headers || {}).map(([name, value]) =>
      [el("dt", {}, name), el("dd", { className: "mono" }, typeof value === "string" ? value : JSON.stringify(value))]));
}

/** A journaled body (`body`, `body_encoding`, `body_truncated` on the request or response). */
function bodyBlock(recorded) {
  if (!recorded || recorded.body === undefined || recorded.body === "") return el("p", { className: "note" }, "(no body)");
  let text = recorded.body;
  if (recorded.body_encoding === "base64") text = "(base64) " + text;
  else {
    try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (_) { /* not JSON: as is */ }
  }
  if (recorded.body_truncated) text += "\n… (cut)";
  return el("pre", {}, text);
}

// ---- tabs -------------------------------------------------------------------------------

const loaders = {};

function showTab() {
  const name = (location.hash || "#inbox").slice(1);
  const tab = loaders[name] ? name : "inbox";
  for (const section of document.querySelectorAll("main > section")) section.hidden = section.id !== tab;
  for (const link of document.querySelectorAll("header nav a")) {
    link.classList.toggle("current", link.getAttribute("href") === "#" + tab);
  }
  say("");
  attempt(loaders[tab]);
  attempt(loadNow);
}

async function loadNow() {
  const clock = await api("GET", "/clock");
  $("#now").textContent = clock.now + (clock.mode === "manual" ? " (manual)" : "");
  return clock;
}

// ---- inbox ------------------------------------------------------------------------------

let openedMail = null;

loaders.inbox = async () => {
  const page = await api("GET", "/outbox?limit=200");
  $("#inbox-count").textContent = page.total + " message" + (page.total === 1 ? "" : "s") +
    (page.evicted ? " (" + page.evicted + " evicted)" : "");
  const list = $("#inbox-list");
  list.replaceChildren(...page.messages.map((m) => {
    const item = el("li", { onclick: () => attempt(() => openMail(m.ID)) },
      el("div", { className: "subject" }, m.Subject),
      el("div", { className: "meta" }, m.To.map((to) => to.Address).join(", ") + " · " + when(m.Created)));
    item.dataset.id = m.ID;
    return item;
  }));
  if (page.messages.length === 0) list.append(el("li", { className: "note" }, "No mail yet."));
  else {
    // The message open before, while it is still there; else the newest.
    const kept = page.messages.find((m) => m.ID === openedMail);
    await openMail((kept || page.messages[0]).ID);
  }
};

async function openMail(id) {
  const m = await api("GET", "/outbox/" + encodeURIComponent(id));
  openedMail = id;
  for (const item of document.querySelectorAll("#inbox-list li")) item.classList.toggle("current", item.dataset.id === id);
  const parts = [
    el("h2", {}, m.Subject),
    el("dl", {},
      el("dt", {}, "From"), el("dd", {}, m.From.Name + " <" + m.From.Address + ">"),
      el("dt", {}, "To"), el("dd", {}, m.To.map((to) => to.Address).join(", ")),
      el("dt", {}, "Sent"), el("dd", {}, when(m.Created) + " (tenant clock)"),
      el("dt", {}, "Tags"), el("dd", {}, m.Tags.join(", ")),
      el("dt", {}, "Links"), el("dd", { className: "links" }, m.Links.length
        ? el("ul", {}, m.Links.map((link) => el("li", {}, safeLink(link))))
        : "none")),
  ];
  if (m.HTML) {
    // No script, no same origin; links open in a new tab, outside the sandbox.
    const frame = el("iframe", { title: "the mail as HTML" });
    frame.setAttribute("sandbox", "allow-popups allow-popups-to-escape-sandbox");
    frame.srcdoc = '<base target="_blank">' + m.HTML;
    parts.push(frame);
  }
  parts.push(el("details", { open: !m.HTML }, el("summary", {}, "Text"), el("pre", {}, m.Text)));
  $("#mail").replaceChildren(...parts);
}

// ---- journal ----------------------------------------------------------------------------

let journalOldest = null;
/** Counts loads, so a slower earlier one (before a filter changed) does not overwrite a later one. */
let journalLoads = 0;

function journalQuery(before) {
  const params = new URLSearchParams({ limit: "50" });
  for (const [name, value] of new FormData($("#journal-filter"))) if (value.trim()) params.set(name, value.trim());
  if (before !== null) params.set("before", String(before));
  return "/journal?" + params;
}

async function loadJournal(more) {
  const load = ++journalLoads;
  const page = await api("GET", journalQuery(more ? journalOldest : null));
  if (load !== journalLoads) return;
  const body = $("#journal-table tbody");
  if (!more) body.replaceChildren();
  for (const entry of page.entries) body.append(...journalRows(entry));
  const shown = body.querySelectorAll("tr.entry").length;
  journalOldest = page.entries.length ? page.entries[page.entries.length - 1].id : journalOldest;
  $("#journal-count").textContent = shown + " of " + page.matched + " shown (" + page.total + " held, " + page.evicted + " evicted)";
  $("#journal-more").hidden = shown >= page.matched;
}

function journalRows(entry) {
  const status = entry.response ? entry.response.status : entry.outcome;
  const query = entry.request.query ? "?" + entry.request.query : "";
  const row = el("tr", { className: "entry" },
    el("td", {}, entry.id),
    el("td", { className: "mono" }, when(entry.time)),
    el("td", {}, entry.request.method),
    el("td", { className: "mono" }, entry.request.path + query),
    el("td", { className: "s" + String(status)[0] }, status, entry.fault ? " (fault " + entry.fault + ")" : ""),
    el("td", {}, entry.hint || ""));
  const detail = el("tr", { className: "detail", hidden: true },
    el("td", { colSpan: 6 },
      el("h3", {}, "Request headers"), headerList(entry.request.headers),
      el("h3", {}, "Request body"), bodyBlock(entry.request),
      entry.response ? [
        el("h3", {}, "Response headers"), headerList(entry.response.headers),
        el("h3", {}, "Response body"), bodyBlock(entry.response),
      ] : el("p", { className: "note" }, "No response (" + entry.outcome + ")"),
      el("p", { className: "note" }, "outcome " + entry.outcome + ", " + entry.latency_ms + " ms, tenant clock " + entry.tenant_time)));
  row.onclick = () => { detail.hidden = !detail.hidden; };
  return [row, detail];
}

loaders.journal = () => loadJournal(false);

// ---- tenant -----------------------------------------------------------------------------

/** A value on one line: lists joined by spaces, objects as `key: value; …`. */
function flat(value) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(flat).join(" ");
  if (typeof value === "object") return Object.entries(value).map(([k, v]) => k + ": " + flat(v)).join("; ");
  return String(value);
}

function cell(value) {
  if (Array.isArray(value) && value.some((v) => v && typeof v === "object")) {
    return el("ul", { className: "items" }, value.map((v) => el("li", {}, flat(v))));
  }
  return flat(value);
}

function table(rows) {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return el("div", { className: "wide" }, el("table", {},
    el("thead", {}, el("tr", {}, columns.map((c) => el("th", {}, c)))),
    el("tbody", {}, rows.map((row) => el("tr", {}, columns.map((c) => el("td", {}, cell(row[c]))))))));
}

/** The summary as the provider gives it: scalars first, then one table per list of objects. */
function renderSummary(summary) {
  const scalars = [];
  const blocks = [];
  for (const [key, value] of Object.entries(summary)) {
    if (Array.isArray(value) && value.length && value.every((v) => v && typeof v === "object" && !Array.isArray(v))) {
      blocks.push(el("h2", {}, key), table(value));
    } else if (value && typeof value === "object" && !Array.isArray(value)) {
      blocks.push(el("h2", {}, key), el("pre", {}, JSON.stringify(value, null, 2)));
    } else {
      scalars.push(el("dt", {}, key), el("dd", { className: "mono" }, cell(value)));
    }
  }
  return [el("dl", { className: "kv" }, scalars), ...blocks];
}

loaders.tenant = async () => {
  $("#tenant-view").replaceChildren(...renderSummary(await api("GET", "/tenant")));
};

function base64url(part) {
  const text = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(text, (c) => c.charCodeAt(0))));
}

function decodeJwt() {
  const input = $("#jwt-input").value.trim().replace(/^Bearer\s+/i, "");
  const out = $("#jwt-output");
  if (!input) return out.replaceChildren();
  const parts = input.split(".");
  try {
    if (parts.length !== 3) throw new Error("a JWT has three parts separated by dots (this has " + parts.length + ")");
    const header = base64url(parts[0]);
    const claims = base64url(parts[1]);
    const times = ["iat", "nbf", "exp", "auth_time", "updated_at"]
      .filter((name) => typeof claims[name] === "number")
      .map((name) => el("li", {}, name + ": " + new Date(claims[name] * 1000).toISOString()));
    out.replaceChildren(
      el("h3", {}, "Header"), el("pre", { id: "jwt-header" }, JSON.stringify(header, null, 2)),
      el("h3", {}, "Claims"), el("pre", { id: "jwt-claims" }, JSON.stringify(claims, null, 2)),
      times.length ? el("ul", { className: "note" }, times) : null,
      el("p", { className: "note" }, "Signature not verified."));
  } catch (error) {
    out.replaceChildren(el("p", { className: "note" }, "Not a JWT: " + error.message));
  }
}

// ---- clock ------------------------------------------------------------------------------

loaders.clock = async () => {
  const clock = await loadNow();
  $("#clock-state").textContent = "Tenant time " + clock.now + " (unix " + clock.unix + "), " +
    (clock.mode === "manual" ? "set by hand: it moves only when advanced or set" : "following the system clock");
};

async function changeClock(body) {
  await api("POST", "/clock", body);
  await loaders.clock();
}

// ---- faults -----------------------------------------------------------------------------

function describeAction(action) {
  if (typeof action === "string") return action.replace(/_/g, " ");
  if (action.respond) return "answers " + action.respond.status;
  if (action.error) return "answers " + action.error;
  return JSON.stringify(action);
}

loaders.faults = async () => {
  const { faults } = await api("GET", "/faults");
  const body = $("#faults-table tbody");
  body.replaceChildren(...faults.map((f) => el("tr", {},
    el("td", {}, f.id), el("td", {}, f.method || "any"), el("td", { className: "mono" }, f.path),
    el("td", {}, describeAction(f.action), f.delay_ms ? " after " + f.delay_ms + " ms" : ""),
    el("td", {}, f.hits), el("td", {}, f.remaining === null ? "always" : f.remaining),
    el("td", {}, el("button", { type: "button", onclick: () => attempt(async () => {
      await api("DELETE", "/faults/" + f.id);
      await loaders.faults();
    }) }, "Delete")))));
  if (!faults.length) body.append(el("tr", {}, el("td", { colSpan: 7, className: "note" }, "No rules: every request gets the provider's answer.")));
};

function faultFromForm(form) {
  const data = Object.fromEntries(new FormData(form));
  const rule = { path: data.path.trim() };
  if (data.method.trim()) rule.method = data.method.trim();
  if (data.times) rule.times = Number(data.times);
  if (data.kind === "status") rule.respond = { status: Number(data.status) };
  if (data.kind === "error") rule.error = data.error.trim();
  if (data.kind === "drop") rule.drop = true;
  return rule;
}

// ---- wiring -----------------------------------------------------------------------------

function wire() {
  const on = (selector, event, handler) => $(selector).addEventListener(event, (e) => {
    if (event === "submit") e.preventDefault();
    attempt(() => handler(e));
  });
  on("#token-form", "submit", async () => {
    sessionStorage.setItem(TOKEN_KEY, $("#admin-token").value.trim());
    $("#admin-token").value = "";
    $("#token-form").hidden = true;
    showTab();
  });
  on("#inbox-refresh", "click", loaders.inbox);
  on("#inbox-clear", "click", async () => {
    await api("DELETE", "/outbox");
    $("#mail").replaceChildren();
    openedMail = null;
    await loaders.inbox();
  });
  on("#journal-filter", "submit", () => loadJournal(false));
  on("#journal-more", "click", () => loadJournal(true));
  on("#journal-clear", "click", async () => {
    await api("DELETE", "/journal");
    await loadJournal(false);
  });
  on("#tenant-refresh", "click", loaders.tenant);
  on("#tenant-reset", "click", async () => {
    if (!confirm("Back to the seed: users, tokens, mail, journal, faults and clock?")) return;
    await api("POST", "/reset");
    await loaders.tenant();
  });
  $("#jwt-input").addEventListener("input", decodeJwt);
  on("#clock-advance", "submit", (e) => changeClock({ advance_secs: Number(new FormData(e.target).get("secs")) }));
  for (const button of document.querySelectorAll("#clock-advance [data-secs]")) {
    button.addEventListener("click", () => attempt(() => changeClock({ advance_secs: Number(button.dataset.secs) })));
  }
  on("#clock-system", "click", () => changeClock({ mode: "system" }));
  on("#fault-form", "submit", async (e) => {
    await api("POST", "/faults", faultFromForm(e.target));
    await loaders.faults();
  });
  window.addEventListener("hashchange", showTab);
}

async function start() {
  wire();
  // Health needs no token and names the provider.
  const health = await api("GET", "/health");
  $("#provider").textContent = health.provider === "janrain" ? "· Janrain app" : "· Auth0 tenant";
  document.title = "authmock console (" + health.provider + ")";
  $("#fault-form [name=error]").placeholder = health.provider === "janrain" ? "janrain.api_limit_error" : "auth0.rate_limited";
  showTab();
}

document.addEventListener("DOMContentLoaded", () => attempt(start));
