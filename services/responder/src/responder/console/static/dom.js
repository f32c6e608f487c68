// Building the page from data: elements only through textContent and attributes, never HTML.
const SVG = "http://www.w3.org/2000/svg";

function fill(el, props, children) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key === "className" ? "class" : key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export const h = (tag, props, ...children) => fill(document.createElement(tag), props, children);
export const s = (tag, props, ...children) => fill(document.createElementNS(SVG, tag), props, children);

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const abs = Math.abs(seconds);
  if (abs < 90) return `${Math.round(seconds)} s`;
  if (abs < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (abs < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

export const percent = (x) => (x === null || x === undefined ? "—" : `${Math.round(x * 100)}%`);
export const signed = (x) => (x === null || x === undefined ? "—" : `${x > 0 ? "+" : ""}${x.toFixed(2)}`);
export const when = (iso) => (iso ? new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) : "—");
export const words = (name) => (name || "").replaceAll("_", " ");

// The time left before the next SLA target: red at RED_S or less (and when overdue).
export const RED_S = 10 * 60;
export const AMBER_S = 30 * 60;

export function timeLeft(caseView, now = Date.now()) {
  if (!caseView.next_due) return { text: "—", level: "none", label: "no pending target" };
  const seconds = (new Date(caseView.next_due) - now) / 1000;
  const level = seconds <= RED_S ? "red" : seconds <= AMBER_S ? "amber" : "ok";
  const text = seconds < 0 ? `${duration(-seconds)} over` : duration(seconds);
  return { text, level, label: seconds < 0 ? "overdue" : "left" };
}

// A link to a post on its platform: http(s) only, in a new tab that cannot reach this one.
export function postLink(url, text = "Original post") {
  let parsed = null;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return null;
  return h("a", { href: parsed.href, class: "post-link", target: "_blank", rel: "noopener noreferrer" }, text);
}
