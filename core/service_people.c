/* service_people: a person's several roles (added and removed by an
 * administrator), the role a session acts in, the rules about auditors held
 * per person, and a CAE's team managed by its responsible member. Uses
 * store's roles and the checks and transactions of service_internal.h. */
#include "service_internal.h"

#include <stdio.h>
#include <string.h>

#include "date.h"
#include "events.h"

/* ---- the person as a whole, checked inside every write that changes them ---- */

bool svc_role_name(const char *r)
{
    return !strcmp(r, "cae") || !strcmp(r, "auditor") || !strcmp(r, "committee") ||
           !strcmp(r, "admin");
}

/* Whether u, in their auditor role, may work on the audits given to them today. */
static bool can_audit(const store_user *u, const char *today)
{
    return u->role_id && strcmp(u->role, "auditor") == 0 && !u->disabled && svc_certified(u, today);
}

/* The person's auditor role (role_id 0 when none), read before a change. */
static int auditor_role(service *s, long long user, store_user *aud, err *e)
{
    int rc = store_user_in_role(s->db, user, 0, "auditor", aud, e);
    if (rc == ERR_NOT_FOUND) {
        err_clear(e);
        *aud = (store_user){.id = user};
        return ERR_OK;
    }
    return rc;
}

int svc_person_before(service *s, long long user, svc_person *was, err *e)
{
    int rc = auditor_role(s, user, &was->auditor, e);
    if (rc == ERR_OK)
        rc = store_admin_count(s->db, false, &was->admins, e);
    return rc;
}

/* The draft audits the person may no longer do, as "$.path: ..." naming
 * their ids (a bounded list): they hold no auditor role any more, or one of
 * their roles names the audited CAE. */
static int keeps_audits(service *s, long long user, err *e)
{
    cJSON *left = NULL;
    store_user aud;
    if (store_person_stranded(s->db, user, &left, e) || auditor_role(s, user, &aud, e)) {
        cJSON_Delete(left);
        return e->code;
    }
    char ids[256] = "";
    size_t n = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, left)
    {
        if (n >= sizeof ids - 32) { /* room left for ", …" */
            n += (size_t)snprintf(ids + n, sizeof ids - n, ", …");
            break;
        }
        n += (size_t)snprintf(ids + n, sizeof ids - n, "%s%lld", n ? ", " : "",
                              (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(x, "id")));
    }
    cJSON_Delete(left);
    if (!n)
        return ERR_OK;
    return err_set(e, ERR_CONFLICT,
                   "$.%s: user %lld is the auditor of draft audits %s: give them to another "
                   "auditor first",
                   aud.role_id && !aud.pending_role[0] ? "organisation_id" : "role", user, ids);
}

int svc_person_check(service *s, long long user, const svc_person *was, err *e)
{
    long long admins = 0;
    int rc = keeps_audits(s, user, e);
    if (rc == ERR_OK && was->admins > 0 &&
        (rc = store_admin_count(s->db, true, &admins, e)) == ERR_OK && admins == 0)
        rc = err_set(e, ERR_CONFLICT, "user %lld is the last administrator: make another one first",
                     user);
    if (rc != ERR_OK)
        return rc;
    /* An auditor who can no longer work on their draft audits (account
     * disabled, certification ended) keeps them until the committee gives
     * them to someone else: integrations are told of each
     * (audit.auditor_unavailable), so that nobody has to find them. */
    char today[DATE_LEN + 1];
    date_today(today);
    store_user now;
    cJSON *drafts = NULL;
    if (!can_audit(&was->auditor, today))
        return ERR_OK;
    if (auditor_role(s, user, &now, e) != ERR_OK || can_audit(&now, today))
        return e->code;
    if (store_assessment_list(s->db, 0, user, &drafts, e))
        return e->code;
    const char *reason = now.role_id && !now.disabled ? "certification_ended" : "disabled";
    int emitted = 0;
    const cJSON *d;
    cJSON_ArrayForEach(d, drafts)
    {
        const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(d, "status"));
        if (status && strcmp(status, "draft") == 0 &&
            (rc = events_auditor_unavailable(s->db, d, now.certified_until, reason, &emitted, e)))
            break;
    }
    cJSON_Delete(drafts);
    return rc;
}

int svc_person_json(service *s, long long id, cJSON **out, err *e)
{
    store_user u;
    cJSON *roles = NULL;
    *out = NULL;
    if (store_user_get(s->db, id, &u, e) || store_roles_of(s->db, id, &roles, e))
        return e->code;
    *out = store_user_json(&u);
    cJSON_AddItemToObject(*out, "roles", roles);
    return ERR_OK;
}

/* ---- the role a session acts in ---------------------------------------------- */

