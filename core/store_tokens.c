/* store_tokens: single-use account tokens (invitations, password resets), of
 * which only a hash is kept; a token is marked used by a guarded UPDATE, so
 * that of two uses racing, one changes the row and the other none. Its
 * statements' text first, then their wrappers. */
#include <sqlite3.h>

#include "store_internal.h"

#define TOKEN_COLUMNS                                                                              \
    "id, kind, email, user_id, name, role, organisation_id, invited_by, created_at, expires_at,"  \
    " used_at"
/* An invitation as listed: "pending" while it may be accepted. */
#define INVITATION_JSON                                                                            \
    "SELECT id, email, name, role, organisation_id, invited_by, created_at, expires_at,"         \
    " CASE WHEN expires_at > ?1 THEN 'pending' ELSE 'expired' END AS status"                     \
    " FROM account_tokens WHERE kind = 'invitation' AND used_at IS NULL"

const char *const store_sql_tokens[Q_COUNT] = {
    /* NOLINTNEXTLINE(bugprone-suspicious-missing-comma) */
    [Q_ACCOUNT_TOKEN_ADD] = "INSERT INTO account_tokens (hash, kind, email, user_id, name, role,"
                            " organisation_id, invited_by, created_at, expires_at)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [Q_ACCOUNT_TOKEN_GET] = "SELECT " TOKEN_COLUMNS
                            " FROM account_tokens WHERE hash = ?1 AND kind = ?2",
    [Q_ACCOUNT_TOKEN_USE] = "UPDATE account_tokens SET used_at = ?2"
                            " WHERE id = ?1 AND used_at IS NULL",
    [Q_ACCOUNT_TOKEN_DROP] = "DELETE FROM account_tokens"
                             " WHERE kind = ?1 AND email = ?2 AND used_at IS NULL",
    [Q_INVITATION_LIST] = INVITATION_JSON " ORDER BY id",
    [Q_INVITATION_GET] = INVITATION_JSON " AND id = ?2",
    [Q_INVITATION_DELETE] = "DELETE FROM account_tokens"
                            " WHERE id = ?1 AND kind = 'invitation' AND used_at IS NULL",
};

int store_account_token_add(store *s, const char *hash, const store_account_token *t,
                            long long *id, err *e)
{
    return query_insert(s, Q_ACCOUNT_TOKEN_ADD,
                        ARGS(A_TEXT(hash), A_TEXT(t->kind), A_TEXT(t->email), A_ID(t->user_id),
                             A_TEXT(t->name), A_TEXT(t->role), A_ID(t->org_id),
                             A_ID(t->invited_by), A_TEXT(t->created_at), A_TEXT(t->expires_at)),
                        "account token", id, e);
}

int store_account_token_get(store *s, const char *hash, const char *kind, store_account_token *t,
                            err *e)
{
    sqlite3_stmt *st = stmt_bound(s, Q_ACCOUNT_TOKEN_GET, ARGS(A_TEXT(hash), A_TEXT(kind)), e);
    if (!st)
        return e->code;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        t->id = sqlite3_column_int64(st, 0);
        copy_col(st, 1, t->kind, sizeof t->kind);
        copy_col(st, 2, t->email, sizeof t->email);
        t->user_id = sqlite3_column_int64(st, 3);
        copy_col(st, 4, t->name, sizeof t->name);
        copy_col(st, 5, t->role, sizeof t->role);
        t->org_id = sqlite3_column_int64(st, 6);
        t->invited_by = sqlite3_column_int64(st, 7);
        copy_col(st, 8, t->created_at, sizeof t->created_at);
        copy_col(st, 9, t->expires_at, sizeof t->expires_at);
        copy_col(st, 10, t->used_at, sizeof t->used_at);
    }
    sqlite3_reset(st);
    return row_found(s, rc, "no such link", "account token", e);
}

int store_account_token_use(store *s, long long id, const char *now, err *e)
{
    return query_exec(s, Q_ACCOUNT_TOKEN_USE, ARGS(A_INT(id), A_TEXT(now)), true, "unused link",
                      e);
}

int store_account_tokens_drop(store *s, const char *kind, const char *email, err *e)
{
    return query_exec(s, Q_ACCOUNT_TOKEN_DROP, ARGS(A_TEXT(kind), A_TEXT(email)), false,
                      "account tokens", e);
}

int store_invitation_list(store *s, const char *now, cJSON **out, err *e)
{
    return query_json(s, Q_INVITATION_LIST, ARGS(A_TEXT(now)), false, "invitations", out, e);
}

int store_invitation_get(store *s, long long id, const char *now, cJSON **out, err *e)
{
    return query_json(s, Q_INVITATION_GET, ARGS(A_TEXT(now), A_INT(id)), true, "invitation", out,
                      e);
}

int store_invitation_delete(store *s, long long id, err *e)
{
    return query_exec(s, Q_INVITATION_DELETE, ARGS(A_INT(id)), true, "invitation", e);
}
