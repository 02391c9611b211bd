/* service: domain operations of the labelling workflow. Each write is one
 * transaction: check rights, check state, validate, write, journal, commit;
 * any failure rolls everything back. Slow work (password hashing) happens
 * before the transaction so the write lock is held for milliseconds. */
#include "service_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>

#include "date.h"
#include "diff.h"
#include "document.h"
#include "events.h"
#include "files.h"
#include "hook.h"
#include "ljson.h"
#include "plugin.h"
#include "render.h"
#include "report.h"
#include "reqlog.h"
#include "ruletest.h"
#include "whatif.h"
#include "evaluation.h"
#include "policy.h"
#include "text.h"
/* How long a PDF request waits for a drawing place before its 503. */
#define PDF_WAIT_MS 10000

/* The texts people write, by JSON key, and what each may hold: at most max
 * characters, on one line or several (line feeds, carriage returns and tabs;
 * never another control character), and for a list at most items entries.
 * Any other text (an email, a status, a URL) is one line, its limit given
 * where it is read. One line matters: a name is printed on
 * certificates, in CSV cells and in log lines, where a line break forges or
 * breaks the layout. */
typedef struct text_rule {
    const char *key;
    size_t max;
    bool lines;
    int items;
} text_rule;

static const text_rule text_rules[] = {
    {"name", MAX_NAME, false, 0}, /* organisation, user, API token, stakeholder */
    {"legal_form", MAX_NAME, false, 0},
    {"city", MAX_NAME, false, 0},
    {"region", MAX_NAME, false, 0},
    {"role", MAX_NAME, false, 0},  /* a stakeholder's; a user's is one of four words */
    {"owner", MAX_NAME, false, 0}, /* of an action item */
    {"label", MAX_NAME, false, 0}, /* of a rule set */
    {"evidence", 500, false, 20},  /* one line per document shown */
    {"comment", MAX_TEXT, true, 0},
    {"note", MAX_TEXT, true, 0}, /* of a rule set activation */
    {"action", MAX_TEXT, true, 0},
    {"recommendations", MAX_TEXT, true, 50},
    {"good_practices", MAX_TEXT, true, 50},
    {"points", MAX_TEXT, true, 50}, /* a deferral's, for the auditor */
    /* secrets, never shown: a tab typed in one is the user's choice */
    {"password", 1024, true, 0},
    {"current", 1024, true, 0},
    {"new", 1024, true, 0},
    {NULL, 0, false, 0},
};

/* The rule of a JSON key ("good_practices[3]" is good_practices'), or NULL. */
static const text_rule *text_rule_of(const char *key)
{
    size_t n = strcspn(key, "[");
    for (const text_rule *r = text_rules; r->key; r++)
        if (strlen(r->key) == n && strncmp(r->key, key, n) == 0)
            return r;
    return NULL;
}

/* The most entries the list at key may hold. */
int svc_text_items(const char *key)
{
    const text_rule *r = text_rule_of(key);
    return r && r->items ? r->items : MAX_ITEMS;
}

/* ---- input checks, each naming the JSON path at fault --------------------- */

const char *svc_path_of(const char *key, char *buf)
{
    snprintf(buf, 96, "$%s%s", key ? "." : "", key ? key : "");
    return buf;
}

int svc_need_object(const cJSON *body, const char *const *allowed, err *e)
{
    if (!cJSON_IsObject(body))
        return bad(e, NULL, "must be a JSON object");
    for (const cJSON *k = body->child; k; k = k->next) {
        const char *const *a = allowed;
        while (*a && strcmp(*a, k->string) != 0)
            a++;
        if (!*a)
            return bad(e, k->string, "unknown key");
    }
    return ERR_OK;
}

/* Text at key: valid UTF-8, at most max characters (text_rules' for its
 * key), one line unless text_rules lets it span several. */
