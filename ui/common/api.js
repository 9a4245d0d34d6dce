// SPDX-License-Identifier: GPL-3.0-or-later
// The API client every page uses: JSON over fetch, the session cookie (set by
// POST /api/login, HttpOnly) and its CSRF token on every change.

let csrf = sessionStorage.getItem("vuoro-csrf") || "";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// @type: the body's media type when it is sent as is (a file), else JSON.
async function call(method, path, body, type) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = type || "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : type ? body : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (e) {
    throw new ApiError(0, "unreachable", "vuorod cannot be reached: " + e.message);
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    throw new ApiError(res.status, data?.error || "http_" + res.status,
      data?.message || `${method} ${path}: HTTP ${res.status}`);
  }
  return data;
}

export const get = (path) => call("GET", path);
export const post = (path, body = {}) => call("POST", path, body);
// A file as is ("text/calendar"): the importers.
export const postRaw = (path, type, data) => call("POST", path, data, type);

// Logs in: the cookie holds the session; the CSRF token is kept for this tab.
export async function login(user, password) {
  const r = await post("/api/login", { user, password });
  csrf = r.csrf || "";
  sessionStorage.setItem("vuoro-csrf", csrf);
  return r;
}

export async function logout() {
  try {
    await post("/api/logout");
  } finally {
    csrf = "";
    sessionStorage.removeItem("vuoro-csrf");
  }
}

// Who is this browser?  Refreshes the CSRF token of a cookie session.
export async function whoami() {
  try {
    const r = await get("/api/whoami");
    if (r.csrf) {
      csrf = r.csrf;
      sessionStorage.setItem("vuoro-csrf", csrf);
    }
    return r;
  } catch (e) {
    if (e.status === 401) return null;
    throw e;
  }
}
