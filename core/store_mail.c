/* store_mail: the e-mail outbox: messages added in the transaction of the
 * change that causes them, taken when due, leased while being sent, marked
 * sent, retried or failed. Its statements' text first, then their wrappers. */
#include <stdlib.h>

#include <sqlite3.h>

#include "date.h"
#include "store_internal.h"

/* NOLINTBEGIN(bugprone-suspicious-missing-comma): each entry is designated ([Q_X] =),
 * so a missing comma would not compile; long statements are split literals. */
const char *const store_sql_mail[Q_COUNT] = {
    [Q_MAIL_ADD] = "INSERT INTO mail (kind, recipient, subject, text, html, unsubscribe, status,"
                   " last_error, next_at, created_at)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
                   " CASE WHEN ?7 IS NULL THEN 'pending' ELSE 'failed' END, ?7, ?8, ?9)",
    /* From the row's id, and random so that two databases never share one. */
    [Q_MAIL_ID] = "UPDATE mail SET message_id = '<mail-' || id || '-'"
                  " || lower(hex(randomblob(8))) || '@' || ?2 || '>' WHERE id = ?1",
    [Q_MAIL_DUE] = "SELECT id, attempts, recipient, subject, text, html, unsubscribe, message_id"
                   " FROM mail WHERE status = 'pending' AND next_at <= ?1"
                   " AND (lease_until IS NULL OR lease_until < ?1) ORDER BY id LIMIT ?2",
    [Q_MAIL_LEASE] = "UPDATE mail SET lease_until = ?2 WHERE id = ?1",
    [Q_MAIL_UNLEASE] = "UPDATE mail SET lease_until = NULL WHERE lease_until IS NOT NULL",
    /* A message that carries a single-use link (whose token is stored
     * nowhere else) keeps it only until it is sent. */
    [Q_MAIL_SENT] = "UPDATE mail SET status = 'sent', attempts = attempts + 1, lease_until = NULL,"
                    " sent_at = ?2, last_error = NULL,"
                    " text = CASE WHEN kind IN ('invitation', 'password_reset')"
                    "   THEN '(sent; its single-use link is kept nowhere)' ELSE text END,"
                    " html = CASE WHEN kind IN ('invitation', 'password_reset')"
                    "   THEN '(sent; its single-use link is kept nowhere)' ELSE html END"
                    " WHERE id = ?1",
    [Q_MAIL_RETRY] = "UPDATE mail SET attempts = attempts + 1, next_at = ?2, lease_until = NULL,"
                     " last_error = ?3 WHERE id = ?1",
    [Q_MAIL_FAILED] = "UPDATE mail SET status = 'failed', attempts = attempts + 1,"
                      " lease_until = NULL, last_error = ?2 WHERE id = ?1",
    [Q_MAIL_LOG] = "SELECT id, kind, recipient, subject, message_id, status, attempts,"
                   " last_error AS error, created_at, sent_at FROM mail"
                   " WHERE ?1 IS NULL OR status = ?1 ORDER BY id DESC LIMIT ?2",
};
/* NOLINTEND(bugprone-suspicious-missing-comma) */

int store_mail_add(store *s, const store_mail *m, const char *host, long long *id, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    long long row;
    if (query_insert(s, Q_MAIL_ADD,
                     ARGS(A_TEXT(m->kind), A_TEXT(m->recipient), A_TEXT(m->subject),
                          A_TEXT(m->text), A_TEXT(m->html), A_TEXT(m->unsubscribe),
                          A_TEXT(m->error), A_INT(store_now_ms()), A_TEXT(now)),
                     "mail", &row, e))
        return e->code;
    if (id)
        *id = row;
    return query_exec(s, Q_MAIL_ID, ARGS(A_INT(row), A_TEXT(host)), true, "mail", e);
}

int store_mail_due(store *s, long long now_ms, int limit, store_mail_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = stmt_bound(s, Q_MAIL_DUE, ARGS(A_INT(now_ms), A_INT(limit)), e);
    if (!st)
        return e->code;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_mail_row row = {
            .id = sqlite3_column_int64(st, 0),
            .attempts = sqlite3_column_int(st, 1),
            .recipient = (const char *)sqlite3_column_text(st, 2),
            .subject = (const char *)sqlite3_column_text(st, 3),
            .text = (const char *)sqlite3_column_text(st, 4),
            .html = (const char *)sqlite3_column_text(st, 5),
            .unsubscribe = (const char *)sqlite3_column_text(st, 6),
            .message_id = (const char *)sqlite3_column_text(st, 7),
        };
        fn(ud, &row);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "due mail");
}

int store_mail_lease(store *s, long long id, long long until_ms, err *e)
{
    return query_exec(s, Q_MAIL_LEASE, ARGS(A_INT(id), A_INT(until_ms)), false, "mail", e);
}

int store_mail_unlease(store *s, err *e)
{
    return query_exec(s, Q_MAIL_UNLEASE, NULL, false, "mail", e);
}

int store_mail_done(store *s, long long id, store_mail_outcome outcome, long long next_ms,
                    const char *error, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    if (outcome == STORE_MAIL_SENT)
        return query_exec(s, Q_MAIL_SENT, ARGS(A_INT(id), A_TEXT(now)), false, "mail", e);
    if (outcome == STORE_MAIL_RETRY)
        return query_exec(s, Q_MAIL_RETRY, ARGS(A_INT(id), A_INT(next_ms), A_TEXT(error)), false,
                          "mail", e);
    return query_exec(s, Q_MAIL_FAILED, ARGS(A_INT(id), A_TEXT(error)), false, "mail", e);
}

int store_mail_log(store *s, const char *status, int limit, cJSON **out, err *e)
{
    return query_json(s, Q_MAIL_LOG, ARGS(A_TEXT(status), A_INT(limit)), false, "mail", out, e);
}
