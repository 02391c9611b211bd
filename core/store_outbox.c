/* store_outbox: what integrations are told: events, webhooks, their
 * deliveries and attempts, marks, cursors and plugin state.
 * Its statements' text first, then their wrappers; helpers in store_internal.h. */
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <sqlite3.h>

#include "date.h"
#include "store_internal.h"

/* The text of this area's statements, by id (the others' are NULL): the
 * statement cache in store.c prepares each once per connection. */
/* NOLINTBEGIN(bugprone-suspicious-missing-comma): each entry is designated ([Q_X] =),
 * so a missing comma would not compile; long statements are split literals. */
const char *const store_sql_outbox[Q_COUNT] = {
    [Q_EVENT_ADD] = "INSERT INTO events (type, at, data) VALUES (?, ?, ?)",
    /* The outbox: deliveries are due in the same transaction as the event. */
    [Q_EVENT_FANOUT] = "INSERT INTO deliveries (webhook_id, event_id, next_at, created_at)"
                       " SELECT w.id, ?1, ?2, ?3 FROM webhooks w WHERE w.enabled AND NOT w.deleted"
                       " AND EXISTS (SELECT 1 FROM json_each(w.events) j"
                       "   WHERE j.value = '*' OR j.value = ?4)",
    [Q_MARK] = "INSERT OR IGNORE INTO marks (key, at) VALUES (?, ?)",
    [Q_WEBHOOK_ADD] = "INSERT INTO webhooks (url, events, secret, created_at, plugin)"
                      " VALUES (?, ?, ?, ?, ?)",
    [Q_WEBHOOK_GET] = "SELECT id, url, events AS events_json,"
                      " CASE WHEN enabled THEN 'true' ELSE 'false' END AS enabled_json,"
                      " disabled_reason, plugin,"
                      " created_at FROM webhooks WHERE id = ? AND NOT deleted",
    [Q_WEBHOOK_LIST] = "SELECT id, url, events AS events_json,"
                       " CASE WHEN enabled THEN 'true' ELSE 'false' END AS enabled_json,"
                       " disabled_reason, plugin,"
                       " created_at FROM webhooks WHERE NOT deleted ORDER BY id",
    [Q_WEBHOOK_UPDATE] = "UPDATE webhooks SET url = coalesce(?2, url),"
                         " events = coalesce(?3, events), enabled = coalesce(?4, enabled),"
                         " disabled_reason = CASE WHEN ?4 = 1 THEN NULL ELSE disabled_reason END,"
                         " failing_since = CASE WHEN ?4 = 1 THEN NULL ELSE failing_since END"
                         " WHERE id = ?1 AND NOT deleted",
    [Q_WEBHOOK_SECRET] = "UPDATE webhooks SET old_secret = secret, old_secret_until = ?3,"
                         " secret = ?2 WHERE id = ?1 AND NOT deleted",
    [Q_WEBHOOK_DELETE] =
        "UPDATE webhooks SET deleted = 1, enabled = 0 WHERE id = ? AND NOT deleted",
    /* A deleted or disabled webhook's deliveries still to make fail. */
    [Q_WEBHOOK_CANCEL] = "UPDATE deliveries SET state = 'failed'"
                         " WHERE webhook_id = ? AND state = 'pending'",
    /* First attempts go in event order: the oldest due delivery first. */
    [Q_DUE] = "SELECT d.id, d.webhook_id, d.event_id, d.attempts, w.url, w.secret,"
              " CASE WHEN w.old_secret_until > ?1 THEN w.old_secret END, e.type, e.at, e.data,"
              " w.plugin"
              " FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id"
              " JOIN events e ON e.id = d.event_id"
              " WHERE d.state = 'pending' AND d.next_at <= ?1 AND w.enabled"
              " AND (d.lease_until IS NULL OR d.lease_until < ?1)"
              " ORDER BY d.event_id, d.id LIMIT ?2",
    [Q_LEASE] = "UPDATE deliveries SET lease_until = ?2 WHERE id = ?1",
    [Q_UNLEASE] = "UPDATE deliveries SET lease_until = NULL WHERE lease_until IS NOT NULL",
    [Q_DELIVERED] = "UPDATE deliveries SET state = 'delivered', attempts = attempts + 1,"
                    " lease_until = NULL WHERE id = ?",
    [Q_RETRY] = "UPDATE deliveries SET attempts = attempts + 1, next_at = ?2, lease_until = NULL"
                " WHERE id = ?1",
    [Q_GIVE_UP] = "UPDATE deliveries SET state = 'failed', attempts = attempts + 1,"
                  " lease_until = NULL WHERE id = ?",
    [Q_ATTEMPT_ADD] = "INSERT INTO attempts (delivery_id, at, status, duration_ms, response, error)"
                      " VALUES (?, ?, ?, ?, ?, ?)",
    [Q_WEBHOOK_FAILING] = "UPDATE webhooks SET failing_since = coalesce(failing_since, ?2)"
                          " WHERE id = ?1 RETURNING failing_since",
    [Q_WEBHOOK_OK] = "UPDATE webhooks SET failing_since = NULL WHERE id = ?",
    [Q_WEBHOOK_DISABLE] = "UPDATE webhooks SET enabled = 0, disabled_reason = ?2"
                          " WHERE id = ?1 AND enabled",
    [Q_DELIVERY_LOG] = "SELECT a.id, d.id AS delivery_id, d.event_id, e.type, a.at, a.status,"
                       " a.duration_ms, a.response, a.error, d.state, d.attempts"
                       " FROM attempts a JOIN deliveries d ON d.id = a.delivery_id"
                       " JOIN events e ON e.id = d.event_id"
                       " WHERE d.webhook_id = ?1 ORDER BY a.id DESC LIMIT ?2",
    [Q_REPLAY_EVENT] = "INSERT INTO deliveries (webhook_id, event_id, next_at, created_at)"
                       " SELECT ?1, id, ?3, ?4 FROM events WHERE id = ?2",
    [Q_REPLAY_SINCE] = "INSERT INTO deliveries (webhook_id, event_id, next_at, created_at)"
                       " SELECT ?1, e.id, ?3, ?4 FROM events e WHERE e.at >= ?2"
                       " AND EXISTS (SELECT 1 FROM webhooks w, json_each(w.events) j"
                       "   WHERE w.id = ?1 AND (j.value = '*' OR j.value = e.type))"
                       " ORDER BY e.id",
    [Q_EVENTS_AFTER] = "SELECT id, type, at, data FROM events WHERE id > ? ORDER BY id LIMIT ?",
    [Q_CURSOR_GET] = "SELECT value FROM cursors WHERE name = ?",
    [Q_CURSOR_SET] = "INSERT INTO cursors (name, value) VALUES (?1, ?2)"
                     " ON CONFLICT (name) DO UPDATE SET value = ?2",
    [Q_PLUGIN_STATES] = "SELECT name, enabled FROM plugin_state",
    [Q_PLUGIN_STATE_SET] =
        "INSERT INTO plugin_state (name, enabled, updated_at) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (name) DO UPDATE SET enabled = ?2, updated_at = ?3",
};
/* NOLINTEND(bugprone-suspicious-missing-comma) */

