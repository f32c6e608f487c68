// What an agent uses on a case besides the reply itself: tags, internal notes, saved replies
// (macros) to insert into the reply box, and the choice of a public reply or a direct message.
import { api, path } from "./api.js";
import { h } from "./dom.js";
import { CHANNELS } from "./timeline.js";

const TAG = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

// The case's tags with a remove button each, and a field to add one.
export function tagEditor(caseId, report, changed) {
  const list = h("ul", { class: "tags", "aria-label": "Tags" });
  const field = h("input", { id: "tag-input", maxlength: 32, autocomplete: "off" });
  const base = path`/v1/cases/${caseId}/tags`;

  async function call(method, tag) {
    if (!TAG.test(tag)) return report(new Error("A tag is 1 to 32 letters, digits, '-' or '_', starting with a letter or digit."));
    try {
      await api(`${base}/${encodeURIComponent(tag.toLowerCase())}`, { method });
      changed();
    } catch (error) {
      report(error);
    }
  }

  const form = h("form", { class: "add-tag" }, h("label", { for: "tag-input" }, "Add a tag"), field, h("button", { type: "submit" }, "Add tag"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await call("PUT", field.value.trim());
    field.value = "";
  });
  const show = (tags) =>
    list.replaceChildren(
      ...(tags.length ? tags.map((t) => h("li", { class: "tag" }, t, h("button", { type: "button", class: "untag", "aria-label": `Remove tag ${t}`, onclick: () => call("DELETE", t) }, "×"))) : [h("li", { class: "muted" }, "No tags.")]),
    );
  return { element: h("section", { class: "case-tags", "aria-labelledby": "tags-title" }, h("h2", { id: "tags-title" }, "Tags"), list, form), show };
}

// A form for an internal note: any agent or supervisor may write one.
export function noteForm(caseId, report, changed) {
  const text = h("textarea", { id: "note-text", rows: 3, maxlength: 2000 });
  let noteId = crypto.randomUUID();
  text.addEventListener("input", () => { noteId = crypto.randomUUID(); });
  const form = h(
    "form",
    { class: "note-form", "aria-label": "Internal note" },
    h("h2", {}, "Internal note"),
    h("label", { for: "note-text" }, "Note for your team (never sent to the customer)"),
    text,
    h("button", { type: "submit" }, "Add internal note"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!text.value.trim()) return;
    try {
      await api(path`/v1/cases/${caseId}/notes`, { method: "POST", body: { note_id: noteId, text: text.value } });
      noteId = crypto.randomUUID();
      text.value = "";
      changed();
    } catch (error) {
      report(error);
    }
  });
  return form;
}

// The saved replies, each filled in for the case by responder and inserted at the cursor.
export function macroPicker(caseId, text, report, inserted) {
  const select = h("select", { id: "macro-select" });
  const insert = h("button", { type: "button" }, "Insert saved reply");
  const box = h("div", { class: "macros" }, h("label", { for: "macro-select" }, "Saved replies"), select, insert);
  api("/v1/macros")
    .then((macros) => {
      if (!macros.length) return box.replaceChildren(h("p", { class: "muted" }, "No saved replies yet (supervisors add them)."));
      select.replaceChildren(...macros.map((m) => h("option", { value: m.macro_id }, m.name)));
    })
    .catch(report);
  insert.addEventListener("click", async () => {
    try {
      const { text: filled } = await api(path`/v1/cases/${caseId}/macros/${select.value}/render`, { method: "POST" });
      text.setRangeText(filled, text.selectionStart, text.selectionEnd, "end");
      inserted();
      text.focus();
    } catch (error) {
      report(error);
    }
  });
  return box;
}

// Public reply (the default) or direct message: the reply box says which, and looks it.
export function channelChoice(form, label) {
  const describe = { public: "Your public reply (everyone sees it under their post)", direct: "Your direct message (only the customer sees it)" };
  const radios = Object.keys(CHANNELS).map((name) => h("input", { type: "radio", name: "channel", id: `channel-${name}`, value: name, checked: name === "public" }));
  const fieldset = h(
    "fieldset",
    { class: "channels" },
    h("legend", {}, "Send as"),
    ...radios.map((radio) => h("span", { class: "choice" }, radio, h("label", { for: radio.id }, CHANNELS[radio.value]))),
  );
  const chosen = () => radios.find((r) => r.checked).value;
  function show() {
    form.classList.toggle("direct", chosen() === "direct");
    label.textContent = describe[chosen()];
  }
  for (const radio of radios) radio.addEventListener("change", show);
  show();
  return {
    element: fieldset,
    value: chosen,
    // An edit keeps the failed reply's channel: shown, not changeable.
    lock(name) {
      for (const radio of radios) {
        radio.checked = name ? radio.value === name : radio.value === "public";
        radio.disabled = Boolean(name);
      }
      show();
    },
  };
}
