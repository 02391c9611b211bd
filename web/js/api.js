// api: the only way the pages talk to the server, the JSON API under /api/v1.
// The session lives in an HttpOnly cookie; state changes carry the CSRF token
// kept in sessionStorage. A 401 on an authenticated call hands over to the
// session-expiry handler (set by the app), then still rejects.
const BASE = '/api/v1/';
const CSRF_KEY = 'labelcoop.csrf';

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || (status === 0 ? 'network' : 'unknown');
    this.apiMessage = e.message || null;
    this.path = e.path || null;
  }
}

let unauthorizedHandler = null;
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

export function setCsrf(token) {
  if (token) sessionStorage.setItem(CSRF_KEY, token);
  else sessionStorage.removeItem(CSRF_KEY);
}

/** api('GET', 'me'), api('PUT', 'assessments/3/answers/JF-01', {...}); opts.quiet401 skips the handler. */
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = sessionStorage.getItem(CSRF_KEY);
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  let res;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, null);
  }
  let data = null;
  if (res.status !== 204) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (res.status === 401 && !opts.quiet401 && unauthorizedHandler) unauthorizedHandler(err);
    throw err;
  }
  return data;
}

let referential = null;
/** The active référentiel (public), fetched once per page load. */
export async function getReferential() {
  if (!referential) {
    referential = api('GET', 'referential').then((r) => {
      r.byId = new Map(r.criteria.map((c) => [c.id, c]));
      r.fieldById = new Map(r.fields.map((f) => [f.id, f]));
      return r;
    });
    referential.catch(() => {
      referential = null;
    });
  }
  return referential;
}
