/* ruleset: rule sets as versions. Stores a rule set whole in the database
 * (for an activation, which is the domain's: service_rules.c), and keeps,
 * per thread, the rule sets in use loaded by hash, so that every assessment
 * is evaluated under the rules it was created with and an activation takes
 * effect between two requests. Uses rules and store. */
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
/* Stores r's files under its hash, inside the caller's write transaction;
 * then the files the database holds under that hash must hash to it
 * (ERR_CONFLICT otherwise: the caller rolls back, nothing is activated). */
int ruleset_store(store *db, const rules *r, err *e);

/* The rule set of the latest activation that loads (the active one when it
 * does), borrowed as ruleset_get; ERR_RULES when none does. */
int ruleset_last_good(ruleset_cache *c, store *db, rules **out, err *e);

/* What a candidate rule set is weighed against: the active one (v as for
 * ruleset_active) or, when it does not load, the latest that does, *broken
 * (the caller frees it) then saying why; NULL when none loads. */
int ruleset_baseline(ruleset_cache *c, store *db, const store_version *v, rules **out,
                     char **broken, err *e);

#endif