int service_me(service *s, cJSON **out, err *e)
{
    *out = NULL;
    cJSON *roles;
    if (!s->who)
        return err_set(e, ERR_FORBIDDEN, "a session belongs to a user");
    if (store_roles_of(s->db, s->who->user.id, &roles, e))
        return e->code;
    *out = store_user_json(&s->who->user);
    cJSON_AddNumberToObject(*out, "role_id", (double)s->who->user.role_id);
    cJSON_AddItemToObject(*out, "roles", roles);
    return ERR_OK;
}

int service_session_role(service *s, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    static const char *const keys[] = {"role", NULL};
    const char *role;
    if (!s->who)
        return err_set(e, ERR_FORBIDDEN, "a session belongs to a user");
    if (s->who->api)
        return err_set(e, ERR_FORBIDDEN, "an API token acts in the role it was made in");
    if (svc_need_object(body, keys, e) || svc_text_field(body, "role", true, 16, &role, e))
        return e->code;
    if (!svc_role_name(role))
        return bad(e, "role", "must be \"cae\", \"auditor\", \"committee\" or \"admin\"");
    if (store_begin(s->db, e))
        return e->code;
    store_user u;
    int rc = store_user_in_role(s->db, s->who->user.id, 0, role, &u, e);
    if (rc == ERR_NOT_FOUND || (rc == ERR_OK && strcmp(u.role, role) != 0))
        rc = bad(e, "role", "you do not hold the role %s", role);
    if (rc == ERR_OK)
        rc = store_session_set_role(s->db, s->who->token_hash, u.role_id, e);
    rc = svc_finish(s, rc, e);
    if (rc != ERR_OK)
        return rc;
    auth_actor now = *s->who;
    now.user = u;
    service in = *s;
    in.who = &now;
    return service_me(&in, out, e);
}

/* ---- an administrator's roles: add, change, remove ---------------------------- */

void svc_role_apply(const cJSON *body, const char *role, long long org, const char *certified,
                    store_user *u)
{
    if (role)
        snprintf(u->role, sizeof u->role, "%s", role);
    if (cJSON_GetObjectItemCaseSensitive(body, "organisation_id"))
        u->org_id = org;
    if (cJSON_GetObjectItemCaseSensitive(body, "certified_until"))
        snprintf(u->certified_until, sizeof u->certified_until, "%s", certified ? certified : "");
}

/* The fields of a role from body onto r: "role" (when role_named, else the
 * path's), "organisation_id", "certified_until", "responsible". */
static int role_fields(const cJSON *body, bool role_named, store_user *r, err *e)
{
    static const char *const keys[] = {"role", "organisation_id", "certified_until", "responsible",
                                       NULL};
    const char *role = NULL, *certified;
    long long org;
    if (svc_need_object(body, role_named ? keys : keys + 1, e) ||
        (role_named && svc_text_field(body, "role", true, 16, &role, e)) ||
        svc_id_field(body, "organisation_id", &org, e) ||
        svc_date_field(body, "certified_until", false, &certified, e))
        return e->code;
    if (role && !svc_role_name(role))
        return bad(e, "role", "must be \"cae\", \"auditor\", \"committee\" or \"admin\"");
    const cJSON *responsible = cJSON_GetObjectItemCaseSensitive(body, "responsible");
    if (responsible && !cJSON_IsBool(responsible))
        return bad(e, "responsible", "must be true or false");
    svc_role_apply(body, role, org, certified, r);
    if (responsible)
        r->responsible = cJSON_IsTrue(responsible);
    const char *held = r->pending_role[0] ? r->pending_role : r->role;
    if (strcmp(held, "cae") == 0 && !r->org_id)
        return bad(e, "organisation_id", "is required for a CAE member");
    if (strcmp(held, "cae") != 0 && r->responsible)
        return bad(e, "responsible", "is for a CAE member");
    return ERR_OK;
}

/* A change of a person's roles: the role given (added), or the one the
 * path names with the body's fields (changed, removed); for a team's
 * change, the organisation whose team it is. */
typedef struct role_change {
    store_user given;
    const char *named;
    const cJSON *body;
    long long org;
} role_change;

typedef int (*role_write)(service *s, long long id, const role_change *c, err *e);

/* The change fn of person id inside the caller's transaction, checked as
 * a whole afterwards (svc_person_check) and journaled as action with the
 * person before and after; *out the person after. */
