/* store_gauges: what the database says at a metrics scrape. A scrape comes
 * every few seconds at most: the statements are prepared on the spot
 * rather than kept in the statement cache. */
#include "store.h"
#include "store_internal.h"

/* A statement outside the cache, or ERR_UNAVAILABLE. */
static sqlite3_stmt *prepare(store *s, const char *sql, err *e)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        err_set(e, ERR_UNAVAILABLE, "%s", sqlite3_errmsg(s->db));
        return NULL;
    }
    return st;
}

static int number(store *s, const char *sql, long long a, long long b, long long *out, err *e)
{
    sqlite3_stmt *st = prepare(s, sql, e);
    if (!st)
        return e->code;
    if (sqlite3_bind_parameter_count(st) >= 2)
        bind_id(st, 1, a), bind_id(st, 2, b);
    int rc = count_rows(s, st, out, e);
    sqlite3_finalize(st);
    return rc;
}

int store_gauges_read(store *s, long long idle_since, long long created_since, store_gauges *g,
                      cJSON **failed, err *e)
{
    *failed = NULL;
    if (number(s, "SELECT count(*) FROM deliveries WHERE state = 'pending'", 0, 0,
               &g->outbox_pending, e) != ERR_OK ||
        number(s, "SELECT count(*) FROM sessions WHERE kind = 'session' AND last_seen > ?1"
                  " AND created_at > ?2", idle_since, created_since, &g->sessions_open, e) != ERR_OK)
        return e->code;
    sqlite3_stmt *st = prepare(s,
                               "SELECT webhook_id AS webhook, count(*) AS failed FROM deliveries"
                               " WHERE state = 'failed' GROUP BY webhook_id ORDER BY webhook_id",
                               e);
    if (!st)
        return e->code;
    int rc = rows_json(s, st, false, "failed deliveries", failed, e);
    sqlite3_finalize(st);
    return rc;
}
