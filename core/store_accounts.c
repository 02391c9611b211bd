/* store_accounts: organisations, users, sessions and API tokens.
 * Its statements' text first, then their wrappers; helpers in store_internal.h. */
#include <stdbool.h>
#include <string.h>

#include <sqlite3.h>

#include "date.h"
#include "store_internal.h"

/* A person and one of their roles (r, joined by the caller; none: "none"),
 * in read_user's order. */
#define USER_COLS                                                                                  \
    "u.id, u.email, u.name, coalesce(r.role, 'none') AS role, r.pending AS pending_role,"         \
    " r.organisation_id, r.certified_until, u.disabled, r.id AS role_id, r.responsible"

/* The id of person P's role: ?2 when non-zero, else the one named ?3 (held
 * first, else awaited), else their first. */
#define ROLE_OF(P)                                                                                 \
    "(SELECT x.id FROM roles x WHERE x.user_id = " P " AND (?2 = 0 OR x.id = ?2)"                 \
    " AND (?3 IS NULL OR x.role = ?3 OR x.pending = ?3)"                                           \
    " ORDER BY x.role IS NOT ?3, x.role = 'none', x.id LIMIT 1)"

/* Every role of person P, as a JSON array, first role first. */
#define ROLES_JSON(P)                                                                              \
    "(SELECT json_group_array(json_object('id', x.id, 'role', x.role, 'pending_role', x.pending,"  \
    " 'organisation_id', x.organisation_id, 'certified_until', x.certified_until,"                 \
    " 'responsible', json(CASE WHEN x.responsible THEN 'true' ELSE 'false' END)))"                 \
    " FROM (SELECT * FROM roles WHERE user_id = " P " ORDER BY role = 'none', id) x)"

/* The text of this area's statements, by id (the others' are NULL): the
 * statement cache in store.c prepares each once per connection. */
