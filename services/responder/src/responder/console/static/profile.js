// The customer's profile panel: stage, segment, scores, loyalty, and their latest mentions.
import { api, ApiError, path } from "./api.js";
import { h, signed, when, words } from "./dom.js";

export function nameOf(profile) {
  const social = profile.identities.find((i) => i.handle);
  if (social) return `@${social.handle}`;
  const named = profile.identities.find((i) => i.display_name);
  return named ? named.display_name : `customer ${profile.profile_id.slice(0, 8)}`;
}

function list(pairs) {
  return h("dl", { class: "facts" }, pairs.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

async function part(load, fallback) {
  try {
    return await load();
  } catch (error) {
    if (error instanceof ApiError && error.status !== 401) return h("p", { class: "muted" }, fallback(error));
    throw error;
  }
}

export async function profilePanel(panel, profileId, report) {
  panel.replaceChildren(h("h2", { id: "profile-title" }, "Customer"), h("p", { class: "muted" }, "Loading…"));
  try {
    const [profile, member, history] = await Promise.all([
      part(async () => {
        const p = await api(path`/v1/customers/${profileId}`);
        return list([
          ["Name", nameOf(p)],
          ["Stage", h("span", { class: `badge stage-${p.stage}` }, words(p.stage))],
          ["Segment", words(p.segment)],
          ["Health", `${p.scores.health} / 100`],
          ["Advocacy", `${p.scores.advocacy} / 100`],
          ["Influence", `${p.scores.influence} / 100`],
          ["Sentiment trend", signed(p.scores.sentiment_trend)],
          ["Mentions", p.mention_count],
          ["Followers", p.followers],
          ["Customer value", p.customer_value],
          ["Since", when(p.first_seen)],
        ]);
      }, (e) => `Profile unavailable: ${e.message}`),
      part(async () => {
        const m = await api(path`/v1/customers/${profileId}/membership`);
        return list([["Loyalty tier", words(m.tier)], ["Points balance", m.balance], ["Lifetime points", m.lifetime_points]]);
      }, (e) => (e.status === 404 ? "Not a loyalty member yet." : `Loyalty unavailable: ${e.message}`)),
      part(async () => {
        const mentions = await api(path`/v1/customers/${profileId}/mentions`, { params: { limit: 5 } });
        return h("ol", { class: "history" }, mentions.map((m) => h("li", {}, h("span", { class: "meta" }, `${when(m.created_at)} · ${m.sentiment.label} · `), m.text)));
      }, (e) => `History unavailable: ${e.message}`),
    ]);
    panel.replaceChildren(h("h2", { id: "profile-title" }, "Customer"), profile, h("h3", {}, "Loyalty"), member, h("h3", {}, "Latest mentions"), history);
  } catch (error) {
    report(error);
  }
}
