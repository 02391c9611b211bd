/* ruleset: rule sets as versions. Stores a rule set whole in the database on
 * activation, and keeps, per thread, the rule sets in use loaded by hash, so
 * that every assessment is evaluated under the rules it was created with and
 * an activation takes effect between two requests. Uses rules and store. */
#ifndef LABELCOOP_RULESET_H
#define LABELCOOP_RULESET_H

#include <stdbool.h>

#include "err.h"
#include "host.h"
#include "rules.h"
#include "store.h"

typedef struct ruleset_cache ruleset_cache;

/* A cache for one thread; lim applies to every rule set it loads. */
ruleset_cache *ruleset_cache_new(const host_limits *lim);
void ruleset_cache_free(ruleset_cache *c);
/* Drops the least recently used rule sets beyond a few; call between requests
 * only, since it frees what earlier calls handed out. */
void ruleset_cache_trim(ruleset_cache *c);

/* The rule set with this hash, loaded from the database on first use and
 * checked against its hash; borrowed until the next trim. */
int ruleset_get(ruleset_cache *c, store *db, const char *hash, rules **out, err *e);
/* The active rule set (ERR_NOT_FOUND before any activation). */
int ruleset_active(ruleset_cache *c, store *db, rules **out, err *e);
/* Stores r's files and makes it the active rule set; *id is the activation's. */
int ruleset_activate(store *db, const rules *r, const char *label, const char *note, long long user,
                     long long *id, err *e);

/* Activates the rules of dir when the database has never had any (a new
 * platform starts with the shipped rules); *activated tells whether it did. */
int ruleset_bootstrap(store *db, const char *dir, const host_limits *lim, bool *activated, err *e);

#endif