static int person_change(service *s, long long id, const char *action, role_write fn,
                         const role_change *c, cJSON **out, err *e)
{
    svc_person was;
    cJSON *before = NULL;
    int rc = svc_person_json(s, id, &before, e);
    if (rc == ERR_NOT_FOUND)
        rc = err_set(e, ERR_NOT_FOUND, "no user %lld", id);
    if (rc == ERR_OK)
        rc = svc_person_before(s, id, &was, e);
    if (rc == ERR_OK)
        rc = fn(s, id, c, e);
    if (rc == ERR_OK)
        rc = svc_person_check(s, id, &was, e);
    if (rc == ERR_OK)
        rc = svc_person_json(s, id, out, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, action, "user", id, before, *out, e);
    cJSON_Delete(before);
    return rc;
}

/* person_change in a transaction of its own; *out is NULL on failure. */
static int person_transaction(service *s, long long id, const char *action, role_write fn,
                              const role_change *c, cJSON **out, err *e)
{
    *out = NULL;
    if (store_begin(s->db, e))
        return e->code;
    int rc = svc_finish(s, person_change(s, id, action, fn, c, out, e), e);
    if (rc != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

static int write_role_add(service *s, long long id, const role_change *c, err *e)
{
    long long role_id;
    int rc = svc_org_exists(s, c->given.org_id, e);
    return rc == ERR_OK ? store_role_add(s->db, id, &c->given, &role_id, e) : rc;
}

int service_role_add(service *s, long long id, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    role_change c = {0};
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e) || role_fields(body, true, &c.given, e))
        return e->code;
    /* As for a new account: given through the API, the committee role
     * waits for another committee member's confirmation. */
    if (s->who && strcmp(c.given.role, "committee") == 0) {
        snprintf(c.given.pending_role, sizeof c.given.pending_role, "committee");
        snprintf(c.given.role, sizeof c.given.role, "none");
    }
    return person_transaction(s, id, "user.role_add", write_role_add, &c, out, e);
}

int service_role_add_email(service *s, const char *email, const cJSON *body, cJSON **out,
                           err *e)
{
    store_user u;
    int rc = store_user_by_email(s->db, email, NULL, &u, NULL, 0, e);
    store_snapshot_end(s->db);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_NOT_FOUND, "no user with the email %s", email);
    return rc == ERR_OK ? service_role_add(s, u.id, body, out, e) : rc;
}

/* The role named of person id as the transaction reads it (held or
 * awaited), or ERR_NOT_FOUND saying so. */
static int held_role(service *s, long long id, const char *role, store_user *r, err *e)
{
    int rc = store_user_in_role(s->db, id, 0, role, r, e);
    if (rc == ERR_NOT_FOUND ||
        (rc == ERR_OK && strcmp(r->role, role) != 0 && strcmp(r->pending_role, role) != 0))
        return err_set(e, ERR_NOT_FOUND, "user %lld holds no role %.16s", id, role);
    return rc;
}

/* The body's fields laid over the role as the transaction reads it. */
static int write_role_update(service *s, long long id, const role_change *c, err *e)
{
    store_user r;
    int rc = held_role(s, id, c->named, &r, e);
    if (rc == ERR_OK)
        rc = role_fields(c->body, false, &r, e);
    if (rc == ERR_OK)
        rc = svc_org_exists(s, r.org_id, e);
    return rc == ERR_OK ? store_user_update(s->db, &r, e) : rc;
}

int service_role_update(service *s, long long id, const char *role, const cJSON *body, cJSON **out,
                        err *e)
{
    *out = NULL;
    role_change c = {.named = role, .body = body};
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e))
        return e->code;
    if (!svc_role_name(role))
        return err_set(e, ERR_NOT_FOUND, "no role %.16s", role);
    if (cJSON_IsObject(body) && !body->child)
        return bad(e, NULL, "names nothing to change");
    return person_transaction(s, id, "user.role_update", write_role_update, &c, out, e);
}

/* Removes role row r of person id; one who holds no role then has nothing
 * to log in as: the account is disabled, its sessions end. */
static int drop_role(service *s, long long id, const store_user *r, err *e)
{
    store_user left = {0};
    int rc = store_role_delete(s->db, r->role_id, e);
    if (rc == ERR_OK)
        rc = store_user_get(s->db, id, &left, e);
    if (rc != ERR_OK || left.role_id || left.disabled)
        return rc;
    left.disabled = true;
    rc = store_user_update(s->db, &left, e);
    return rc == ERR_OK ? store_session_delete_user(s->db, id, e) : rc;
}

static int write_role_remove(service *s, long long id, const role_change *c, err *e)
{
    store_user r = {0};
    int rc = held_role(s, id, c->named, &r, e);
    return rc == ERR_OK ? drop_role(s, id, &r, e) : rc;
}

int service_role_remove(service *s, long long id, const char *role, cJSON **out, err *e)
{
    *out = NULL;
    role_change c = {.named = role};
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e))
        return e->code;
    return person_transaction(s, id, "user.role_remove", write_role_remove, &c, out, e);
}

