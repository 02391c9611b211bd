/* service: domain operations of the labelling workflow, one area a file
 * (service_accounts.c, service_answers.c, ...); here what they share, declared
 * in service_internal.h. Each write is one transaction: check rights, check
 * state, validate, write, journal, commit; any failure rolls everything back.
 * Slow work (password hashing) happens before the transaction so the write
 * lock is held for milliseconds. */
#include "service_internal.h"

#include <stdio.h>
#include <string.h>

#include "date.h"
#include "json.h"
#include "plugin.h"
#include "policy.h"
#include "text.h"

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
    {"title", MAX_NAME, false, 0}, /* of an evidence document */
    {"filename", 255, false, 0},   /* an uploaded file's name, as its sender called it */
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
    return json_only_keys(body, allowed, "$", e);
}

/* Text at key: valid UTF-8, at most max characters (text_rules' for its
 * key), one line unless text_rules lets it span several. */
int svc_check_text(const char *s, const char *key, size_t max, err *e)
{
    const text_rule *r = text_rule_of(key);
    bool lines = r && r->lines;
    if (r)
        max = r->max;
    char buf[96];
    text_kind kind = lines ? TEXT_LINES : TEXT_LINE;
    const char *why = text_check(s, strlen(s), kind, max, buf, sizeof buf);
    return why ? bad(e, key, "%s", why) : ERR_OK;
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
    return json_id(v, out) ? ERR_OK : bad(e, key, "must be a positive whole number");
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
    policy_target t = {.org_id = org, .assessment = as};
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
