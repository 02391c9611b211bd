/* bench: the C side of `make bench` (tests/bench/run.sh drives it).
 *   bench eval RULES_DIR [SECONDS_PER_RUN] [RUNS]
 *       evaluation throughput of the Lua rules in a reused state against a
 *       plain C award rule, and the memory of one Lua state; prints figure rows
 *   bench receiver --expect N [--listen 127.0.0.1:0]
 *       a minimal webhook receiver: answers 200 to everything; prints
 *       "listening on http://ADDR:PORT", then "done TOTAL SECONDS" after every
 *       batch of N requests (SECONDS: from the batch's first request to its
 *       last); runs until killed
 *   bench bare URL N CONCURRENCY SECRET
 *       a bare libcurl multi loop posting N signed webhook bodies, shaped as
 *       labelcoop's, CONCURRENCY at a time, with no outbox
 *   bench median V...            the median of the values
 *   bench port                   a free TCP port on 127.0.0.1
 *   bench report ROWS.tsv OUT.json
 *       prints one line per figure and writes them as a JSON list
 * A figure row is tab-separated: name, value, unit, baseline, baseline_value,
 * ratio, target ("-" for a missing number). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <microhttpd.h>

#include "webhook.h"
#include "sandbox.h"
#include "rules.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void row(const char *name, double value, const char *unit, const char *baseline,
                double baseline_value, double ratio, const char *target)
{
    printf("%s\t%.6g\t%s\t%s\t%.6g\t%.4g\t%s\n", name, value, unit, baseline, baseline_value, ratio,
           target);
}

/* ---- evaluation ------------------------------------------------------------------ */

/* The seed's award rule in plain C, over the same answers: every applicable
 * mandatory criterion met, (met + partial) / applicable recommended >= the
 * threshold, an internal stakeholder for an audit; a missing answer makes the
 * outcome incomplete. Returns 0 eligible, 1 not eligible, 2 incomplete. */
typedef struct c_result {
    int outcome;
    int mandatory_total, mandatory_met;
    int recommended_total, recommended_done;
    int advised_total, advised_met;
    double ratio;
} c_result;

__attribute__((noinline)) static void c_award(const unsigned char *levels,
                                              const unsigned char *answers, int n, rules_kind kind,
                                              int stakeholders, double threshold, c_result *out)
{
    int total[LEVEL_COUNT] = {0}, met[LEVEL_COUNT] = {0}, partial[LEVEL_COUNT] = {0}, missing = 0;
    for (int i = 0; i < n; i++) {
        int a = answers[i], l = levels[i];
        if (a == ANSWER_NOT_APPLICABLE)
            continue;
        total[l]++;
        if (a == ANSWER_NONE)
            missing++;
        else if (a == ANSWER_MET)
            met[l]++;
        else if (a == ANSWER_PARTIAL)
            partial[l]++;
    }
    int rt = total[LEVEL_RECOMMENDED];
    double ratio =
        rt > 0 ? (double)(met[LEVEL_RECOMMENDED] + partial[LEVEL_RECOMMENDED]) / rt : 1.0;
    int ok = met[LEVEL_MANDATORY] == total[LEVEL_MANDATORY] && ratio >= threshold &&
             (kind != KIND_AUDIT || stakeholders >= 1);
    out->outcome = missing ? 2 : ok ? 0 : 1;
    out->mandatory_total = total[LEVEL_MANDATORY];
    out->mandatory_met = met[LEVEL_MANDATORY];
    out->recommended_total = rt;
    out->recommended_done = met[LEVEL_RECOMMENDED] + partial[LEVEL_RECOMMENDED];
    out->advised_total = total[LEVEL_ADVISED];
    out->advised_met = met[LEVEL_ADVISED];
    out->ratio = ratio;
}

/* A deterministic audit: every criterion answered. eligible: mandatory all
 * met, recommended 70% met / 20% partial / 10% not met; otherwise a few
 * mandatory criteria partial or not met as well. */
