/* whatif: the effect of candidate rules on the whole network before they are
 * adopted. Re-evaluates each CAE's latest audit and every self-assessment in
 * progress under the current and the candidate rules, in one read snapshot,
 * and reports whose outcome changes and why. Never writes. Uses store, rules. */
#ifndef LABELCOOP_WHATIF_H
#define LABELCOOP_WHATIF_H

#include <cjson/cJSON.h>

#include "err.h"
#include "rules.h"
#include "store.h"

/* *out: {"current","candidate","evaluated","changed":[{"organisation_id",
 * "organisation","assessment_id","kind","before","after","decided",
 * "label_kept","criteria"}], "by_field": {...}, "by_level": {...}}; caller
 * deletes. A decided audit keeps its decision ("decided"), and a label
 * awarded on it stays until it expires ("label_kept"), whatever "after". */
int whatif_run(store *db, rules *current, rules *candidate, cJSON **out, err *e);
/* What moving one assessment (a draft) from current to candidate would
 * change, evaluated today: *out {"before","after","criteria" (failed or
 * missing under one and not the other),"added" (criteria new in candidate),
 * "orphans" (answers candidate does not score)}; caller deletes. */
int whatif_assessment(store *db, rules *current, rules *candidate, long long id, const char *kind,
                      cJSON **out, err *e);
/* A summary for a person; caller frees. */
char *whatif_text(const cJSON *report);

#endif
