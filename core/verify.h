/* verify: an independent check of every decision. Each decision record is
 * replayed under the rule set it names, its hash recomputed, its link to the
 * previous record followed; the journal's chain is checked the same way. A
 * record exported alone can be checked without the database.
 * Uses store, ruleset, rules and evaluation. */
#ifndef LABELCOOP_VERIFY_H
#define LABELCOOP_VERIFY_H

#include <cjson/cJSON.h>

#include "err.h"
#include "sandbox.h"
#include "ruleset.h"
#include "store.h"

/* *report: {"ok", "decisions", "journal_rows", "problems": [{"decision"|
 * "journal": id, "problem": text}]}; caller deletes. ERR_OK even when
 * problems are found: look at "ok". */
int verify_database(store *db, ruleset_cache *cache, cJSON **report, err *e);
/* The export of one decision: {"record" (text), "record_hash", "rules":
 * {path: content}}; caller deletes. */
int verify_export(store *db, long long decision, cJSON **out, err *e);
/* Checks an export alone: the same report, for one decision. */
int verify_export_check(const cJSON *export, const sandbox_limits *lim, cJSON **report, err *e);

#endif
