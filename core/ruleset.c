/* ruleset: a small per-thread cache of loaded rule sets. A rule set loaded
 * from the database is hashed again: files that do not match the hash they
 * are stored under are refused, so a tampered rule set never runs. */
#include "ruleset.h"

#include <stdlib.h>
#include <string.h>

#define KEEP 4 /* rule sets kept loaded after a trim */

typedef struct entry {
    rules *r;
    unsigned long used; /* tick of last use */
} entry;

struct ruleset_cache {
    sandbox_limits limits;
    entry *entries;
    int n, cap;
    unsigned long tick;
    rules *active; /* as last looked up, at version checked */
    store_version checked;
    /* Or why the active rule set did not load at version checked: told
     * again at that version rather than loaded again at every request. */
    err failed;
};

ruleset_cache *ruleset_cache_new(const sandbox_limits *lim)
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
    err_clear(&c->failed);
    free(c);
}

void ruleset_cache_forget(ruleset_cache *c)
{
    for (int i = 0; i < c->n; i++)
        rules_free(c->entries[i].r);
    c->n = 0;
    c->active = NULL;
    err_clear(&c->failed);
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

/* Whether tree hashes to hash: its files are what the hash names. */
static int hash_matches(const files_tree *tree, const char *hash, err *e)
{
    char actual[65];
    rules_tree_hash(tree, actual);
    if (strcmp(actual, hash) == 0)
        return ERR_OK;
    return err_set(e, ERR_RULES, "the stored files of rule set %.12s hash to %.12s: tampered",
                   hash, actual);
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
    if (hash_matches(&tree, hash, e) != ERR_OK) {
        files_tree_free(&tree);
        return e->code;
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
    if (v && c->failed.code && store_settings_same(v, &c->checked))
        return err_set(e, c->failed.code, "%s", err_msg(&c->failed));
    c->active = NULL;
    err_clear(&c->failed);
    if (v)
        trim(c);
    int rc = store_active_ruleset(db, hash, &generation, e);
    if (rc == ERR_OK && (rc = ruleset_get(c, db, hash, out, e)) != ERR_OK &&
        (rc == ERR_RULES || rc == ERR_NOT_FOUND)) {
        /* What the database holds is at fault, not the request: said so,
         * with the way back. */
        rc = err_set(e, ERR_RULES,
                     "the active rule set %.12s does not load (%s): the committee restores "
                     "service with `labelcoop rules rollback --note TEXT` or `labelcoop rules "
                     "activate --ruleset HASH --note TEXT`",
                     hash, err_msg(e));
        if (v)
            err_set(&c->failed, rc, "%s", err_msg(e));
    }
    if (v && (rc == ERR_OK || c->failed.code))
        c->checked = *v;
    if (v && rc == ERR_OK)
        c->active = *out;
    return rc;
}

/* Inside the activation's transaction: the files the database now holds
 * under hash (written now, or kept from before) hash to it, so that what
 * is activated is what will be loaded. */
static int stored_as_hashed(store *db, const char *hash, err *e)
{
    files_tree tree;
    if (store_ruleset_files(db, hash, &tree, e))
        return e->code;
    int rc = hash_matches(&tree, hash, e);
    files_tree_free(&tree);
    if (rc != ERR_OK)
        return err_set(e, ERR_CONFLICT, "rule set %.12s: nothing activated: %s", hash,
                       err_msg(e));
    return ERR_OK;
}

int ruleset_store(store *db, const rules *r, err *e)
{
    if (store_ruleset_put(db, rules_hash(r), rules_files(r), e))
        return e->code;
    return stored_as_hashed(db, rules_hash(r), e);
}

/* The rule set of one activation of store_ruleset_history's list. */
static const cJSON *activation_hash(const cJSON *a)
{
    return cJSON_GetObjectItemCaseSensitive(a, "ruleset");
}

int ruleset_last_good(ruleset_cache *c, store *db, rules **out, err *e)
{
    cJSON *list;
    *out = NULL;
    if (store_ruleset_history(db, &list, e))
        return e->code;
    const cJSON *last = cJSON_GetArrayItem(list, cJSON_GetArraySize(list) - 1);
    int rc = ERR_NOT_FOUND;
    /* cJSON's first item's prev is the last: the walk stops there. */
    for (const cJSON *a = last; a && rc != ERR_OK; a = a == list->child ? NULL : a->prev) {
        const char *h = cJSON_GetStringValue(activation_hash(a));
        rc = h ? ruleset_get(c, db, h, out, e) : ERR_NOT_FOUND;
        if (rc != ERR_OK && rc != ERR_RULES && rc != ERR_NOT_FOUND)
            break; /* the database itself fails */
    }
    cJSON_Delete(list);
    if (rc == ERR_RULES || rc == ERR_NOT_FOUND)
        return err_set(e, ERR_RULES, "no stored rule set loads");
    if (rc == ERR_OK)
        err_clear(e);
    return rc;
}

int ruleset_baseline(ruleset_cache *c, store *db, const store_version *v, rules **out,
                     char **broken, err *e)
{
    *broken = NULL;
    int rc = ruleset_active(c, db, v, out, e);
    if (rc != ERR_RULES)
        return rc;
    *broken = strdup(err_msg(e));
    err_clear(e);
    rc = ruleset_last_good(c, db, out, e);
    if (rc == ERR_RULES) { /* nothing loads: nothing to compare with */
        err_clear(e);
        *out = NULL;
        rc = ERR_OK;
    }
    return rc;
}