const char *const store_sql_accounts[Q_COUNT] = {
    [Q_ORG_ADD] = "INSERT INTO organisations (name, legal_form, city, region, member_since,"
                  " created_at) VALUES (?, ?, ?, ?, ?, ?)",
    [Q_ORG_GET] = "SELECT id, name, legal_form, city, region, member_since, created_at"
                  " FROM organisations WHERE id = ?",
    [Q_ORG_LIST] = "SELECT id, name, legal_form, city, region, member_since, created_at"
                   " FROM organisations WHERE ?1 = 0 OR id = ?1 ORDER BY name, id",
    [Q_USER_ADD] = "INSERT INTO users (email, name, role, organisation_id, certified_until,"
                   " acting_role, password_hash, created_at)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [Q_USER_GET] = "SELECT " USER_COLS " FROM users u"
                   " LEFT JOIN roles r ON r.id = " ROLE_OF("?1") " WHERE u.id = ?1",
    [Q_USER_BY_EMAIL] = "SELECT " USER_COLS ", u.password_hash FROM users u"
                        " LEFT JOIN roles r ON r.id = " ROLE_OF("u.id") " WHERE u.email = ?1",
    /* A person a row: their first role's fields, and all their roles. */
    [Q_USER_LIST] = "SELECT u.id, u.email, u.name, coalesce(r.role, 'none') AS role,"
                    " r.pending AS pending_role, r.organisation_id, r.certified_until,"
                    " CASE WHEN u.disabled THEN 'true' ELSE 'false' END AS disabled_json,"
                    " u.created_at, " ROLES_JSON("u.id") " AS roles_json"
                    " FROM users u LEFT JOIN roles r ON r.id = " FIRST_ROLE("u.id")
                    " ORDER BY u.id",
    [Q_USER_SET_PASSWORD] = "UPDATE users SET password_hash = ? WHERE id = ?",
    [Q_SESSION_ADD] = "INSERT INTO sessions (token_hash, user_id, kind, name, created_at,"
                      " last_seen, role_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [Q_SESSION_GET] = "SELECT " USER_COLS ", s.kind, s.created_at, s.last_seen"
                      " FROM sessions s JOIN users u ON u.id = s.user_id"
                      " LEFT JOIN roles r"
                      " ON r.id = coalesce(s.role_id, " FIRST_ROLE("s.user_id") ")"
                      " WHERE s.token_hash = ?",
    [Q_SESSION_TOUCH] = "UPDATE sessions SET last_seen = ? WHERE token_hash = ?",
    [Q_SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = ?",
    [Q_SESSION_DELETE_OTHERS] = "DELETE FROM sessions WHERE user_id = ? AND kind = 'session'"
                                " AND token_hash <> ?",
    [Q_USER_UPDATE] = "UPDATE users SET email = ?1, name = ?2, disabled = ?3 WHERE id = ?4",
    /* Guarded: the role confirmed is the one still waiting. */
    [Q_USER_CONFIRM_ROLE] = "UPDATE roles SET role = pending, pending = NULL"
                            " WHERE id = ? AND pending = ?",
    [Q_ADMIN_COUNT] = "SELECT count(DISTINCT r.user_id) FROM roles r"
                      " JOIN users u ON u.id = r.user_id WHERE r.role = 'admin' AND NOT u.disabled"
                      " AND (?1 = 0 OR r.pending IS NULL)",
    [Q_SESSION_DELETE_USER] = "DELETE FROM sessions WHERE user_id = ?",
    /* A token is named by the first 16 hex digits of its hash: enough to
     * tell tokens apart, nothing that helps to find the token. */
    [Q_TOKEN_LIST] = "SELECT substr(s.token_hash, 1, 16) AS id, s.name, s.user_id,"
                     " u.name AS user_name, (SELECT role FROM roles WHERE id = s.role_id) AS role,"
                     " strftime('%Y-%m-%dT%H:%M:%SZ', s.created_at, 'unixepoch') AS created_at,"
                     " strftime('%Y-%m-%dT%H:%M:%SZ', s.last_seen, 'unixepoch') AS last_used_at"
                     " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.kind = 'api'"
                     " ORDER BY s.created_at, s.token_hash",
    [Q_TOKEN_DELETE] = "DELETE FROM sessions WHERE kind = 'api' AND substr(token_hash, 1, 16) = ?",
};

/* ---- organisations ------------------------------------------------------ */

int store_org_add(store *s, const cJSON *f, long long *id, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    return query_insert(s, Q_ORG_ADD,
                        ARGS(A_TEXT(field_str(f, "name")), A_TEXT(field_str(f, "legal_form")),
                             A_TEXT(field_str(f, "city")), A_TEXT(field_str(f, "region")),
                             A_TEXT(field_str(f, "member_since")), A_TEXT(now)),
                        "organisation", id, e);
}

int store_org_get(store *s, long long id, cJSON **out, err *e)
{
    return query_json(s, Q_ORG_GET, ARGS(A_INT(id)), true, "organisation", out, e);
}

int store_org_list(store *s, long long only, cJSON **out, err *e)
{
    return query_json(s, Q_ORG_LIST, ARGS(A_INT(only)), false, "organisations", out, e);
}

/* ---- users -------------------------------------------------------------- */

static void read_user(sqlite3_stmt *st, int first, store_user *u)
{
    u->id = sqlite3_column_int64(st, first);
    copy_col(st, first + 1, u->email, sizeof u->email);
    copy_col(st, first + 2, u->name, sizeof u->name);
    copy_col(st, first + 3, u->role, sizeof u->role);
    copy_col(st, first + 4, u->pending_role, sizeof u->pending_role);
    u->org_id = sqlite3_column_int64(st, first + 5);
    copy_col(st, first + 6, u->certified_until, sizeof u->certified_until);
    u->disabled = sqlite3_column_int(st, first + 7) != 0;
    u->role_id = sqlite3_column_int64(st, first + 8);
    u->responsible = sqlite3_column_int(st, first + 9) != 0;
}
#define USER_NCOLS 10

cJSON *store_user_json(const store_user *u)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)u->id);
    cJSON_AddStringToObject(o, "email", u->email);
    cJSON_AddStringToObject(o, "name", u->name);
    cJSON_AddStringToObject(o, "role", u->role);
    if (u->pending_role[0])
        cJSON_AddStringToObject(o, "pending_role", u->pending_role);
    else
        cJSON_AddNullToObject(o, "pending_role");
    if (u->org_id)
        cJSON_AddNumberToObject(o, "organisation_id", (double)u->org_id);
    else
        cJSON_AddNullToObject(o, "organisation_id");
    if (u->certified_until[0])
        cJSON_AddStringToObject(o, "certified_until", u->certified_until);
    else
        cJSON_AddNullToObject(o, "certified_until");
    cJSON_AddBoolToObject(o, "disabled", u->disabled);
    if (strcmp(u->role, "cae") == 0)
        cJSON_AddBoolToObject(o, "responsible", u->responsible);
    return o;
}