/* ---- events and webhooks ------------------------------------------------------ */

long long store_now_ms(void)
{
    return date_now_ms();
}

unsigned store_events_taken(store *s)
{
    unsigned n = s->events_added;
    s->events_added = 0;
    return n;
}

int store_event_add(store *s, const char *type, const cJSON *data, long long *id, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    char *text = cJSON_PrintUnformatted(data);
    sqlite3_stmt *st = stmt(s, Q_EVENT_ADD, e);
    int rc = st ? ERR_OK : e->code;
    if (rc == ERR_OK) {
        bind_text(st, 1, type);
        bind_text(st, 2, now);
        bind_text(st, 3, text ? text : "{}");
        rc = exec_stmt(s, st, "event", e);
    }
    free(text);
    if (rc != ERR_OK)
        return rc;
    long long event = sqlite3_last_insert_rowid(s->db);
    s->events_added++;
    if (id)
        *id = event;
    if (!(st = stmt(s, Q_EVENT_FANOUT, e)))
        return e->code;
    sqlite3_bind_int64(st, 1, event);
    sqlite3_bind_int64(st, 2, store_now_ms());
    bind_text(st, 3, now);
    bind_text(st, 4, type);
    return exec_stmt(s, st, "deliveries", e);
}

int store_mark(store *s, const char *key, bool *fresh, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    if (query_exec(s, Q_MARK, ARGS(A_TEXT(key), A_TEXT(now)), false, "mark", e))
        return e->code;
    *fresh = sqlite3_changes(s->db) == 1;
    return ERR_OK;
}

