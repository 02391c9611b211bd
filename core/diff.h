/* diff: what changed between two rule sets: criteria added, removed,
 * reworded, moved, or with another level, weight or "not applicable" rule;
 * award parameters and weights changed. Uses rules. */
#ifndef LABELCOOP_DIFF_H
#define LABELCOOP_DIFF_H

#include <cjson/cJSON.h>

#include "rules.h"

/* {"from","to","added","removed","reworded","level_changed","weight_changed",
 * "na_changed","moved","parameters_changed","weights_changed"}; caller deletes. */
cJSON *diff_rules(const rules *a, const rules *b);
/* The same for a person; caller frees. */
char *diff_text(const cJSON *d);

#endif