static void make_audit(const rules *r, unsigned char *answers, int eligible)
{
    unsigned x = 12345;
    int n = rules_criterion_count(r);
    for (int i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        int p = (int)((x >> 16) % 100);
        const rules_criterion *c = rules_criterion_at(r, i);
        if (c->level == LEVEL_MANDATORY)
            answers[i] = eligible || p >= 8 ? ANSWER_MET : p < 4 ? ANSWER_PARTIAL : ANSWER_NOT_MET;
        else if (c->level == LEVEL_RECOMMENDED)
            answers[i] = p < 70 ? ANSWER_MET : p < 90 ? ANSWER_PARTIAL : ANSWER_NOT_MET;
        else
            answers[i] = p < 60 ? ANSWER_MET : p < 80 ? ANSWER_PARTIAL : ANSWER_NOT_MET;
    }
}

static const char *outcome_of(const cJSON *ev)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "outcome"));
}

/* One call of the Lua rules: the decision alone (rules_decide), or the whole
 * evaluation document with reasons and path to the label (rules_evaluate). */
static void lua_once(rules *r, const rules_input *in, int full)
{
    err e = ERR_INIT;
    cJSON *out = NULL;
    rules_outcome o;
    if ((full ? rules_evaluate(r, in, &out, &e) : rules_decide(r, in, &o, &e)) != ERR_OK) {
        fprintf(stderr, "bench: evaluate: %s\n", err_msg(&e));
        exit(1);
    }
    cJSON_Delete(out);
}

/* Evaluations per second of the Lua rules, over runs of `seconds` each. */
static double lua_rate(rules *r, const rules_input *in, int full, double seconds, int runs)
{
    double rates[64];
    for (int k = 0; k < runs; k++) {
        long n = 0;
        double t0 = now_s(), t;
        do {
            for (int i = 0; i < 64; i++, n++) {
                lua_once(r, in, full);
            }
        } while ((t = now_s() - t0) < seconds);
        rates[k] = n / t;
    }
    return median(rates, runs);
}

static volatile int sink;

static double c_rate(const unsigned char *levels, const rules_input *in, int n_crit,
                     double threshold, double seconds, int runs)
{
    double rates[64];
    for (int k = 0; k < runs; k++) {
        long n = 0;
        double t0 = now_s(), t;
        do {
            for (int i = 0; i < 4096; i++, n++) {
                c_result res;
                /* keeps the compiler from hoisting the call out of the loop */
                __asm__ volatile("" ::: "memory");
                c_award(levels, in->answers, n_crit, in->kind, in->internal_stakeholders,
                        threshold, &res);
                sink = res.outcome;
            }
        } while ((t = now_s() - t0) < seconds);
        rates[k] = n / t;
    }
    return median(rates, runs);
}

static size_t bare_state_bytes(void)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    lua_gc(L, LUA_GCCOLLECT, 0);
    size_t bytes = (size_t)lua_gc(L, LUA_GCCOUNT, 0) * 1024 + (size_t)lua_gc(L, LUA_GCCOUNTB, 0);
    lua_close(L);
    return bytes;
}