int store_webhook_add(store *s, const char *url, const char *events_json, const char *secret,
                      const char *plugin, long long *id, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    return query_insert(
        s, Q_WEBHOOK_ADD,
        ARGS(A_TEXT(url), A_TEXT(events_json), A_TEXT(secret), A_TEXT(now), A_TEXT(plugin)),
        "webhook", id, e);
}

int store_webhook_get(store *s, long long id, cJSON **out, err *e)
{
    return query_json(s, Q_WEBHOOK_GET, ARGS(A_INT(id)), true, "webhook", out, e);
}

int store_webhook_list(store *s, cJSON **out, err *e)
{
    return query_json(s, Q_WEBHOOK_LIST, NULL, false, "webhooks", out, e);
}

int store_webhook_update(store *s, long long id, const char *url, const char *events_json,
                         int enabled, err *e)
{
    sqlite3_stmt *st =
        stmt_bound(s, Q_WEBHOOK_UPDATE, ARGS(A_INT(id), A_TEXT(url), A_TEXT(events_json)), e);
    if (!st)
        return e->code;
    if (enabled >= 0)
        sqlite3_bind_int(st, 4, enabled);
    else
        sqlite3_bind_null(st, 4);
    return exec_one(s, st, "webhook", e);
}

int store_webhook_rotate(store *s, long long id, const char *secret, long long old_until_ms, err *e)
{
    return query_exec(s, Q_WEBHOOK_SECRET, ARGS(A_INT(id), A_TEXT(secret), A_INT(old_until_ms)),
                      true, "webhook", e);
}

int store_webhook_delete(store *s, long long id, err *e)
{
    if (query_exec(s, Q_WEBHOOK_DELETE, ARGS(A_INT(id)), true, "webhook", e))
        return e->code;
    return query_exec(s, Q_WEBHOOK_CANCEL, ARGS(A_INT(id)), false, "deliveries", e);
}

int store_due(store *s, long long now_ms, int limit, store_due_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = stmt_bound(s, Q_DUE, ARGS(A_INT(now_ms), A_INT(limit)), e);
    if (!st)
        return e->code;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_due_row row = {
            .delivery = sqlite3_column_int64(st, 0),
            .webhook = sqlite3_column_int64(st, 1),
            .event = sqlite3_column_int64(st, 2),
            .attempts = sqlite3_column_int(st, 3),
            .url = (const char *)sqlite3_column_text(st, 4),
            .secret = (const char *)sqlite3_column_text(st, 5),
            .old_secret = (const char *)sqlite3_column_text(st, 6),
            .type = (const char *)sqlite3_column_text(st, 7),
            .at = (const char *)sqlite3_column_text(st, 8),
            .data = (const char *)sqlite3_column_text(st, 9),
            .plugin = (const char *)sqlite3_column_text(st, 10),
        };
        fn(ud, &row);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "due deliveries");
}

/* Runs q, a statement on one delivery (or one webhook's), with args. */
static int delivery_exec(store *s, int q, const store_arg *args, err *e)
{
    return query_exec(s, q, args, false, "delivery", e);
}

int store_delivery_lease(store *s, long long delivery, long long until_ms, err *e)
{
    return delivery_exec(s, Q_LEASE, ARGS(A_INT(delivery), A_INT(until_ms)), e);
}

int store_delivery_unlease(store *s, err *e)
{
    return query_exec(s, Q_UNLEASE, NULL, false, "deliveries", e);
}

