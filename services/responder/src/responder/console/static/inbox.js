// The inbox: queues with counts, and cases most urgent first with the time left on their SLA,
// a preview of each customer's latest message, search, and pages of cases ("Load more").
import { api, page } from "./api.js";
import { h, postLink, timeLeft, words } from "./dom.js";

const PAGE_SIZES = ["10", "25", "50", "100"];
const PAGE = "100";

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
    h(
      "td",
      { class: "customer" },
      h("a", { href: `#/case/${c.case_id}`, class: "case-link" }, c.handle ? `@${c.handle}` : "customer"),
      c.preview ? h("p", { class: "preview", lang: c.language || null }, c.preview) : null,
      c.link ? postLink(c.link) : null,
    ),
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
  const search = h("input", {
    id: "search", name: "q", type: "search", value: filters.q || "", maxlength: 100,
    placeholder: "words, @handle or name",
  });
  const form = h(
    "form",
    { class: "filters", "aria-label": "Filter cases", role: "search" },
    h("div", { class: "field" }, h("label", { for: "search" }, "Search"), search),
    queueSelect,
    h("div", { class: "field" }, h("label", { for: "language" }, "Language"), language),
    choice("intent", "Intent", INTENTS, filters.intent),
    choice("state", "State", STATES, filters.state),
    h(
      "div",
      { class: "field" },
      h("label", { for: "page-size" }, "Per page"),
      h("select", { id: "page-size", name: "page-size" }, PAGE_SIZES.map((n) => h("option", { value: n, selected: n === (filters.limit || PAGE) }, n))),
    ),
  );
  const queues = h("ul", { class: "queues" });
  const rows = h("tbody");
  const status = h("p", { id: "case-count", class: "muted", role: "status" });
  const more = h("button", { type: "button", id: "load-more", hidden: true }, "Load more");
  let shown = [];
  let next = null;
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
      h("section", { "aria-label": "Cases", class: "panel wide" }, status, table, more),
    ),
  );

  function changed() {
    if (!language.checkValidity()) return;
    for (const id of ["queue", "intent", "state"]) filters[id] = form.elements[id]?.value || "";
    filters.language = language.value;
    filters.q = search.value.trim();
    filters.limit = form.elements["page-size"].value;
    sessionStorage.setItem(KEY, JSON.stringify(filters));
    shown = [];
    refresh().catch(report);
  }
  form.addEventListener("change", changed);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    changed();
  });
  more.addEventListener("click", () => loadMore().catch(report));

  function select(queue) {
    filters.queue = queue;
    sessionStorage.setItem(KEY, JSON.stringify(filters));
    shown = [];
    refresh().catch(report);
  }

  const params = () => ({ ...filters, active: filters.state ? "" : "true", historical: "false", limit: filters.limit || PAGE });

  // The pages shown so far, read again from the first (a case may have moved or been resolved).
  async function refresh() {
    const wanted = Math.max(shown.length, Number(filters.limit || PAGE));
    const [counts, first] = await Promise.all([api("/v1/queues"), page("/v1/cases", { params: params() })]);
    const cases = [...first.items];
    let { next: following, total } = first;
    while (following && cases.length < wanted) {
      const further = await page("/v1/cases", { params: { ...params(), cursor: following } });
      cases.push(...further.items);
      ({ next: following, total } = further);
    }
    const names = [...new Set([...counts.map((q) => q.queue), filters.queue].filter(Boolean))];
    if (!queueSelect.contains(document.activeElement)) {
      queueSelect.replaceChildren(choice("queue", "Queue", names, filters.queue));
    }
    queues.replaceChildren(...(counts.length ? counts.map((q) => queueItem(q, select)) : [h("li", {}, "No active cases.")]));
    draw(cases, following, total);
  }

  async function loadMore() {
    if (!next) return;
    const further = await page("/v1/cases", { params: { ...params(), cursor: next } });
    draw([...shown, ...further.items], further.next, further.total);
    rows.querySelectorAll("a.case-link")[shown.length - further.items.length]?.focus();
  }

  function draw(cases, following, total) {
    shown = cases;
    next = following;
    const focused = document.activeElement?.closest("tr")?.dataset.caseId;
    rows.replaceChildren(...cases.map(caseRow));
    if (focused) rows.querySelector(`tr[data-case-id="${focused}"] a`)?.focus();
    const searched = filters.q ? ` matching “${filters.q}”` : "";
    status.textContent = `${cases.length} of ${total} case${total === 1 ? "" : "s"}${searched} shown`;
    more.hidden = !following;
  }

  await refresh();
  return { refresh };
}
