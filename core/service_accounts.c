/* service_accounts: organisations, users, API tokens, passwords, and the
 * confirmation of a committee role by another member. A user's role fields
 * are their first role's (their other roles: service_people.c). Uses store,
 * auth and the checks and transactions of service_internal.h. */
#include "service_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>


/* ---- organisations and users ------------------------------------------------ */

int service_org_add(service *s, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    static const char *const keys[] = {"name",   "legal_form",   "city",
                                       "region", "member_since", NULL};
    const char *v;
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e) || svc_need_object(body, keys, e) ||
        svc_text_field(body, "name", true, MAX_NAME, &v, e) ||
        svc_text_field(body, "legal_form", false, MAX_NAME, &v, e) ||
        svc_text_field(body, "city", false, MAX_NAME, &v, e) ||
        svc_text_field(body, "region", false, MAX_NAME, &v, e) ||
        svc_date_field(body, "member_since", false, &v, e))
        return e->code;
    if (store_begin(s->db, e))
        return e->code;
    long long id;
    int rc = store_org_add(s->db, body, &id, e);
    if (rc == ERR_OK)
        rc = store_org_get(s->db, id, out, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "organisation.create", "organisation", id, NULL, *out, e);
    return svc_finish(s, rc, e);
}

int service_org_list(service *s, cJSON **out, err *e)
{
    *out = NULL;
    const store_user *u = s->who ? &s->who->user : NULL;
    if (u && strcmp(u->role, "cae") == 0)
        return store_org_list(s->db, u->org_id, out, e);
    return store_org_list(s->db, 0, out, e);
}

int service_org_get(service *s, long long id, cJSON **out, err *e)
{
    *out = NULL;
    if (svc_allow(s, POLICY_ORG_READ, id, NULL, e))
        return e->code;
    return store_org_get(s->db, id, out, e);
}

int svc_password_check(const char *key, const char *password, err *e)
{
    if (strlen(password) < 10)
        return bad(e, key, "must be at least 10 characters long");
    return ERR_OK;
}

/* Copies body's user fields onto u. On creation email, name, role and
 * password (unless password is NULL: none is asked) are required; on a
 * change any may be left out, and null clears organisation_id and
 * certified_until only. Then checks the user as a whole. */
static int user_fields(const cJSON *body, bool creating, store_user *u, const char **password,
                       err *e)
{
    static const char *const keys[] = {"email",           "name",     "role",     "organisation_id",
                                       "certified_until", "password", "disabled", NULL};
    static const char *const required[] = {"email", "name", "role", "password", "disabled", NULL};
    const char *email, *name, *role, *certified;
    long long org;
    if (svc_need_object(body, keys, e))
        return e->code;
    if (!creating && !body->child)
        return bad(e, NULL, "names nothing to change");
    for (const char *const *k = required; *k; k++)
        if (cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(body, *k)))
            return bad(e, *k, "cannot be null");
    /* An account is created enabled: "disabled" is for a change. */
    const cJSON *disabled = cJSON_GetObjectItemCaseSensitive(body, "disabled");
    if (disabled && creating)
        return bad(e, "disabled", "is for an existing account (PATCH /users/{id})");
    if (disabled && !cJSON_IsBool(disabled))
        return bad(e, "disabled", "must be true or false");
#define NEEDED(key) (creating || cJSON_GetObjectItemCaseSensitive(body, key))
    if (svc_text_field(body, "email", NEEDED("email"), 254, &email, e) ||
        svc_text_field(body, "name", NEEDED("name"), MAX_NAME, &name, e) ||
        svc_text_field(body, "role", NEEDED("role"), 16, &role, e) ||
        svc_id_field(body, "organisation_id", &org, e) ||
        svc_date_field(body, "certified_until", false, &certified, e) ||
        (password && svc_text_field(body, "password", NEEDED("password"), 1024, password, e)))
        return e->code;
#undef NEEDED
    if (email && (!strchr(email, '@') || strchr(email, ' ')))
        return bad(e, "email", "is not an email address");
    if (role && !svc_role_name(role))
        return bad(e, "role", "must be \"cae\", \"auditor\", \"committee\" or \"admin\"");
    if (password && *password && svc_password_check("password", *password, e))
        return e->code;
    if (email)
        snprintf(u->email, sizeof u->email, "%s", email);
    if (name)
        snprintf(u->name, sizeof u->name, "%s", name);
    svc_role_apply(body, role, org, certified, u);
    if (disabled)
        u->disabled = cJSON_IsTrue(disabled);
    if (strcmp(u->role, "cae") == 0 && !u->org_id)
        return bad(e, "organisation_id", "is required for a CAE member");
    return ERR_OK;
}

