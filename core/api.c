/* api: routes of /api/v1 as a table of patterns; a pattern that matches the
 * path but not the method answers 405. Errors are {"error": {"code",
 * "message", "path"}}; a message that starts with a JSON path ("$.x: ...")
 * gives the path. Worker state is thread-local and registered for shutdown. */
#include "api.h"
#include "api_internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "webhook.h"
#include "json.h"
#include "paging.h"
#include "plugin.h"
#include "reqlog.h"
#include "rules.h"
#include "ruleset.h"
#include "service.h"
#include "store.h"
#include "text.h"

#define DOCS_BYTES ((size_t)8 << 20) /* rendered assessments kept per worker */
/* The PDFs of frozen assessments, kept for every worker, and the documents
 * drawn at once: two, so that a burst of PDF requests (the longest takes
 * seconds) leaves the other workers to everyone else. */
#define PDF_BYTES ((size_t)64 << 20)
#define PDF_DRAWING 2

static _Thread_local worker *self;
static atomic_long reloads;
static worker *workers;
static pthread_mutex_t workers_lock = PTHREAD_MUTEX_INITIALIZER;
static docstore *pdfs; /* made by api_init, freed by api_shutdown */

/* This thread's connection and rules, opened on its first request. */
worker *api_worker(const api_config *c, err *e)
{
    if (self)
        return self;
    worker *w = calloc(1, sizeof *w);
    if (!w) {
        err_set(e, ERR_FAIL, "out of memory");
        return NULL;
    }
    if (store_open(c->db_path, &w->db, e) != ERR_OK ||
        !(w->rulesets = ruleset_cache_new(&c->limits)) || !(w->docs = doccache_new(DOCS_BYTES))) {
        if (w->db)
            err_set(e, ERR_FAIL, "out of memory");
        ruleset_cache_free(w->rulesets);
        store_close(w->db);
        free(w);
        return NULL;
    }
    if (c->plugins_dir) {
        cJSON *problems = NULL;
        plugin_load(c->plugins_dir, c->plugin_settings, &c->limits, &w->plugins, &problems, e);
        cJSON_Delete(problems); /* reported once, at start-up */
    }
    w->plugins_read.settings = -1; /* never read yet */
    pthread_mutex_lock(&workers_lock);
    w->next = workers;
    workers = w;
    pthread_mutex_unlock(&workers_lock);
    self = w;
    return w;
}

/* Says at start-up when the active rule set does not load: the server
 * serves all the same (see active_rules), and the log tells the operator. */
static void warn_rules(const api_config *c, store *db)
{
    ruleset_cache *cache = ruleset_cache_new(&c->limits);
    rules *r;
    err e = ERR_INIT;
    if (cache && ruleset_active(cache, db, NULL, &r, &e) == ERR_RULES)
        reqlog_stderr("warning: %s", err_msg(&e));
    err_clear(&e);
    ruleset_cache_free(cache);
}

int api_init(const api_config *c, err *e)
{
    store *db;
    bool activated;
    if (c->plugins_dir) {
        plugin_set *p = NULL;
        cJSON *problems = NULL;
        plugin_load(c->plugins_dir, c->plugin_settings, &c->limits, &p, &problems, e);
        const cJSON *m;
        cJSON_ArrayForEach(m, problems) reqlog_stderr("plugin not loaded: %s", m->valuestring);
        cJSON_Delete(problems);
        plugin_free(p);
    }
    if (!pdfs && !(pdfs = docstore_new(PDF_BYTES, PDF_DRAWING)))
        return err_set(e, ERR_FAIL, "out of memory");
    if (store_open(c->db_path, &db, e) != ERR_OK)
        return e->code;
    /* the platform's own start-up, no caller */
    service boot = {.db = db, .library = c->library.dir ? &c->library : NULL};
    int rc = service_ruleset_bootstrap(&boot, c->rules_dir, &c->limits, &activated, e);
    int swept = 0;
    if (rc == ERR_OK && boot.library)
        rc = service_library_sweep(&boot, &swept, e);
    if (swept)
        reqlog_stderr("documents folder %s: %d files left half-way by a stopped process, "
                      "handled", c->library.dir, swept);
    if (rc == ERR_OK && activated)
        reqlog_stderr("no rule set was active: activated the rules of %s", c->rules_dir);
    if (rc == ERR_OK)
        warn_rules(c, db);
    store_close(db);
    return rc;
}

void api_reload(void)
{
    atomic_fetch_add(&reloads, 1);
}

void api_shutdown(void)
{
    pthread_mutex_lock(&workers_lock);
    while (workers) {
        worker *w = workers;
        workers = w->next;
        store_close(w->db);
        ruleset_cache_free(w->rulesets);
        plugin_free(w->plugins);
        doccache_free(w->docs);
        free(w);
    }
    docstore_free(pdfs);
    pdfs = NULL;
    pthread_mutex_unlock(&workers_lock);
}

/* ---- one call ------------------------------------------------------------------- */

/* call and handler: in api_internal.h, shared with the handlers of api_people.c. */

static void respond_error(http_response *res, int code, const char *message);

/* KNOWN: may be made with what the thread knows (handle_known). ANY_RULES:
 * answers whether the active rule set loads or not (NULL in svc.rules when
 * it does not): logging in, accounts, the public registry and the
 * committee's rule pages never depend on what the database holds.
 * HEALTH, OPENAPI: answered without the route's handler (api_watch.c,
 * api_openapi.c); the OpenAPI document from the binary alone. UPLOAD: the
 * body is a multipart/form-data upload, streamed to the documents folder as
 * it comes (api_uploads), never gathered. SECRET: see below. FORM: any
 * body is taken and ignored (a mail client's one-click unsubscribe POSTs
 * "List-Unsubscribe=One-Click", RFC 8058). */