static int cmd_eval(int argc, char **argv)
{
    if (argc < 1) {
        fprintf(stderr, "usage: bench eval RULES_DIR [SECONDS_PER_RUN] [RUNS]\n");
        return 2;
    }
    double seconds = argc > 1 ? atof(argv[1]) : 0.5;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    if (runs < 1 || runs > 64 || seconds <= 0)
        return 2;
    err e = ERR_INIT;
    rules *r;
    if (rules_load(argv[0], NULL, &r, &e) != ERR_OK) {
        fprintf(stderr, "bench: %s\n", err_msg(&e));
        return 3;
    }
    int n = rules_criterion_count(r);
    unsigned char *answers = calloc((size_t)n, 1), *levels = calloc((size_t)n, 1);
    for (int i = 0; i < n; i++)
        levels[i] = (unsigned char)rules_criterion_at(r, i)->level;
    const cJSON *thr =
        cJSON_GetObjectItemCaseSensitive(rules_parameters(r), "recommended_threshold");
    double threshold = cJSON_IsNumber(thr) ? thr->valuedouble : 0.5;
    rules_input in = {.kind = KIND_AUDIT, .date = "2026-03-02", .internal_stakeholders = 4,
                      .answers = answers};

    static const char *const names[] = {"eligible audit", "not eligible audit"};
    for (int eligible = 1; eligible >= 0; eligible--) {
        make_audit(r, answers, eligible);
        /* Both must agree before their speeds are compared. */
        cJSON *out;
        if (rules_evaluate(r, &in, &out, &e) != ERR_OK) {
            fprintf(stderr, "bench: %s\n", err_msg(&e));
            return 3;
        }
        c_result cr;
        c_award(levels, answers, n, in.kind, in.internal_stakeholders, threshold, &cr);
        const char *lo = outcome_of(out);
        static const char *const c_names[] = {"eligible", "not_eligible", "incomplete"};
        int mm = (int)cJSON_GetNumberValue(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItem(out, "mandatory"), "met"));
        if (!lo || strcmp(lo, c_names[cr.outcome]) != 0 || mm != cr.mandatory_met) {
            fprintf(stderr, "bench: the C rule and the Lua rule disagree (%s vs %s)\n",
                    lo ? lo : "?", c_names[cr.outcome]);
            return 1;
        }
        cJSON_Delete(out);
        rules_outcome o;
        if (rules_decide(r, &in, &o, &e) != ERR_OK || (int)o != cr.outcome) {
            fprintf(stderr, "bench: decide() and the C rule disagree\n");
            return 1;
        }
        lua_rate(r, &in, 0, 0.2, 1); /* warm-up */
        double lua = lua_rate(r, &in, 0, seconds, runs);
        double c = c_rate(levels, &in, n, threshold, seconds / 2, runs);
        char name[120];
        snprintf(name, sizeof name, "evaluation, award decision (%s, %d answers)",
                 names[!eligible], n);
        row(name, lua, "evaluations/s", "plain C award rule", c, c / lua,
            "<= 25 (slowdown) and >= 200000 evaluations/s/core");
        /* The whole document the platform stores: scores, French reasons,
         * path to the label, as JSON. Reported, no target. */
        double doc = lua_rate(r, &in, 1, seconds / 2, runs);
        snprintf(name, sizeof name, "evaluation, whole document (%s, %d answers)",
                 names[!eligible], n);
        row(name, doc, "evaluations/s", "plain C award rule", c, c / doc, "report");
    }

    /* One Lua state holding the rules, after evaluations and a full collection. */
    lua_State *L = sandbox_state(rules_sandbox(r));
    lua_gc(L, LUA_GCCOLLECT, 0);
    double state = sandbox_memory(rules_sandbox(r)) / 1024.0;
    double bare = bare_state_bytes() / 1024.0;
    row("memory per Lua state (rules loaded)", state, "KiB", "bare Lua state, standard libraries",
        bare, state / bare, "report");
    free(answers);
    free(levels);
    rules_free(r);
    return 0;
}

/* ---- webhook receiver ------------------------------------------------------------- */

static pthread_mutex_t rx_lock = PTHREAD_MUTEX_INITIALIZER;
static long rx_count, rx_expect;
static double rx_first;

