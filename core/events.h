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

/* The data of an assessment's events: {"kind", "ruleset"} and, when
 * auditor > 0, "auditor_id". The caller adds to it and deletes it. */
cJSON *events_assessment_data(const char *kind, const char *ruleset, long long auditor);

/* Emits audit.auditor_unavailable inside the caller's transaction, so that
 * the committee gives the audit to another auditor. audit is a row as store
 * lists them ("id", "organisation_id", "ruleset", "auditor_id"); reason is
 * "disabled" (the account), "certification_ended" (by an administrator) or
 * "certification_expired" (by the date); certified_until is "" when none.
 * An ended certification is told once per audit, auditor and date (the tick
 * finds it again every day); a disabled account, each time it is disabled.
 * *emitted counts it. */
int events_auditor_unavailable(store *db, const cJSON *audit, const char *certified_until,
                               const char *reason, int *emitted, err *e);

/* Who is told, besides integrations, inside the transaction that emits a
 * time-based event (the notifications): event gets label.expiring (only
 * the nearest lead time passed: one reminder, not three, for a label found
 * 20 days from its end) and label.expired, as emitted once, and
 * webhook.disabled; tick runs at the end of each tick with its date. */
typedef struct events_notifier {
    int (*event)(void *ud, store *db, const char *type, long long org, long long assessment,
                 const cJSON *data, err *e);
    int (*tick)(void *ud, store *db, const char *today, err *e);
    void *ud;
} events_notifier;

/* Lead times of label.expiring, in days, largest first (default 180, 90, 30). */
typedef struct events_config {
    int leads[8];
    int n_leads;
    const events_notifier *notify; /* NULL: nobody */
} events_config;

/* Emits label.expiring, label.expired, action_item.overdue and
 * audit.auditor_unavailable (certification_expired) due on today, in one
 * transaction; *emitted counts them. */
int events_tick(store *db, const events_config *c, const char *today, int *emitted, err *e);

#endif
