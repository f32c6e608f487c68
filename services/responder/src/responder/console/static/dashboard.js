// The brand-health dashboard: mood, advocacy, handoff, the loudest voices and active alerts.
import { api, path } from "./api.js";
import { barChart, lineChart } from "./charts.js";
import { duration, h, percent, signed, words } from "./dom.js";
import { nameOf } from "./profile.js";

const KEY = "rapport.range";
const RANGES = { "24h": ["Last 24 hours", 1], "7d": ["Last 7 days", 7], "30d": ["Last 30 days", 30], "90d": ["Last 90 days", 90] };
const REFRESH_MS = 20000;
const names = new Map();

function stat(id, label, value, note) {
  return h("div", { class: "stat" }, h("span", { class: "label" }, label), h("span", { class: "value", id }, value), note ? h("span", { class: "note" }, note) : null);
}

function card(title, ...children) {
  const id = `card-${title.toLowerCase().replaceAll(" ", "-")}`;
  return h("section", { class: "panel card", "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

async function nameFor(profileId) {
  if (!names.has(profileId)) {
    names.set(profileId, api(path`/v1/customers/${profileId}`).then(nameOf).catch(() => `customer ${profileId.slice(0, 8)}`));
  }
  return names.get(profileId);
}

async function voices(id, found, noun) {
  if (!found.length) return h("p", { class: "muted", id }, "Nobody in this range.");
  const items = await Promise.all(found.map(async (v) => h("li", {}, h("strong", {}, await nameFor(v.profile_id)), ` · ${v.mentions} ${noun}${v.mentions === 1 ? "" : "s"}`)));
  return h("ol", { id, class: "voices" }, items);
}

function label(iso, unit) {
  const d = new Date(iso);
  const day = { month: "short", day: "numeric" };
  return d.toLocaleString([], unit === "hour" ? { ...day, hour: "2-digit", minute: "2-digit" } : day);
}

export async function show(main, session, report) {
  const range = h("select", { id: "range", name: "range" }, Object.entries(RANGES).map(([key, [text]]) => h("option", { value: key, selected: key === (sessionStorage.getItem(KEY) || "7d") }, text)));
  const grid = h("div", { class: "grid" });
  main.replaceChildren(
    h("h1", { tabindex: -1 }, "Brand health"),
    h("form", { class: "filters", "aria-label": "Time range" }, h("div", { class: "field" }, h("label", { for: "range" }, "Time range"), range)),
    grid,
  );
  range.addEventListener("change", () => {
    sessionStorage.setItem(KEY, range.value);
    refresh().catch(report);
  });

  let latest = 0;
  async function refresh() {
    const mine = ++latest;
    const chosen = range.value;
    const until = new Date();
    const since = new Date(until - RANGES[chosen][1] * 86400e3);
    const params = { since: since.toISOString(), until: until.toISOString() };
    const [board, handoff, alerts] = await Promise.all([
      api("/v1/dashboard", { params }),
      api("/v1/handoff", { params }),
      api("/v1/alerts", { params: { status: "active", limit: 20 } }),
    ]);
    const [evangelists, detractors] = await Promise.all([
      voices("top-evangelists", board.top_evangelists, "advocacy mention"),
      voices("top-detractors", board.top_detractors, "negative mention"),
    ]);
    if (mine !== latest) return; // a newer range was chosen meanwhile
    const labels = board.series.map((p) => label(p.start, board.unit));
    const days = board.people.map((p) => label(p.day, "day"));
    const t = board.totals;
    const o = handoff.overall;
    const trend = board.mood_trend;
    grid.replaceChildren(
      card(
        "Mood",
        h("div", { class: "stats" }, stat("net-sentiment", "Net sentiment", signed(t.net_sentiment), "(positive − negative) / (positive + negative)"), stat("mood-trend", "Trend", trend === null ? "—" : `${trend >= 0 ? "▲" : "▼"} ${signed(trend)}`, "against the previous period")),
        h("p", { class: "muted" }, `${t.positive} positive · ${t.negative} negative · ${t.neutral} neutral`),
        lineChart({ title: "Net sentiment", summary: `${signed(t.net_sentiment)} overall`, labels, min: -1, max: 1, format: (v) => signed(v).replace(".00", ""), series: [{ values: board.series.map((p) => p.net_sentiment), className: "mood" }] }),
      ),
      card(
        "Advocacy",
        h("div", { class: "stats" }, stat("advocacy-share", "Advocacy share", percent(t.advocacy_share), `${t.advocacy} of ${t.mentions} mentions`), stat("fans", "Fans · evangelists", `${board.people.at(-1)?.fans ?? "—"} · ${board.people.at(-1)?.evangelists ?? "—"}`)),
        barChart({ title: "Share of mentions that are advocacy", summary: percent(t.advocacy_share), labels, values: board.series.map((p) => p.advocacy_share), max: 1, format: percent }),
        lineChart({ title: "Fans (blue) and evangelists (green)", summary: "per day", labels: days, min: 0, max: Math.max(1, ...board.people.flatMap((p) => [p.fans ?? 0, p.evangelists ?? 0])), series: [{ values: board.people.map((p) => p.fans), className: "fans" }, { values: board.people.map((p) => p.evangelists), className: "evangelists" }] }),
      ),
      card(
        "Handoff",
        h("div", { class: "stats" },
          stat("first-response-median", "First response, median", duration(o.first_response.median_s)),
          stat("first-response-p90", "90th percentile", duration(o.first_response.p90_s)),
          stat("within-sla", "Within SLA", percent(o.within_sla)),
        ),
        h("p", { class: "muted", id: "handoff-counts" }, `${o.first_response.count} of ${o.cases} cases answered · ${o.resolution.count} resolved · backlog ${o.backlog} · ${o.breaches} breaches`),
        barChart({ title: "Answered within SLA, per queue", summary: Object.entries(handoff.queues).map(([q, m]) => `${q} ${percent(m.within_sla)}`).join(", ") || "no cases", labels: Object.keys(handoff.queues).map(words), values: Object.values(handoff.queues).map((m) => m.within_sla), max: 1, format: percent }),
      ),
      card("Top evangelists", evangelists),
      card("Top detractors", detractors),
      card(
        "Active crisis alerts",
        alerts.length
          ? h("ul", { id: "active-alerts" }, alerts.map((a) => h("li", {}, h("strong", {}, words(a.kind)), ` · ${a.subject} · ${a.observed} observed (threshold ${a.threshold}) · ${a.case_ids.length} cases`)))
          : h("p", { class: "muted", id: "active-alerts" }, "No active alert."),
      ),
    );
    grid.dataset.range = chosen;
  }

  // The poller asks every few seconds; the dashboard is heavier and changes slowly.
  let last = Date.now();
  async function poll() {
    if (Date.now() - last < REFRESH_MS) return;
    last = Date.now();
    await refresh();
  }

  await refresh();
  return { refresh: poll };
}
