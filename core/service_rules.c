/* service_rules: rule sets and migration: drafts moved to another rule set,
 * the référentiel of a rule set, the what-if of a candidate, activation with
 * its specs (the journaled write, rollback's target, the first rules of a
 * new platform), the history and the difference of stored rule sets. */
#include "service_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff.h"
#include "events.h"
#include "files.h"
#include "json.h"
#include "ruletest.h"
#include "whatif.h"

/* ---- rule set migration ----------------------------------------------------------- */

typedef struct orphans {
    const rules *r;
    cJSON *list;
} orphans;

static void find_orphan(void *ud, const char *criterion, const char *status)
{
    (void)status;
    orphans *o = ud;
    if (rules_find(o->r, criterion) < 0)
        cJSON_AddItemToArray(o->list, cJSON_CreateString(criterion));
}

/* Moves one draft to rule set r inside the caller's transaction; *item:
 * {"assessment_id","from","to","orphans"}, caller deletes. A submitted or
 * decided assessment keeps its rules and its frozen evaluation forever: the
 * status is read in this transaction, and the UPDATE is guarded by it too. */
static int migrate_one(service *s, const store_assessment *a, rules *r, cJSON **item, err *e)
{
    *item = NULL;
    if (svc_need_draft(a, e))
        return e->code;
    orphans o = {r, cJSON_CreateArray()};
    int rc = store_answers_each(s->db, a->id, find_orphan, &o, e);
    if (rc == ERR_OK)
        rc = store_assessment_migrate(s->db, a->id, rules_hash(r), e);
    *item = cJSON_CreateObject();
    cJSON_AddNumberToObject(*item, "assessment_id", (double)a->id);
    cJSON_AddStringToObject(*item, "from", a->ruleset);
    cJSON_AddStringToObject(*item, "to", rules_hash(r));
    cJSON_AddItemToObject(*item, "orphans", o.list); /* kept, flagged, never deleted */
    if (rc == ERR_OK)
        rc = svc_journal(s, "assessment.migrate", "assessment", a->id, NULL, *item, e);
    return rc;
}

int service_migrate(service *s, const char *to, long long org, cJSON **out, err *e)
{
    *out = NULL;
    rules *r;
    cJSON *list = NULL;
    if (svc_allow(s, POLICY_DECIDE, 0, NULL, e) || ruleset_get(s->rulesets, s->db, to, &r, e))
        return e->code;
    if (store_begin(s->db, e))
        return e->code;
    cJSON *report = cJSON_CreateObject();
    cJSON_AddStringToObject(report, "ruleset", to);
    cJSON *migrated = cJSON_AddArrayToObject(report, "migrated");
    /* The submitted and decided ones that stay on their rules, named so that
     * nobody expects them moved. */
    cJSON *kept = cJSON_AddArrayToObject(report, "kept");
    /* an unknown organisation is named, not taken for one without drafts */
    int rc = svc_org_exists(s, org, e);
    if (rc == ERR_OK)
        rc = store_assessment_list(s->db, org, 0, &list, e);
    const cJSON *item;
    cJSON_ArrayForEach(item, list)
    {
        const char *from = cJSON_GetStringValue(cJSON_GetObjectItem(item, "ruleset"));
        if (rc != ERR_OK || strcmp(from, to) == 0)
            continue;
        store_assessment a;
        rc = store_assessment_get(
            s->db, (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(item, "id")), &a, e);
        if (rc == ERR_OK && strcmp(a.status, "draft") == 0) {
            cJSON *moved;
            rc = migrate_one(s, &a, r, &moved, e);
            cJSON_AddItemToArray(migrated, moved);
        } else if (rc == ERR_OK) {
            cJSON *k = cJSON_CreateObject();
            cJSON_AddNumberToObject(k, "assessment_id", (double)a.id);
            cJSON_AddStringToObject(k, "status", a.status);
            cJSON_AddStringToObject(k, "ruleset", a.ruleset);
            cJSON_AddItemToArray(kept, k);
        }
    }
    cJSON_Delete(list);
    rc = svc_finish(s, rc, e);
    if (rc != ERR_OK) {
        cJSON_Delete(report);
        return rc;
    }
    *out = report;
    return ERR_OK;
}

int service_referential(service *s, const char *hash, cJSON **out, err *e)
{
    *out = NULL;
    rules *r = s->rules;
    if (hash && strcmp(hash, rules_hash(s->rules)) != 0) {
        if (!s->rulesets)
            return err_set(e, ERR_NOT_FOUND, "rule set %.12s not found", hash);
        if (ruleset_get(s->rulesets, s->db, hash, &r, e))
            return e->code;
    }
    *out = rules_to_json(r);
    return ERR_OK;
}

