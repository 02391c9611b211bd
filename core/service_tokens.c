/* service_tokens: invitations and forgotten passwords, single-use links sent
 * by e-mail. Only a hash of each token is stored; a token is marked used in
 * the write that uses it, so that of uses racing exactly one wins. Uses
 * auth (tokens, throttle, sessions), store, mailtpl and the accounts' and
 * mail's shared functions (service_internal.h). */
#include "service_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "mailtpl.h"

#define INVITATION_DAYS 7
#define RESET_HOURS 1
#define RESET_ANSWER "if an account has this address, a link valid 1 hour was sent to it"

/* Now plus seconds, as "YYYY-MM-DDTHH:MM:SSZ", into out[DATE_TIME_LEN + 1]. */
static void time_after(long long seconds, char *out)
{
    time_t t = (time_t)(date_now_ms() / 1000 + seconds);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, DATE_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Who may invite someone as u->role to an account of u->org_id: an
 * administrator or the committee, in any role (POLICY_INVITE); a CAE's
 * responsible member, a colleague of their own CAE (POLICY_TEAM_MANAGE).
 * The one place this is decided. */
static int may_invite(service *s, const store_user *u, err *e)
{
    int rc = svc_allow(s, POLICY_INVITE, u->org_id, NULL, e);
    if (rc != ERR_FORBIDDEN || strcmp(u->role, "cae") != 0 || !u->org_id)
        return rc;
    err team = ERR_INIT;
    if (svc_allow(s, POLICY_TEAM_MANAGE, u->org_id, NULL, &team) == ERR_OK) {
        err_clear(e);
        rc = ERR_OK;
    }
    err_clear(&team);
    return rc;
}

/* ERR_CONFLICT at $.email when email has an account already. */
static int no_account(service *s, const char *email, err *e)
{
    store_user u;
    int rc = store_user_by_email(s->db, email, NULL, &u, NULL, 0, e);
    if (rc == ERR_NOT_FOUND) {
        err_clear(e);
        return ERR_OK;
    }
    if (rc == ERR_OK)
        return err_set(e, ERR_CONFLICT, "$.email: %s has an account already (user %lld)", email,
                       u.id);
    return rc;
}

/* A list of one recipient, as svc_mail_enqueue takes them; caller deletes. */
static cJSON *recipient(const char *name, const char *email, const char *role)
{
    cJSON *list = cJSON_CreateArray(), *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "name", name);
    cJSON_AddStringToObject(p, "email", email);
    cJSON_AddStringToObject(p, "role", role);
    cJSON_AddItemToArray(list, p);
    return list;
}

/* The invitation's message, with its link, in the invitation's write. */
static int mail_invitation(service *s, const store_account_token *t, const char *token, err *e)
{
    char path[128], link[700];
    snprintf(path, sizeof path, "/#/invitation/%s", token);
    svc_mail_link(s, path, link, sizeof link);
    cJSON *org = NULL, *to = recipient(t->name, t->email, t->role), *data = cJSON_CreateObject();
    cJSON_AddStringToObject(cJSON_AddObjectToObject(data, "inviter"), "name",
                            s->who ? s->who->user.name : "L'administration de la plateforme");
    cJSON_AddStringToObject(data, "role", t->role);
    int rc = t->org_id ? store_org_get(s->db, t->org_id, &org, e) : ERR_OK;
    if (org)
        cJSON_AddStringToObject(cJSON_AddObjectToObject(data, "organisation"), "name",
                                cJSON_GetStringValue(cJSON_GetObjectItem(org, "name")));
    cJSON_AddStringToObject(data, "link", link);
    cJSON_AddNumberToObject(data, "days", INVITATION_DAYS);
    if (rc == ERR_OK)
        rc = svc_mail_enqueue(s, "invitation", to, data, false, e);
    cJSON_Delete(org);
    cJSON_Delete(to);
    cJSON_Delete(data);
    return rc;
}

