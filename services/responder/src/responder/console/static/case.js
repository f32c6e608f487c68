// A case: what it is, who holds and views it, its tags, the timeline (conversation, replies,
// internal notes), suggested and saved replies, the reply box, and the customer's profile
// (from profiles and loyalty, through responder).
import { api, path } from "./api.js";
import { channelChoice, macroPicker, noteForm, tagEditor } from "./case_tools.js";
import { duration, h, postLink, timeLeft, when, words } from "./dom.js";
import { profilePanel } from "./profile.js";
import { timeline } from "./timeline.js";

const CLOCKS = ["first_response", "next_response", "resolution"];

// One SLA clock: met (in time or late), paused, or due.
function slaClock(clock) {
  if (clock.met_at) {
    const late = clock.due && new Date(clock.met_at) > new Date(clock.due);
    return `met ${when(clock.met_at)}${late ? " (late)" : ""}`;
  }
  return clock.due ? `due ${when(clock.due)}` : "paused";
}

function clocks(c) {
  const rows = CLOCKS.filter((target) => c.clocks[target]).map((target) => [
    words(target),
    h("span", { class: "sla-clock", "data-target": target }, slaClock(c.clocks[target])),
  ]);
  const paused = c.paused_since ? `waiting on the customer since ${when(c.paused_since)}` : duration(c.paused_s);
  return [...rows, ["Paused", paused]];
}

function facts(c) {
  const left = timeLeft(c);
  const rows = [
    ["State", c.historical ? `${words(c.state)} · history (older than the live window)` : words(c.state)],
    ["Queue", words(c.queue)],
    ["Priority", h("span", { class: `badge ${c.priority}` }, c.priority)],
    ["Time left", h("span", { class: `due ${c.breaches.length ? "red" : left.level}` }, left.text)],
    ["Intents", c.intents.map(words).join(", ") || "—"],
    ["Language", c.language || "—"],
    ["Opened", when(c.opened_at)],
    ...clocks(c),
    ["Breaches", c.breaches.map((b) => words(b.target)).join(", ") || "none"],
  ];
  return rows.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]);
}