int svc_user_fields(const cJSON *body, store_user *u, err *e)
{
    return user_fields(body, true, u, NULL, e);
}

/* Two people grant the committee role: one given through the API waits
 * (u->pending_role) for another committee member's confirmation, and the
 * account keeps meanwhile the role it had, was's ("none" for a new one). The
 * command line, the server's operator, gives it at once: that is how the
 * first committee member is made. Another role named clears a waiting one.
 * Called once user_fields has put the role named in u->role. */
static void role_request_by(bool operator, const store_user *was, store_user *u)
{
    bool committee = strcmp(u->role, "committee") == 0;
    if (!committee || operator || strcmp(was->role, "committee") == 0) {
        u->pending_role[0] = '\0';
        return;
    }
    snprintf(u->pending_role, sizeof u->pending_role, "%s", u->role);
    snprintf(u->role, sizeof u->role, "%s", was->role);
}

static void role_request(const service *s, const store_user *was, store_user *u)
{
    role_request_by(!s->who, was, u);
}

/* The user as they will be once the role they wait for is confirmed. */
static store_user role_granted(const store_user *u)
{
    store_user v = *u;
    if (v.pending_role[0])
        snprintf(v.role, sizeof v.role, "%s", v.pending_role);
    v.pending_role[0] = '\0';
    return v;
}

/* ERR_INPUT at $.organisation_id when org (non-zero) does not exist. */
int svc_org_exists(service *s, long long org, err *e)
{
    cJSON *org_json = NULL;
    int rc = org ? store_org_get(s->db, org, &org_json, e) : ERR_OK;
    cJSON_Delete(org_json);
    return rc == ERR_NOT_FOUND ? bad(e, "organisation_id", "no organisation %lld", org) : rc;
}

int svc_user_create(service *s, store_user *u, const char *hash, bool by_operator, cJSON **out,
                    err *e)
{
    store_user none = {.role = "none"};
    role_request_by(by_operator, &none, u);
    int rc = svc_org_exists(s, u->org_id, e);
    if (rc == ERR_OK)
        rc = store_user_add(s->db, u, hash, &u->id, e);
    if (rc == ERR_OK) {
        *out = store_user_json(u);
        rc = svc_journal(s, "user.create", "user", u->id, NULL, *out, e);
    }
    return rc;
}

