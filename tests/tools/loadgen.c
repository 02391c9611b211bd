/* A load generator for the fault and load specs: N clients, each one libcurl
 * easy handle (keep-alive) in one multi handle, send for a given time a mix
 * of GET /api/v1/assessments/{id} and PUT .../answers/{criterion}. Each
 * client owns its (assessment, criterion) pairs, so the last write it got a
 * 2xx for is what the database must hold.
 *   loadgen --url http://127.0.0.1:PORT --target ID:TOKEN [--target ...]
 *           --criteria A,B,... [--clients N] [--seconds S] [--writes PERCENT]
 *           [--timeout S] [--log FILE]
 * Prints counts, errors and latency percentiles as one JSON object on stdout.
 * --log gets one line per write, written as it ends: "ack ID CRITERION
 * COMMENT", "refused ID CRITERION COMMENT HTTP-STATUS", or "unanswered ID
 * CRITERION COMMENT" (no HTTP answer: it may or may not have been stored).
 * A client stops after a request without an HTTP answer (the server is
 * gone, or too slow). Uses libcurl and cJSON. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#define MAX_TARGETS 64
#define MAX_CRITERIA 512
#define MAX_SAMPLES 8

typedef struct target {
    long long id;
    char auth[512]; /* "Authorization: Bearer ..." */
} target;

typedef struct client {
    int index;
    CURL *easy;
    struct curl_slist *headers;
    const target *t;
    int *criteria; /* indices into the criteria list: the ones this client writes */
    int n_criteria;
    unsigned long long rng;
    long long seq;
    bool writing;
    char comment[64];
    int criterion; /* of the write in flight */
    char url[1024];
    char body[256];
    char *reply;
    size_t reply_len;
    double started;
} client;

static struct {
    const char *url, *log_path;
    target targets[MAX_TARGETS];
    int n_targets;
    char *criteria[MAX_CRITERIA];
    int n_criteria;
    int clients, writes_percent;
    double seconds, timeout;
} opt = {.clients = 8, .writes_percent = 50, .seconds = 10, .timeout = 30};

static struct {
    long long requests, reads, writes, ok, refused, unanswered, wrong_body;
    long long statuses[600];
    double *latencies; /* ms, one per request with an HTTP answer */
    size_t n_latencies, cap_latencies;
    char *samples[MAX_SAMPLES];
    int n_samples;
} stats;

static FILE *log_file;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *message)
{
    fprintf(stderr, "loadgen: %s\n", message);
    exit(2);
}

/* xorshift64*: each client's own sequence of reads and writes. */
static unsigned next_random(client *c)
{
    c->rng ^= c->rng >> 12;
    c->rng ^= c->rng << 25;
    c->rng ^= c->rng >> 27;
    return (unsigned)((c->rng * 2685821657736338717ULL) >> 32);
}

