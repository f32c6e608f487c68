// The console: sign-in, the views (inbox, case, alerts, dashboard), short polling, shortcuts.
import { api, ApiError, isUuid, token } from "./api.js";
import { h } from "./dom.js";
import * as inbox from "./inbox.js";
import * as caseView from "./case.js";
import * as alerts from "./alerts.js";
import * as dashboard from "./dashboard.js";
import * as shortcuts from "./shortcuts.js";

// Short polling: plain requests with the Authorization header (EventSource cannot send one),
// any replica answers, and the inbox re-sorts anyway as SLA clocks run. Paused while hidden.
const POLL_MS = 4000;
const main = document.getElementById("main");
const notice = document.getElementById("notice");
const session = { me: null };
let view = null;

export function report(error) {
  if (error instanceof ApiError && error.status === 401) return signOut(error.message);
  notice.textContent = error.message;
  notice.hidden = false;
}

function clearNotice() {
  notice.hidden = true;
  notice.textContent = "";
}

function signOut(message) {
  token.clear();
  session.me = null;
  view = null;
  signInView(message);
}

function signInView(message) {
  document.getElementById("whoami").textContent = "";
  document.getElementById("sign-out").hidden = true;
  document.getElementById("alerts").replaceChildren();
  const field = h("textarea", { id: "token", name: "token", rows: 4, required: true, autocomplete: "off" });
  const error = h("p", { id: "sign-in-error", class: "error", role: "alert" }, message || "");
  const form = h(
    "form",
    { class: "sign-in", "aria-labelledby": "sign-in-title" },
    h("h1", { id: "sign-in-title", tabindex: -1 }, "Sign in"),
    h("label", { for: "token" }, "Bearer token (agent, supervisor or admin)"),
    field,
    error,
    h("button", { type: "submit", class: "primary" }, "Sign in"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    token.set(field.value.trim().replace(/^Bearer\s+/i, ""));
    route();
  });
  main.replaceChildren(form);
  field.focus();
}

async function alertsBanner() {
  const active = await api("/v1/alerts", { params: { status: "active", limit: 5 } });
  const banner = document.getElementById("alerts");
  if (!active.length) return banner.replaceChildren();
  const named = active.flatMap((a, i) => [i ? ", " : "", h("a", { href: `#/alerts/${a.alert_id}` }, a.title)]);
  banner.replaceChildren(
    h("strong", {}, `${active.length} active crisis alert${active.length > 1 ? "s" : ""}: `),
    ...named,
  );
}

async function route() {
  clearNotice();
  if (!token.get()) return signInView();
  if (!session.me) {
    try {
      session.me = await api("/v1/me");
    } catch (error) {
      token.clear();
      return signInView(`Sign-in refused: ${error.message}`);
    }
  }
  const roles = session.me.scopes.join(", ");
  document.getElementById("whoami").textContent = `${session.me.subject} (${roles})`;
  document.getElementById("sign-out").hidden = false;
  const [, name, id] = location.hash.split("/");
  for (const link of document.querySelectorAll("nav a")) {
    const current = link.dataset.view === (["dashboard", "alerts"].includes(name) ? name : "inbox");
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  try {
    if (name === "case" && !isUuid(id)) {
      view = await inbox.show(main, session, report);
      report(new Error("That link does not name a case: the inbox is shown instead."));
    } else if (name === "case") view = await caseView.show(main, id, session, report);
    else if (name === "alerts" && isUuid(id)) view = await alerts.show(main, id, session, report);
    else if (name === "alerts") view = await alerts.showList(main);
    else if (name === "dashboard") view = await dashboard.show(main, session, report);
    else view = await inbox.show(main, session, report);
    main.querySelector("h1")?.focus();
    await alertsBanner();
  } catch (error) {
    report(error);
  }
}

setInterval(async () => {
  if (document.hidden || !view || !session.me) return;
  try {
    await Promise.all([view.refresh(), alertsBanner()]);
  } catch (error) {
    report(error);
  }
}, POLL_MS);

document.getElementById("sign-out").addEventListener("click", () => signOut("Signed out."));
window.addEventListener("hashchange", route);
shortcuts.listen();
route();
