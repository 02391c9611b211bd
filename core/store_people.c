/* store_people: a person's roles (the roles table of migration 11, the only
 * source of truth for them), a CAE's team, and the role a session acts in.
 * Its statements' text first, then their wrappers; helpers in store_internal.h. */
#include <stdbool.h>
#include <string.h>

#include <sqlite3.h>

#include "store_internal.h"

/* NOLINTBEGIN(bugprone-suspicious-missing-comma): each entry is designated ([Q_X] =),
 * so a missing comma would not compile; long statements are split literals. */
const char *const store_sql_people[Q_COUNT] = {
    [Q_ROLE_ADD] = "INSERT INTO roles (user_id, role, pending, organisation_id, certified_until,"
                   " responsible) VALUES (?, ?, ?, ?, ?, ?)",
    [Q_ROLE_UPDATE] = "UPDATE roles SET role = ?1, pending = ?2, organisation_id = ?3,"
                      " certified_until = ?4, responsible = ?5 WHERE id = ?6 AND user_id = ?7",
    [Q_ROLE_DELETE] = "DELETE FROM roles WHERE id = ?",
    [Q_ROLE_RESPONSIBLE] = "UPDATE roles SET responsible = ?2 WHERE id = ?1 AND role = 'cae'",
    [Q_ROLES_OF] = "SELECT id, role, pending AS pending_role, organisation_id, certified_until,"
                   " CASE WHEN responsible THEN 'true' ELSE 'false' END AS responsible_json"
                   " FROM roles WHERE user_id = ? ORDER BY role = 'none', id",
    [Q_TEAM_LIST] = "SELECT u.id, u.email, u.name, r.id AS role_id,"
                    " CASE WHEN r.responsible THEN 'true' ELSE 'false' END AS responsible_json,"
                    " CASE WHEN u.disabled THEN 'true' ELSE 'false' END AS disabled_json,"
                    " (SELECT json_group_array(o.role) FROM roles o"
                    "   WHERE o.user_id = u.id AND o.id <> r.id) AS other_roles_json"
                    " FROM roles r JOIN users u ON u.id = r.user_id"
                    " WHERE r.role = 'cae' AND r.organisation_id = ? ORDER BY u.name, u.id",
    [Q_PERSON_IN_ORG] = "SELECT count(*) FROM roles WHERE user_id = ? AND organisation_id = ?",
    /* An auditor role awaited still counts: what a confirmation would
     * refuse is refused at the change already. */
    [Q_PERSON_STRANDED] = "SELECT a.id, a.organisation_id FROM assessments a"
                          " WHERE a.auditor_id = ?1 AND a.kind = 'audit' AND a.status = 'draft'"
                          " AND (NOT EXISTS (SELECT 1 FROM roles r WHERE r.user_id = ?1"
                          "        AND coalesce(r.pending, r.role) = 'auditor')"
                          "   OR EXISTS (SELECT 1 FROM roles r WHERE r.user_id = ?1"
                          "        AND r.organisation_id = a.organisation_id))"
                          " ORDER BY a.id",
    [Q_SESSION_SET_ROLE] = "UPDATE sessions SET role_id = ? WHERE token_hash = ?",
};
/* NOLINTEND(bugprone-suspicious-missing-comma) */

int store_role_add(store *s, long long user, const store_user *r, long long *id, err *e)
{
    int rc = query_insert(s, Q_ROLE_ADD,
                          ARGS(A_INT(user), A_TEXT(r->role), A_TEXT(r->pending_role),
                               A_ID(r->org_id), A_TEXT(r->certified_until), A_INT(r->responsible)),
                          "role", id, e);
    if (rc == ERR_CONFLICT)
        err_set(e, ERR_CONFLICT, "user %lld already holds the role %s", user,
                r->pending_role[0] ? r->pending_role : r->role);
    return rc;
}

int store_role_delete(store *s, long long id, err *e)
{
    return query_exec(s, Q_ROLE_DELETE, ARGS(A_INT(id)), true, "role", e);
}

int store_role_set_responsible(store *s, long long id, bool on, err *e)
{
    return query_exec(s, Q_ROLE_RESPONSIBLE, ARGS(A_INT(id), A_INT(on)), true, "role", e);
}

int store_roles_of(store *s, long long user, cJSON **out, err *e)
{
    return query_json(s, Q_ROLES_OF, ARGS(A_INT(user)), false, "roles", out, e);
}

int store_team_list(store *s, long long org, cJSON **out, err *e)
{
    return query_json(s, Q_TEAM_LIST, ARGS(A_INT(org)), false, "team", out, e);
}

int store_person_in_org(store *s, long long user, long long org, bool *in, err *e)
{
    long long n = 0;
    int rc = query_count(s, Q_PERSON_IN_ORG, ARGS(A_INT(user), A_INT(org)), &n, e);
    *in = n > 0;
    return rc;
}

int store_person_stranded(store *s, long long user, cJSON **out, err *e)
{
    return query_json(s, Q_PERSON_STRANDED, ARGS(A_INT(user)), false, "assessments", out, e);
}

int store_session_set_role(store *s, const char *token_hash, long long role_id, err *e)
{
    return query_exec(s, Q_SESSION_SET_ROLE, ARGS(A_INT(role_id), A_TEXT(token_hash)), true,
                      "session", e);
}