static enum MHD_Result rx_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **state)
{
    (void)cls, (void)url, (void)method, (void)version, (void)data;
    if (!*state) {
        *state = (void *)1;
        return MHD_YES;
    }
    if (*size) { /* the body is read and dropped */
        *size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&rx_lock);
    double t = now_s();
    long k = rx_count++;
    if (k % rx_expect == 0) /* the first request of a batch */
        rx_first = t;
    if ((k + 1) % rx_expect == 0) {
        printf("done %ld %.6f\n", rx_count, t - rx_first);
        fflush(stdout);
    }
    pthread_mutex_unlock(&rx_lock);
    static char reply[] = "{\"received\":true}";
    struct MHD_Response *r =
        MHD_create_response_from_buffer(sizeof reply - 1, reply, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ok;
}

static int cmd_receiver(int argc, char **argv)
{
    const char *listen = "127.0.0.1:0";
    for (int i = 0; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--expect"))
            rx_expect = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--listen"))
            listen = argv[i + 1];
    }
    if (rx_expect <= 0) {
        fprintf(stderr, "usage: bench receiver --expect N [--listen 127.0.0.1:0]\n");
        return 2;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET};
    char addr[64];
    snprintf(addr, sizeof addr, "%.*s", (int)strcspn(listen, ":"), listen);
    const char *colon = strchr(listen, ':');
    sa.sin_port = htons((unsigned short)(colon ? atoi(colon + 1) : 0));
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
        return 2;
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL, rx_request, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, 2u,
        MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "bench receiver: cannot listen on %s\n", listen);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("listening on http://%s:%u\n", addr, info ? info->port : 0);
    fflush(stdout);
    for (;;)
        pause();
}

/* ---- bare libcurl loop ------------------------------------------------------------ */

typedef struct post {
    char *body;
    struct curl_slist *headers;
} post;

static size_t drop(char *data, size_t size, size_t n, void *ud)
{
    (void)data, (void)ud;
    return size * n;
}

/* The request labelcoop's outbox would send for event i, built the same way. */
static CURL *new_post(const char *url, const char *secret, long i, post *p)
{
    char at[32], id[40], ts[24], sig[512] = "", header[600];
    time_t t = time(NULL);
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "kind", "audit");
    cJSON_AddStringToObject(data, "outcome", "eligible");
    cJSON_AddNumberToObject(data, "organisation_id", 1);
    cJSON_AddStringToObject(data, "organisation", "Coopérative Alpha");
    cJSON_AddNumberToObject(data, "assessment_id", (double)i);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "type", "assessment.submitted");
    cJSON_AddStringToObject(body, "timestamp", at);
    cJSON_AddItemToObject(body, "data", data);
    p->body = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    snprintf(id, sizeof id, "evt_%ld", i);
    snprintf(ts, sizeof ts, "%lld", (long long)t);
    if (webhook_sign(secret, id, ts, p->body, sig, sizeof sig) != 0) {
        fprintf(stderr, "bench bare: bad secret\n");
        exit(2);
    }
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    snprintf(header, sizeof header, "webhook-id: %s", id);
    h = curl_slist_append(h, header);
    snprintf(header, sizeof header, "webhook-timestamp: %s", ts);
    h = curl_slist_append(h, header);
    snprintf(header, sizeof header, "webhook-signature: %s", sig);
    h = curl_slist_append(h, header);
    h = curl_slist_append(h, "User-Agent: labelcoop-bench");
    h = curl_slist_append(h, "Expect:");
    p->headers = h;
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, p->body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 15000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, drop);
    curl_easy_setopt(c, CURLOPT_PRIVATE, p);
    return c;
}

static int cmd_bare(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench bare URL N CONCURRENCY SECRET\n");
        return 2;
    }
    const char *url = argv[0], *secret = argv[3];
    long n = atol(argv[1]), conc = atol(argv[2]), sent = 0, done = 0, failed = 0;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *m = curl_multi_init();
    double t0 = now_s();
    while (done < n) {
        int running;
        while (sent < n && sent - done < conc) {
            post *p = calloc(1, sizeof *p);
            curl_multi_add_handle(m, new_post(url, secret, ++sent, p));
        }
        curl_multi_perform(m, &running);
        CURLMsg *msg;
        int left, finished = 0;
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            long status = 0;
            post *p;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&p);
            if (msg->data.result != CURLE_OK || status / 100 != 2)
                failed++;
            curl_multi_remove_handle(m, msg->easy_handle);
            curl_easy_cleanup(msg->easy_handle);
            curl_slist_free_all(p->headers);
            cJSON_free(p->body);
            free(p);
            done++;
            finished++;
        }
        if (!finished && done < n) /* wait only when nothing finished: else refill first */
            curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    double t = now_s() - t0;
    curl_multi_cleanup(m);
    printf("sent %ld %.6f failed %ld\n", n, t, failed);
    return failed ? 1 : 0;
}

