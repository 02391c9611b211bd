/* service_accounts: organisations, users, API tokens, passwords, and the
 * confirmation of a committee role by another member. Uses store, auth and
 * the checks and transactions of service_internal.h. */
#include "service_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "events.h"

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

static bool valid_role(const char *r)
{
    return !strcmp(r, "cae") || !strcmp(r, "auditor") || !strcmp(r, "committee") ||
           !strcmp(r, "admin");
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
    if (role && !valid_role(role))
        return bad(e, "role", "must be \"cae\", \"auditor\", \"committee\" or \"admin\"");
    if (password && *password && svc_password_check("password", *password, e))
        return e->code;
    if (email)
        snprintf(u->email, sizeof u->email, "%s", email);
    if (name)
        snprintf(u->name, sizeof u->name, "%s", name);
    if (role)
        snprintf(u->role, sizeof u->role, "%s", role);
    if (cJSON_GetObjectItemCaseSensitive(body, "organisation_id"))
        u->org_id = org;
    if (cJSON_GetObjectItemCaseSensitive(body, "certified_until"))
        snprintf(u->certified_until, sizeof u->certified_until, "%s", certified ? certified : "");
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

/* The draft audits given to u, as store_assessment_list rows; none when u
 * is not an auditor. */
static int drafts_of(service *s, const store_user *u, cJSON **drafts, err *e)
{
    if (strcmp(u->role, "auditor") != 0) {
        *drafts = cJSON_CreateArray();
        return *drafts ? ERR_OK : err_set(e, ERR_FAIL, "out of memory");
    }
    if (store_assessment_list(s->db, 0, u->id, drafts, e))
        return e->code;
    for (cJSON *x = (*drafts)->child, *next; x; x = next) {
        next = x->next;
        const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(x, "status"));
        if (!status || strcmp(status, "draft") != 0)
            cJSON_Delete(cJSON_DetachItemViaPointer(*drafts, x));
    }
    return ERR_OK;
}

/* An auditor's draft audits stay theirs only while they may do them: an
 * auditor still, and not of a CAE they audit. Otherwise the change waits
 * until the audits are given to someone else (PATCH /assessments/{id}),
 * rather than leaving them with nobody able to finish them. */
static int keeps_audits(const cJSON *drafts, const store_user *u, err *e)
{
    bool auditor = strcmp(u->role, "auditor") == 0;
    char ids[256] = "";
    size_t n = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, drafts)
    {
        double org = cJSON_GetNumberValue(cJSON_GetObjectItem(x, "organisation_id"));
        if (auditor && (double)u->org_id != org)
            continue;
        if (n >= sizeof ids - 32) { /* room left for ", …" */
            n += (size_t)snprintf(ids + n, sizeof ids - n, ", …");
            break;
        }
        n += (size_t)snprintf(ids + n, sizeof ids - n, "%s%lld", n ? ", " : "",
                              (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(x, "id")));
    }
    if (!n)
        return ERR_OK;
    return err_set(e, ERR_CONFLICT,
                   "$.%s: user %lld is the auditor of draft audits %s: give them to another "
                   "auditor first",
                   auditor ? "organisation_id" : "role", u->id, ids);
}

bool svc_certified(const store_user *u, const char *today)
{
    return policy_certified(u, today);
}

/* Whether u may work on the audits given to them today. */
static bool can_audit(const store_user *u, const char *today)
{
    return strcmp(u->role, "auditor") == 0 && !u->disabled && svc_certified(u, today);
}

/* An auditor who can no longer work on their draft audits (account
 * disabled, certification ended) keeps them until the committee gives them
 * to someone else: integrations are told of each (audit.auditor_unavailable),
 * so that nobody has to find them in the list. */
static int tell_stranded(service *s, const cJSON *drafts, const store_user *was,
                         const store_user *u, err *e)
{
    char today[DATE_LEN + 1];
    date_today(today);
    if (!can_audit(was, today) || can_audit(u, today))
        return ERR_OK;
    const char *reason = u->disabled ? "disabled" : "certification_ended";
    int rc = ERR_OK, emitted = 0;
    const cJSON *d;
    cJSON_ArrayForEach(d, drafts)
    {
        if ((rc = events_auditor_unavailable(s->db, d, u->certified_until, reason, &emitted, e)))
            break;
    }
    return rc;
}