/* Keeps the first few errors' descriptions for the report. */
static void sample(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sample(const char *fmt, ...)
{
    if (stats.n_samples >= MAX_SAMPLES)
        return;
    char text[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    stats.samples[stats.n_samples++] = strdup(text);
}

static size_t on_data(char *data, size_t size, size_t n, void *ud)
{
    client *c = ud;
    size_t len = size * n;
    char *grown = realloc(c->reply, c->reply_len + len + 1);
    if (!grown)
        return 0;
    c->reply = grown;
    memcpy(c->reply + c->reply_len, data, len);
    c->reply_len += len;
    c->reply[c->reply_len] = '\0';
    return len;
}

/* Sets up the client's next request: a write with its next value, or a read. */
static void prepare(client *c)
{
    c->reply_len = 0;
    if (c->reply)
        c->reply[0] = '\0';
    c->writing = c->n_criteria > 0 && (int)(next_random(c) % 100) < opt.writes_percent;
    if (c->writing) {
        static const char *const statuses[] = {"met", "partial", "not_met"};
        c->seq++;
        c->criterion = c->criteria[next_random(c) % (unsigned)c->n_criteria];
        snprintf(c->comment, sizeof c->comment, "c%d-%lld", c->index, c->seq);
        snprintf(c->url, sizeof c->url, "%s/api/v1/assessments/%lld/answers/%s", opt.url, c->t->id,
                 opt.criteria[c->criterion]);
        snprintf(c->body, sizeof c->body, "{\"status\":\"%s\",\"comment\":\"%s\",\"evidence\":[]}",
                 statuses[c->seq % 3], c->comment);
        curl_easy_setopt(c->easy, CURLOPT_CUSTOMREQUEST, "PUT");
        curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, c->body);
        curl_easy_setopt(c->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(c->body));
    } else {
        snprintf(c->url, sizeof c->url, "%s/api/v1/assessments/%lld", opt.url, c->t->id);
        curl_easy_setopt(c->easy, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c->easy, CURLOPT_CUSTOMREQUEST, NULL);
    }
    curl_easy_setopt(c->easy, CURLOPT_URL, c->url);
    c->started = now();
}

static void add_latency(double ms)
{
    if (stats.n_latencies == stats.cap_latencies) {
        size_t cap = stats.cap_latencies ? stats.cap_latencies * 2 : 65536;
        double *grown = realloc(stats.latencies, cap * sizeof *grown);
        if (!grown)
            die("out of memory");
        stats.latencies = grown;
        stats.cap_latencies = cap;
    }
    stats.latencies[stats.n_latencies++] = ms;
}

/* Accounts for the request that just ended; false when the client stops. */
static bool finish(client *c, CURLcode result)
{
    double ms = (now() - c->started) * 1e3;
    const char *criterion = c->writing ? opt.criteria[c->criterion] : "";
    stats.requests++;
    if (c->writing)
        stats.writes++;
    else
        stats.reads++;
    if (result != CURLE_OK) {
        stats.unanswered++;
        /* How far it got: connected, request sent, first byte back. */
        double connected = 0, sent = 0, first = 0;
        curl_easy_getinfo(c->easy, CURLINFO_CONNECT_TIME, &connected);
        curl_easy_getinfo(c->easy, CURLINFO_PRETRANSFER_TIME, &sent);
        curl_easy_getinfo(c->easy, CURLINFO_STARTTRANSFER_TIME, &first);
        sample("%s %s: %s after %.0f ms (connected %.0f ms, sent %.0f ms, first byte %.0f ms)",
               c->writing ? "PUT" : "GET", c->url, curl_easy_strerror(result), ms, connected * 1e3,
               sent * 1e3, first * 1e3);
        if (c->writing && log_file)
            fprintf(log_file, "unanswered %lld %s %s\n", c->t->id, criterion, c->comment);
        return false;
    }
    long status = 0;
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
    add_latency(ms);
    stats.statuses[status > 0 && status < 600 ? status : 0]++;
    /* What a 2xx must hold: the assessment read, or the answer as sent. */
    char expected[128];
    if (c->writing)
        snprintf(expected, sizeof expected, "\"comment\":\"%s\"", c->comment);
    else
        snprintf(expected, sizeof expected, "\"id\":%lld,", c->t->id);
    bool good = status / 100 == 2 && c->reply && strstr(c->reply, expected);
    if (good) {
        stats.ok++;
        if (c->writing && log_file)
            fprintf(log_file, "ack %lld %s %s\n", c->t->id, criterion, c->comment);
    } else if (status / 100 == 2) {
        stats.wrong_body++;
        sample("%s: a %ld without what was sent", c->url, status);
        if (c->writing && log_file) /* stored, but not as sent: the spec sees it */
            fprintf(log_file, "ack %lld %s %s\n", c->t->id, criterion, c->comment);
    } else {
        stats.refused++;
        sample("%s: HTTP %ld", c->url, status);
        if (c->writing && log_file)
            fprintf(log_file, "refused %lld %s %s %ld\n", c->t->id, criterion, c->comment, status);
    }
    return true;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of the sorted latencies. */
static double percentile(double p)
{
    if (!stats.n_latencies)
        return 0;
    size_t rank = (size_t)(p / 100.0 * (double)stats.n_latencies + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > stats.n_latencies)
        rank = stats.n_latencies;
    return stats.latencies[rank - 1];
}

static void report(double elapsed)
{
    qsort(stats.latencies, stats.n_latencies, sizeof *stats.latencies, by_value);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "clients", opt.clients);
    cJSON_AddNumberToObject(doc, "seconds", elapsed);
    cJSON_AddNumberToObject(doc, "requests", (double)stats.requests);
    cJSON_AddNumberToObject(doc, "reads", (double)stats.reads);
    cJSON_AddNumberToObject(doc, "writes", (double)stats.writes);
    cJSON_AddNumberToObject(doc, "ok", (double)stats.ok);
    cJSON_AddNumberToObject(doc, "refused", (double)stats.refused);
    cJSON_AddNumberToObject(doc, "unanswered", (double)stats.unanswered);
    cJSON_AddNumberToObject(doc, "wrong_body", (double)stats.wrong_body);
    cJSON_AddNumberToObject(doc, "requests_per_second",
                            elapsed > 0 ? (double)stats.requests / elapsed : 0);
    cJSON *statuses = cJSON_AddObjectToObject(doc, "statuses");
    for (int s = 0; s < 600; s++) {
        if (stats.statuses[s]) {
            char name[8];
            snprintf(name, sizeof name, "%d", s);
            cJSON_AddNumberToObject(statuses, name, (double)stats.statuses[s]);
        }
    }
    cJSON *lat = cJSON_AddObjectToObject(doc, "latency_ms");
    cJSON_AddNumberToObject(lat, "p50", percentile(50));
    cJSON_AddNumberToObject(lat, "p90", percentile(90));
    cJSON_AddNumberToObject(lat, "p99", percentile(99));
    cJSON_AddNumberToObject(lat, "max", percentile(100));
    cJSON *samples = cJSON_AddArrayToObject(doc, "error_samples");
    for (int i = 0; i < stats.n_samples; i++)
        cJSON_AddItemToArray(samples, cJSON_CreateString(stats.samples[i]));
    char *text = cJSON_PrintUnformatted(doc);
    puts(text);
    free(text);
    cJSON_Delete(doc);
}

static void parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            die("every option takes a value");
        i++;
        if (strcmp(a, "--url") == 0) {
            opt.url = v;
        } else if (strcmp(a, "--target") == 0) {
            const char *colon = strchr(v, ':');
            if (!colon || opt.n_targets == MAX_TARGETS)
                die("--target ID:TOKEN");
            target *t = &opt.targets[opt.n_targets++];
            t->id = atoll(v);
            snprintf(t->auth, sizeof t->auth, "Authorization: Bearer %s", colon + 1);
        } else if (strcmp(a, "--criteria") == 0) {
            char *list = strdup(v);
            for (char *s = strtok(list, ","); s && opt.n_criteria < MAX_CRITERIA;
                 s = strtok(NULL, ","))
                opt.criteria[opt.n_criteria++] = s;
        } else if (strcmp(a, "--clients") == 0) {
            opt.clients = atoi(v);
        } else if (strcmp(a, "--seconds") == 0) {
            opt.seconds = atof(v);
        } else if (strcmp(a, "--writes") == 0) {
            opt.writes_percent = atoi(v);
        } else if (strcmp(a, "--timeout") == 0) {
            opt.timeout = atof(v);
        } else if (strcmp(a, "--log") == 0) {
            opt.log_path = v;
        } else {
            die("unknown option; see the comment at the top of tests/tools/loadgen.c");
        }
    }
    if (!opt.url || !opt.n_targets || opt.clients < 1)
        die("needs --url, at least one --target and --clients >= 1");
}