int svc_check_text(const char *s, const char *key, size_t max, err *e)
{
    const text_rule *r = text_rule_of(key);
    bool lines = r && r->lines;
    if (r)
        max = r->max;
    if (!text_utf8_valid(s, strlen(s)))
        return bad(e, key, "is not valid UTF-8 text");
    if (text_has_control(s) || (!lines && text_has_break(s)))
        return bad(e, key,
                   lines ? "contains a control character (only line breaks and tabs may "
                           "be used)"
                         : "must be one line, without control characters");
    size_t n = text_width(s);
    if (n > max)
        return bad(e, key, "is too long: %zu characters (at most %zu)", n, max);
    return ERR_OK;
}

/* A string member; *out NULL when absent or null (an error if required). */
int svc_text_field(const cJSON *body, const char *key, bool required, size_t max, const char **out,
                   err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return required ? bad(e, key, "is required") : ERR_OK;
    if (!cJSON_IsString(v))
        return bad(e, key, "must be a string");
    if (svc_check_text(v->valuestring, key, max, e))
        return e->code;
    if (required && !v->valuestring[0])
        return bad(e, key, "must not be empty");
    *out = v->valuestring;
    return ERR_OK;
}

int svc_date_field(const cJSON *body, const char *key, bool required, const char **out, err *e)
{
    if (svc_text_field(body, key, required, 16, out, e))
        return e->code;
    if (*out && !date_valid(*out))
        return bad(e, key, "must be a real date written YYYY-MM-DD");
    return ERR_OK;
}

int svc_id_field(const cJSON *body, const char *key, long long *out, err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, key);
    *out = 0;
    if (!v || cJSON_IsNull(v))
        return ERR_OK;
    return ljson_id(v, out) ? ERR_OK : bad(e, key, "must be a positive whole number");
}

/* A list of strings, copied into *out (caller deletes). */
int svc_strings_field(const cJSON *body, const char *key, cJSON **out, err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, key);
    *out = cJSON_CreateArray();
    if (!v || cJSON_IsNull(v))
        return ERR_OK;
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > svc_text_items(key)) {
        cJSON_Delete(*out);
        *out = NULL;
        return bad(e, key, "must be a list of at most %d strings", svc_text_items(key));
    }
    int i = 0;
    for (const cJSON *x = v->child; x; x = x->next, i++) {
        char at[64];
        snprintf(at, sizeof at, "%s[%d]", key, i);
        if (!cJSON_IsString(x) || svc_check_text(x->valuestring, at, MAX_TEXT, e)) {
            cJSON_Delete(*out);
            *out = NULL;
            return cJSON_IsString(x) ? e->code : bad(e, at, "must be a string");
        }
        cJSON_AddItemToArray(*out, cJSON_CreateString(x->valuestring));
    }
    return ERR_OK;
}

/* ---- plumbing ------------------------------------------------------------- */

int svc_allow(service *s, policy_action a, long long org, const store_assessment *as, err *e)
{
    if (!s->who) /* the command line is trusted: it runs on the server */
        return ERR_OK;
    policy_target t = {org, as, false};
    const store_user *u = &s->who->user;
    if (as && strcmp(u->role, "auditor") == 0 && strcmp(as->kind, "self_assessment") == 0 &&
        store_auditing_org(s->db, u->id, as->org_id, &t.auditing_org, e))
        return e->code;
    return policy_check(u, a, &t, e);
}

long long svc_actor(service *s)
{
    return s->who ? s->who->user.id : 0;
}

/* Commits when rc is ERR_OK, else rolls back; returns the final status. */
int svc_finish(service *s, int rc, err *e)
{
    if (rc == ERR_OK)
        return store_commit(s->db, e);
    store_rollback(s->db);
    return rc;
}

int svc_journal(service *s, const char *action, const char *entity, long long id,
                const cJSON *before, const cJSON *after, err *e)
{
    return store_journal(s->db, svc_actor(s), action, entity, id, before, after, e);
}

/* The rule set an assessment was created under (or last migrated to). */
int svc_rules_of(service *s, const store_assessment *a, rules **r, err *e)
{
    *r = NULL;
    if (strcmp(a->ruleset, rules_hash(s->rules)) == 0) {
        *r = s->rules;
        return ERR_OK;
    }
    if (!s->rulesets)
        return err_set(e, ERR_CONFLICT, "assessment %lld runs under rule set %.12s, not loaded",
                       a->id, a->ruleset);
    return ruleset_get(s->rulesets, s->db, a->ruleset, r, e);
}