/* The change of a user, inside its transaction. */
static int user_update(service *s, const store_user *was, const store_user *u, const char *hash,
                       cJSON **out, err *e)
{
    long long admins = 0;
    /* What a confirmation would refuse is refused now already. */
    store_user granted = role_granted(u), was_granted = role_granted(was);
    bool was_admin = strcmp(was_granted.role, "admin") == 0 && !was->disabled;
    bool is_admin = strcmp(granted.role, "admin") == 0 && !u->disabled;
    cJSON *drafts = NULL; /* read once, for the guard and for the events */
    int rc = svc_org_exists(s, u->org_id, e);
    if (rc == ERR_OK)
        rc = drafts_of(s, was, &drafts, e);
    if (rc == ERR_OK)
        rc = keeps_audits(drafts, &granted, e);
    if (rc == ERR_OK && was_admin && !is_admin &&
        (rc = store_admin_count(s->db, &admins, e)) == ERR_OK && admins < 2)
        rc = err_set(e, ERR_CONFLICT, "user %lld is the last administrator: make another one first",
                     u->id);
    if (rc == ERR_OK)
        rc = store_user_update(s->db, u, e);
    /* A disabled account keeps nothing open: sessions and API tokens go. */
    if (rc == ERR_OK && u->disabled && !was->disabled)
        rc = store_session_delete_user(s->db, u->id, e);
    /* A password set by an administrator ends every browser session of
     * the user: whoever used the old one is out. API tokens stay. */
    if (rc == ERR_OK && hash && (rc = store_user_set_password(s->db, u->id, hash, e)) == ERR_OK)
        rc = store_session_delete_others(s->db, u->id, NULL, e);
    if (rc == ERR_OK) {
        cJSON *before = store_user_json(was);
        *out = store_user_json(u);
        if (hash)
            cJSON_AddBoolToObject(*out, "password_changed", true);
        rc = svc_journal(s, "user.update", "user", u->id, before, *out, e);
        cJSON_DeleteItemFromObject(*out, "password_changed");
        cJSON_Delete(before);
    }
    if (rc == ERR_OK)
        rc = tell_stranded(s, drafts, was, u, e);
    cJSON_Delete(drafts);
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
    int rc = store_user_get(s->db, s->who->user.id, &me, e);
    if (rc == ERR_NOT_FOUND || (rc == ERR_OK && (me.disabled || strcmp(me.role, "committee"))))
        return err_set(e, ERR_FORBIDDEN, "only an enabled committee member confirms a role");
    return rc;
}

/* The confirmation, inside its transaction: the role is still waiting, and
 * the account may take it (no draft audits left behind, an administrator
 * left). */
static int role_confirm(service *s, long long id, cJSON **out, err *e)
{
    store_user was, u;
    cJSON *drafts = NULL;
    long long admins = 2;
    int rc = confirmer_check(s, e);
    if (rc == ERR_OK)
        rc = store_user_get(s->db, id, &was, e);
    if (rc == ERR_OK && !was.pending_role[0])
        rc = err_set(e, ERR_CONFLICT, "user %lld has no role awaiting confirmation", id);
    if (rc != ERR_OK)
        return rc;
    u = role_granted(&was);
    if ((rc = drafts_of(s, &was, &drafts, e)) == ERR_OK)
        rc = keeps_audits(drafts, &u, e);
    cJSON_Delete(drafts);
    if (rc == ERR_OK && strcmp(was.role, "admin") == 0 && !was.disabled &&
        (rc = store_admin_count(s->db, &admins, e)) == ERR_OK && admins < 2)
        rc = err_set(e, ERR_CONFLICT, "user %lld is the last administrator: make another one first",
                     id);
    if (rc == ERR_OK)
        rc = store_user_confirm_role(s->db, id, u.role, e);
    if (rc == ERR_OK) {
        cJSON *before = store_user_json(&was);
        *out = store_user_json(&u);
        rc = svc_journal(s, "user.confirm_role", "user", id, before, *out, e);
        cJSON_Delete(before);
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
    int rc = auth_api_token(s->db, s->who->user.id, name, token, e);
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
    if (store_user_by_email(s->db, s->who->user.email, &u, stored, sizeof stored, e))
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
    int rc = store_user_by_email(s->db, s->who->user.email, &u, now_stored, sizeof now_stored, e);
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