/* The invitation of u, inside its write: it replaces a pending one for the
 * same address. */
static int invite(service *s, const store_user *u, const char *token, const char *hash,
                  cJSON **out, err *e)
{
    store_account_token t = {.kind = "invitation", .org_id = u->org_id,
                             .invited_by = svc_actor(s)};
    snprintf(t.email, sizeof t.email, "%s", u->email);
    snprintf(t.name, sizeof t.name, "%s", u->name);
    snprintf(t.role, sizeof t.role, "%s", u->role);
    date_now(t.created_at);
    time_after((long long)INVITATION_DAYS * 24 * 3600, t.expires_at);
    long long id = 0;
    int rc = no_account(s, u->email, e);
    if (rc == ERR_OK)
        rc = svc_org_exists(s, u->org_id, e);
    if (rc == ERR_OK)
        rc = store_account_tokens_drop(s->db, "invitation", u->email, e);
    if (rc == ERR_OK)
        rc = store_account_token_add(s->db, hash, &t, &id, e);
    if (rc == ERR_OK)
        rc = store_invitation_get(s->db, id, t.created_at, out, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "invitation.create", "invitation", id, NULL, *out, e);
    if (rc == ERR_OK)
        rc = mail_invitation(s, &t, token, e);
    return rc;
}

int service_invitation_add(service *s, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    static const char *const keys[] = {"email", "name", "role", "organisation_id", NULL};
    store_user u = {0};
    if (svc_need_object(body, keys, e) || svc_user_fields(body, &u, e) ||
        may_invite(s, &u, e))
        return e->code;
    char token[AUTH_TOKEN_LEN + 1], hash[AUTH_HASH_LEN + 1];
    auth_new_token(token, hash);
    if (store_begin(s->db, e))
        return e->code;
    int rc = svc_finish(s, invite(s, &u, token, hash, out, e), e);
    if (rc != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

int service_invitation_list(service *s, cJSON **out, err *e)
{
    *out = NULL;
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e))
        return e->code;
    return store_invitation_list(s->db, now, out, e);
}

int service_invitation_revoke(service *s, long long id, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    cJSON *before = NULL;
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e) || store_begin(s->db, e))
        return e->code;
    int rc = store_invitation_get(s->db, id, now, &before, e);
    if (rc == ERR_NOT_FOUND)
        err_set(e, ERR_NOT_FOUND, "no invitation %lld awaiting acceptance", id);
    if (rc == ERR_OK)
        rc = store_invitation_delete(s->db, id, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "invitation.revoke", "invitation", id, before, NULL, e);
    cJSON_Delete(before);
    return svc_finish(s, rc, e);
}

/* A kind of token as messages name it. */
static const char *kind_name(const char *kind)
{
    return strcmp(kind, "invitation") == 0 ? "invitation" : "password reset";
}

/* The token of kind named token, unused and unexpired at now, into t. */
static int token_find(service *s, const char *token, const char *kind, const char *now,
                      store_account_token *t, err *e)
{
    const char *what = kind_name(kind);
    char hash[AUTH_HASH_LEN + 1];
    int rc = ERR_NOT_FOUND;
    if (strlen(token) == AUTH_TOKEN_LEN) {
        auth_token_hash(token, hash);
        rc = store_account_token_get(s->db, hash, kind, t, e);
    }
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_NOT_FOUND,
                       "unknown %s link: mistyped, revoked, or replaced by a newer one", what);
    if (rc != ERR_OK)
        return rc;
    if (t->used_at[0])
        return err_set(e, ERR_GONE, "this %s link was used already (%s): a link works once", what,
                       t->used_at);
    if (strcmp(t->expires_at, now) <= 0)
        return err_set(e, ERR_GONE, "this %s link expired at %s: ask for a new one", what,
                       t->expires_at);
    return ERR_OK;
}

/* The token found as token_find finds it, marked used now, inside the
 * caller's write: the write that uses it. */
