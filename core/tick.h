/* tick: the scheduler's daily tick and the plugins' on_event dispatch, run on
 * the delivery thread between two looks at the outbox. */
#ifndef LABELCOOP_TICK_H
#define LABELCOOP_TICK_H

#include "events.h"
#include "plugin.h"
#include "store.h"

/* Emits the events today brings (idempotent within a day); a failure is
 * logged and tried again at the next tick. */
void tick_scheduler(store *db, const events_config *c);
/* Takes the day's copy of the database into dir unless it is there, keeping
 * the keep newest (backup_daily); logs what it did or why it could not. */
void tick_backup(store *db, const char *documents, const char *dir, int keep);
/* Hands the events plugins have not seen yet (up to 100 a turn) to their
 * on_event hooks, then moves the cursor past them. */
void tick_plugins(store *db, plugin_set *plugins);

#endif
