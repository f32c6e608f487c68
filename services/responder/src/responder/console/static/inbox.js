// The inbox: queues with counts, and cases most urgent first with the time left on their SLA.
import { api } from "./api.js";
import { h, timeLeft, words } from "./dom.js";

const KEY = "rapport.filters";
const INTENTS = ["complaint", "question", "purchase_intent", "praise", "feature_request", "churn_risk", "other"];
const STATES = ["open", "assigned", "waiting_on_customer", "resolved"];

function choice(id, label, options, value) {
  const select = h(
    "select",
    { id, name: id },
    h("option", { value: "" }, id === "state" ? "any unresolved" : "any"),
    options.map((o) => h("option", { value: o, selected: o === value }, words(o))),
  );
  return h("div", { class: "field" }, h("label", { for: id }, label), select);
}

function queueItem(queue, select) {
  const text = `${queue.active} active · ${queue.unassigned} unassigned · ${queue.breached} breached`;
  return h(
    "li",
    {},
    h("button", { type: "button", class: "link", onclick: () => select(queue.queue) }, words(queue.queue)),
    h("span", { class: "muted" }, ` ${text}`),
    queue.urgent ? h("span", { class: "badge urgent" }, `${queue.urgent} urgent`) : null,
  );
}

function caseRow(c) {
  const left = timeLeft(c);
  const breached = c.breaches.length > 0;
  return h(
    "tr",
    { "data-case-id": c.case_id },
    h("td", {}, h("span", { class: `due ${breached ? "red" : left.level}`, title: left.label }, left.text)),
    h("td", {}, h("span", { class: `badge ${c.priority}` }, c.priority)),
    h("td", {}, h("a", { href: `#/case/${c.case_id}`, class: "case-link" }, c.handle ? `@${c.handle}` : "customer")),
    h("td", {}, words(c.queue)),
    h("td", {}, c.intents.map(words).join(", ") || "—"),
    h("td", {}, c.language || "—"),
    h("td", {}, words(c.state), breached ? h("span", { class: "badge urgent" }, "breached") : null),
    h("td", {}, c.assignee || "—"),
  );
}

export async function show(main, session, report) {
  const filters = JSON.parse(sessionStorage.getItem(KEY) || "{}");
  const queueSelect = h("div");
  const language = h("input", {
    id: "language", name: "language", value: filters.language || "", size: 4,
    maxlength: 3, pattern: "[a-z]{2,3}", placeholder: "en",
  });
  const form = h(
    "form",
    { class: "filters", "aria-label": "Filter cases" },
    queueSelect,
    h("div", { class: "field" }, h("label", { for: "language" }, "Language"), language),
    choice("intent", "Intent", INTENTS, filters.intent),
    choice("state", "State", STATES, filters.state),
  );
  const queues = h("ul", { class: "queues" });
  const rows = h("tbody");
  const status = h("p", { id: "case-count", class: "muted", role: "status" });
  const table = h(
    "table",
    { class: "cases" },
    h("caption", {}, "Cases, most urgent first (the time left turns red at 10 minutes)"),
    h("thead", {}, h("tr", {}, ["Time left", "Priority", "Customer", "Queue", "Intents", "Language", "State", "Agent"].map((t) => h("th", { scope: "col" }, t)))),
    rows,
  );
  main.replaceChildren(
    h("h1", { tabindex: -1 }, "Inbox"),
    form,
    h(
      "div",
      { class: "inbox" },
      h("section", { "aria-labelledby": "queues-title", class: "panel" }, h("h2", { id: "queues-title" }, "Queues"), queues),
      h("section", { "aria-label": "Cases", class: "panel wide" }, status, table),
    ),
  );

  function changed() {
    if (!language.checkValidity()) return;
    for (const id of ["queue", "intent", "state"]) filters[id] = form.elements[id]?.value || "";
    filters.language = language.value;
    sessionStorage.setItem(KEY, JSON.stringify(filters));
    refresh().catch(report);
  }
  form.addEventListener("change", changed);
  form.addEventListener("submit", (event) => event.preventDefault());

  function select(queue) {
    filters.queue = queue;
    sessionStorage.setItem(KEY, JSON.stringify(filters));
    refresh().catch(report);
  }

  async function refresh() {
    const params = { ...filters, active: filters.state ? "" : "true", historical: "false", limit: 100 };
    const [counts, cases] = await Promise.all([api("/v1/queues"), api("/v1/cases", { params })]);
    const names = [...new Set([...counts.map((q) => q.queue), filters.queue].filter(Boolean))];
    if (!queueSelect.contains(document.activeElement)) {
      queueSelect.replaceChildren(choice("queue", "Queue", names, filters.queue));
    }
    queues.replaceChildren(...(counts.length ? counts.map((q) => queueItem(q, select)) : [h("li", {}, "No active cases.")]));
    const focused = document.activeElement?.closest("tr")?.dataset.caseId;
    rows.replaceChildren(...cases.map(caseRow));
    if (focused) rows.querySelector(`tr[data-case-id="${focused}"] a`)?.focus();
    status.textContent = `${cases.length} case${cases.length === 1 ? "" : "s"} shown`;
  }

  await refresh();
  return { refresh };
}
