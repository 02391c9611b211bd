/* metrics: what /metrics shows, in Prometheus's text format (version
 * 0.0.4). Counters are relaxed atomics or a small table under a mutex, so
 * that counting costs the hot paths next to nothing; gauges that live in
 * the database are read at each scrape by the caller and handed in.
 * Knows nothing of HTTP or SQLite. */
#ifndef LABELCOOP_METRICS_H
#define LABELCOOP_METRICS_H

#include <stddef.h>

typedef enum {
    METRIC_ANSWERS_COMMITTED, /* answer writes committed by the group commit */
    METRIC_EVALUATIONS,       /* rule set evaluations */
    METRIC_EVALUATION_MICROS, /* and their time, in microseconds */
    METRIC_COUNTERS,
} metric_counter;

void metrics_add(metric_counter which, long long n);

/* One request answered: its route pattern ("assessments/:id", "static",
 * "none"), method and status, and how long it took. Kinds past the table's
 * 1,024 are counted together, labelled route "other", method "other",
 * status "0". */
void metrics_request(const char *route, const char *method, int status, long long micros);

/* A delivery endpoint's failures, for the gauges below. */
typedef struct metrics_endpoint {
    long long webhook, failed;
} metrics_endpoint;

/* What the database says at a scrape. */
typedef struct metrics_gauges {
    long long outbox_pending, sessions_open, database_bytes, wal_bytes;
    const char *ruleset; /* the active rule set's hash, or NULL */
    const metrics_endpoint *failed;
    size_t n_failed;
} metrics_gauges;

/* Every metric as the text a scrape gets; the caller frees it. NULL when
 * out of memory. */
char *metrics_text(const metrics_gauges *g);

#endif