/* The draft id with its own rule set, when the caller may move it. */
static int draft_rules(service *s, long long id, store_assessment *a, rules **own, err *e)
{
    if (svc_load(s, id, POLICY_DRAFT_MIGRATE, a, e) || svc_need_draft(a, e))
        return e->code;
    return svc_rules_of(s, a, own, e);
}

int service_draft_whatif(service *s, long long id, cJSON **out, err *e)
{
    *out = NULL;
    store_assessment a;
    rules *own = NULL;
    if (store_begin_read(s->db, e))
        return e->code;
    int rc = draft_rules(s, id, &a, &own, e);
    if (rc == ERR_OK)
        rc = whatif_assessment(s->db, own, s->rules, id, a.kind, out, e);
    store_rollback(s->db); /* a read snapshot: nothing to keep */
    if (rc != ERR_OK)
        return rc;
    cJSON_AddNumberToObject(*out, "assessment_id", (double)id);
    cJSON_AddStringToObject(*out, "from", a.ruleset);
    cJSON_AddStringToObject(*out, "to", rules_hash(s->rules));
    return ERR_OK;
}

/* The active rule set, read in the caller's transaction, when it is to. */
static int active_is(service *s, const char *to, rules **r, err *e)
{
    char active[65];
    long long generation;
    if (store_active_ruleset(s->db, active, &generation, e))
        return e->code;
    if (strcmp(active, to) != 0)
        return err_set(e, ERR_CONFLICT,
                       "the active rules are %.12s: a draft moves to the active rules only",
                       active);
    if (strcmp(rules_hash(s->rules), to) == 0) {
        *r = s->rules;
        return ERR_OK;
    }
    return ruleset_get(s->rulesets, s->db, to, r, e);
}

