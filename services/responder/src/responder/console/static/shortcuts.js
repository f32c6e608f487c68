// Keyboard shortcuts, listed in a dialog on "?". None fires while typing in a field.
import { h } from "./dom.js";

const GO = { i: "#/inbox", a: "#/alerts", d: "#/dashboard" };
export const SHORTCUTS = [
  ["?", "Show this list of shortcuts"],
  ["Esc", "Close this list"],
  ["/", "Search the inbox"],
  ["j / k", "Next / previous case in the inbox"],
  ["g then i", "Go to the inbox"],
  ["g then a", "Go to the crisis alerts"],
  ["g then d", "Go to the dashboard"],
  ["Tab / Shift+Tab", "Move between links and controls (the first Tab offers “Skip to content”)"],
  ["Enter", "Open the focused case, alert or link; press the focused button"],
];

function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

function dialog() {
  const close = h("button", { type: "button", class: "primary" }, "Close");
  const shown = h(
    "dialog",
    { id: "shortcuts", class: "shortcuts", "aria-labelledby": "shortcuts-title" },
    h("h2", { id: "shortcuts-title" }, "Keyboard shortcuts"),
    h("dl", {}, SHORTCUTS.flatMap(([keys, what]) => [h("dt", {}, h("kbd", {}, keys)), h("dd", {}, what)])),
    close,
  );
  close.addEventListener("click", () => shown.close());
  document.body.append(shown);
  return shown;
}

function step(by) {
  const links = [...document.querySelectorAll("a.case-link")];
  if (!links.length) return;
  const at = links.indexOf(document.activeElement);
  links[Math.min(Math.max(at + by, 0), links.length - 1)].focus();
}

export function listen() {
  const help = dialog();
  let pendingG = false;
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target) || help.open) return;
    const key = event.key;
    if (pendingG) {
      pendingG = false;
      if (GO[key]) location.hash = GO[key];
      return;
    }
    if (key === "?") help.showModal();
    else if (key === "/" && document.getElementById("search")) document.getElementById("search").focus();
    else if (key === "j") step(1);
    else if (key === "k") step(-1);
    else if (key === "g") pendingG = true;
    else return;
    event.preventDefault();
  });
}