static void apply_state(void *ud, const char *name, bool enabled)
{
    plugin_enable(ud, name, enabled, NULL);
}

/* The plugins' states as enabled through the API, on this thread's set. */
int svc_refresh_plugins(service *s, err *e)
{
    if (!s->plugins)
        return ERR_OK;
    bool known = s->version && s->plugins_read;
    if (known && store_settings_same(s->version, s->plugins_read))
        return ERR_OK;
    int rc = store_plugin_states(s->db, apply_state, s->plugins, e);
    if (rc == ERR_OK && known)
        *s->plugins_read = *s->version;
    return rc;
}

/* The set's states are read again at their next use: plugin_enable changed
 * one that the database did not keep. */
void svc_forget_plugin_states(service *s)
{
    if (s->plugins_read)
        s->plugins_read->settings = -1;
}

/* Runs fn in a write transaction: the server's group commit when it has
 * one, else a transaction of its own on s->db. */
int svc_transact(service *s, commit_work fn, void *ctx, err *e)
{
    if (s->commits) {
        /* Not held while waiting: a snapshot kept open holds the WAL back
         * from being checkpointed, and every later read gets slower. */
        store_snapshot_end(s->db);
        return commit_run(s->commits, fn, ctx, e);
    }
    if (store_begin(s->db, e))
        return e->code;
    return svc_finish(s, fn(s->db, ctx, e), e);
}

int service_path_actions(service *s, long long id, cJSON **out, err *e)
{
    *out = NULL;
    store_assessment a;
    cJSON *evaluation = NULL;
    if (svc_load(s, id, POLICY_ASSESSMENT_READ, &a, e) ||
        svc_allow(s, POLICY_ACTIONS_EDIT, a.org_id, NULL, e))
        return e->code;
    int rc = strcmp(a.status, "draft") == 0
                 ? service_evaluation(s, id, &evaluation, e)
                 : store_assessment_evaluation(s->db, id, &evaluation, e);
    if (rc != ERR_OK)
        return rc;
    rules *r;
    if ((rc = svc_rules_of(s, &a, &r, e)) != ERR_OK || (rc = store_begin(s->db, e)) != ERR_OK) {
        cJSON_Delete(evaluation);
        return rc;
    }
    cJSON *items = cJSON_CreateArray();
    const cJSON *step;
    cJSON_ArrayForEach(step, cJSON_GetObjectItem(evaluation, "path_to_label"))
    {
        const char *crit = cJSON_GetStringValue(cJSON_GetObjectItem(step, "criterion"));
        const char *to = cJSON_GetStringValue(cJSON_GetObjectItem(step, "to"));
        int k = crit ? rules_find(r, crit) : -1;
        if (rc != ERR_OK || k < 0)
            continue;
        char action[1200];
        snprintf(action, sizeof action, "%s — viser « %s » : %s", crit,
                 strcmp(to ? to : "", "met") == 0 ? "satisfait" : "partiellement satisfait",
                 rules_criterion_at(r, k)->statement);
        cJSON *fields = cJSON_CreateObject(), *item = NULL;
        cJSON_AddStringToObject(fields, "criterion", crit);
        cJSON_AddStringToObject(fields, "action", action);
        long long item_id;
        rc = store_action_add(s->db, a.org_id, fields, &item_id, e);
        if (rc == ERR_OK)
            rc = store_action_get(s->db, item_id, &item, e);
        if (rc == ERR_OK)
            rc = svc_journal(s, "action_item.create", "action_item", item_id, NULL, item, e);
        if (item)
            cJSON_AddItemToArray(items, item);
        cJSON_Delete(fields);
    }
    cJSON_Delete(evaluation);
    rc = svc_finish(s, rc, e);
    if (rc != ERR_OK) {
        cJSON_Delete(items);
        return rc;
    }
    *out = items;
    return ERR_OK;
}

/* ---- documents ---------------------------------------------------------------------- */