/* Binds u's email, name, role, organisation, certification and acting role
 * to ?1 to ?6, as the users columns of migration 8 kept them: what the
 * account is created with, read by nothing since (roles holds the truth). */
static void bind_user(sqlite3_stmt *st, const store_user *u)
{
    bool pending = u->pending_role[0] != '\0';
    bind_text(st, 1, u->email);
    bind_text(st, 2, u->name);
    bind_text(st, 3, pending ? u->pending_role : u->role);
    bind_id(st, 4, u->org_id);
    bind_text(st, 5, u->certified_until);
    bind_text(st, 6, pending ? u->role : NULL);
}

/* The error of a failed user write, saying which email is taken. */
static int email_taken(err *e, const store_user *u)
{
    if (e->code == ERR_CONFLICT)
        err_set(e, ERR_CONFLICT, "a user with the email %s already exists", u->email);
    return e->code;
}

int store_user_add(store *s, const store_user *u, const char *password_hash, long long *id, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_USER_ADD, e);
    if (!st)
        return e->code;
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    bind_user(st, u);
    bind_text(st, 7, password_hash);
    bind_text(st, 8, now);
    if (exec_stmt(s, st, "user", e) != ERR_OK)
        return email_taken(e, u);
    *id = sqlite3_last_insert_rowid(s->db);
    long long role;
    return store_role_add(s, *id, u, &role, e);
}

static int one_user(store *s, sqlite3_stmt *st, store_user *u, char *hash, size_t hash_size, err *e)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_user(st, 0, u);
        if (hash)
            copy_col(st, USER_NCOLS, hash, hash_size);
    }
    sqlite3_reset(st);
    return row_found(s, rc, "user not found", "user", e);
}

int store_user_in_role(store *s, long long id, long long role_id, const char *role, store_user *u,
                       err *e)
{
    sqlite3_stmt *st = stmt_bound(s, Q_USER_GET, ARGS(A_INT(id), A_INT(role_id), A_TEXT(role)), e);
    if (!st)
        return e->code;
    int rc = one_user(s, st, u, NULL, 0, e);
    if (rc == ERR_OK && (role_id || role) && !u->role_id)
        return err_set(e, ERR_NOT_FOUND, "user %lld holds no such role", id);
    return rc;
}

int store_user_get(store *s, long long id, store_user *u, err *e)
{
    return store_user_in_role(s, id, 0, NULL, u, e);
}

int store_user_by_email(store *s, const char *email, const char *role, store_user *u, char *hash,
                        size_t hash_size, err *e)
{
    sqlite3_stmt *st =
        stmt_bound(s, Q_USER_BY_EMAIL, ARGS(A_TEXT(email), A_INT(0), A_TEXT(role)), e);
    if (!st)
        return e->code;
    return one_user(s, st, u, hash, hash_size, e);
}

int store_user_list(store *s, cJSON **out, err *e)
{
    return query_json(s, Q_USER_LIST, NULL, false, "users", out, e);
}