enum {
    PUBLIC = 1,
    BODY = 2,
    KNOWN = 4,
    ANY_RULES = 8,
    HEALTH = 16,
    OPENAPI = 32,
    UPLOAD = 64,
    SECRET = 128, /* the path holds a single-use token: the log shows the pattern instead */
    FORM = 256,
};

typedef struct route {
    const char *method;
    const char *pattern; /* after /api/v1/; ":id" a number, ":key" any segment */
    handler fn;
    int flags;
} route;

/* The platform's own origin: the public URL's, or else the Host header's
 * with the scheme the client used (a trusted proxy says https). */
static bool own_origin(const call *c, char *out, size_t size)
{
    if (c->config->public_origin) {
        snprintf(out, size, "%s", c->config->public_origin);
        return true;
    }
    const char *host_name = http_header(c->req, "Host");
    if (!host_name)
        return false;
    snprintf(out, size, "%s://%s", http_https(c->req) ? "https" : "http", host_name);
    return true;
}

/* Cookies go over TLS only when the platform is reached over it. */
static bool cookie_secure(const call *c)
{
    const char *url = c->config->public_origin;
    return (url && strncmp(url, "https://", 8) == 0) || http_https(c->req);
}

static int h_login(call *c, cJSON **out, err *e)
{
    const char *email = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->body, "email"));
    const char *password =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->body, "password"));
    if (!cJSON_IsObject(c->body))
        return err_set(e, ERR_INPUT, "$: must be an object {\"email\", \"password\"}");
    if (!email)
        return err_set(e, ERR_INPUT, "$.email: must be a string");
    if (!password)
        return err_set(e, ERR_INPUT, "$.password: must be a string");
    /* The role the session acts in: one of the person's, else their first. */
    const cJSON *role_json = cJSON_GetObjectItemCaseSensitive(c->body, "role");
    const char *role = cJSON_GetStringValue(role_json);
    if (role_json && !cJSON_IsNull(role_json) && (!role || strlen(role) > 15))
        return err_set(e, ERR_INPUT, "$.role: must be \"cae\", \"auditor\", \"committee\" or "
                                     "\"admin\"");
    char token[AUTH_TOKEN_LEN + 1];
    if (auth_login(c->svc.db, &c->config->auth, email, password, role, http_client(c->req),
                   &c->who, token, e))
        return e->code;
    cJSON *user;
    c->svc.who = &c->who;
    if (api_me(c, &user, e))
        return e->code;
    *out = api_session_answer(c, token, user, c->who.user.id);
    return ERR_OK;
}

cJSON *api_session_answer(call *c, const char *token, cJSON *user, long long id)
{
    char csrf[AUTH_HASH_LEN + 1];
    http_note_user(c->req, id);
    auth_csrf_token(token, csrf);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "token", token);
    cJSON_AddStringToObject(out, "csrf_token", csrf);
    cJSON_AddItemToObject(out, "user", user);
    char cookie[256];
    snprintf(cookie, sizeof cookie, COOKIE "=%s; HttpOnly; SameSite=Strict; Path=/%s", token,
             cookie_secure(c) ? "; Secure" : "");
    c->res->set_cookie = strdup(cookie);
    c->status = 201;
    return out;
}

