// A case's timeline: the conversation, the replies not (yet) sent, and the agents' internal
// notes, in time order. Each agent reply says whether it went public or as a direct message;
// a failed one says why, with Retry and Edit for the agent holding the case.
import { h, when } from "./dom.js";

const AUTHORS = { customer: "Customer", brand: "Brand", agent: "Agent" };
export const CHANNELS = { public: "Public reply", direct: "Direct message" };

const channel = (name) => h("span", { class: `channel ${name}` }, CHANNELS[name]);
// Mentions (customers' and the brand's own posts) are public posts: ingest takes no DMs.
const posted = () => h("span", { class: "channel public" }, "Public post");

function message(m, reply) {
  const label = reply ? channel(reply.channel) : m.kind === "agent" ? null : posted();
  return h(
    "li",
    { class: `message ${m.kind}` },
    h("p", { class: "meta" }, `${AUTHORS[m.kind]}${m.handle ? ` @${m.handle}` : ""} · ${when(m.created_at)} `, label),
    h("p", { class: "text" }, m.text),
  );
}

function unsent(reply, actions) {
  const failed = reply.state === "failed";
  const state = reply.superseded_by ? "not sent: replaced by an edit" : failed ? "could not be sent" : "sending";
  const open = failed && !reply.superseded_by;
  return h(
    "li",
    { class: `message agent pending${open ? " failed" : ""}`, "data-reply": reply.reply_id },
    h("p", { class: "meta" }, `Agent ${reply.agent} · ${when(reply.created_at)} · ${state} `, channel(reply.channel)),
    h("p", { class: "text" }, reply.text),
    open ? h("p", { class: "delivery-error" }, `Why: ${reply.last_error || "the platform refused it"}`) : null,
    open && actions
      ? h(
          "div",
          { class: "reply-actions", role: "group", "aria-label": "Failed reply" },
          h("button", { type: "button", onclick: () => actions.retry(reply) }, "Retry"),
          h("button", { type: "button", onclick: () => actions.edit(reply) }, "Edit"),
        )
      : null,
  );
}

function note(n) {
  return h(
    "li",
    { class: "message internal-note" },
    h("p", { class: "meta" }, h("strong", {}, "Internal note"), ` · ${n.author} · ${when(n.created_at)} · never sent to the customer`),
    h("p", { class: "text" }, n.text),
  );
}

// ``actions`` ({retry, edit}) only for the agent who may act on failed replies.
export function timeline(c, actions) {
  const replies = new Map(c.replies.map((r) => [r.reply_id, r]));
  const sent = new Set(c.messages.map((m) => m.id));
  const entries = [
    ...c.messages.map((m) => [m.created_at, message(m, replies.get(m.id))]),
    ...c.replies.filter((r) => !sent.has(r.reply_id)).map((r) => [r.created_at, unsent(r, actions)]),
    ...c.notes.map((n) => [n.created_at, note(n)]),
  ];
  return entries.sort(([a], [b]) => new Date(a) - new Date(b)).map(([, entry]) => entry);
}