/* The attempt's status is NULL when no HTTP status came back (A_ID binds
 * a positive number, NULL otherwise). */
int store_delivery_done(store *s, const store_attempt *a, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    if (query_exec(s, Q_ATTEMPT_ADD,
                   ARGS(A_INT(a->delivery), A_TEXT(now), A_ID(a->status), A_INT(a->duration_ms),
                        A_TEXT(a->response), A_TEXT(a->error)),
                   false, "attempt", e))
        return e->code;
    if (a->outcome == STORE_DELIVERED)
        return delivery_exec(s, Q_DELIVERED, ARGS(A_INT(a->delivery)), e) ||
                       delivery_exec(s, Q_WEBHOOK_OK, ARGS(A_INT(a->webhook)), e)
                   ? e->code
                   : ERR_OK;
    if (a->outcome == STORE_RETRY)
        return delivery_exec(s, Q_RETRY, ARGS(A_INT(a->delivery), A_INT(a->next_ms)), e);
    return delivery_exec(s, Q_GIVE_UP, ARGS(A_INT(a->delivery)), e);
}

int store_webhook_failing(store *s, long long webhook, long long now_ms, long long *since, err *e)
{
    sqlite3_stmt *st = stmt_bound(s, Q_WEBHOOK_FAILING, ARGS(A_INT(webhook), A_INT(now_ms)), e);
    if (!st)
        return e->code;
    int rc = sqlite3_step(st);
    *since = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : now_ms;
    while (rc == SQLITE_ROW)
        rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "webhook");
}

int store_webhook_disable(store *s, long long webhook, const char *reason, bool *changed, err *e)
{
    if (query_exec(s, Q_WEBHOOK_DISABLE, ARGS(A_INT(webhook), A_TEXT(reason)), false, "webhook", e))
        return e->code;
    *changed = sqlite3_changes(s->db) > 0;
    return delivery_exec(s, Q_WEBHOOK_CANCEL, ARGS(A_INT(webhook)), e);
}

int store_delivery_log(store *s, long long webhook, int limit, cJSON **out, err *e)
{
    return query_json(s, Q_DELIVERY_LOG, ARGS(A_INT(webhook), A_INT(limit)), false, "deliveries",
                      out, e);
}

int store_replay(store *s, long long webhook, long long event, const char *since, int *count,
                 err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    sqlite3_stmt *st = stmt(s, since ? Q_REPLAY_SINCE : Q_REPLAY_EVENT, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, webhook);
    if (since)
        bind_text(st, 2, since);
    else
        sqlite3_bind_int64(st, 2, event);
    sqlite3_bind_int64(st, 3, store_now_ms());
    bind_text(st, 4, now);
    if (exec_stmt(s, st, "replay", e))
        return e->code;
    *count = sqlite3_changes(s->db);
    return ERR_OK;
}

int store_events_after(store *s, long long after, int limit, cJSON **out, err *e)
{
    return query_json(s, Q_EVENTS_AFTER, ARGS(A_INT(after), A_INT(limit)), false, "events", out, e);
}

int store_cursor_get(store *s, const char *name, long long *value, err *e)
{
    sqlite3_stmt *st = stmt_bound(s, Q_CURSOR_GET, ARGS(A_TEXT(name)), e);
    if (!st)
        return e->code;
    int rc = sqlite3_step(st);
    *value = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "cursor");
}

int store_cursor_set(store *s, const char *name, long long value, err *e)
{
    return query_exec(s, Q_CURSOR_SET, ARGS(A_TEXT(name), A_INT(value)), false, "cursor", e);
}

int store_plugin_states(store *s, void (*fn)(void *ud, const char *name, bool enabled), void *ud,
                        err *e)
{
    sqlite3_stmt *st = stmt(s, Q_PLUGIN_STATES, e);
    if (!st)
        return e->code;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(ud, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1) != 0);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "plugins");
}

int store_plugin_state_set(store *s, const char *name, bool enabled, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    return query_exec(s, Q_PLUGIN_STATE_SET, ARGS(A_TEXT(name), A_INT(enabled), A_TEXT(now)), false,
                      "plugin", e);
}