/* The criteria of r with the assessment's findings merged in, and the fields. */
static void add_findings(cJSON *data, const rules *r, const cJSON *answers)
{
    cJSON *criteria = cJSON_AddArrayToObject(data, "criteria");
    for (int i = 0; i < rules_criterion_count(r); i++) {
        const rules_criterion *c = rules_criterion_at(r, i);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", c->id);
        cJSON_AddStringToObject(o, "field", c->field);
        cJSON_AddStringToObject(o, "theme", c->theme);
        cJSON_AddStringToObject(o, "level", rules_level_name(c->level));
        cJSON_AddStringToObject(o, "statement", c->statement);
        const cJSON *a, *found = NULL;
        cJSON_ArrayForEach(a, answers)
        {
            const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(a, "criterion"));
            if (id && strcmp(id, c->id) == 0)
                found = a;
        }
        static const char *const copied[] = {"status", "comment", "evidence"};
        for (int k = 0; k < 3; k++) {
            const cJSON *v = found ? cJSON_GetObjectItem(found, copied[k]) : NULL;
            cJSON_AddItemToObject(o, copied[k], v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull());
        }
        cJSON_AddItemToArray(criteria, o);
    }
    cJSON *fields = cJSON_AddArrayToObject(data, "fields");
    for (int i = 0; i < rules_field_count(r); i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "id", rules_field_at(r, i)->id);
        cJSON_AddStringToObject(f, "name", rules_field_at(r, i)->name);
        cJSON_AddItemToArray(fields, f);
    }
}

/* What a document shows of assessment id; *out is the caller's. */
static int document_data(service *s, long long id, cJSON **out, err *e)
{
    *out = NULL;
    store_assessment a;
    rules *r;
    cJSON *assessment = NULL, *org = NULL, *evaluation = NULL;
    if (svc_load(s, id, POLICY_ASSESSMENT_READ, &a, e) || svc_rules_of(s, &a, &r, e) ||
        store_assessment_json(s->db, id, &assessment, e))
        return e->code;
    int rc = store_org_get(s->db, a.org_id, &org, e);
    if (rc == ERR_OK)
        rc = strcmp(a.status, "draft") == 0
                 ? service_evaluation(s, id, &evaluation, e)
                 : store_assessment_evaluation(s->db, id, &evaluation, e);
    if (rc != ERR_OK) {
        cJSON_Delete(assessment);
        cJSON_Delete(org);
        return rc;
    }
    cJSON *data = cJSON_CreateObject();
    cJSON_AddItemToObject(data, "organisation", org);
    cJSON_AddItemToObject(data, "evaluation", evaluation ? evaluation : cJSON_CreateNull());
    store_user auditor;
    err ignored = ERR_INIT;
    if (a.auditor_id && store_user_get(s->db, a.auditor_id, &auditor, &ignored) == ERR_OK) {
        cJSON *au = cJSON_AddObjectToObject(data, "auditor");
        cJSON_AddStringToObject(au, "name", auditor.name);
        cJSON_AddStringToObject(au, "email", auditor.email);
    } else {
        cJSON_AddNullToObject(data, "auditor");
    }
    err_clear(&ignored);
    cJSON_AddItemToObject(data, "stakeholders",
                          cJSON_DetachItemFromObject(assessment, "stakeholders"));
    cJSON *decisions = cJSON_GetObjectItem(assessment, "decisions");
    int n = cJSON_GetArraySize(decisions);
    cJSON_AddItemToObject(data, "decision",
                          n ? cJSON_DetachItemFromArray(decisions, n - 1) : cJSON_CreateNull());
    add_findings(data, r, cJSON_GetObjectItem(assessment, "answers"));
    cJSON_DeleteItemFromObject(assessment, "answers");
    cJSON_DeleteItemFromObject(assessment, "decisions");
    cJSON_DeleteItemFromObject(assessment, "evaluation");
    cJSON_AddItemToObject(data, "assessment", assessment);
    cJSON_AddStringToObject(data, "ruleset", a.ruleset);
    *out = data;
    return ERR_OK;
}