static int token_use(service *s, const char *token, const char *kind, store_account_token *t,
                     err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    int rc = token_find(s, token, kind, now, t, e);
    /* Guarded: only the write that finds it unused marks it. */
    if (rc == ERR_OK && store_account_token_use(s->db, t->id, now, e) == ERR_NOT_FOUND)
        rc = err_set(e, ERR_GONE, "this %s link was used already: a link works once",
                     kind_name(kind));
    return rc;
}

/* body {"password"}, checked as an account's, hashed into hash, once the
 * link of kind is found usable: an unknown or spent link costs the server
 * no hashing (tens of ms and 64 MiB). The write checks the link again. */
static int new_password(service *s, const char *token, const char *kind, const cJSON *body,
                        char *hash, err *e)
{
    static const char *const keys[] = {"password", NULL};
    const char *password;
    char now[DATE_TIME_LEN + 1];
    store_account_token t = {0};
    date_now(now);
    if (svc_need_object(body, keys, e) ||
        svc_text_field(body, "password", true, 1024, &password, e) ||
        svc_password_check("password", password, e) || token_find(s, token, kind, now, &t, e))
        return e->code;
    store_snapshot_end(s->db); /* not held over the hashing */
    return auth_hash_password(password, hash, e);
}

/* The acceptance, inside its write: the invitation used, the account made
 * as it names it, a session opened for it. */
static int accept(service *s, const char *token, const char *hash, cJSON **out, char *session,
                  err *e)
{
    store_account_token t = {0};
    int rc = token_use(s, token, "invitation", &t, e);
    if (rc != ERR_OK)
        return rc;
    store_user u = {.org_id = t.org_id};
    snprintf(u.email, sizeof u.email, "%s", t.email);
    snprintf(u.name, sizeof u.name, "%s", t.name);
    snprintf(u.role, sizeof u.role, "%s", t.role);
    char session_hash[AUTH_HASH_LEN + 1];
    cJSON *record = cJSON_CreateObject();
    cJSON_AddNumberToObject(record, "invitation_id", (double)t.id);
    /* An account made meanwhile for the address (by an administrator)
     * stays as it is. */
    rc = no_account(s, t.email, e);
    /* Given through the API by whoever invited: a committee role waits. */
    if (rc == ERR_OK)
        rc = svc_user_create(s, &u, hash, t.invited_by == 0, out, e);
    if (rc == ERR_OK)
        rc = auth_session_open(s->db, u.id, session, session_hash, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "invitation.accept", "user", u.id, NULL, record, e);
    cJSON_Delete(record);
    return rc;
}

