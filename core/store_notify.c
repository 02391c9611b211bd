/* store_notify: who is told what (the one place choosing recipients: the
 * members of a CAE, the committee, the administrators, one person; never a
 * disabled account), the notifications kept for the page's list, the kinds
 * each person receives no e-mail for, and the secret of unsubscribe links. */
#include <string.h>

#include <sqlite3.h>

#include "date.h"
#include "store_internal.h"

/* A recipient: {"id", "name", "email", "role"}, role as the templates name
 * it: each enabled person holding that role in effect (the roles table; a
 * role awaiting the committee's confirmation is not yet theirs). */
#define HOLDING(role)                                                                              \
    "SELECT u.id, u.name, u.email, '" role "' AS role FROM users u JOIN roles r"                 \
    " ON r.user_id = u.id WHERE NOT u.disabled AND r.role = '" role "'"

/* NOLINTBEGIN(bugprone-suspicious-missing-comma): each entry is designated ([Q_X] =),
 * so a missing comma would not compile; long statements are split literals. */
const char *const store_sql_notify[Q_COUNT] = {
    [Q_NOTIFY_MEMBERS] = HOLDING("cae") " AND r.organisation_id = ?1 ORDER BY u.id",
    [Q_NOTIFY_COMMITTEE] = HOLDING("committee") " ORDER BY u.id",
    [Q_NOTIFY_ADMINS] = HOLDING("admin") " ORDER BY u.id",
    /* One person, in their first role (as store_accounts reads it). */
    [Q_NOTIFY_USER] = "SELECT id, name, email, (SELECT y.role FROM roles y WHERE y.id = "
                      FIRST_ROLE("users.id") ") AS role FROM users WHERE id = ?1 AND NOT disabled",
    [Q_NOTIFICATION_ADD] = "INSERT INTO notifications (user_id, kind, title, link, created_at)"
                           " VALUES (?1, ?2, ?3, ?4, ?5)",
    [Q_NOTIFICATION_LIST] = "SELECT id, kind, title, link, created_at, read_at FROM notifications"
                            " WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2",
    [Q_NOTIFICATION_READ] = "UPDATE notifications SET read_at = coalesce(read_at, ?3)"
                            " WHERE id = ?1 AND user_id = ?2",
    [Q_NOTIFICATION_READ_ALL] = "UPDATE notifications SET read_at = ?2"
                                " WHERE user_id = ?1 AND read_at IS NULL",
    [Q_NOTIFICATION_UNREAD] = "SELECT count(*) FROM notifications"
                              " WHERE user_id = ?1 AND read_at IS NULL",
    [Q_OPTOUT_LIST] = "SELECT kind FROM notification_optouts WHERE user_id = ?1 ORDER BY kind",
    [Q_OPTOUT_ADD] = "INSERT OR IGNORE INTO notification_optouts (user_id, kind) VALUES (?1, ?2)",
    [Q_OPTOUT_DELETE] = "DELETE FROM notification_optouts WHERE user_id = ?1 AND kind = ?2",
    [Q_OPTOUT_HAS] = "SELECT count(*) FROM notification_optouts WHERE user_id = ?1 AND kind = ?2",
    [Q_NOTIFY_SECRET] = "SELECT secret FROM notify_secret WHERE id = 1",
};
/* NOLINTEND(bugprone-suspicious-missing-comma) */

int store_notify_members(store *s, long long org, cJSON **out, err *e)
{
    return query_json(s, Q_NOTIFY_MEMBERS, ARGS(A_INT(org)), false, "recipients", out, e);
}

int store_notify_committee(store *s, cJSON **out, err *e)
{
    return query_json(s, Q_NOTIFY_COMMITTEE, NULL, false, "recipients", out, e);
}

int store_notify_admins(store *s, cJSON **out, err *e)
{
    return query_json(s, Q_NOTIFY_ADMINS, NULL, false, "recipients", out, e);
}

int store_notify_user(store *s, long long user, const char *role, cJSON **out, err *e)
{
    int rc = query_json(s, Q_NOTIFY_USER, ARGS(A_INT(user)), false, "recipients", out, e);
    cJSON *r;
    if (rc != ERR_OK || !role)
        return rc;
    cJSON_ArrayForEach(r, *out) cJSON_ReplaceItemInObject(r, "role", cJSON_CreateString(role));
    return rc;
}

int store_notification_add(store *s, long long user, const char *kind, const char *title,
                           const char *link, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    long long id;
    return query_insert(s, Q_NOTIFICATION_ADD,
                        ARGS(A_INT(user), A_TEXT(kind), A_TEXT(title), A_TEXT(link), A_TEXT(now)),
                        "notification", &id, e);
}

int store_notification_list(store *s, long long user, int limit, cJSON **out, err *e)
{
    return query_json(s, Q_NOTIFICATION_LIST, ARGS(A_INT(user), A_INT(limit)), false,
                      "notifications", out, e);
}

int store_notification_read(store *s, long long user, long long id, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    if (id <= 0)
        return query_exec(s, Q_NOTIFICATION_READ_ALL, ARGS(A_INT(user), A_TEXT(now)), false,
                          "notifications", e);
    return query_exec(s, Q_NOTIFICATION_READ, ARGS(A_INT(id), A_INT(user), A_TEXT(now)), true,
                      "notification", e);
}

int store_notification_unread(store *s, long long user, long long *n, err *e)
{
    return query_count(s, Q_NOTIFICATION_UNREAD, ARGS(A_INT(user)), n, e);
}

int store_optout_list(store *s, long long user, cJSON **out, err *e)
{
    return query_json(s, Q_OPTOUT_LIST, ARGS(A_INT(user)), false, "preferences", out, e);
}

int store_optout_set(store *s, long long user, const char *kind, bool off, err *e)
{
    return query_exec(s, off ? Q_OPTOUT_ADD : Q_OPTOUT_DELETE, ARGS(A_INT(user), A_TEXT(kind)),
                      false, "preferences", e);
}

int store_optout_has(store *s, long long user, const char *kind, bool *off, err *e)
{
    long long n = 0;
    int rc = query_count(s, Q_OPTOUT_HAS, ARGS(A_INT(user), A_TEXT(kind)), &n, e);
    *off = n > 0;
    return rc;
}

int store_notify_secret(store *s, char secret[65], err *e)
{
    secret[0] = '\0';
    sqlite3_stmt *st = stmt_bound(s, Q_NOTIFY_SECRET, NULL, e);
    if (!st)
        return e->code;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        copy_col(st, 0, secret, 65);
    sqlite3_reset(st);
    return row_found(s, rc, "no unsubscribe secret", "notify secret", e);
}