export async function show(main, id, session, report) {
  const base = path`/v1/cases/${id}`;
  const me = session.me.subject;
  const supervisor = session.me.scopes.some((s) => s === "supervisor" || s === "admin");
  const heading = h("h1", { tabindex: -1 }, "Case");
  const latest = h("p", { id: "case-latest", class: "preview" });
  const actions = h("div", { class: "actions", role: "group", "aria-label": "Case actions" });
  const presence = h("p", { id: "presence", class: "presence", role: "status" });
  const details = h("dl", { class: "facts" });
  const thread = h("ol", { class: "thread", "aria-label": "Conversation" });
  const suggestions = h("div", { class: "suggestions" });
  const text = h("textarea", { id: "reply-text", rows: 4, maxlength: 2000 });
  const sendButton = h("button", { type: "submit", class: "primary" }, "Send reply");
  const textLabel = h("label", { for: "reply-text" }, "Your reply");
  const editing = h("p", { class: "editing", role: "status", hidden: true });
  const form = h("form", { class: "reply", "aria-label": "Reply" }, h("h2", {}, "Reply"), suggestions);
  const channel = channelChoice(form, textLabel);
  const changed = () => { drawn = ""; refresh().catch(report); };
  const tags = tagEditor(id, report, changed);
  const profile = h("section", { class: "panel profile", "aria-labelledby": "profile-title" });
  let detail = null;
  let drawn = "";
  let replyId = crypto.randomUUID();
  let correcting = null; // the failed reply an edit replaces
  const newReply = () => { replyId = crypto.randomUUID(); };
  form.append(macroPicker(id, text, report, newReply), channel.element, textLabel, text, editing, sendButton);

  function stopEditing() {
    correcting = null;
    editing.hidden = true;
    channel.lock(null);
  }

  const failedReplies = {
    async retry(reply) {
      try {
        await api(path`/v1/cases/${id}/replies/${reply.reply_id}/retry`, { method: "POST" });
        changed();
      } catch (error) {
        report(error);
      }
    },
    edit(reply) {
      correcting = reply;
      text.value = reply.text;
      newReply();
      channel.lock(reply.channel);
      const cancel = h("button", { type: "button", class: "link", onclick: stopEditing }, "Cancel the edit");
      editing.replaceChildren(`Editing the failed reply: sending replaces it. `, cancel);
      editing.hidden = false;
      text.focus();
    },
  };

  async function act(action, body) {
    try {
      await api(`${base}/${action}`, { method: "POST", body });
      drawn = "";
      await refresh();
    } catch (error) {
      report(error);
    }
  }

  function buttons(c) {
    const held = c.assignee === me;
    const mayWork = held || supervisor;
    const found = [];
    if (c.state !== "resolved" && !held) found.push(h("button", { type: "button", class: "primary", onclick: () => act("claim") }, "Claim"));
    if (c.state !== "resolved" && c.assignee && mayWork) found.push(h("button", { type: "button", onclick: () => act("release") }, "Release"));
    if (c.state !== "resolved" && mayWork) {
      found.push(h("button", { type: "button", onclick: () => act("state", { state: "waiting_on_customer" }) }, "Waiting on customer"));
      found.push(h("button", { type: "button", onclick: () => act("state", { state: "resolved" }) }, "Resolve"));
    }
    if (supervisor && c.state !== "resolved") found.push(assignControl());
    return found.length ? found : [h("span", { class: "muted" }, "Resolved.")];
  }

  function assignControl() {
    const agent = h("select", { id: "assign-agent" });
    api("/v1/agents").then((agents) => agent.replaceChildren(...agents.map((a) => h("option", { value: a.id }, `${a.name} (${a.load}/${a.capacity})`)))).catch(report);
    return h(
      "span",
      { class: "assign" },
      h("label", { for: "assign-agent" }, "Assign to "),
      agent,
      h("button", { type: "button", onclick: () => act("assign", { agent_id: agent.value }) }, "Assign"),
    );
  }

  async function refresh() {
    const [c, seen] = await Promise.all([api(base), api(`${base}/viewers`, { method: "POST" })]);
    detail = c;
    heading.textContent = `Case of ${c.handle ? `@${c.handle}` : "a customer"}`;
    latest.replaceChildren(c.preview || "", " ", c.link ? postLink(c.link) : "");
    details.replaceChildren(...facts(c));
    const others = seen.viewers.map((v) => v.agent).filter((a) => a !== me);
    const holder = seen.holder ? (seen.holder === me ? "You hold this case." : `Held by ${seen.holder}.`) : "Nobody holds this case.";
    presence.textContent = `${holder} ${others.length ? `Also viewing: ${others.join(", ")}.` : "Nobody else is viewing."}`;
    const replies = c.replies.map((r) => `${r.state}${r.superseded_by || ""}`).join();
    const key = `${c.state}|${c.assignee}|${c.messages.length}|${replies}|${c.notes.length}|${c.tags.join()}`;
    if (key === drawn) return;
    drawn = key;
    actions.replaceChildren(...buttons(c));
    tags.show(c.tags);
    const mayReply = c.assignee === me && c.state !== "resolved";
    thread.replaceChildren(...timeline(c, mayReply ? failedReplies : null));
    sendButton.disabled = !mayReply;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!text.value.trim()) return;
    try {
      if (correcting) {
        await api(path`/v1/cases/${id}/replies/${correcting.reply_id}/edit`, { method: "POST", body: { reply_id: replyId, text: text.value } });
        stopEditing();
      } else {
        await api(`${base}/replies`, { method: "POST", body: { reply_id: replyId, text: text.value, channel: channel.value() } });
      }
      newReply();
      text.value = "";
      drawn = "";
      await refresh();
    } catch (error) {
      report(error);
    }
  });
  text.addEventListener("input", newReply);

  main.replaceChildren(
    h("p", {}, h("a", { href: "#/inbox" }, "← Back to the inbox")),
    heading,
    latest,
    h(
      "div",
      { class: "case" },
      h("section", { class: "panel", "aria-label": "Case" }, actions, presence, details, tags.element),
      h("section", { class: "panel wide", "aria-label": "Conversation and reply" }, h("h2", {}, "Conversation"), thread, form, noteForm(id, report, changed)),
      profile,
    ),
  );
  await refresh();
  const offered = await api(`${base}/suggestions`);
  suggestions.replaceChildren(
    h("p", { class: "muted" }, offered.length ? "Suggested replies (edit before sending):" : "No suggestion for this case."),
    ...offered.map((o) => h("button", { type: "button", class: "suggestion", onclick: () => { text.value = o.text; newReply(); text.focus(); } }, `Use ${words(o.intent)} reply: ${o.text}`)),
  );
  profilePanel(profile, detail.profile_id, report);
  return { refresh };
}