int service_invitation_accept(service *s, const char *token, const cJSON *body, cJSON **out,
                              char *session, err *e)
{
    *out = NULL;
    char hash[AUTH_PWHASH_LEN];
    if (new_password(s, token, "invitation", body, hash, e) || store_begin(s->db, e))
        return e->code;
    int rc = svc_finish(s, accept(s, token, hash, out, session, e), e);
    if (rc != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

/* The reset message to u, or, for an address with no enabled account (u
 * NULL), the same message rendered and dropped: the answer takes as long. */
static int mail_reset(service *s, const store_user *u, const char *email, const char *token,
                      err *e)
{
    char path[128], link[700];
    snprintf(path, sizeof path, "/#/mot-de-passe/%s", token);
    svc_mail_link(s, path, link, sizeof link);
    cJSON *to = recipient(u ? u->name : email, u ? u->email : email, u ? u->role : "none");
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "link", link);
    cJSON_AddNumberToObject(data, "hours", RESET_HOURS);
    int rc = ERR_OK;
    if (u) {
        rc = svc_mail_enqueue(s, "password_reset", to, data, false, e);
    } else if (s->mail) {
        cJSON_AddItemToObject(data, "recipient", cJSON_Duplicate(to->child, true));
        mailtpl_message m = {0};
        err ignored = ERR_INIT;
        if (mailtpl_render(s->mail->templates_dir, "password_reset", data, s->limits, &m,
                           &ignored) == ERR_OK)
            mailtpl_free(&m);
        err_clear(&ignored);
    }
    cJSON_Delete(to);
    cJSON_Delete(data);
    return rc;
}

/* The reset link for email, inside its write, when it names an enabled
 * account: the account's earlier links revoked, the new one stored. */
static int reset_offer(service *s, const char *email, const char *token, const char *hash, err *e)
{
    store_user u;
    int rc = store_user_by_email(s->db, email, NULL, &u, NULL, 0, e);
    if (rc == ERR_NOT_FOUND) {
        err_clear(e);
        return mail_reset(s, NULL, email, token, e);
    }
    if (rc != ERR_OK)
        return rc;
    if (u.disabled) /* a disabled account gets no mail: an administrator enables it */
        return mail_reset(s, NULL, email, token, e);
    store_account_token t = {.kind = "password_reset", .user_id = u.id};
    snprintf(t.email, sizeof t.email, "%s", u.email);
    date_now(t.created_at);
    time_after((long long)RESET_HOURS * 3600, t.expires_at);
    long long id;
    rc = store_account_tokens_drop(s->db, "password_reset", u.email, e);
    if (rc == ERR_OK)
        rc = store_account_token_add(s->db, hash, &t, &id, e);
    if (rc == ERR_OK)
        rc = mail_reset(s, &u, u.email, token, e);
    return rc;
}

int service_password_reset_request(service *s, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    static const char *const keys[] = {"email", NULL};
    static const auth_config defaults = {0};
    const char *email;
    if (svc_need_object(body, keys, e) || svc_text_field(body, "email", true, 254, &email, e) ||
        auth_throttle_request(s->auth ? s->auth : &defaults, "password reset", email, s->client,
                              e))
        return e->code;
    /* Made whether the address has an account or not: the same work. */
    char token[AUTH_TOKEN_LEN + 1], hash[AUTH_HASH_LEN + 1];
    auth_new_token(token, hash);
    if (store_begin(s->db, e))
        return e->code;
    int rc = svc_finish(s, reset_offer(s, email, token, hash, e), e);
    if (rc == ERR_OK) {
        *out = cJSON_CreateObject();
        cJSON_AddStringToObject(*out, "message", RESET_ANSWER);
    }
    return rc;
}

/* The reset, inside its write: the link used, the password set, every
 * browser session of the account ended. */
static int reset(service *s, const char *token, const char *hash, store_user *u, err *e)
{
    store_account_token t = {0};
    int rc = token_use(s, token, "password_reset", &t, e);
    if (rc == ERR_OK)
        rc = store_user_get(s->db, t.user_id, u, e);
    if (rc == ERR_OK && u->disabled)
        rc = err_set(e, ERR_FORBIDDEN, "this account is disabled; ask an administrator");
    if (rc == ERR_OK)
        rc = store_user_set_password(s->db, u->id, hash, e);
    if (rc == ERR_OK)
        rc = store_session_delete_others(s->db, u->id, NULL, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "user.password_reset", "user", u->id, NULL, NULL, e);
    return rc;
}

int service_password_reset(service *s, const char *token, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    char hash[AUTH_PWHASH_LEN];
    store_user u;
    if (new_password(s, token, "password_reset", body, hash, e) || store_begin(s->db, e))
        return e->code;
    int rc = svc_finish(s, reset(s, token, hash, &u, e), e);
    if (rc == ERR_OK) {
        *out = cJSON_CreateObject();
        cJSON_AddStringToObject(*out, "email", u.email);
        cJSON_AddBoolToObject(*out, "sessions_ended", true);
        cJSON_AddStringToObject(*out, "message",
                                "password changed; every session of the account was ended: log "
                                "in with the new password");
    }
    return rc;
}
