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
/* The same, and each document a decision record names is in the folder
 * documents and hashes to its recorded SHA-256 (a file deleted or edited
 * is a problem of that decision); the report's "documents" counts them. */
int verify_with_documents(store *db, ruleset_cache *cache, const char *documents, cJSON **report,
                          err *e);
/* The documents of a parsed record, in folder dir, files named by their
 * SHA-256: a problem of decision for each missing or changed; *checked
 * counts them. */
void verify_record_documents(const cJSON *record, const char *dir, long long decision,
                             cJSON *problems, int *checked);
/* The export of one decision: {"record" (text), "record_hash", "rules":
 * {path: content}}; caller deletes. */
int verify_export(store *db, long long decision, cJSON **out, err *e);
/* Copies the documents export's record names from the documents folder
 * from into folder to (made if need be), each named by its SHA-256, so
 * that `sha256sum` checks them; ERR_FAIL when one is missing or changed. */
int verify_export_documents(const cJSON *export, const char *from, const char *to, err *e);
/* Checks an export alone: the same report, for one decision; with
 * documents (a folder as verify_export_documents writes, or NULL), the
 * documents of its record there too. */
int verify_export_check(const cJSON *export, const sandbox_limits *lim, const char *documents,
                        cJSON **report, err *e);

#endif
