// Calls to Rapport's API with the bearer token kept in sessionStorage (gone with the tab).
const KEY = "rapport.token";

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (value) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail || `HTTP ${status}`);
    this.status = status;
  }
}

function detailOf(data) {
  if (!data) return "";
  if (typeof data.detail === "string") return data.detail;
  if (Array.isArray(data.detail)) {
    return data.detail.map((d) => `${d.loc.join(".")}: ${d.msg}`).join("; ");
  }
  return "";
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value) {
  return typeof value === "string" && UUID.test(value);
}

// An API path with ids in it, as a tagged template: path`/v1/cases/${id}/claim`. Every id must
// be a UUID (an id from the page's URL or a response never reaches another route).
export function path(strings, ...ids) {
  for (const id of ids) {
    if (!isUuid(id)) throw new ApiError(400, "That is not a valid id.");
  }
  return strings.reduce((built, part, i) => built + encodeURIComponent(ids[i - 1]) + part);
}

export async function api(path, options) {
  return (await call(path, options)).data;
}

// A page of a list: its items, the cursor of the next page (none on the last) and the total.
export async function page(path, options) {
  const { data, headers } = await call(path, options);
  return { items: data, next: headers.get("X-Next-Cursor"), total: Number(headers.get("X-Total-Count")) };
}

async function call(path, { method = "GET", body, params } = {}) {
  const url = new URL(path, location.origin);
  // Only the route named: nothing the URL parser would resolve (../, backslashes, ?, #).
  if (url.origin !== location.origin || url.pathname !== path) {
    throw new ApiError(400, "Refused to call a malformed API path.");
  }
  for (const [name, value] of Object.entries(params || {})) {
    if (value !== "" && value !== null && value !== undefined) url.searchParams.set(name, value);
  }
  const headers = { Authorization: `Bearer ${token.get()}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, detailOf(data));
  return { data, headers: response.headers };
}