int service_draft_migrate(service *s, long long id, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    static const char *const keys[] = {"to", NULL};
    const char *to;
    store_assessment a;
    rules *own, *r = NULL;
    if (svc_need_object(body, keys, e) || svc_text_field(body, "to", true, 64, &to, e))
        return e->code;
    if (store_begin(s->db, e))
        return e->code;
    int rc = draft_rules(s, id, &a, &own, e);
    if (rc == ERR_OK)
        rc = active_is(s, to, &r, e);
    if (rc == ERR_OK && strcmp(a.ruleset, to) == 0)
        rc = err_set(e, ERR_CONFLICT, "assessment %lld already runs under rule set %.12s", id, to);
    if (rc == ERR_OK)
        rc = migrate_one(s, &a, r, out, e);
    rc = svc_finish(s, rc, e);
    if (rc != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

/* ---- the rules lifecycle ------------------------------------------------------------ */

int service_ruleset_activate_loaded(service *s, const rules *r, const char *label, const char *note,
                                    long long *id, err *e)
{
    if (svc_allow(s, POLICY_RULES_MANAGE, 0, NULL, e) || store_begin(s->db, e))
        return e->code;
    int rc = ruleset_store(s->db, r, e);
    if (rc == ERR_OK)
        rc = store_activation_add(s->db, rules_hash(r), label, note, svc_actor(s), id, e);
    if (rc == ERR_OK) {
        cJSON *after = cJSON_CreateObject();
        cJSON_AddStringToObject(after, "ruleset", rules_hash(r));
        if (label)
            cJSON_AddStringToObject(after, "label", label);
        cJSON_AddStringToObject(after, "note", note);
        rc = svc_journal(s, "ruleset.activate", "ruleset", *id, NULL, after, e);
        if (rc == ERR_OK)
            rc = events_emit(s->db, "ruleset.activated", 0, 0, after, e);
        cJSON_Delete(after);
    }
    return svc_finish(s, rc, e);
}

/* The rule set of one activation of store_ruleset_history's list. */
static const cJSON *activation_hash(const cJSON *a)
{
    return cJSON_GetObjectItemCaseSensitive(a, "ruleset");
}

int service_ruleset_previous(service *s, char *hash, err *e)
{
    cJSON *list;
    hash[0] = '\0';
    if (svc_allow(s, POLICY_RULES_MANAGE, 0, NULL, e) || store_ruleset_history(s->db, &list, e))
        return e->code;
    const cJSON *last = cJSON_GetArrayItem(list, cJSON_GetArraySize(list) - 1);
    const char *active = last ? cJSON_GetStringValue(activation_hash(last)) : NULL;
    for (const cJSON *a = last ? last->prev : NULL; a && a != last; a = a->prev) {
        const char *h = cJSON_GetStringValue(activation_hash(a));
        if (h && strcmp(h, active) != 0) {
            snprintf(hash, 65, "%s", h);
            break;
        }
    }
    cJSON_Delete(list);
    if (!hash[0])
        return err_set(e, ERR_NOT_FOUND,
                       "no earlier rule set to go back to: only one was ever activated");
    return ERR_OK;
}

int service_ruleset_bootstrap(service *s, const char *dir, const sandbox_limits *lim,
                              bool *activated, err *e)
{
    char hash[65];
    long long generation, id;
    *activated = false;
    int rc = store_active_ruleset(s->db, hash, &generation, e);
    if (rc != ERR_NOT_FOUND)
        return rc;
    err_clear(e);
    rules *r;
    if (rules_load(dir, lim, &r, e))
        return e->code;
    char note[512];
    snprintf(note, sizeof note, "initial rules, from %s", dir);
    rc = service_ruleset_activate_loaded(s, r, NULL, note, &id, e);
    rules_free(r);
    *activated = rc == ERR_OK;
    return rc;
}

int service_ruleset_history(service *s, cJSON **out, err *e)
{
    *out = NULL;
    if (svc_allow(s, POLICY_RULES_MANAGE, 0, NULL, e) || store_ruleset_history(s->db, out, e))
        return e->code;
    /* The committee sees why the active rule set does not load (when there
     * is a cache to load it in: the command line's listing has none). */
    rules *r;
    err why = ERR_INIT;
    cJSON *last = cJSON_GetArrayItem(*out, cJSON_GetArraySize(*out) - 1);
    if (last && !s->rules && s->rulesets &&
        ruleset_active(s->rulesets, s->db, s->version, &r, &why) != ERR_OK)
        cJSON_AddStringToObject(last, "error", err_msg(&why));
    err_clear(&why);
    return ERR_OK;
}

int service_ruleset_files(service *s, const char *hash, cJSON **out, err *e)
{
    *out = NULL;
    files_tree tree;
    if (svc_allow(s, POLICY_RULES_MANAGE, 0, NULL, e) || store_ruleset_files(s->db, hash, &tree, e))
        return e->code;
    *out = cJSON_CreateObject();
    cJSON_AddStringToObject(*out, "ruleset", hash);
    cJSON *files = cJSON_AddObjectToObject(*out, "files");
    for (size_t i = 0; i < tree.count; i++)
        cJSON_AddStringToObject(files, tree.paths[i], tree.data[i]);
    files_tree_free(&tree);
    return ERR_OK;
}

static bool is_spec(const char *path)
{
    size_t n = strlen(path);
    return strncmp(path, "spec/", 5) == 0 || (n > 9 && strcmp(path + n - 9, "_spec.lua") == 0);
}

static int keep_spec(const char *path)
{
    return strncmp(path, "spec/", 5) == 0;
}

/* "$.files.spec/x_spec.lua" in buf (300 bytes). */
static const char *path_of_file(const char *file, char *buf)
{
    snprintf(buf, 300, "$.files.%s", file);
    return buf;
}

/* Rule specs are not rules: an upload may carry them, the hash never does.
 * They move from t to specs (its own, for the caller to free), or are
 * dropped when specs is NULL. */
static void split_specs(files_tree *t, files_tree *specs)
{
    size_t k = 0;
    for (size_t i = 0; i < t->count; i++) {
        if (!is_spec(t->paths[i])) {
            t->paths[k] = t->paths[i], t->data[k] = t->data[i], t->lens[k] = t->lens[i];
            k++;
        } else if (specs) {
            size_t j = specs->count++; /* room: as many slots as t has */
            specs->paths[j] = t->paths[i], specs->data[j] = t->data[i];
            specs->lens[j] = t->lens[i];
        } else {
            free(t->paths[i]);
            free(t->data[i]);
        }
    }
    t->count = k;
}

/* The candidate of a request: uploaded files (*owned: the caller frees it)
 * or a stored rule set. With specs (files_tree_free'd by the caller, always),
 * the uploaded spec files go there (else they are dropped). */
static int candidate(service *s, const cJSON *body, rules **r, bool *owned, files_tree *specs,
                     err *e)
{
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(body, "files");
    const char *hash = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "ruleset"));
    *owned = false;
    if (files) {
        files_tree tree;
        if (json_tree(files, "$.files", &tree, e))
            return e->code;
        if (specs) {
            specs->paths = calloc(tree.count, sizeof *specs->paths);
            specs->data = calloc(tree.count, sizeof *specs->data);
            specs->lens = calloc(tree.count, sizeof *specs->lens);
            if (!specs->paths || !specs->data || !specs->lens) {
                files_tree_free(&tree);
                return err_set(e, ERR_FAIL, "out of memory");
            }
        }
        split_specs(&tree, specs);
        *owned = true;
        /* Rule errors are the request's fault here: 400 with file:line. */
        if (rules_load_tree(&tree, NULL, r, e) == ERR_RULES)
            e->code = ERR_INPUT;
        return e->code;
    }
    if (hash)
        return ruleset_get(s->rulesets, s->db, hash, r, e);
    return bad(e, NULL,
               "give the candidate rules as {\"files\": {path: text}} or "
               "{\"ruleset\": HASH}");
}

