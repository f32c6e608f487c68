// Crisis alerts: the list, and one alert with its subject by name, trend, sample posts, and
// acknowledge ("seen, on it", any agent) and resolve (supervisors).
import { api, path } from "./api.js";
import { barChart } from "./charts.js";
import { h, postLink, when, words } from "./dom.js";

const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

function seen(a) {
  return a.acknowledged_by ? `${a.acknowledged_by}, ${when(a.acknowledged_at)}` : "not yet";
}

function measure(a) {
  return a.kind === "viral_negative_post"
    ? `${a.observed} shares an hour (threshold ${a.threshold})`
    : `${a.observed} negative authors in 10 minutes (usual ${a.baseline}, threshold ${a.threshold})`;
}

function alertRow(a) {
  return h(
    "tr",
    { "data-alert-id": a.alert_id },
    h("td", {}, h("a", { href: `#/alerts/${a.alert_id}`, class: "alert-link" }, a.title)),
    h("td", {}, words(a.kind)),
    h("td", {}, h("span", { class: `badge ${a.status === "active" ? "urgent" : "low"}` }, a.status)),
    h("td", {}, seen(a)),
    h("td", {}, when(a.changed_at)),
  );
}

export async function showList(main) {
  const rows = h("tbody");
  main.replaceChildren(
    h("h1", { tabindex: -1 }, "Crisis alerts"),
    h(
      "section",
      { class: "panel" },
      h(
        "table",
        { class: "cases alerts-table" },
        h("caption", {}, "Latest change first"),
        h("thead", {}, h("tr", {}, ["Alert", "Kind", "Status", "Acknowledged", "Changed"].map((t) => h("th", { scope: "col" }, t)))),
        rows,
      ),
    ),
  );
  async function refresh() {
    const found = await api("/v1/alerts", { params: { limit: 50 } });
    rows.replaceChildren(...(found.length ? found.map(alertRow) : [h("tr", {}, h("td", { colspan: 5 }, "No crisis alert."))]));
  }
  await refresh();
  return { refresh };
}

function sample(m) {
  return h(
    "li",
    { class: "message customer" },
    h("p", { class: "meta" }, `${m.handle ? `@${m.handle}` : "Customer"} · ${when(m.created_at)} `, m.link ? postLink(m.link) : null),
    h("p", { class: "text" }, m.text),
  );
}

function trendChart(a) {
  const values = a.trend.map((p) => p.negative_authors);
  const spike = a.kind === "negative_spike";  // a viral post's threshold is in shares, not authors
  const max = Math.max(spike ? a.threshold : 0, ...values, 1);
  const subject = a.trend_subject === "all" ? "all negative mentions" : words(a.trend_subject);
  return barChart({
    title: `Negative authors per 10 minutes (${subject})`,
    summary: `${values.join(", ")} from ${time(a.trend[0].start)} to ${time(a.trend.at(-1).start)}`,
    labels: a.trend.map((p) => time(p.start)),
    values,
    max,
  });
}

export async function show(main, id, session, report) {
  const base = path`/v1/alerts/${id}`;
  const supervisor = session.me.scopes.some((s) => s === "supervisor" || s === "admin");
  const heading = h("h1", { tabindex: -1 }, "Crisis alert");
  const actions = h("div", { class: "actions", role: "group", "aria-label": "Alert actions" });
  const facts = h("dl", { class: "facts" });
  const trend = h("section", { class: "panel", "aria-labelledby": "trend-title" });
  const samples = h("ol", { class: "thread", "aria-label": "Sample posts" });

  async function act(action) {
    try {
      await api(`${base}/${action}`, { method: "POST" });
      await refresh();
    } catch (error) {
      report(error);
    }
  }

  async function refresh() {
    const a = await api(base);
    heading.textContent = a.title;
    const rows = [
      ["Status", h("span", { id: "alert-status" }, a.status)],
      ["Kind", words(a.kind)],
      ["Measured", measure(a)],
      ["Window", `${when(a.window_start)} – ${time(a.window_end)}`],
      ["Acknowledged", h("span", { id: "alert-acknowledged" }, seen(a))],
      ["Cases", String(a.case_ids.length)],
    ];
    facts.replaceChildren(...rows.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
    const buttons = [];
    if (a.status === "active" && !a.acknowledged_by) buttons.push(h("button", { type: "button", class: "primary", onclick: () => act("acknowledge") }, "Acknowledge"));
    if (a.status === "active" && supervisor) buttons.push(h("button", { type: "button", onclick: () => act("clear") }, "Resolve"));
    actions.replaceChildren(...(buttons.length ? buttons : [h("span", { class: "muted" }, a.status === "active" ? "Acknowledged." : "Resolved.")]));
    trend.replaceChildren(h("h2", { id: "trend-title" }, "Trend"), trendChart(a));
    samples.replaceChildren(...(a.samples.length ? a.samples.map(sample) : [h("li", { class: "muted" }, "No post kept.")]));
  }

  main.replaceChildren(
    h("p", {}, h("a", { href: "#/alerts" }, "← All alerts")),
    heading,
    h(
      "div",
      { class: "alert-view" },
      h("section", { class: "panel", "aria-label": "Alert" }, actions, facts),
      trend,
      h("section", { class: "panel wide", "aria-labelledby": "samples-title" }, h("h2", { id: "samples-title" }, "Sample posts"), samples),
    ),
  );
  await refresh();
  return { refresh };
}
