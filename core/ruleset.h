/* ruleset: rule sets as versions. Stores a rule set whole in the database on
 * activation, and keeps, per thread, the rule sets in use loaded by hash, so
 * that every assessment is evaluated under the rules it was created with and
 * an activation takes effect between two requests. Uses rules and store. */
#ifndef LABELCOOP_RULESET_H
#define LABELCOOP_RULESET_H

#include <stdbool.h>

#include "err.h"
#include "sandbox.h"
#include "rules.h"
#include "store.h"

typedef struct ruleset_cache ruleset_cache;

/* A cache for one thread; lim applies to every rule set it loads. */
ruleset_cache *ruleset_cache_new(const sandbox_limits *lim);
void ruleset_cache_free(ruleset_cache *c);
/* Drops every loaded rule set, so the next lookups read the database again
 * (between requests: it frees what earlier calls handed out). */
void ruleset_cache_forget(ruleset_cache *c);

/* The rule set with this hash, loaded from the database on first use and
 * checked against its hash; borrowed until ruleset_active next trims. */
int ruleset_get(ruleset_cache *c, store *db, const char *hash, rules **out, err *e);
/* The active rule set (ERR_NOT_FOUND before any activation; ERR_RULES
 * when what the database holds does not load or verify, saying how to
 * restore service). With v, the database's version at the start of a
 * request: looked up again only when its settings moved since the last
 * call or the cache holds more than it keeps, trimming the cache first (so
 * call it between requests), and a failure is told again at that version
 * without loading again; without v (NULL), looked up every time. */
int ruleset_active(ruleset_cache *c, store *db, const store_version *v, rules **out, err *e);
/* Stores r's files and makes it the active rule set; *id is the activation's.
 * In the same transaction, the files then stored under r's hash must hash to
 * it (ERR_CONFLICT otherwise, nothing written). */
int ruleset_activate(store *db, const rules *r, const char *label, const char *note, long long user,
                     long long *id, err *e);

/* The rule set of the latest activation before the active one with another
 * rule set, into hash[65] (what a rollback activates); ERR_NOT_FOUND when
 * there is none. */
int ruleset_previous(store *db, char *hash, err *e);
/* The rule set of the latest activation that loads (the active one when it
 * does), borrowed as ruleset_get; ERR_RULES when none does. */
int ruleset_last_good(ruleset_cache *c, store *db, rules **out, err *e);

/* What a candidate rule set is weighed against: the active one (v as for
 * ruleset_active) or, when it does not load, the latest that does, *broken
 * (the caller frees it) then saying why; NULL when none loads. */
int ruleset_baseline(ruleset_cache *c, store *db, const store_version *v, rules **out,
                     char **broken, err *e);

/* Activates the rules of dir when the database has never had any (a new
 * platform starts with the shipped rules); *activated tells whether it did. */
int ruleset_bootstrap(store *db, const char *dir, const sandbox_limits *lim, bool *activated, err *e);

#endif
