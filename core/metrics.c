/* metrics: the counters and their text. Requests are counted per route,
 * method and status in a fixed table (routes are a closed set: the API's
 * patterns, "static" and "none"), found by a hash of the three in a few
 * steps (a request pays a mutex and a probe, not a scan), with one latency
 * histogram for all. */
#include "metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KINDS 1024
#define SLOTS 2048 /* a power of two, twice KINDS: probes stay short */
#define ROUTE_MAX 64

static const double buckets[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                  0.25,  0.5,   1,    2.5,   5,    10};
#define N_BUCKETS (sizeof buckets / sizeof *buckets)

typedef struct kind {
    char route[ROUTE_MAX], method[8];
    int status;
    long long count;
} kind;

static struct {
    pthread_mutex_t mu;
    kind kinds[KINDS];
    int n;
    short slot[SLOTS]; /* index + 1 into kinds, 0: empty */
    long long bucket[N_BUCKETS + 1]; /* the last: +Inf */
    long long count, micros;
} requests = {.mu = PTHREAD_MUTEX_INITIALIZER};

static atomic_llong counters[METRIC_COUNTERS];

void metrics_add(metric_counter which, long long n)
{
    atomic_fetch_add_explicit(&counters[which], n, memory_order_relaxed);
}

static unsigned hash(const char *route, const char *method, int status)
{
    unsigned h = 2166136261u ^ (unsigned)status; /* FNV-1a */
    for (const char *p = route; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    for (const char *p = method; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

static kind *kind_of(const char *route, const char *method, int status)
{
    unsigned i = hash(route, method, status) & (SLOTS - 1);
    for (; requests.slot[i]; i = (i + 1) & (SLOTS - 1)) {
        kind *k = &requests.kinds[requests.slot[i] - 1];
        if (k->status == status && strcmp(k->route, route) == 0 && strcmp(k->method, method) == 0)
            return k;
    }
    /* The last kind is kept for all that does not fit: its labels say so
     * (route, method "other", status 0) rather than name one request. */
    if (requests.n == KINDS - 1 && status != 0)
        return kind_of("other", "other", 0);
    if (requests.n == KINDS)
        return &requests.kinds[KINDS - 1];
    kind *k = &requests.kinds[requests.n++];
    snprintf(k->route, sizeof k->route, "%s", route);
    snprintf(k->method, sizeof k->method, "%s", method);
    k->status = status;
    requests.slot[i] = (short)requests.n;
    return k;
}

/* A client may send any method: the known ones are counted by name, the
 * rest as "other", so that what a client writes never reaches a label. */
static const char *method_label(const char *method)
{
    static const char *const known[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
    for (size_t i = 0; method && i < sizeof known / sizeof *known; i++)
        if (strcmp(method, known[i]) == 0)
            return known[i];
    return "other";
}

void metrics_request(const char *route, const char *method, int status, long long micros)
{
    method = method_label(method);
    size_t b = 0;
    while (b < N_BUCKETS && micros > buckets[b] * 1e6)
        b++;
    pthread_mutex_lock(&requests.mu);
    kind_of(route ? route : "none", method, status)->count++;
    requests.bucket[b]++;
    requests.count++;
    requests.micros += micros;
    pthread_mutex_unlock(&requests.mu);
}

/* ---- the text -------------------------------------------------------------------- */

typedef struct text {
    char *s;
    size_t len, cap;
    bool failed;
} text;

static void say(text *t, const char *fmt, ...)
{
    va_list ap;
    if (t->failed) /* out of memory once: the text is given up */
        return;
    for (;;) {
        size_t room = t->cap - t->len;
        va_start(ap, fmt);
        int n = t->s ? vsnprintf(t->s + t->len, room, fmt, ap) : -1;
        va_end(ap);
        if (t->s && n >= 0 && (size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap * 2 : 8192;
        char *s = realloc(t->s, cap);
        if (!s) { /* t->s is still the caller's to free */
            t->failed = true;
            return;
        }
        t->s = s, t->cap = cap;
    }
}

static void family(text *t, const char *name, const char *type, const char *help)
{
    say(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void requests_text(text *t)
{
    pthread_mutex_lock(&requests.mu);
    family(t, "labelcoop_http_requests_total", "counter",
           "Requests answered, by route pattern, method and status.");
    for (int i = 0; i < requests.n; i++) {
        const kind *k = &requests.kinds[i];
        say(t, "labelcoop_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"} %lld\n",
            k->route, k->method, k->status, k->count);
    }
    family(t, "labelcoop_http_request_duration_seconds", "histogram",
           "Time from a request's headers to its answer.");
    long long cumulative = 0;
    for (size_t b = 0; b <= N_BUCKETS; b++) {
        cumulative += requests.bucket[b];
        if (b < N_BUCKETS)
            say(t, "labelcoop_http_request_duration_seconds_bucket{le=\"%g\"} %lld\n", buckets[b],
                cumulative);
        else
            say(t, "labelcoop_http_request_duration_seconds_bucket{le=\"+Inf\"} %lld\n",
                cumulative);
    }
    say(t, "labelcoop_http_request_duration_seconds_sum %.6f\n", requests.micros / 1e6);
    say(t, "labelcoop_http_request_duration_seconds_count %lld\n", requests.count);
    pthread_mutex_unlock(&requests.mu);
}

static long long counter(metric_counter which)
{
    return atomic_load_explicit(&counters[which], memory_order_relaxed);
}

static void gauges_text(text *t, const metrics_gauges *g)
{
    family(t, "labelcoop_outbox_pending", "gauge", "Webhook deliveries waiting to be sent.");
    say(t, "labelcoop_outbox_pending %lld\n", g->outbox_pending);
    family(t, "labelcoop_webhook_deliveries_failed", "gauge",
           "Deliveries given up after every attempt, by webhook endpoint.");
    for (size_t i = 0; i < g->n_failed; i++)
        say(t, "labelcoop_webhook_deliveries_failed{webhook=\"%lld\"} %lld\n", g->failed[i].webhook,
            g->failed[i].failed);
    family(t, "labelcoop_sessions_open", "gauge", "Browser sessions neither ended nor expired.");
    say(t, "labelcoop_sessions_open %lld\n", g->sessions_open);
    family(t, "labelcoop_ruleset_active", "gauge", "The active rule set, by its hash.");
    if (g->ruleset)
        say(t, "labelcoop_ruleset_active{ruleset=\"%s\"} 1\n", g->ruleset);
    family(t, "labelcoop_database_bytes", "gauge", "Size of the database file.");
    say(t, "labelcoop_database_bytes %lld\n", g->database_bytes);
    family(t, "labelcoop_wal_bytes", "gauge", "Size of the database's write-ahead log.");
    say(t, "labelcoop_wal_bytes %lld\n", g->wal_bytes);
}

char *metrics_text(const metrics_gauges *g)
{
    text t = {0};
    requests_text(&t);
    family(&t, "labelcoop_answer_writes_committed_total", "counter",
           "Answer writes committed by the group commit.");
    say(&t, "labelcoop_answer_writes_committed_total %lld\n", counter(METRIC_ANSWERS_COMMITTED));
    family(&t, "labelcoop_rule_evaluations_total", "counter", "Evaluations under the rules.");
    say(&t, "labelcoop_rule_evaluations_total %lld\n", counter(METRIC_EVALUATIONS));
    family(&t, "labelcoop_rule_evaluation_seconds_total", "counter",
           "Time spent in evaluations under the rules.");
    say(&t, "labelcoop_rule_evaluation_seconds_total %.6f\n",
        counter(METRIC_EVALUATION_MICROS) / 1e6);
    gauges_text(&t, g);
    if (t.failed) {
        free(t.s);
        return NULL;
    }
    return t.s;
}
