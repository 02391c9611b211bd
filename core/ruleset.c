/* ruleset: a small per-thread cache of loaded rule sets. A rule set loaded
 * from the database is hashed again: files that do not match the hash they
 * are stored under are refused, so a tampered rule set never runs. */
#include "ruleset.h"

#include "events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEEP 4 /* rule sets kept loaded after a trim */

typedef struct entry {
    rules *r;
    unsigned long used; /* tick of last use */
} entry;

struct ruleset_cache {
    host_limits limits;
    entry *entries;
    int n, cap;
    unsigned long tick;
    rules *active; /* as last looked up, at version checked */
    store_version checked;
};

ruleset_cache *ruleset_cache_new(const host_limits *lim)
{
    ruleset_cache *c = calloc(1, sizeof *c);
    if (c && lim)
        c->limits = *lim;
    return c;
}

void ruleset_cache_free(ruleset_cache *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n; i++)
        rules_free(c->entries[i].r);
    free(c->entries);
    free(c);
}

static int by_use_desc(const void *a, const void *b)
{
    unsigned long x = ((const entry *)a)->used, y = ((const entry *)b)->used;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Drops the least recently used rule sets beyond a few; only between
 * requests, since it frees what earlier calls handed out. */
static void trim(ruleset_cache *c)
{
    if (c->n <= KEEP)
        return;
    qsort(c->entries, (size_t)c->n, sizeof *c->entries, by_use_desc);
    for (int i = KEEP; i < c->n; i++)
        rules_free(c->entries[i].r);
    c->n = KEEP;
}

int ruleset_get(ruleset_cache *c, store *db, const char *hash, rules **out, err *e)
{
    *out = NULL;
    for (int i = 0; i < c->n; i++) {
        if (strcmp(rules_hash(c->entries[i].r), hash) == 0) {
            c->entries[i].used = ++c->tick;
            *out = c->entries[i].r;
            return ERR_OK;
        }
    }
    files_tree tree;
    if (store_ruleset_files(db, hash, &tree, e))
        return e->code;
    char actual[65];
    rules_tree_hash(&tree, actual);
    if (strcmp(actual, hash) != 0) {
        files_tree_free(&tree);
        return err_set(e, ERR_RULES, "the stored files of rule set %.12s hash to %.12s: tampered",
                       hash, actual);
    }
    rules *r;
    if (rules_load_tree(&tree, &c->limits, &r, e))
        return e->code;
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 8;
        entry *p = realloc(c->entries, (size_t)cap * sizeof *p);
        if (!p) {
            rules_free(r);
            return err_set(e, ERR_FAIL, "out of memory");
        }
        c->entries = p;
        c->cap = cap;
    }
    c->entries[c->n++] = (entry){r, ++c->tick};
    *out = r;
    return ERR_OK;
}

int ruleset_active(ruleset_cache *c, store *db, const store_version *v, rules **out, err *e)
{
    char hash[65];
    long long generation;
    *out = NULL;
    if (v && c->active && c->n <= KEEP && store_settings_same(v, &c->checked)) {
        *out = c->active; /* no activation since, and nothing to trim */
        return ERR_OK;
    }
    c->active = NULL;
    if (v)
        trim(c);
    int rc = store_active_ruleset(db, hash, &generation, e);
    if (rc == ERR_OK)
        rc = ruleset_get(c, db, hash, out, e);
    if (rc == ERR_OK && v) {
        c->active = *out;
        c->checked = *v;
    }
    return rc;
}

int ruleset_activate(store *db, const rules *r, const char *label, const char *note, long long user,
                     long long *id, err *e)
{
    if (store_begin(db, e))
        return e->code;
    int rc = store_ruleset_put(db, rules_hash(r), rules_files(r), e);
    if (rc == ERR_OK)
        rc = store_activation_add(db, rules_hash(r), label, note, user, id, e);
    if (rc == ERR_OK) {
        cJSON *after = cJSON_CreateObject();
        cJSON_AddStringToObject(after, "ruleset", rules_hash(r));
        if (label)
            cJSON_AddStringToObject(after, "label", label);
        cJSON_AddStringToObject(after, "note", note);
        rc = store_journal(db, user, "ruleset.activate", "ruleset", *id, NULL, after, e);
        if (rc == ERR_OK)
            rc = events_emit(db, "ruleset.activated", 0, 0, after, e);
        cJSON_Delete(after);
    }
    if (rc == ERR_OK)
        return store_commit(db, e);
    store_rollback(db);
    return rc;
}

int ruleset_bootstrap(store *db, const char *dir, const host_limits *lim, bool *activated, err *e)
{
    char hash[65];
    long long generation, id;
    *activated = false;
    int rc = store_active_ruleset(db, hash, &generation, e);
    if (rc != ERR_NOT_FOUND)
        return rc;
    err_clear(e);
    rules *r;
    if (rules_load(dir, lim, &r, e))
        return e->code;
    char note[512];
    snprintf(note, sizeof note, "initial rules, from %s", dir);
    rc = ruleset_activate(db, r, NULL, note, 0, &id, e);
    rules_free(r);
    *activated = rc == ERR_OK;
    return rc;
}