int service_user_add(service *s, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    const char *password = NULL;
    store_user u = {0};
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e) || user_fields(body, true, &u, &password, e))
        return e->code;
    char hash[AUTH_PWHASH_LEN];
    store_snapshot_end(s->db); /* not held over the hashing (tens of ms) */
    if (auth_hash_password(password, hash, e))
        return e->code;
    if (store_begin(s->db, e))
        return e->code;
    int rc = svc_user_create(s, &u, hash, !s->who, out, e);
    rc = svc_finish(s, rc, e);
    if (rc != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

bool svc_certified(const store_user *u, const char *today)
{
    return policy_certified(u, today);
}

/* The change of a user (their first role, and their account), inside its
 * transaction; the person is checked as a whole once it is written. */
static int user_update(service *s, const store_user *was, const store_user *u, const char *hash,
                       cJSON **out, err *e)
{
    svc_person before;
    int rc = svc_org_exists(s, u->org_id, e);
    if (rc == ERR_OK)
        rc = svc_person_before(s, u->id, &before, e);
    if (rc == ERR_OK)
        rc = store_user_update(s->db, u, e);
    if (rc == ERR_OK)
        rc = svc_person_check(s, u->id, &before, e);
    /* A disabled account keeps nothing open: sessions and API tokens go. */
    if (rc == ERR_OK && u->disabled && !was->disabled)
        rc = store_session_delete_user(s->db, u->id, e);
    /* A password set by an administrator ends every browser session of
     * the user: whoever used the old one is out. API tokens stay. */
    if (rc == ERR_OK && hash && (rc = store_user_set_password(s->db, u->id, hash, e)) == ERR_OK)
        rc = store_session_delete_others(s->db, u->id, NULL, e);
    if (rc == ERR_OK) {
        cJSON *before_json = store_user_json(was);
        *out = store_user_json(u);
        if (hash)
            cJSON_AddBoolToObject(*out, "password_changed", true);
        rc = svc_journal(s, "user.update", "user", u->id, before_json, *out, e);
        cJSON_DeleteItemFromObject(*out, "password_changed");
        cJSON_Delete(before_json);
    }
    return rc;
}

/* The request's fields laid over the user as the transaction reads them,
 * so that a change made meanwhile by another request is kept: only the
 * fields the request names change. */
static int user_patch(service *s, long long id, const cJSON *body, store_user *was, store_user *u,
                      err *e)
{
    const char *password = NULL;
    if (store_user_get(s->db, id, was, e))
        return e->code;
    *u = *was;
    if (user_fields(body, false, u, &password, e))
        return e->code;
    if (cJSON_GetObjectItemCaseSensitive(body, "role"))
        role_request(s, was, u);
    /* Whoever sets a committee member's password or email can log in as
     * them: the committee role then waits for another member's
     * confirmation again, as if given anew. */
    bool credentials = password || strcasecmp(u->email, was->email) != 0;
    if (s->who && credentials && strcmp(u->role, "committee") == 0) {
        snprintf(u->pending_role, sizeof u->pending_role, "committee");
        snprintf(u->role, sizeof u->role, "none");
    }
    return ERR_OK;
}

int service_user_update(service *s, long long id, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    const char *password = NULL;
    store_user was, u;
    /* Checked once before the slow hashing, to answer a bad request at once;
     * then again in the transaction, on what it reads. */
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e) || store_user_get(s->db, id, &was, e))
        return e->code;
    u = was;
    if (user_fields(body, false, &u, &password, e))
        return e->code;
    char hash[AUTH_PWHASH_LEN];
    store_snapshot_end(s->db); /* not held over the hashing (tens of ms) */
    if (password && auth_hash_password(password, hash, e))
        return e->code;
    if (store_begin(s->db, e))
        return e->code;
    int rc = user_patch(s, id, body, &was, &u, e);
    if (rc == ERR_OK)
        rc = user_update(s, &was, &u, password ? hash : NULL, out, e);
    rc = svc_finish(s, rc, e);
    if (rc != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

/* Whether the caller, as this transaction reads them, is an enabled member
 * of the committee: one disabled or moved meanwhile confirms nothing. */
static int confirmer_check(service *s, err *e)
{
    store_user me;
    if (!s->who)
        return ERR_OK;
    int rc = store_user_in_role(s->db, s->who->user.id, 0, "committee", &me, e);
    if (rc == ERR_NOT_FOUND || (rc == ERR_OK && (me.disabled || strcmp(me.role, "committee"))))
        return err_set(e, ERR_FORBIDDEN, "only an enabled committee member confirms a role");
    return rc;
}

/* The confirmation, inside its transaction: the role is still waiting, and
 * the person may take it (no draft audits left behind, an administrator
 * left). */
static int role_confirm(service *s, long long id, cJSON **out, err *e)
{
    store_user was, u;
    svc_person before;
    int rc = confirmer_check(s, e);
    if (rc == ERR_OK && (rc = store_user_in_role(s->db, id, 0, "committee", &was, e)) ==
                            ERR_NOT_FOUND) {
        err_clear(e);
        rc = store_user_get(s->db, id, &was, e);
    }
    if (rc == ERR_OK && strcmp(was.pending_role, "committee") != 0)
        rc = err_set(e, ERR_CONFLICT, "user %lld has no role awaiting confirmation", id);
    if (rc != ERR_OK)
        return rc;
    u = role_granted(&was);
    if ((rc = svc_person_before(s, id, &before, e)) == ERR_OK)
        rc = store_user_confirm_role(s->db, was.role_id, u.role, e);
    if (rc == ERR_OK)
        rc = svc_person_check(s, id, &before, e);
    if (rc == ERR_OK) {
        cJSON *before_json = store_user_json(&was);
        *out = store_user_json(&u);
        rc = svc_journal(s, "user.confirm_role", "user", id, before_json, *out, e);
        cJSON_Delete(before_json);
    }
    return rc;
}

int service_user_confirm_role(service *s, long long id, cJSON **out, err *e)
{
    *out = NULL;
    if (s->who && s->who->user.id == id)
        return err_set(e, ERR_FORBIDDEN,
                       "a role is confirmed by another committee member, never by its holder");
    if (svc_allow(s, POLICY_ROLE_CONFIRM, 0, NULL, e) || store_begin(s->db, e))
        return e->code;
    int rc = svc_finish(s, role_confirm(s, id, out, e), e);
    if (rc != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

int service_user_list(service *s, cJSON **out, err *e)
{
    *out = NULL;
    if (svc_allow(s, POLICY_USERS_READ, 0, NULL, e))
        return e->code;
    return store_user_list(s->db, out, e);
}

int service_token_add(service *s, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    static const char *const keys[] = {"name", NULL};
    const char *name;
    if (!s->who)
        return err_set(e, ERR_FORBIDDEN, "an API token belongs to a user");
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e) || svc_need_object(body, keys, e) ||
        svc_text_field(body, "name", true, MAX_NAME, &name, e))
        return e->code;
    char token[AUTH_TOKEN_LEN + 1];
    if (store_begin(s->db, e))
        return e->code;
    int rc = auth_api_token(s->db, s->who->user.id, s->who->user.role_id, name, token, e);
    cJSON *record = cJSON_CreateObject();
    cJSON_AddStringToObject(record, "name", name); /* never the token itself */
    if (rc == ERR_OK)
        rc = svc_journal(s, "token.create", "user", s->who->user.id, NULL, record, e);
    rc = svc_finish(s, rc, e);
    if (rc == ERR_OK) {
        cJSON_AddStringToObject(record, "token", token);
        *out = record;
    } else {
        cJSON_Delete(record);
    }
    return rc;
}

int service_token_list(service *s, cJSON **out, err *e)
{
    *out = NULL;
    return svc_allow(s, POLICY_ADMINISTER, 0, NULL, e) ? e->code : store_token_list(s->db, out, e);
}

int service_token_revoke(service *s, const char *id, err *e)
{
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e))
        return e->code;
    /* An id is what GET /tokens shows: 16 lowercase hex digits. */
    size_t n = strspn(id, "0123456789abcdef");
    if (n != 16 || id[n])
        return err_set(e, ERR_NOT_FOUND, "no API token %.40s", id);
    if (store_begin(s->db, e))
        return e->code;
    int rc = store_token_delete(s->db, id, e);
    if (rc == ERR_NOT_FOUND)
        err_set(e, ERR_NOT_FOUND, "no API token %s", id);
    if (rc == ERR_OK) {
        cJSON *record = cJSON_CreateObject();
        cJSON_AddStringToObject(record, "id", id);
        rc = svc_journal(s, "token.revoke", "token", 0, record, NULL, e);
        cJSON_Delete(record);
    }
    return svc_finish(s, rc, e);
}