/* ---- a CAE's team, managed by its responsible member ---------------------------- */

int service_team_list(service *s, long long org, cJSON **out, err *e)
{
    *out = NULL;
    if (svc_allow(s, POLICY_TEAM_MANAGE, org, NULL, e) || svc_org_exists(s, org, e))
        return e->code == ERR_INPUT ? err_set(e, ERR_NOT_FOUND, "no organisation %lld", org)
                                    : e->code;
    return store_team_list(s->db, org, out, e);
}

/* The colleague id's membership of c->org, as the transaction reads it,
 * and the caller's right to change it: theirs (POLICY_TEAM_MANAGE read
 * again now), never their own membership (another responsible member or
 * an administrator changes it: a team is never left without one by its
 * own hand), and their account only when it holds nothing but this
 * membership. */
static int team_member(service *s, long long id, const role_change *c, bool account, store_user *m,
                       err *e)
{
    service in = *s;
    auth_actor now;
    int rc = svc_caller_now(&in, &now, e);
    if (rc == ERR_OK)
        rc = svc_allow(&in, POLICY_TEAM_MANAGE, c->org, NULL, e);
    if (rc == ERR_OK)
        rc = store_user_in_role(s->db, id, 0, "cae", m, e);
    if (rc == ERR_NOT_FOUND || (rc == ERR_OK && (strcmp(m->role, "cae") || m->org_id != c->org)))
        rc =
            err_set(e, ERR_NOT_FOUND, "user %lld is not a member of organisation %lld", id, c->org);
    bool admin = !in.who || strcmp(in.who->user.role, "admin") == 0;
    if (rc != ERR_OK || admin)
        return rc;
    if (in.who->user.id == id)
        return err_set(e, ERR_FORBIDDEN,
                       "your own membership is changed by another responsible "
                       "member or an administrator");
    cJSON *roles = NULL;
    if (account && (rc = store_roles_of(s->db, id, &roles, e)) == ERR_OK &&
        cJSON_GetArraySize(roles) > 1)
        rc = err_set(e, ERR_FORBIDDEN,
                     "user %lld holds other roles than this membership: only an administrator "
                     "disables or enables their account",
                     id);
    cJSON_Delete(roles);
    return rc;
}

static int write_team_update(service *s, long long id, const role_change *c, err *e)
{
    const cJSON *disabled = cJSON_GetObjectItemCaseSensitive(c->body, "disabled");
    const cJSON *responsible = cJSON_GetObjectItemCaseSensitive(c->body, "responsible");
    store_user m = {0};
    int rc = team_member(s, id, c, disabled != NULL, &m, e);
    if (rc == ERR_OK && responsible)
        rc = store_role_set_responsible(s->db, m.role_id, cJSON_IsTrue(responsible), e);
    if (rc != ERR_OK || !disabled || cJSON_IsTrue(disabled) == m.disabled)
        return rc;
    m.disabled = cJSON_IsTrue(disabled);
    m.responsible = responsible ? cJSON_IsTrue(responsible) : m.responsible;
    rc = store_user_update(s->db, &m, e);
    /* A disabled account keeps nothing open: sessions and API tokens go. */
    return rc == ERR_OK && m.disabled ? store_session_delete_user(s->db, id, e) : rc;
}

int service_team_update(service *s, long long org, long long id, const cJSON *body, cJSON **out,
                        err *e)
{
    *out = NULL;
    static const char *const keys[] = {"disabled", "responsible", NULL};
    if (svc_allow(s, POLICY_TEAM_MANAGE, org, NULL, e) || svc_need_object(body, keys, e))
        return e->code;
    if (!body->child)
        return bad(e, NULL, "names nothing to change");
    for (const char *const *k = keys; *k; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, *k);
        if (v && !cJSON_IsBool(v))
            return bad(e, *k, "must be true or false");
    }
    role_change c = {.body = body, .org = org};
    return person_transaction(s, id, "user.update", write_team_update, &c, out, e);
}

static int write_team_remove(service *s, long long id, const role_change *c, err *e)
{
    store_user m = {0};
    int rc = team_member(s, id, c, false, &m, e);
    return rc == ERR_OK ? drop_role(s, id, &m, e) : rc;
}

int service_team_remove(service *s, long long org, long long id, cJSON **out, err *e)
{
    *out = NULL;
    if (svc_allow(s, POLICY_TEAM_MANAGE, org, NULL, e))
        return e->code;
    role_change c = {.org = org};
    return person_transaction(s, id, "user.role_remove", write_team_remove, &c, out, e);
}
