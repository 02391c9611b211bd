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

/** The next page's path, from a list's Link header (RFC 8288), or null. */
function nextPage(res) {
  const m = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('Link') || '');
  return m && m[1].startsWith(BASE) ? m[1] : null;
}

async function send(url, method, headers, body) {
  let res;
  try {
    res = await fetch(url, {
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
  return { res, data };
}

/**
 * api('GET', 'me'), api('PUT', 'assessments/3/answers/JF-01', {...}); opts.quiet401 skips the
 * handler. A list that comes in pages is read whole, page after page.
 */
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = sessionStorage.getItem(CSRF_KEY);
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  let url = BASE + path;
  let all = null;
  for (;;) {
    const { res, data } = await send(url, method, headers, body);
    if (!res.ok) {
      const err = new ApiError(res.status, data);
      if (res.status === 401 && !opts.quiet401 && unauthorizedHandler) unauthorizedHandler(err);
      throw err;
    }
    const next = method === 'GET' && Array.isArray(data) ? nextPage(res) : null;
    if (!next && !all) return data;
    all = (all || []).concat(data);
    if (!next) return all;
    url = next;
  }
}

/**
 * A write that must not overwrite a change made since etag was read (a PUT
 * of an answer): sends If-Match when etag is given, If-None-Match: * when
 * none is (nothing was there), and resolves {data, etag} with the new tag;
 * a change made meanwhile is an ApiError of status 412. Errors otherwise as
 * api() does.
 */
export async function apiWrite(method, path, body, etag) {
  const headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
  const csrf = sessionStorage.getItem(CSRF_KEY);
  if (csrf) headers['X-CSRF-Token'] = csrf;
  // A tag read: the write needs it unchanged; none: the write needs there be none yet.
  if (etag) headers['If-Match'] = etag;
  else headers['If-None-Match'] = '*';
  const { res, data } = await send(BASE + path, method, headers, body);
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (res.status === 401 && unauthorizedHandler) unauthorizedHandler(err);
    throw err;
  }
  return { data, etag: res.headers.get('ETag') };
}

let referential = null;
/** Forgets the cached référentiel (after new rules are activated). */
export function resetReferential() {
  referential = null;
}
function withMaps(r) {
  r.byId = new Map(r.criteria.map((c) => [c.id, c]));
  r.fieldById = new Map(r.fields.map((f) => [f.id, f]));
  return r;
}
/** The active référentiel (public), fetched once per page load. */
export async function getReferential() {
  if (!referential) {
    referential = api('GET', 'referential').then(withMaps);
    referential.catch(() => {
      referential = null;
    });
  }
  return referential;
}

/** The référentiel of a stored rule set (an assessment's own): the active one, or an older one. */
export async function getReferentialOf(hash) {
  const active = await getReferential();
  if (active.ruleset === hash) return active;
  return api('GET', `referential?ruleset=${encodeURIComponent(hash)}`).then(withMaps);
}

/**
 * A file from the API (CSV, PDF, an HTML report) fetched with the session:
 * resolves {blob, type, filename}; errors as api() does (401 hands over).
 */
export async function apiFile(path, filename) {
  let res;
  try {
    res = await fetch(BASE + path, { headers: { Accept: '*/*' }, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, null);
  }
  if (!res.ok) {
    let data = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    const err = new ApiError(res.status, data);
    if (res.status === 401 && unauthorizedHandler) unauthorizedHandler(err);
    throw err;
  }
  const blob = await res.blob();
  const cd = res.headers.get('Content-Disposition') || '';
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd);
  return { blob, type: res.headers.get('Content-Type') || blob.type, filename: m ? decodeURIComponent(m[1]) : filename };
}

/** Saves a blob as a download named filename. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** The URL of an API path, for links (same origin: the session cookie goes along). */
export function apiUrl(path) {
  return BASE + path;
}

/**
 * A multipart upload (a document, a new version) with its progress:
 * XMLHttpRequest, as fetch reports no upload progress. No client timeout: a
 * large file on a slow line takes its time (the server bounds it). Resolves
 * the JSON answer; rejects an ApiError (status 0 on a network failure, then
 * the caller offers to retry); abort() through opts.signal. onProgress(sent,
 * total) as the bytes leave.
 */
export function apiUpload(path, form, { onProgress, signal } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', BASE + path);
    xhr.setRequestHeader('Accept', 'application/json');
    const csrf = sessionStorage.getItem(CSRF_KEY);
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.withCredentials = true;
    if (onProgress) xhr.upload.addEventListener('progress', (ev) => onProgress(ev.loaded, ev.lengthComputable ? ev.total : 0));
    const body = () => {
      try {
        return JSON.parse(xhr.responseText);
      } catch {
        return null;
      }
    };
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body());
        return;
      }
      const err = new ApiError(xhr.status, body());
      if (xhr.status === 401 && unauthorizedHandler) unauthorizedHandler(err);
      reject(err);
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, null)));
    xhr.addEventListener('abort', () => {
      const err = new ApiError(0, null);
      err.code = 'aborted';
      reject(err);
    });
    if (signal) signal.addEventListener('abort', () => xhr.abort());
    xhr.send(form);
  });
}