int store_user_set_password(store *s, long long id, const char *password_hash, err *e)
{
    return query_exec(s, Q_USER_SET_PASSWORD, ARGS(A_TEXT(password_hash), A_INT(id)), false,
                      "password", e);
}

int store_user_update(store *s, const store_user *u, err *e)
{
    if (query_exec(s, Q_USER_UPDATE,
                   ARGS(A_TEXT(u->email), A_TEXT(u->name), A_INT(u->disabled), A_INT(u->id)), true,
                   "user", e))
        return email_taken(e, u);
    long long role;
    if (!u->role_id)
        return strcmp(u->role, "none") == 0 ? ERR_OK : store_role_add(s, u->id, u, &role, e);
    int rc = query_exec(s, Q_ROLE_UPDATE,
                        ARGS(A_TEXT(u->role), A_TEXT(u->pending_role), A_ID(u->org_id),
                             A_TEXT(u->certified_until), A_INT(u->responsible), A_INT(u->role_id),
                             A_INT(u->id)),
                        true, "role", e);
    if (rc == ERR_CONFLICT) /* the roles_person index: one row a role */
        err_set(e, ERR_CONFLICT, "$.role: user %lld already holds the role %s", u->id,
                u->pending_role[0] ? u->pending_role : u->role);
    return rc;
}

int store_user_confirm_role(store *s, long long role_id, const char *role, err *e)
{
    return query_exec(s, Q_USER_CONFIRM_ROLE, ARGS(A_INT(role_id), A_TEXT(role)), true,
                      "role awaiting confirmation", e);
}

int store_admin_count(store *s, bool granted, long long *n, err *e)
{
    return query_count(s, Q_ADMIN_COUNT, ARGS(A_INT(granted)), n, e);
}

/* ---- sessions ------------------------------------------------------------ */

int store_session_add(store *s, const char *token_hash, long long user, long long role_id,
                      const char *kind, const char *name, long long now, err *e)
{
    return query_exec(s, Q_SESSION_ADD,
                      ARGS(A_TEXT(token_hash), A_INT(user), A_TEXT(kind), A_TEXT(name), A_INT(now),
                           A_INT(now), A_ID(role_id)),
                      false, "session", e);
}

int store_session_get(store *s, const char *token_hash, store_user *u, char kind[8],
                      long long *created, long long *last_seen, err *e)
{
    sqlite3_stmt *st = stmt_bound(s, Q_SESSION_GET, ARGS(A_TEXT(token_hash)), e);
    if (!st)
        return e->code;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_user(st, 0, u);
        copy_col(st, USER_NCOLS, kind, 8);
        *created = sqlite3_column_int64(st, USER_NCOLS + 1);
        *last_seen = sqlite3_column_int64(st, USER_NCOLS + 2);
    }
    sqlite3_reset(st);
    return row_found(s, rc, "no such session", "session", e);
}

int store_session_touch(store *s, const char *token_hash, long long now, err *e)
{
    return query_exec(s, Q_SESSION_TOUCH, ARGS(A_INT(now), A_TEXT(token_hash)), false, "session",
                      e);
}

int store_session_delete(store *s, const char *token_hash, err *e)
{
    return query_exec(s, Q_SESSION_DELETE, ARGS(A_TEXT(token_hash)), false, "session", e);
}

int store_session_delete_others(store *s, long long user, const char *keep, err *e)
{
    return query_exec(s, Q_SESSION_DELETE_OTHERS, ARGS(A_INT(user), A_TEXT(keep ? keep : "-")),
                      false, "sessions", e);
}

int store_session_delete_user(store *s, long long user, err *e)
{
    return query_exec(s, Q_SESSION_DELETE_USER, ARGS(A_INT(user)), false, "sessions", e);
}

int store_token_list(store *s, cJSON **out, err *e)
{
    return query_json(s, Q_TOKEN_LIST, NULL, false, "tokens", out, e);
}

int store_token_delete(store *s, const char *id, err *e)
{
    return query_exec(s, Q_TOKEN_DELETE, ARGS(A_TEXT(id)), true, "token", e);
}