static int h_logout(call *c, cJSON **out, err *e)
{
    (void)out;
    if (auth_logout(c->svc.db, c->token, e))
        return e->code;
    c->res->set_cookie = strdup(cookie_secure(c)
                                    ? COOKIE "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure"
                                    : COOKIE "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    c->status = 204;
    return ERR_OK;
}

static int h_token_add(call *c, cJSON **out, err *e)
{
    c->status = 201;
    return service_token_add(&c->svc, c->body, out, e);
}

static int h_users(call *c, cJSON **out, err *e)
{
    return service_user_list(&c->svc, out, e);
}

static int h_user_add(call *c, cJSON **out, err *e)
{
    c->status = 201;
    return service_user_add(&c->svc, c->body, out, e);
}

static int h_user_update(call *c, cJSON **out, err *e)
{
    return service_user_update(&c->svc, c->ids[0], c->body, out, e);
}

static int h_user_confirm_role(call *c, cJSON **out, err *e)
{
    return service_user_confirm_role(&c->svc, c->ids[0], out, e);
}

static int h_tokens(call *c, cJSON **out, err *e)
{
    return service_token_list(&c->svc, out, e);
}

static int h_token_revoke(call *c, cJSON **out, err *e)
{
    (void)out;
    c->status = 204;
    return service_token_revoke(&c->svc, c->strs[0], e);
}

static int h_orgs(call *c, cJSON **out, err *e)
{
    return service_org_list(&c->svc, out, e);
}

static int h_org_add(call *c, cJSON **out, err *e)
{
    c->status = 201;
    return service_org_add(&c->svc, c->body, out, e);
}

static int h_org(call *c, cJSON **out, err *e)
{
    return service_org_get(&c->svc, c->ids[0], out, e);
}

static int h_assessment_add(call *c, cJSON **out, err *e)
{
    c->status = 201;
    return service_assessment_add(&c->svc, c->ids[0], c->body, out, e);
}

static int h_assessments(call *c, cJSON **out, err *e)
{
    c->svc.query_org = http_query(c->req, "organisation_id");
    return service_assessment_list(&c->svc, out, e);
}

static int h_assessment(call *c, cJSON **out, err *e)
{
    (void)out;
    char etag[TEXT_ETAG_SIZE];
    c->raw_type = "application/json";
    int rc = service_assessment_text(&c->svc, c->ids[0], &c->raw, &c->raw_len, etag, e);
    if (rc == ERR_OK)
        http_set_header(c->res, "ETag", etag);
    return rc;
}

static int h_assessment_update(call *c, cJSON **out, err *e)
{
    return service_assessment_update(&c->svc, c->ids[0], c->body, out, e);
}

/* The answer of a PUT written by the group commit, sent from its thread;
 * or, when what its thread knew no longer held, the PUT made again. */
static void answered(void *ud, int rc, char *out, err *e)
{
    if (rc == ERR_AGAIN) {
        http_resume_again(ud);
        return;
    }
    http_response res = {0};
    if (rc == ERR_OK) {
        char etag[TEXT_ETAG_SIZE];
        text_etag(out, strlen(out), etag); /* the answer as stored: its tag */
        http_json_text(&res, 200, out);
        http_set_header(&res, "ETag", etag);
    } else {
        respond_error(&res, rc, err_msg(e));
    }
    http_resume(ud, &res);
}

static int h_answer(call *c, cJSON **out, err *e)
{
    (void)out;
    http_deferred *d = c->svc.commits ? http_defer(c->req) : NULL;
    if (!d && c->known) /* the synchronous way reads first */
        return ERR_AGAIN;
    if (!d) { /* the answer printed once: sent as is, and its tag taken from it */
        cJSON *answer = NULL;
        int rc = service_answer_put(&c->svc, c->ids[0], c->strs[0], c->body, &answer, e);
        char *text = rc == ERR_OK ? cJSON_PrintUnformatted(answer) : NULL, etag[TEXT_ETAG_SIZE];
        cJSON_Delete(answer);
        if (rc == ERR_OK && !text)
            return err_set(e, ERR_FAIL, "out of memory");
        if (text) {
            text_etag(text, strlen(text), etag);
            http_set_header(c->res, "ETag", etag);
            c->raw = text, c->raw_len = strlen(text), c->raw_type = "application/json";
        }
        return rc;
    }
    c->deferred = true;
    cJSON *body = c->body; /* the write's now */
    c->body = NULL;
    int rc = c->known
                 ? service_answer_submit_fast(&c->svc, c->ids[0], c->strs[0], body, answered, d, e)
                 : service_answer_submit(&c->svc, c->ids[0], c->strs[0], body, answered, d, e);
    if (rc != ERR_OK) { /* refused before the write: answered at once */
        http_response res = {0};
        respond_error(&res, rc, err_msg(e));
        http_resume(d, &res);
        err_clear(e);
    }
    return ERR_OK;
}

static int h_stakeholders(call *c, cJSON **out, err *e)
{
    return service_stakeholders_put(&c->svc, c->ids[0], c->body, out, e);
}

static int h_submit(call *c, cJSON **out, err *e)
{
    return service_submit(&c->svc, c->ids[0], out, e);
}

static int h_evaluation(call *c, cJSON **out, err *e)
{
    return service_evaluation(&c->svc, c->ids[0], out, e);
}

static int h_decide(call *c, cJSON **out, err *e)
{
    c->status = 201;
    return service_decide(&c->svc, c->ids[0], c->body, out, e);
}

static int h_labels(call *c, cJSON **out, err *e)
{
    return service_labels(&c->svc, false, out, e);
}

static int h_public_labels(call *c, cJSON **out, err *e)
{
    return service_labels(&c->svc, true, out, e);
}

static int h_referential(call *c, cJSON **out, err *e)
{
    return service_referential(&c->svc, http_query(c->req, "ruleset"), out, e);
}

static int h_practices(call *c, cJSON **out, err *e)
{
    return service_good_practices(&c->svc, http_query(c->req, "criterion"), out, e);
}

static int h_org_practices(call *c, cJSON **out, err *e)
{
    return service_org_practices(&c->svc, c->ids[0], out, e);
}

static int h_practice_share(call *c, cJSON **out, err *e)
{
    return service_practice_share(&c->svc, c->ids[0], c->body, out, e);
}

static int h_password(call *c, cJSON **out, err *e)
{
    (void)out;
    c->status = 204;
    return service_password_change(&c->svc, c->body, e);
}

static int h_actions(call *c, cJSON **out, err *e)
{
    return service_actions_list(&c->svc, c->ids[0], out, e);
}

static int h_action_add(call *c, cJSON **out, err *e)
{
    c->status = 201;
    return service_action_add(&c->svc, c->ids[0], c->body, out, e);
}

static int h_action_update(call *c, cJSON **out, err *e)
{
    return service_action_update(&c->svc, c->ids[0], c->ids[1], c->body, out, e);
}

static int h_rulesets(call *c, cJSON **out, err *e)
{
    return service_ruleset_history(&c->svc, out, e);
}

static int h_ruleset(call *c, cJSON **out, err *e)
{
    return service_ruleset_files(&c->svc, c->strs[0], out, e);
}

static int h_ruleset_activate(call *c, cJSON **out, err *e)
{
    c->status = 201;
    return service_ruleset_activate(&c->svc, c->body, out, e);
}

static int h_whatif(call *c, cJSON **out, err *e)
{
    return service_whatif(&c->svc, c->body, out, e);
}

static int h_diff(call *c, cJSON **out, err *e)
{
    return service_ruleset_diff(&c->svc, http_query(c->req, "from"), http_query(c->req, "to"), out,
                                e);
}

static int h_migrate(call *c, cJSON **out, err *e)
{
    const char *to = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->body, "to"));
    const cJSON *org = cJSON_GetObjectItemCaseSensitive(c->body, "organisation_id");
    long long org_id = 0;
    if (!to)
        return err_set(e, ERR_INPUT, "$.to: must be the hash of a stored rule set");
    if (org && !json_id(org, &org_id))
        return err_set(e, ERR_INPUT, "$.organisation_id: must be an organisation id");
    return service_migrate(&c->svc, to, org_id, out, e);
}

static int h_draft_whatif(call *c, cJSON **out, err *e)
{
    return service_draft_whatif(&c->svc, c->ids[0], out, e);
}

static int h_draft_migrate(call *c, cJSON **out, err *e)
{
    return service_draft_migrate(&c->svc, c->ids[0], c->body, out, e);
}

static int h_path_actions(call *c, cJSON **out, err *e)
{
    c->status = 201;
    return service_path_actions(&c->svc, c->ids[0], out, e);
}