/* The data of document kind of assessment id, checked; *out the caller's. */
static int document_of(service *s, long long id, const char *kind, cJSON **out, err *e)
{
    *out = NULL;
    cJSON *data;
    bool certificate = strcmp(kind, "certificate") == 0;
    if (!certificate && strcmp(kind, "audit-report") != 0)
        return err_set(e, ERR_INPUT, "documents are \"audit-report\" and \"certificate\"");
    if (document_data(s, id, &data, e))
        return e->code;
    const cJSON *decision = cJSON_GetObjectItem(data, "decision");
    const char *outcome = cJSON_GetStringValue(cJSON_GetObjectItem(decision, "outcome"));
    if (certificate && (!outcome || strcmp(outcome, "awarded") != 0)) {
        cJSON_Delete(data);
        return err_set(e, ERR_CONFLICT, "assessment %lld has no awarded decision: no certificate",
                       id);
    }
    *out = data;
    return ERR_OK;
}

static int draw_document(const char *kind, const cJSON *data, const char *path, err *e)
{
    return strcmp(kind, "certificate") == 0 ? document_certificate(data, path, e)
                                            : document_audit_report(data, path, e);
}

int service_document(service *s, long long id, const char *kind, const char *path, err *e)
{
    cJSON *data;
    if (document_of(s, id, kind, &data, e))
        return e->code;
    int rc = draw_document(kind, data, path, e);
    cJSON_Delete(data);
    return rc;
}

/* The PDF of data drawn into *pdf (caller frees), through a temporary file. */
static int draw_bytes(const char *kind, const cJSON *data, char **pdf, size_t *len, err *e)
{
    char path[] = "/tmp/labelcoop-doc-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return err_set(e, ERR_FAIL, "cannot create a temporary file");
    close(fd);
    int rc = draw_document(kind, data, path, e);
    if (rc == ERR_OK)
        rc = files_read(path, pdf, len, e);
    unlink(path);
    return rc;
}

/* The key a frozen assessment's document is kept under: its kind and the
 * hash of all it shows, so any change (a decision, an auditor's new name)
 * names another document. "" for a draft, which changes too often to keep. */
static void document_key(const char *kind, const cJSON *data, char *key, size_t size)
{
    const char *status = cJSON_GetStringValue(
        cJSON_GetObjectItem(cJSON_GetObjectItem(data, "assessment"), "status"));
    char *text = status && strcmp(status, "draft") != 0 ? cJSON_PrintUnformatted(data) : NULL;
    char hex[65];
    key[0] = '\0';
    if (text) {
        text_sha256_hex(text, hex);
        snprintf(key, size, "%s:%s", kind, hex);
    }
    free(text);
}

int service_document_pdf(service *s, long long id, const char *kind, char **pdf, size_t *len,
                         err *e)
{
    *pdf = NULL;
    *len = 0;
    cJSON *data;
    char key[96] = "";
    if (document_of(s, id, kind, &data, e))
        return e->code;
    store_snapshot_end(s->db); /* all is read: not held over the drawing (up to seconds) */
    if (s->pdfs)
        document_key(kind, data, key, sizeof key);
    int rc = ERR_OK;
    if (key[0] && docstore_get(s->pdfs, key, pdf, len)) {
        cJSON_Delete(data);
        return ERR_OK;
    }
    if (s->pdfs && !docstore_drawing(s->pdfs, PDF_WAIT_MS)) {
        rc = err_set(e, ERR_UNAVAILABLE,
                     "other documents are still being drawn after %d s: try again in a moment",
                     PDF_WAIT_MS / 1000);
    } else {
        rc = draw_bytes(kind, data, pdf, len, e);
        if (s->pdfs)
            docstore_drawn(s->pdfs);
    }
    if (rc == ERR_OK && key[0]) {
        /* Another request may have drawn it meanwhile: every request gets the
         * copy kept, so a frozen document has one set of bytes. */
        docstore_put(s->pdfs, key, *pdf, *len);
        char *kept;
        size_t kept_len;
        if (docstore_get(s->pdfs, key, &kept, &kept_len)) {
            free(*pdf);
            *pdf = kept;
            *len = kept_len;
        }
    }
    cJSON_Delete(data);
    return rc;
}