/* Client i works on target i % T; the clients of a target share its
 * criteria out, each criterion to exactly one of them. */
static void assign(client *clients)
{
    for (int i = 0; i < opt.clients; i++) {
        client *c = &clients[i];
        int per_target = (opt.clients + opt.n_targets - 1) / opt.n_targets;
        int rank = i / opt.n_targets;
        c->index = i;
        c->t = &opt.targets[i % opt.n_targets];
        c->criteria = calloc((size_t)opt.n_criteria + 1, sizeof *c->criteria);
        if (!c->criteria)
            die("out of memory");
        for (int k = rank; k < opt.n_criteria; k += per_target)
            c->criteria[c->n_criteria++] = k;
        c->rng = 0x9E3779B97F4A7C15ULL * (unsigned long long)(i + 1);
        c->easy = curl_easy_init();
        if (!c->easy)
            die("curl_easy_init failed");
        c->headers = curl_slist_append(NULL, c->t->auth);
        c->headers = curl_slist_append(c->headers, "Content-Type: application/json");
        c->headers = curl_slist_append(c->headers, "Expect:");
        curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, c->headers);
        curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, c);
        curl_easy_setopt(c->easy, CURLOPT_PRIVATE, c);
        curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, (long)(opt.timeout * 1000));
    }
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        die("curl_global_init failed");
    if (opt.log_path && !(log_file = fopen(opt.log_path, "w")))
        die("cannot open the --log file");
    if (log_file)
        setvbuf(log_file, NULL, _IOLBF, 0); /* each line out as soon as it is known */
    client *clients = calloc((size_t)opt.clients, sizeof *clients);
    CURLM *multi = curl_multi_init();
    if (!clients || !multi)
        die("out of memory");
    assign(clients);
    double start = now(), end = start + opt.seconds;
    int active = 0;
    for (int i = 0; i < opt.clients; i++) {
        prepare(&clients[i]);
        curl_multi_add_handle(multi, clients[i].easy);
        active++;
    }
    while (active > 0) {
        int running;
        curl_multi_perform(multi, &running);
        CURLMsg *m;
        int queued;
        while ((m = curl_multi_info_read(multi, &queued))) {
            if (m->msg != CURLMSG_DONE)
                continue;
            client *c;
            CURL *easy = m->easy_handle;
            CURLcode result = m->data.result;
            curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&c);
            curl_multi_remove_handle(multi, easy);
            if (!finish(c, result) || now() >= end) {
                active--;
                continue;
            }
            prepare(c);
            curl_multi_add_handle(multi, easy);
        }
        if (active > 0)
            curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    report(now() - start);
    for (int i = 0; i < opt.clients; i++) {
        curl_easy_cleanup(clients[i].easy);
        curl_slist_free_all(clients[i].headers);
        free(clients[i].criteria);
        free(clients[i].reply);
    }
    free(clients);
    curl_multi_cleanup(multi);
    if (log_file)
        fclose(log_file);
    curl_global_cleanup();
    return 0;
}