/* The what-if of candidate r; {"current": null, "error": why} when no
 * stored rule set loads. The active rule set's failure is in "error". */
static int weigh(service *s, rules *r, cJSON **out, err *e)
{
    rules *current = s->rules;
    char *broken = NULL;
    int rc = current ? ERR_OK
                     : ruleset_baseline(s->rulesets, s->db, s->version, &current, &broken, e);
    if (rc == ERR_OK && current) {
        rc = whatif_run(s->db, current, r, out, e);
    } else if (rc == ERR_OK) {
        *out = cJSON_CreateObject();
        cJSON_AddNullToObject(*out, "current");
        cJSON_AddStringToObject(*out, "candidate", rules_hash(r));
    }
    if (rc == ERR_OK && broken)
        cJSON_AddStringToObject(*out, "error", broken);
    free(broken);
    return rc;
}

int service_whatif(service *s, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    rules *r = NULL;
    bool owned;
    static const char *const keys[] = {"files", "ruleset", NULL};
    if (svc_allow(s, POLICY_RULES_MANAGE, 0, NULL, e) || svc_need_object(body, keys, e) ||
        candidate(s, body, &r, &owned, NULL, e))
        return e->code;
    int rc = weigh(s, r, out, e);
    if (owned)
        rules_free(r);
    return rc;
}

/* The rule specs of the server's rules folder (DIR/spec), run against r
 * before it is activated. Specs are trusted Lua, run unsandboxed by busted:
 * they come from the folder the operator controls, never from a request. */
static int run_specs(service *s, const rules *r, const files_tree *posted, err *e)
{
    if (posted->count)
        return err_at(e, path_of_file(posted->paths[0], (char[300]){0}),
                      "rule specs run unsandboxed: they are taken from the server's rules "
                      "folder (DIR/spec), never from a request");
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/spec", s->rules_dir ? s->rules_dir : "");
    if (!s->rules_dir || access(dir, R_OK) != 0)
        return ERR_OK; /* no specs: nothing to run, as `rules activate` */
    files_tree specs;
    if (files_tree_read(s->rules_dir, ".lua", keep_spec, &specs, e))
        return e->code;
    int rc = ruletest_tree(rules_files(r), &specs, NULL, e);
    files_tree_free(&specs);
    if (rc == ERR_FAIL)
        return err_set(e, ERR_CONFLICT, "nothing activated: %s", err_msg(e));
    return rc;
}

int service_ruleset_activate(service *s, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    static const char *const keys[] = {"files", "ruleset", "note", "label", NULL};
    const char *note, *label;
    rules *r = NULL;
    bool owned = false;
    files_tree specs = {0};
    cJSON *report = NULL;
    long long id = 0;
    int rc = ERR_OK;
    if (svc_allow(s, POLICY_RULES_MANAGE, 0, NULL, e) || svc_need_object(body, keys, e) ||
        svc_text_field(body, "note", true, MAX_TEXT, &note, e) ||
        svc_text_field(body, "label", false, MAX_NAME, &label, e) ||
        candidate(s, body, &r, &owned, &specs, e) || run_specs(s, r, &specs, e) ||
        weigh(s, r, &report, e) || service_ruleset_activate_loaded(s, r, label, note, &id, e))
        rc = e->code;
    if (rc == ERR_OK) {
        *out = cJSON_CreateObject();
        cJSON_AddNumberToObject(*out, "activation", (double)id);
        cJSON_AddStringToObject(*out, "ruleset", rules_hash(r));
        cJSON_AddItemToObject(*out, "whatif", report);
        report = NULL;
    }
    cJSON_Delete(report);
    files_tree_free(&specs);
    if (owned)
        rules_free(r);
    return rc;
}

int service_ruleset_diff(service *s, const char *from, const char *to, cJSON **out, err *e)
{
    *out = NULL;
    rules *a, *b;
    if (svc_allow(s, POLICY_RULES_MANAGE, 0, NULL, e))
        return e->code;
    if (!from || !to)
        return err_set(e, ERR_INPUT, "$: give ?from=HASH&to=HASH");
    if (ruleset_get(s->rulesets, s->db, from, &a, e) || ruleset_get(s->rulesets, s->db, to, &b, e))
        return e->code;
    *out = diff_rules(a, b);
    return ERR_OK;
}