int service_password_change(service *s, const cJSON *body, err *e)
{
    static const char *const keys[] = {"current", "new", NULL};
    const char *current, *fresh;
    if (!s->who)
        return err_set(e, ERR_FORBIDDEN, "a password belongs to a user");
    if (svc_need_object(body, keys, e) ||
        svc_text_field(body, "current", true, 1024, &current, e) ||
        svc_text_field(body, "new", true, 1024, &fresh, e))
        return e->code;
    if (svc_password_check("new", fresh, e))
        return e->code;
    store_user u;
    char stored[AUTH_PWHASH_LEN], hash[AUTH_PWHASH_LEN];
    if (store_user_by_email(s->db, s->who->user.email, NULL, &u, stored, sizeof stored, e))
        return e->code;
    store_snapshot_end(s->db); /* not held over the hashing (tens of ms) */
    /* A stolen session must not be a way round the login throttle: a wrong
     * current password counts as a failed login of the account. */
    static const auth_config defaults = {0};
    if (auth_guess(s->auth ? s->auth : &defaults, u.email, s->client, e))
        return e->code;
    if (!auth_verify_password(stored, current))
        return bad(e, "current", "is not your current password");
    auth_guess_right(u.email, s->client);
    if (auth_hash_password(fresh, hash, e) || store_begin(s->db, e))
        return e->code;
    /* The password checked is still the one stored: an administrator's
     * reset meanwhile is not undone by whoever knew the old one. */
    char now_stored[AUTH_PWHASH_LEN];
    int rc =
        store_user_by_email(s->db, s->who->user.email, NULL, &u, now_stored, sizeof now_stored, e);
    if ((rc == ERR_OK && (u.id != s->who->user.id || strcmp(now_stored, stored) != 0)) ||
        rc == ERR_NOT_FOUND)
        rc = err_set(e, ERR_CONFLICT, "your account changed meanwhile; try again");
    if (rc == ERR_OK)
        rc = store_user_set_password(s->db, u.id, hash, e);
    if (rc == ERR_OK) /* a stolen session dies with the old password */
        rc = store_session_delete_others(s->db, u.id, s->who->token_hash, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "user.password", "user", u.id, NULL, NULL, e);
    return svc_finish(s, rc, e);
}