/* ---- report ----------------------------------------------------------------------- */

static cJSON *number_or_null(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    return (*s && *end == '\0' && strcmp(s, "-") != 0 && isfinite(v)) ? cJSON_CreateNumber(v)
                                                                       : cJSON_CreateNull();
}

/* Numbers printed with up to 4 significant digits after the point, no exponent. */
static void fmt_num(char *out, size_t size, const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !isfinite(v)) {
        snprintf(out, size, "%s", s);
        return;
    }
    double a = fabs(v);
    int decimals = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : a >= 1 ? 3 : 4;
    snprintf(out, size, "%.*f", decimals, v);
}

static int cmd_report(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench report ROWS.tsv OUT.json\n");
        return 2;
    }
    FILE *f = fopen(argv[0], "r");
    if (!f) {
        perror(argv[0]);
        return 1;
    }
    cJSON *list = cJSON_CreateArray();
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *col[7] = {0};
        int k = 0;
        for (char *p = line; k < 7; k++) {
            col[k] = p;
            char *tab = strchr(p, '\t');
            if (!tab) {
                k++;
                break;
            }
            *tab = '\0';
            p = tab + 1;
        }
        if (k < 7 || !*col[0])
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", col[0]);
        cJSON *value = number_or_null(col[1]);
        if (cJSON_IsNull(value) && strcmp(col[1], "-") != 0) {
            cJSON_Delete(value);
            value = cJSON_CreateString(col[1]); /* e.g. "skipped: ..." */
        }
        cJSON_AddItemToObject(o, "value", value);
        cJSON_AddStringToObject(o, "unit", col[2]);
        cJSON_AddStringToObject(o, "baseline", col[3]);
        cJSON_AddItemToObject(o, "baseline_value", number_or_null(col[4]));
        cJSON_AddItemToObject(o, "ratio", number_or_null(col[5]));
        cJSON_AddStringToObject(o, "target", col[6]);
        cJSON_AddItemToArray(list, o);
        char v[64], b[64], r[64];
        fmt_num(v, sizeof v, col[1]);
        fmt_num(b, sizeof b, col[4]);
        fmt_num(r, sizeof r, col[5]);
        /* a value that is no number ("skipped: ...") is printed without its unit */
        printf("%s: %s%s%s (baseline: %s %s %s) ratio %s target %s\n", col[0], v,
               cJSON_IsString(value) ? "" : " ", cJSON_IsString(value) ? "" : col[2], col[3], b,
               col[2], r, col[6]);
    }
    fclose(f);
    char *text = cJSON_Print(list);
    cJSON_Delete(list);
    FILE *out = fopen(argv[1], "w");
    if (!out || fprintf(out, "%s\n", text) < 0 || fclose(out) != 0) {
        perror(argv[1]);
        free(text);
        return 1;
    }
    free(text);
    return 0;
}

static int cmd_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        perror("bench port");
        return 1;
    }
    printf("%u\n", ntohs(sa.sin_port));
    close(fd);
    return 0;
}

static int cmd_median(int argc, char **argv)
{
    double v[256];
    int n = 0;
    for (int i = 0; i < argc && n < 256; i++)
        v[n++] = atof(argv[i]);
    if (!n)
        return 2;
    printf("%.6g\n", median(v, n));
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: bench eval|receiver|bare|port|median|report ...\n");
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "eval"))
        return cmd_eval(argc - 2, argv + 2);
    if (!strcmp(cmd, "receiver"))
        return cmd_receiver(argc - 2, argv + 2);
    if (!strcmp(cmd, "bare"))
        return cmd_bare(argc - 2, argv + 2);
    if (!strcmp(cmd, "port"))
        return cmd_port();
    if (!strcmp(cmd, "median"))
        return cmd_median(argc - 2, argv + 2);
    if (!strcmp(cmd, "report"))
        return cmd_report(argc - 2, argv + 2);
    fprintf(stderr, "bench: unknown command %s\n", cmd);
    return 2;
}