static int h_mail(call *c, cJSON **out, err *e)
{
    return service_mail_log(&c->svc, http_query(c->req, "status"), out, e);
}

static int h_webhooks(call *c, cJSON **out, err *e)
{
    return service_webhook_list(&c->svc, out, e);
}

static int h_webhook_add(call *c, cJSON **out, err *e)
{
    c->status = 201;
    return service_webhook_add(&c->svc, c->body, out, e);
}

static int h_webhook(call *c, cJSON **out, err *e)
{
    return service_webhook_get(&c->svc, c->ids[0], out, e);
}

static int h_webhook_update(call *c, cJSON **out, err *e)
{
    return service_webhook_update(&c->svc, c->ids[0], c->body, out, e);
}

static int h_webhook_delete(call *c, cJSON **out, err *e)
{
    (void)out;
    c->status = 204;
    return service_webhook_delete(&c->svc, c->ids[0], e);
}

static int h_webhook_log(call *c, cJSON **out, err *e)
{
    return service_webhook_log(&c->svc, c->ids[0], out, e);
}

static int h_webhook_replay(call *c, cJSON **out, err *e)
{
    c->status = 202;
    return service_webhook_replay(&c->svc, c->ids[0], c->body, out, e);
}

static int h_plugins(call *c, cJSON **out, err *e)
{
    return service_plugins(&c->svc, out, e);
}

static int h_plugin(call *c, cJSON **out, err *e)
{
    return service_plugin_enable(&c->svc, c->strs[0], c->body, out, e);
}

static const route routes[] = {
    {"GET", "reports", api_reports, 0},
    {"GET", "reports/:key", api_report, 0},
    {"GET", "public/certificates/:key", api_verify_code, PUBLIC | ANY_RULES},
    {"GET", "assessments/:id/report.pdf", api_report_pdf, 0},
    {"GET", "assessments/:id/certificate.pdf", api_certificate_pdf, 0},
    {"GET", "plugins", h_plugins, ANY_RULES},
    {"PATCH", "plugins/:key", h_plugin, BODY | ANY_RULES},
    {"GET", "mail", h_mail, ANY_RULES},
    {"GET", "me/notifications", api_my_notifications, ANY_RULES},
    {"PUT", "me/notifications", api_my_notifications_put, BODY | ANY_RULES},
    {"GET", "notifications", api_notifications, ANY_RULES},
    {"GET", "notifications/unread", api_notifications_unread, ANY_RULES},
    {"POST", "notifications/read", api_notifications_read_all, ANY_RULES},
    {"POST", "notifications/:id/read", api_notification_read, ANY_RULES},
    {"GET", "unsubscribe/:key/:key", api_unsubscribe_page, PUBLIC | ANY_RULES | SECRET},
    {"POST", "unsubscribe/:key/:key", api_unsubscribe, PUBLIC | FORM | ANY_RULES | SECRET},
    {"GET", "webhooks", h_webhooks, ANY_RULES},
    {"POST", "webhooks", h_webhook_add, BODY | ANY_RULES},
    {"GET", "webhooks/:id", h_webhook, ANY_RULES},
    {"PATCH", "webhooks/:id", h_webhook_update, BODY | ANY_RULES},
    {"DELETE", "webhooks/:id", h_webhook_delete, ANY_RULES},
    {"GET", "webhooks/:id/deliveries", h_webhook_log, ANY_RULES},
    {"POST", "webhooks/:id/replay", h_webhook_replay, BODY | ANY_RULES},
    {"GET", "rulesets", h_rulesets, ANY_RULES},
    {"POST", "rulesets", h_ruleset_activate, BODY | ANY_RULES},
    {"POST", "rulesets/whatif", h_whatif, BODY | ANY_RULES},
    {"GET", "rulesets/diff", h_diff, ANY_RULES},
    {"GET", "rulesets/:key", h_ruleset, ANY_RULES},
    {"POST", "assessments/migrate", h_migrate, BODY},
    {"GET", "assessments/:id/whatif", h_draft_whatif, 0},
    {"POST", "assessments/:id/migrate", h_draft_migrate, BODY},
    {"POST", "assessments/:id/path-to-label", h_path_actions, 0},
    {"POST", "session", h_login, PUBLIC | BODY | ANY_RULES},
    {"DELETE", "session", h_logout, ANY_RULES},
    {"GET", "me", api_me, ANY_RULES},
    {"PUT", "session/role", api_session_role, BODY | ANY_RULES},
    {"PUT", "me/password", h_password, BODY | ANY_RULES},
    {"POST", "invitations", api_invitation_add, BODY | ANY_RULES},
    {"GET", "invitations", api_invitations, ANY_RULES},
    {"DELETE", "invitations/:id", api_invitation_revoke, ANY_RULES},
    {"POST", "invitations/:key/accept", api_invitation_accept, PUBLIC | BODY | ANY_RULES | SECRET},
    {"POST", "password-reset", api_reset_request, PUBLIC | BODY | ANY_RULES},
    {"POST", "password-reset/:key", api_reset, PUBLIC | BODY | ANY_RULES | SECRET},
    {"POST", "tokens", h_token_add, BODY | ANY_RULES},
    {"GET", "tokens", h_tokens, ANY_RULES},
    {"DELETE", "tokens/:key", h_token_revoke, ANY_RULES},
    {"GET", "users", h_users, ANY_RULES},
    {"POST", "users", h_user_add, BODY | ANY_RULES},
    {"PATCH", "users/:id", h_user_update, BODY | ANY_RULES},
    {"POST", "users/:id/confirm-role", h_user_confirm_role, ANY_RULES},
    {"POST", "users/:id/roles", api_role_add, BODY | ANY_RULES},
    {"PATCH", "users/:id/roles/:key", api_role_update, BODY | ANY_RULES},
    {"DELETE", "users/:id/roles/:key", api_role_remove, ANY_RULES},
    {"GET", "organisations/:id/team", api_team, ANY_RULES},
    {"PATCH", "organisations/:id/team/:id", api_team_update, BODY | ANY_RULES},
    {"DELETE", "organisations/:id/team/:id", api_team_remove, ANY_RULES},
    {"GET", "organisations", h_orgs, ANY_RULES},
    {"POST", "organisations", h_org_add, BODY | ANY_RULES},
    {"GET", "organisations/:id", h_org, ANY_RULES},
    {"POST", "organisations/:id/assessments", h_assessment_add, BODY},
    {"GET", "organisations/:id/action-items", h_actions, 0},
    {"POST", "organisations/:id/action-items", h_action_add, BODY},
    {"PATCH", "organisations/:id/action-items/:id", h_action_update, BODY},
    {"GET", "assessments", h_assessments, ANY_RULES},
    {"GET", "assessments/:id", h_assessment, 0},
    {"PATCH", "assessments/:id", h_assessment_update, BODY},
    {"PUT", "assessments/:id/answers/:key", h_answer, BODY | KNOWN},
    {"PUT", "assessments/:id/stakeholders", h_stakeholders, BODY},
    {"POST", "assessments/:id/submit", h_submit, 0},
    {"GET", "assessments/:id/evaluation", h_evaluation, 0},
    {"POST", "assessments/:id/decision", h_decide, BODY},
    {"GET", "labels", h_labels, ANY_RULES},
    {"GET", "public/labels", h_public_labels, PUBLIC | ANY_RULES},
    {"GET", "referential", h_referential, PUBLIC},
    {"GET", "health", NULL, PUBLIC | HEALTH}, /* answered by health() */
    {"GET", "openapi.json", NULL, PUBLIC | OPENAPI}, /* by api_openapi(), no worker */
    {"GET", "good-practices", h_practices, 0},
    {"PATCH", "good-practices/:id", h_practice_share, BODY},
    {"GET", "organisations/:id/good-practices", h_org_practices, 0},
    {"GET", "organisations/:id/documents", api_documents, ANY_RULES},
    {"POST", "organisations/:id/documents", api_document_add, UPLOAD | ANY_RULES},
    {"GET", "documents/:id", api_document, ANY_RULES},
    {"DELETE", "documents/:id", api_document_delete, ANY_RULES},
    {"GET", "documents/:id/content", api_document_content, ANY_RULES},
    {"POST", "documents/:id/versions", api_document_version, UPLOAD | ANY_RULES},
};