int service_verify_code(service *s, const char *code, cJSON **out, err *e)
{
    *out = NULL;
    cJSON *d = NULL;
    int rc = strlen(code) == 64 ? store_decision_by_code(s->db, code, &d, e) : ERR_NOT_FOUND;
    if (rc != ERR_OK && rc != ERR_NOT_FOUND)
        return rc;
    err_clear(e);
    char today[DATE_LEN + 1];
    date_today(today);
    const char *outcome = cJSON_GetStringValue(cJSON_GetObjectItem(d, "outcome"));
    const char *until = cJSON_GetStringValue(cJSON_GetObjectItem(d, "valid_until"));
    bool valid =
        d && outcome && strcmp(outcome, "awarded") == 0 && until && strcmp(until, today) >= 0;
    *out = d ? d : cJSON_CreateObject();
    cJSON_AddBoolToObject(*out, "known", d != NULL);
    cJSON_AddBoolToObject(*out, "valid", valid);
    return ERR_OK;
}

/* ---- reports ------------------------------------------------------------------------ */

/* A CAE member runs only reports for CAEs, on their own CAE; auditors none. */
static int report_scope(service *s, long long *own, err *e)
{
    *own = 0;
    if (!s->who)
        return ERR_OK;
    const char *role = s->who->user.role;
    if (strcmp(role, "cae") == 0)
        *own = s->who->user.org_id;
    else if (strcmp(role, "auditor") == 0)
        return err_set(e, ERR_FORBIDDEN, "reports are for the committee, administrators and CAEs");
    return ERR_OK;
}

int service_reports(service *s, const char *scripts_dir, cJSON **out, err *e)
{
    *out = NULL;
    long long own;
    cJSON *problems = NULL;
    if (report_scope(s, &own, e) || report_list(scripts_dir, own > 0, out, &problems, e))
        return e->code;
    const cJSON *p;
    cJSON_ArrayForEach(p, problems) reqlog_stderr("report not loaded: %s", p->valuestring);
    cJSON_Delete(problems);
    return ERR_OK;
}

int service_report(service *s, const char *scripts_dir, const char *name, const cJSON *params,
                   const char *format, char separator, char **out, size_t *len, char **type, err *e)
{
    *out = *type = NULL;
    report_request rq = {.scripts_dir = scripts_dir,
                         .name = name,
                         .params = params,
                         .progress = s->progress,
                         .progress_ud = s->progress_ud};
    if (s->limits)
        rq.limits = *s->limits;
    rq.limits.interrupt = s->interrupt;
    cJSON *doc = NULL;
    if (report_scope(s, &rq.own_org, e) || report_run(s->db, s->rules, &rq, &doc, e))
        return e->code;
    const char *builtin;
    int rc = render_report(doc, format, separator, out, len, &builtin, e);
    if (rc == ERR_OK) {
        *type = strdup(builtin);
    } else if (rc == ERR_INPUT && s->plugins &&
               plugin_report_format(s->plugins, format, doc, out, type) == ERR_OK) {
        err_clear(e); /* a plugin's format */
        *len = strlen(*out);
        rc = ERR_OK;
    }
    cJSON_Delete(doc);
    return rc;
}

/* ---- registry, good practices, action plan ------------------------------------- */

int service_labels(service *s, bool public_only, cJSON **out, err *e)
{
    *out = NULL;
    char today[DATE_LEN + 1];
    date_today(today);
    return store_labels(s->db, today, public_only, out, e);
}

int service_good_practices(service *s, const char *criterion, cJSON **out, err *e)
{
    *out = NULL;
    if (svc_allow(s, POLICY_NETWORK_READ, 0, NULL, e))
        return e->code;
    return store_good_practice_list(s->db, criterion, out, e);
}

int service_org_practices(service *s, long long org, cJSON **out, err *e)
{
    *out = NULL;
    if (svc_allow(s, POLICY_ACTIONS_READ, org, NULL, e))
        return e->code;
    return store_good_practices_of(s->db, org, out, e);
}

