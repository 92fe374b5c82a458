// The UI's only door to the REST API: JSON in and out, the CSRF header on every write, an
// Idempotency-Key on every POST, ETags for safe edits, and errors turned into sentences a person
// can act on.

import { gettext, interpolate } from "./i18n.js";

const API = "/api/v1/";

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

/** An API error with a message in plain words (`message`) and the HTTP status. */
export class ApiError extends Error {
  constructor(message, { status = 0, fields = {} } = {}) {
    super(message);
    this.status = status;
    this.fields = fields;
  }

  get isConflict() {
    return this.status === 412 || this.status === 428;
  }
}

function flatten(value) {
  if (value == null) return "";
  if (Array.isArray(value)) return value.map(flatten).join(" ");
  if (typeof value === "object") return Object.values(value).map(flatten).join(" ");
  return String(value);
}

const FIELD_NAMES = { non_field_errors: "", detail: "" };
let fieldLabels = {};

/** The API's field names in the reader's words (review-options' `field_labels`), which an
 * error message names the field by ("Explanation: …"); without them, the name itself. */
export function setFieldLabels(labels) {
  fieldLabels = labels || {};
}

function fieldLabel(field) {
  if (field in FIELD_NAMES) return FIELD_NAMES[field];
  const name = Object.hasOwn(fieldLabels, field) ? fieldLabels[field] : field.replace(/_/g, " ");
  return interpolate(gettext("%(field)s: "), { field: name }, true);
}

function describe(status, body) {
  if (status === 412 || status === 428) {
    return gettext("Someone else changed this in the meantime. Reload to see their version; your change was not saved.");
  }
  if (status === 401) return gettext("Your session has ended. Please log in again.");
  if (status === 403) return flatten(body?.detail) || gettext("You are not allowed to do this.");
  if (status === 404) return gettext("This no longer exists (it may have been deleted or hidden).");
  if (status === 413) return flatten(body?.detail) || gettext("The file is too large.");
  if (status === 429) return gettext("Too many requests; wait a moment and try again.");
  if (status >= 500) return gettext("The server failed to answer. Try again; if it persists, tell an admin.");
  if (body && typeof body === "object") {
    const parts = Object.entries(body).map(([field, msg]) => {
      return `${fieldLabel(field)}${flatten(msg)}`;
    });
    if (parts.length) return parts.join(" ");
  }
  return interpolate(gettext("The request failed (HTTP %(status)s)."), { status }, true);
}

/** A random UUID; crypto.randomUUID exists only on https and localhost, getRandomValues everywhere. */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Call the API. `path` is relative to /api/v1/ unless it starts with "/".
 * A POST carries `Idempotency-Key` (`key`, or a fresh one): the server answers a repeat of the
 * same request with the first answer instead of doing it twice.
 * Returns {data, etag, status, headers}; throws ApiError.
 */
export async function api(path, { method = "GET", json, form, etag, accept, key } = {}) {
  const url = path.startsWith("/") ? path : API + path;
  const headers = { Accept: accept || "application/json" };
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form; // multipart: the browser sets the boundary
  }
  if (method !== "GET" && method !== "HEAD") headers["X-CSRFToken"] = csrfToken();
  if (etag) headers["If-Match"] = etag;
  if (method === "POST") headers["Idempotency-Key"] = key || newKey();
  let response;
  try {
    response = await fetch(url, { method, headers, body, credentials: "same-origin" });
  } catch {
    throw new ApiError(gettext("The server could not be reached. Check your connection and try again."));
  }
  let data = null;
  const type = response.headers.get("Content-Type") || "";
  if (response.status !== 204 && type.includes("json")) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    throw new ApiError(describe(response.status, data), {
      status: response.status,
      fields: data && typeof data === "object" ? data : {},
    });
  }
  return { data, etag: response.headers.get("ETag"), status: response.status, headers: response.headers };
}

/** The items of a list response, paginated ({results}) or not. Kept for import.js and export.js
 * (branch deskpages owns them); the reader reads each endpoint's one shape. */
export function items(data) {
  if (Array.isArray(data)) return data;
  return (data?.results) || [];
}

/** Every item of a cursor-paged list (`{results, next}`), following `next` to the end. */
export async function allPages(path) {
  const found = [];
  let url = path;
  while (url) {
    const { data } = await api(url);
    found.push(...data.results);
    const next = data.next ? new URL(data.next, location.href) : null;
    url = next ? next.pathname + next.search : null;
  }
  return found;
}

/**
 * Run `action` with `controls` (buttons, fieldsets) disabled until it settles: a second click
 * while a write is in flight does nothing. Returns what `action` returns.
 */
export async function busy(controls, action) {
  const list = (Array.isArray(controls) ? controls : [controls]).filter(Boolean);
  if (list.some((control) => control.dataset.busy === "true")) return undefined;
  const before = list.map((control) => control.disabled);
  for (const control of list) {
    control.disabled = true;
    control.dataset.busy = "true";
    control.setAttribute("aria-busy", "true");
  }
  try {
    return await action();
  } finally {
    list.forEach((control, i) => {
      control.disabled = before[i];
      delete control.dataset.busy;
      control.removeAttribute("aria-busy");
    });
  }
}

/**
 * Send `form` with `send(key)` on submit, its buttons disabled meanwhile; `fail(error)` shows a
 * failure. One Idempotency-Key per thing the user means to send: kept when no answer came (a
 * retry of the same content is then recognised), renewed after any answer.
 */
export function submitOnce(form, send, fail) {
  let key = newKey();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy([...form.querySelectorAll("button[type=submit]")], async () => {
      try {
        await send(key);
        key = newKey();
      } catch (error) {
        if (!(error instanceof ApiError) || error.status) key = newKey();
        fail(error);
      }
    });
  });
}
/** Put `message` in the `role=alert`/status element `box` (or clear it with ""). */
export function say(box, message, { kind = "error" } = {}) {
  if (!box) return;
  box.textContent = message || "";
  box.hidden = !message;
  box.dataset.kind = kind;
}

/**
 * Enable the submit buttons of forms that only the page's module can send. They start disabled:
 * a click before the module ran would submit the form natively, as a GET of the page itself.
 */
export function enableForms(...forms) {
  for (const form of forms) {
    for (const button of form.querySelectorAll("button[type=submit]")) button.disabled = false;
  }
}

/** A small DOM builder: el("p", {class: "x"}, "text", child). Text is always textContent. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Job states after which an import or export job never changes (Job.FINISHED). */
export const FINISHED = new Set(["succeeded", "partial", "failed", "cancelled"]);
const POLL_MS = 500;

/**
 * Follow a job at `${path}${id}/` until it finishes: `show(job)` on every answer, `fail(error)`
 * when the API cannot be reached (then it tries again, more slowly). Returns `follow(id)`; a new
 * call stops following the previous job.
 */
export function jobFollower(path, show, fail) {
  let timer = null;
  return async function follow(id) {
    clearTimeout(timer);
    try {
      const { data } = await api(`${path}${id}/`);
      show(data);
      if (!FINISHED.has(data.status)) timer = setTimeout(() => follow(id), POLL_MS);
    } catch (error) {
      fail(error);
      timer = setTimeout(() => follow(id), POLL_MS * 4);
    }
  };
}