/* ---- routing ------------------------------------------------------------------- */

#define N_ROUTES (sizeof routes / sizeof *routes)

/* Each route's number of segments, counted once: most routes are passed
 * over on that alone, for every request. */
static int route_segments[N_ROUTES];
static pthread_once_t route_segments_once = PTHREAD_ONCE_INIT;

static void count_route_segments(void)
{
    for (size_t i = 0; i < N_ROUTES; i++) {
        route_segments[i] = 1;
        for (const char *p = routes[i].pattern; *p; p++)
            route_segments[i] += *p == '/';
    }
}

/* Splits "a/b/c" in place into at most MAX_SEGMENTS segments. */
static int split(char *path, char **seg)
{
    int n = 0;
    char *save = NULL; /* strtok_r: requests are split on many threads at once */
    for (char *p = strtok_r(path, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
        if (n == MAX_SEGMENTS)
            return -1;
        seg[n++] = p;
    }
    return n;
}

/* 1 when the route's pattern matches the segments, filling ids and strs. */
static int match(const route *r, char **seg, int n, call *c)
{
    /* Walks the pattern in place: this runs for every route of every request. */
    const char *p = r->pattern;
    c->n_ids = c->n_strs = 0;
    for (int i = 0; i < n; i++) {
        size_t len = strcspn(p, "/");
        if (!len)
            return 0;
        if (len == 3 && strncmp(p, ":id", 3) == 0) {
            /* An id is written one way: 1 to 18 digits, no leading zero, no
             * sign or space (strtoll would take " 5", "007" and overflow). */
            size_t digits = strspn(seg[i], "0123456789");
            if (seg[i][digits] || digits < 1 || digits > 18 || seg[i][0] == '0')
                return 0;
            c->ids[c->n_ids++] = strtoll(seg[i], NULL, 10);
        } else if (len == 4 && strncmp(p, ":key", 4) == 0) {
            c->strs[c->n_strs++] = seg[i];
        } else if (strncmp(p, seg[i], len) != 0 || seg[i][len] != '\0') {
            return 0;
        }
        p += len;
        if (*p == '/')
            p++;
    }
    return *p == '\0';
}

/* The segments of path after /api/v1/, split in buf: how many, or -1 when
 * it is no API path (or too long). */
static int path_segments(const char *path, char *buf, size_t size, char **seg)
{
    const char *prefix = "/api/v1/";
    if (strncmp(path, prefix, strlen(prefix)) != 0 || strlen(path) >= size)
        return -1;
    snprintf(buf, size, "%s", path + strlen(prefix));
    pthread_once(&route_segments_once, count_route_segments);
    return split(buf, seg);
}

/* The route of method on path, its ids and strings in c (pointing into buf);
 * NULL when none, *status then 404 (no such path) or 405 (other methods). */
static const route *find_route(const char *method, const char *path, char *buf, size_t size,
                               call *c, int *status, char *allow, size_t allow_size)
{
    char *seg[MAX_SEGMENTS];
    int n = path_segments(path, buf, size, seg);
    *status = 404;
    for (size_t i = 0; n > 0 && i < N_ROUTES; i++) {
        if (route_segments[i] == n && match(&routes[i], seg, n, c)) {
            *status = 405;
            if (strcmp(routes[i].method, method) == 0)
                return &routes[i]; /* the last match: c holds this route's ids */
            if (allow && !strstr(allow, routes[i].method)) {
                size_t used = strlen(allow);
                snprintf(allow + used, allow_size - used, "%s%s", used ? ", " : "",
                         routes[i].method);
            }
        }
    }
    return NULL;
}

bool api_route_at(size_t i, const char **method, const char **pattern)
{
    if (i >= N_ROUTES)
        return false;
    *method = routes[i].method;
    *pattern = routes[i].pattern;
    return true;
}

int api_route(const char *method, const char *path, const char **pattern)
{
    call c = {0};
    char buf[1024];
    int status;
    const route *r = find_route(method, path, buf, sizeof buf, &c, &status, NULL, 0);
    *pattern = r ? r->pattern : NULL;
    return r ? 0 : status;
}

/* Renders an error of a service; a message that starts with a JSON path
 * ("$.x: ...") puts the path in "path". */
/* An error answer; a 429 says when to try again (the login window), as a
 * 503 does (a busy or stopping server: 5 s). */
static void fail(call *c, int code, const char *message)
{
    respond_error(c->res, code, message);
    char seconds[24];
    long window = c->config->auth.window_seconds > 0 ? c->config->auth.window_seconds
                                                     : AUTH_WINDOW_SECONDS;
    if (code == ERR_TOO_MANY)
        snprintf(seconds, sizeof seconds, "%ld", window);
    else if (code == ERR_UNAVAILABLE)
        snprintf(seconds, sizeof seconds, "5");
    else
        return;
    http_set_header(c->res, "Retry-After", seconds);
}

static void respond_error(http_response *res, int code, const char *message)
{
    static const struct {
        int code, status;
        const char *name;
    } map[] = {
        {ERR_INPUT, 400, "bad_request"},
        {ERR_UNAUTHORIZED, 401, "unauthorized"},
        {ERR_FORBIDDEN, 403, "forbidden"},
        {ERR_NOT_FOUND, 404, "not_found"},
        {ERR_CONFLICT, 409, "conflict"},
        {ERR_TOO_MANY, 429, "too_many_requests"},
        {ERR_UNAVAILABLE, 503, "unavailable"},
        {ERR_RULES, 500, "rules_error"},
        {ERR_MEDIA_TYPE, 415, "unsupported_media_type"},
        {ERR_PRECONDITION, 412, "precondition_failed"},
        {ERR_TOO_LARGE, 413, "payload_too_large"},
        {ERR_UNPROCESSABLE, 422, "unprocessable"},
        {ERR_GONE, 410, "gone"},
    };
    int status = 500;
    const char *name = "internal";
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (map[i].code == code)
            status = map[i].status, name = map[i].name;
    if (status >= 500) /* one line, whatever the message holds */
        reqlog_stderr("error: %s", message);
    http_error(res, status, name, message, NULL); /* the path the message starts with */
}

static bool changes_state(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* Who is calling, into c->who: a bearer token, or the session cookie (then
 * state changes need a same-origin Origin or the CSRF token). With known,
 * from this thread's memo alone: ERR_AGAIN, no message, when it has no
 * answer it may trust. */
static int authenticate(call *c, bool known, err *e)
{
    const char *authz = http_header(c->req, "Authorization");
    bool cookie = false;
    if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
        c->token = authz + 7;
    } else if ((c->token = http_cookie(c->req, COOKIE)) != NULL) {
        cookie = true;
    } else {
        return err_set(e, ERR_UNAUTHORIZED, "log in first (no session or bearer token)");
    }
    if (known && !auth_memo_find(&c->config->auth, c->sessions, c->svc.version, c->token, &c->who))
        return ERR_AGAIN;
    if (!known && auth_resolve_memo(c->svc.db, &c->config->auth, c->sessions, c->svc.version,
                                    c->token, &c->who, e))
        return e->code;
    c->svc.who = &c->who;
    http_note_user(c->req, c->who.user.id);
    if (!cookie || !changes_state(http_method(c->req)))
        return ERR_OK;
    const char *origin = http_header(c->req, "Origin");
    const char *csrf = http_header(c->req, "X-CSRF-Token");
    char expected[AUTH_HASH_LEN + 1], own[300];
    auth_csrf_token(c->token, expected);
    if ((origin && own_origin(c, own, sizeof own) && strcmp(origin, own) == 0) ||
        (csrf && strcmp(csrf, expected) == 0))
        return ERR_OK;
    return err_set(e, ERR_FORBIDDEN, "cross-site request refused: send the X-CSRF-Token header");
}

static int parse_body(call *c, const route *r, err *e)
{
    size_t len;
    const char *body = http_body(c->req, &len);
    const char *type = http_header(c->req, "Content-Type");
    if (r->flags & FORM)
        return ERR_OK;
    if (len && (!type || strncasecmp(type, "application/json", 16) != 0))
        return err_set(e, ERR_MEDIA_TYPE, "send JSON (Content-Type: application/json)");
    if (!(r->flags & BODY))
        return ERR_OK;
    if (!len)
        return err_set(e, ERR_INPUT, "$: a JSON body is required");
    return json_parse(body, len, &c->body, e);
}

/* An answer PUT made with what this thread knows, without reading the
 * database here: the group's thread checks in the write that it still
 * holds (service_answer_submit_fast). ERR_AGAIN when it cannot be. */
static int handle_known(call *c, worker *w, const route *r, cJSON **out, err *e)
{
    if (!(r->flags & KNOWN) || !w->known_rules || http_again(c->req))
        return ERR_AGAIN;
    c->known = true;
    c->svc.version = &w->known;
    c->svc.rules = w->known_rules;
    if (!service_answer_fast_possible(&c->svc))
        return ERR_AGAIN;
    int rc = parse_body(c, r, e);
    if (rc == ERR_OK)
        rc = authenticate(c, true, e);
    return rc == ERR_OK ? r->fn(c, out, e) : rc;
}

/* The active rule set into c->svc.rules. One that does not load stops only
 * the requests that need it (ERR_RULES, 500, saying why and how to restore
 * service); the others go on with NULL. */
static int active_rules(call *c, worker *w, const route *r, const store_version *v, err *e)
{
    int rc = ruleset_active(w->rulesets, w->db, v, &c->svc.rules, e);
    if (rc == ERR_OK)
        w->known_rules = c->svc.rules;
    if (rc == ERR_RULES && (r->flags & ANY_RULES)) {
        err_clear(e);
        return ERR_OK;
    }
    return rc;
}

/* A request the usual way. Its reads share one snapshot: one read
 * transaction to start and check, not one per statement; a write ends it
 * (see store.h). Its version tells whether anything was committed since
 * the last request: an activation made since takes effect now. */
static int handle_read(call *c, worker *w, const route *r, cJSON **out, err *e)
{
    store_version v = {.settings = -1}; /* -1: not read */
    c->known = false;
    int rc = store_snapshot(w->db, e);
    if (rc == ERR_OK)
        rc = store_version_get(w->db, &v, e);
    c->svc.version = &v;
    w->known = v;
    w->known_rules = NULL;
    if (rc == ERR_OK)
        rc = active_rules(c, w, r, &v, e);
    if (rc == ERR_OK)
        rc = parse_body(c, r, e);
    if (rc == ERR_OK && !(r->flags & PUBLIC))
        rc = authenticate(c, false, e);
    if (rc == ERR_OK)
        rc = r->fn(c, out, e);
    store_snapshot_end(w->db);
    c->svc.version = NULL; /* v's life ends here */
    return rc;
}

/* The query parameters each list or search takes; a route not named here
 * takes none (400 naming the one sent). paged: limit and cursor too, and
 * the answer's array is cut in pages. A report takes any: they are its
 * parameters. */
static const struct {
    handler fn;
    const char *params;
    bool paged;
} queries[] = {
    {h_assessments, "organisation_id", true},
    {h_orgs, "", true},
    {h_users, "", true},
    {h_labels, "", true},
    {h_practices, "criterion", true},
    {h_webhook_log, "", true},
    {h_referential, "ruleset", false},
    {h_diff, "from,to", false},
    {api_documents, "", true},
    {api_document_content, "version", false},
    {h_mail, "status", false},
    {api_notifications, "", true},
};

/* A request's query checked against its route's, its page into *p; *paged
 * says whether the answer is to be cut. */
static int check_query(const route *r, const http_request *req, page *p, bool *paged, err *e)
{
    *paged = false;
    if (r->fn == api_report)
        return ERR_OK;
    const char *params = "";
    for (size_t i = 0; i < sizeof queries / sizeof *queries; i++)
        if (queries[i].fn == r->fn)
            params = queries[i].params, *paged = queries[i].paged;
    *p = (page){PAGING_DEFAULT, 0};
    if (http_query_count(req) == 0)
        return ERR_OK;
    cJSON *args = http_query_all(req);
    int rc = paging_check(args, params, *paged, e);
    if (rc == ERR_OK && *paged)
        rc = paging_parse(args, p, e);
    cJSON_Delete(args);
    return rc;
}

/* The page of a list asked for, and the next one's Link when more follow. */
static void cut_page(const http_request *req, http_response *res, const page *p, cJSON **out)
{
    bool more;
    paging_slice(out, p, &more);
    if (!more)
        return;
    cJSON *args = http_query_all(req);
    char link[2300];
    paging_link(http_path(req), args, p, link, sizeof link);
    cJSON_Delete(args);
    if (link[0])
        http_set_header(res, "Link", link);
}

/* A 201's Location, for the creations that can be read back: the prefix
 * and the member of the answer that names the new resource. */
static const struct {
    handler fn;
    const char *prefix, *key;
} created[] = {
    {h_org_add, "organisations/", "id"},
    {h_assessment_add, "assessments/", "id"},
    {h_webhook_add, "webhooks/", "id"},
    {h_ruleset_activate, "rulesets/", "ruleset"},
    {api_document_add, "documents/", "id"},
    {api_document_version, "documents/", "id"},
};

static void set_location(http_response *res, const route *r, const cJSON *out)
{
    for (size_t i = 0; i < sizeof created / sizeof *created; i++) {
        if (created[i].fn != r->fn)
            continue;
        const cJSON *key = cJSON_GetObjectItem(out, created[i].key);
        char url[300];
        if (cJSON_IsNumber(key))
            snprintf(url, sizeof url, "/api/v1/%s%.0f", created[i].prefix,
                     cJSON_GetNumberValue(key));
        else if (cJSON_IsString(key))
            snprintf(url, sizeof url, "/api/v1/%s%s", created[i].prefix,
                     cJSON_GetStringValue(key));
        else
            return;
        http_set_header(res, "Location", url);
    }
}

/* The call's service, from the worker (its rule sets forgotten first when
 * a reload was asked since its last request) and the request. */
static void call_setup(call *c, worker *w)
{
    long asked = atomic_load(&reloads);
    if (w->reloads != asked) { /* between two requests: nothing borrowed */
        ruleset_cache_forget(w->rulesets);
        w->known_rules = NULL;
        w->reloads = asked;
    }
    c->svc.db = w->db;
    c->svc.rulesets = w->rulesets;
    c->svc.rules_dir = c->config->rules_dir;
    c->svc.limits = &c->config->limits; /* a report's, as the rules' */
    c->svc.interrupt = c->config->limits.interrupt;
    c->svc.plugins = w->plugins;
    c->svc.docs = w->docs;
    c->svc.pdfs = pdfs;
    c->svc.commits = c->config->commits;
    c->svc.plugins_read = &w->plugins_read;
    c->svc.if_match = http_header(c->req, "If-Match");
    c->svc.if_none_match = http_header(c->req, "If-None-Match");
    c->svc.library = c->config->library.dir ? &c->config->library : NULL;
    c->svc.mail = c->config->mail.templates_dir ? &c->config->mail : NULL;
    c->svc.auth = &c->config->auth;
    c->svc.client = http_client(c->req);
    c->sessions = &w->sessions;
}

void api_handle(void *app, const http_request *req, http_response *res)
{
    call c = {.config = app, .req = req, .res = res, .status = 200, .fd = -1};
    err e = ERR_INIT;
    char buf[1024];
    int status;
    char allow[64] = "";
    const route *r =
        find_route(http_method(req), http_path(req), buf, sizeof buf, &c, &status, allow, sizeof allow);
    if (!r) {
        if (status == 405) {
            http_error(res, 405, "method_not_allowed", "this method is not allowed here", NULL);
            http_set_header(res, "Allow", allow);
        } else
            http_error(res, 404, "not_found", "no such endpoint", NULL);
        return;
    }
    res->route = r->pattern;
    res->hide_path = (r->flags & SECRET) != 0;
    if (r->flags & HEALTH) {
        api_health(c.config, res);
        return;
    }
    page pg;
    bool paged;
    if (check_query(r, req, &pg, &paged, &e) != ERR_OK) {
        fail(&c, ERR_INPUT, err_msg(&e));
        err_clear(&e);
        return;
    }
    if (r->flags & OPENAPI) {
        api_openapi(req, res);
        return;
    }
    worker *w = api_worker(c.config, &e);
    if (!w) {
        fail(&c, ERR_UNAVAILABLE, err_msg(&e));
        err_clear(&e);
        return;
    }
    call_setup(&c, w);
    cJSON *out = NULL;
    int rc = handle_known(&c, w, r, &out, &e);
    if (rc == ERR_AGAIN) {
        err_clear(&e);
        cJSON_Delete(c.body);
        c.body = NULL;
        rc = handle_read(&c, w, r, &out, &e);
    }
    cJSON_Delete(c.body);
    if (c.deferred) {
        err_clear(&e);
        return;
    }
    if (rc != ERR_OK) {
        cJSON_Delete(out);
        free(c.raw);
        free(c.raw_type_owned);
        if (c.fd >= 0)
            close(c.fd);
        fail(&c, rc, err_msg(&e));
    } else if (c.has_fd) {
        http_send_fd(res, c.status, c.fd, c.fd_size, NULL);
        res->content_type_owned = c.raw_type_owned;
    } else if (c.raw) {
        cJSON_Delete(out);
        res->status = c.status;
        res->body = c.raw;
        res->len = c.raw_len;
        res->content_type = c.raw_type;
        res->content_type_owned = c.raw_type_owned;
    } else {
        if (c.status == 201)
            set_location(res, r, out);
        if (paged && cJSON_IsArray(out))
            cut_page(req, res, &pg, &out);
        http_json(res, c.status, c.status == 204 ? (cJSON_Delete(out), NULL) : out);
        /* Events put in the outbox are delivered now, not at the next turn. */
        if (store_events_taken(w->db))
            webhook_wake(c.config->hooks);
    }
    err_clear(&e);
}

/* ---- as a request begins, and uploads (http_upload) ------------------------------------ */

/* The pattern of the SECRET route path names under another method than
 * the one asked (a 405), or NULL. */
static const char *secret_other_method(const char *path)
{
    call c = {0};
    char buf[1024];
    char *seg[MAX_SEGMENTS];
    int n = path_segments(path, buf, sizeof buf, seg);
    for (size_t i = 0; n > 0 && i < N_ROUTES; i++)
        if ((routes[i].flags & SECRET) && route_segments[i] == n && match(&routes[i], seg, n, &c))
            return routes[i].pattern;
    return NULL;
}

/* One routing of each request as it begins: the documents' routes stream
 * their bodies (a file and a few fields); a SECRET route's path is never
 * logged, its 405s included. */
void api_route_info(void *app, const char *method, const char *path, http_route_info *out)
{
    const api_config *config = app;
    call c = {0};
    char buf[1024];
    int status;
    const route *r = find_route(method, path, buf, sizeof buf, &c, &status, NULL, 0);
    if (r && (r->flags & UPLOAD) && config->library.dir)
        out->upload_limit = (size_t)config->library.max_file + HTTP_FORM_MAX;
    if (r && (r->flags & SECRET))
        out->secret = r->pattern;
    else if (!r && status == 405)
        out->secret = secret_other_method(path);
}

/* Who calls, and whether they may write there, before the body is read:
 * the same checks as the route's (made again then), so that nobody but the
 * CAE's members makes the server write a file. */
static bool upload_admit(void *app, const http_request *req, http_response *res)
{
    call c = {.config = app, .req = req, .res = res, .status = 200, .fd = -1};
    err e = ERR_INIT;
    char buf[1024];
    int status;
    const route *r =
        find_route(http_method(req), http_path(req), buf, sizeof buf, &c, &status, NULL, 0);
    worker *w = api_worker(c.config, &e);
    if (!r || !w) {
        fail(&c, w ? ERR_NOT_FOUND : ERR_UNAVAILABLE, w ? "no such endpoint" : err_msg(&e));
        err_clear(&e);
        return false;
    }
    store_version v = {.settings = -1};
    c.svc.db = w->db;
    c.svc.version = &v;
    c.svc.library = &c.config->library;
    c.sessions = &w->sessions;
    int rc = store_snapshot(w->db, &e);
    if (rc == ERR_OK)
        rc = store_version_get(w->db, &v, &e);
    if (rc == ERR_OK)
        rc = authenticate(&c, false, &e);
    if (rc == ERR_OK)
        rc = service_library_may_upload(&c.svc, r->fn == api_document_add ? c.ids[0] : 0,
                                        r->fn == api_document_add ? 0 : c.ids[0], &e);
    store_snapshot_end(w->db);
    if (rc != ERR_OK)
        fail(&c, rc, err_msg(&e));
    err_clear(&e);
    return rc == ERR_OK;
}

const http_upload api_uploads = {upload_admit, api_upload_open, api_upload_write,
                                  api_upload_close};