int service_practice_share(service *s, long long id, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    static const char *const keys[] = {"shared", NULL};
    if (svc_need_object(body, keys, e))
        return e->code;
    const cJSON *shared = cJSON_GetObjectItemCaseSensitive(body, "shared");
    if (!cJSON_IsBool(shared))
        return bad(e, "shared", "must be true or false");
    if (store_begin(s->db, e))
        return e->code;
    cJSON *before = NULL;
    int rc = store_good_practice_get(s->db, id, &before, e);
    if (rc == ERR_OK) /* read only once found: a missing practice has no organisation */
        rc = svc_allow(
            s, POLICY_ACTIONS_EDIT,
            (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(before, "organisation_id")), NULL,
            e);
    if (rc == ERR_OK)
        rc = store_good_practice_share(s->db, id, cJSON_IsTrue(shared), e);
    if (rc == ERR_OK)
        rc = store_good_practice_get(s->db, id, out, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "good_practice.share", "good_practice", id, before, *out, e);
    cJSON_Delete(before);
    rc = svc_finish(s, rc, e);
    if (rc != ERR_OK && *out) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

int service_actions_list(service *s, long long org, cJSON **out, err *e)
{
    *out = NULL;
    cJSON *o = NULL;
    if (svc_allow(s, POLICY_ACTIONS_READ, org, NULL, e) || store_org_get(s->db, org, &o, e))
        return e->code;
    cJSON_Delete(o);
    return store_action_list(s->db, org, out, e);
}

static int check_action(service *s, const cJSON *body, bool create, err *e)
{
    static const char *const keys[] = {"criterion", "action", "owner", "due", "status", NULL};
    const char *crit, *v, *status;
    if (svc_need_object(body, keys, e) || svc_text_field(body, "criterion", false, 32, &crit, e) ||
        svc_text_field(body, "action", create, MAX_TEXT, &v, e) ||
        svc_text_field(body, "owner", false, MAX_NAME, &v, e) ||
        svc_date_field(body, "due", false, &v, e) ||
        svc_text_field(body, "status", false, 16, &status, e))
        return e->code;
    /* A real date can still be a typo (0202, 2925): a due date far outside
     * reason would sit first or last in every list, and the overdue event
     * would fire for a date nobody meant. */
    if (v && (strcmp(v, "2000-01-01") < 0 || strcmp(v, "2100-12-31") > 0))
        return bad(e, "due", "%s is outside 2000-01-01 .. 2100-12-31", v);
    if (!create && cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(body, "action")))
        return bad(e, "action", "must not be empty");
    if (crit && rules_find(s->rules, crit) < 0)
        return bad(e, "criterion", "names no criterion of the référentiel");
    if (status && strcmp(status, "todo") && strcmp(status, "doing") && strcmp(status, "done"))
        return bad(e, "status", "must be \"todo\", \"doing\" or \"done\"");
    return ERR_OK;
}

int service_action_add(service *s, long long org, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    cJSON *o = NULL;
    if (svc_allow(s, POLICY_ACTIONS_EDIT, org, NULL, e) || check_action(s, body, true, e))
        return e->code;
    if (store_begin(s->db, e))
        return e->code;
    long long id;
    int rc = store_org_get(s->db, org, &o, e);
    cJSON_Delete(o);
    if (rc == ERR_OK)
        rc = store_action_add(s->db, org, body, &id, e);
    if (rc == ERR_OK)
        rc = store_action_get(s->db, id, out, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "action_item.create", "action_item", id, NULL, *out, e);
    rc = svc_finish(s, rc, e);
    if (rc != ERR_OK && *out) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

int service_action_update(service *s, long long org, long long item, const cJSON *body, cJSON **out,
                          err *e)
{
    *out = NULL;
    if (svc_allow(s, POLICY_ACTIONS_EDIT, org, NULL, e) || check_action(s, body, false, e))
        return e->code;
    if (store_begin(s->db, e))
        return e->code;
    cJSON *before = NULL;
    int rc = store_action_get(s->db, item, &before, e);
    if (rc == ERR_OK &&
        cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(before, "organisation_id")) != org)
        rc =
            err_set(e, ERR_NOT_FOUND, "action item %lld not found in organisation %lld", item, org);
    if (rc == ERR_OK)
        rc = store_action_update(s->db, item, body, e);
    if (rc == ERR_OK)
        rc = store_action_get(s->db, item, out, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "action_item.update", "action_item", item, before, *out, e);
    cJSON_Delete(before);
    rc = svc_finish(s, rc, e);
    if (rc != ERR_OK && *out) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}
