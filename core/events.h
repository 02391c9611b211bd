/* events: what integrations are told. Each event is written to the outbox
 * in the transaction of the change that causes it, with the data a receiver
 * needs without a second call; the scheduler's tick emits the time-based
 * ones, each once. Uses store and date. */
#ifndef LABELCOOP_EVENTS_H
#define LABELCOOP_EVENTS_H

#include <cjson/cJSON.h>

#include "err.h"
#include "store.h"

/* Emits type inside the caller's transaction. data (borrowed, may be NULL)
 * gets "organisation_id" and "organisation" when org > 0, "assessment_id"
 * when assessment > 0. */
int events_emit(store *db, const char *type, long long org, long long assessment, const cJSON *data,
                err *e);

/* Lead times of label.expiring, in days, largest first (default 180, 90, 30). */
typedef struct events_config {
    int leads[8];
    int n_leads;
} events_config;

/* Emits label.expiring, label.expired and action_item.overdue due on today,
 * in one transaction; *emitted counts them. */
int events_tick(store *db, const events_config *c, const char *today, int *emitted, err *e);

#endif
