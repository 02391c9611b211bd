/* webhook: the delivery thread. Each turn: take the due deliveries (oldest
 * event first) up to the in-flight limit, lease them, send them; record the
 * finished ones in one transaction. Loopback and private addresses are
 * refused at connect time (so a name cannot resolve around the rule) unless
 * the allowlist names them. A response is read up to 1 KiB, for the log. */
#include "webhook.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "cidr.h"
#include "plugin.h"
#include "reqlog.h"
#include "store.h"
#include "tick.h"

#define LEASE_MS 60000
#define RESPONSE_KEEP 1024
#define FIVE_DAYS_MS (5LL * 24 * 3600 * 1000)

typedef struct job {
    CURL *easy;
    long long delivery, webhook;
    int attempts;
    char *body;
    struct curl_slist *headers;
    char response[RESPONSE_KEEP + 1];
    size_t response_len;
    long long started_ms;
    bool refused; /* the allowlist refused the address */
    char error[CURL_ERROR_SIZE];
    const char *allow;
    mail_transfer *mail; /* an e-mail instead of a delivery (delivery: its row), owned */
    char *to;            /* the e-mail's recipient, for the log */
    struct job *next;
} job;

struct webhook_engine {
    webhook_config c;
    char *db_path, *allow;
    pthread_t thread;
    CURLM *multi;
    job *inflight; /* owned; each also added to multi */
    plugin_set *plugins;
    atomic_bool stop; /* set by webhook_stop, read by the delivery thread */
};

void webhook_defaults(webhook_config *c, const char *db_path)
{
    static const long long delays[] = {0, 5, 300, 1800, 7200, 18000, 36000, 36000};
    memset(c, 0, sizeof *c);
    c->db_path = db_path;
    c->max_inflight = 64;
    c->n_delays = WEBHOOK_MAX_RETRIES;
    for (int i = 0; i < WEBHOOK_MAX_RETRIES; i++)
        c->delays_ms[i] = delays[i] * 1000;
    static const long long mail_delays[] = {60, 300, 1800, 7200, 18000, 36000, 36000, 36000};
    c->n_mail_delays = WEBHOOK_MAX_RETRIES;
    for (int i = 0; i < WEBHOOK_MAX_RETRIES; i++)
        c->mail_delays_ms[i] = mail_delays[i] * 1000;
    c->tick_seconds = 60;
    c->events = (events_config){{180, 90, 30}, 3, NULL};
}

/* Parses "0,5,300" (seconds) into delays[WEBHOOK_MAX_RETRIES], their count
 * into *count; -1 when malformed. */
static int parse_delays(const char *text, long long *delays, int *count)
{
    int n = 0;
    const char *p = text;
    while (*p && n < WEBHOOK_MAX_RETRIES) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || v < 0)
            return -1;
        delays[n++] = (long long)(v * 1000);
        p = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    if (!n || *p)
        return -1;
    *count = n;
    return 0;
}

int webhook_parse_delays(const char *text, webhook_config *c)
{
    return parse_delays(text, c->delays_ms, &c->n_delays);
}

int webhook_parse_mail_delays(const char *text, webhook_config *c)
{
    return parse_delays(text, c->mail_delays_ms, &c->n_mail_delays);
}

/* ---- signing ------------------------------------------------------------------ */

void webhook_new_secret(char *out)
{
    unsigned char key[WEBHOOK_SECRET_BYTES];
    randombytes_buf(key, sizeof key);
    strcpy(out, "whsec_");
    sodium_bin2base64(out + 6, 58, key, sizeof key, sodium_base64_VARIANT_ORIGINAL);
}

/* The key of a secret into key[128]; -1 when it is not "whsec_<base64>" or
 * its key does not fit. */
static int secret_key(const char *secret, unsigned char *key, size_t *key_len)
{
    return strncmp(secret, "whsec_", 6) != 0 ||
                   sodium_base642bin(key, 128, secret + 6, strlen(secret + 6), NULL, key_len, NULL,
                                     sodium_base64_VARIANT_ORIGINAL) != 0
               ? -1
               : 0;
}

int webhook_check_secret(const char *secret, err *e)
{
    unsigned char key[128];
    size_t key_len = 0;
    int bad = secret_key(secret, key, &key_len);
    sodium_memzero(key, sizeof key);
    if (bad)
        return err_at(e, "$.secret",
                      "must be \"whsec_\" followed by base64 (of at most 128 bytes)");
    if (key_len < WEBHOOK_SECRET_BYTES)
        return err_at(e, "$.secret",
                      "must hold at least %d random bytes after \"whsec_\" (base64); %zu given",
                      WEBHOOK_SECRET_BYTES, key_len);
    return ERR_OK;
}

int webhook_sign(const char *secret, const char *id, const char *timestamp, const char *body,
              char *out, size_t size)
{
    unsigned char key[128], mac[crypto_auth_hmacsha256_BYTES];
    size_t key_len;
    if (secret_key(secret, key, &key_len) != 0)
        return -1;
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, key_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)timestamp, strlen(timestamp));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(key, sizeof key);
    char b64[sodium_base64_ENCODED_LEN(sizeof mac, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
    size_t used = strlen(out);
    snprintf(out + used, size - used, "%sv1,%s", used ? " " : "", b64);
    return 0;
}

/* ---- addresses ------------------------------------------------------------------ */

int webhook_check_url(const char *url, err *e)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *hostname = NULL;
    int rc = ERR_OK;
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &hostname, 0) != CURLUE_OK)
        rc = err_set(e, ERR_INPUT, "$.url: not a valid absolute URL");
    else if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
        rc = err_set(e, ERR_INPUT, "$.url: only http and https URLs receive webhooks");
    curl_free(scheme);
    curl_free(hostname);
    curl_url_cleanup(u);
    return rc;
}

bool webhook_address_allowed(const struct sockaddr *addr, const char *allow)
{
    static const char *const internal =
        "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,169.254.0.0/16,0.0.0.0/8,"
        "100.64.0.0/10,::1/128,::/128,fc00::/7,fe80::/10,::ffff:0:0/96";
    if (!cidr_listed(addr, internal))
        return true;
    return cidr_listed(addr, allow);
}

static curl_socket_t open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
    job *j = ud;
    (void)purpose;
    if (!webhook_address_allowed(&a->addr, j->allow)) {
        j->refused = true;
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

/* ---- one delivery --------------------------------------------------------------- */

static size_t keep_response(char *data, size_t size, size_t n, void *ud)
{
    job *j = ud;
    size_t len = size * n, room = RESPONSE_KEEP - j->response_len;
    size_t take = len < room ? len : room;
    memcpy(j->response + j->response_len, data, take);
    j->response_len += take;
    j->response[j->response_len] = '\0';
    return len;
}

static void job_free(job *j)
{
    if (!j)
        return;
    if (j->mail)
        mail_transfer_free(j->mail); /* its easy handle with it */
    else if (j->easy)
        curl_easy_cleanup(j->easy);
    free(j->to);
    curl_slist_free_all(j->headers);
    free(j->body);
    free(j);
}

/* The Standard Webhooks request for one due delivery. */
static job *job_new(const store_due_row *row, const char *allow, plugin_set *plugins)
{
    job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->delivery = row->delivery;
    j->webhook = row->webhook;
    j->attempts = row->attempts;
    j->allow = allow;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "type", row->type);
    cJSON_AddStringToObject(body, "timestamp", row->at);
    cJSON *data = cJSON_Parse(row->data);
    cJSON_AddItemToObject(body, "data", data ? data : cJSON_CreateObject());
    if (row->plugin) { /* an endpoint that wants another shape, a chat service say */
        cJSON *endpoint = cJSON_CreateObject();
        cJSON_AddNumberToObject(endpoint, "id", (double)row->webhook);
        cJSON_AddStringToObject(endpoint, "url", row->url);
        cJSON *shaped = plugin_webhook_payload(plugins, row->plugin, endpoint, body);
        cJSON_Delete(endpoint);
        if (shaped) {
            cJSON_Delete(body);
            body = shaped;
        }
    }
    j->body = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    char id[40], ts[24], sig[512] = "", header[600];
    snprintf(id, sizeof id, "evt_%lld", row->event);
    snprintf(ts, sizeof ts, "%lld", store_now_ms() / 1000);
    /* During a rotation both secrets sign, so receivers can switch at leisure. */
    if (!j->body || webhook_sign(row->secret, id, ts, j->body, sig, sizeof sig) != 0 ||
        (row->old_secret && webhook_sign(row->old_secret, id, ts, j->body, sig, sizeof sig) != 0)) {
        job_free(j);
        return NULL;
    }
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Content-Type: application/json");
    snprintf(header, sizeof header, "webhook-id: %s", id);
    h = curl_slist_append(h, header);
    snprintf(header, sizeof header, "webhook-timestamp: %s", ts);
    h = curl_slist_append(h, header);
    snprintf(header, sizeof header, "webhook-signature: %s", sig);
    h = curl_slist_append(h, header);
    h = curl_slist_append(h, "User-Agent: labelcoop/" LABELCOOP_VERSION);
    h = curl_slist_append(h, "Expect:");
    j->headers = h;
    CURL *c = j->easy = curl_easy_init();
    if (!c || !h) {
        job_free(j);
        return NULL;
    }
    curl_easy_setopt(c, CURLOPT_URL, row->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, j->body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, j->headers);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 15000L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_response);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, j);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, j);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, j->error);
    curl_easy_setopt(c, CURLOPT_PRIVATE, j);
    j->started_ms = store_now_ms();
    return j;
}

/* The delay before attempt number next (1-based) of a schedule, with +-10%
 * jitter, or -1 when the schedule is spent. */
static long long schedule_delay(const long long *delays, int n, int next)
{
    if (next >= n)
        return -1;
    long long d = delays[next];
    if (d > 0)
        d = d * 9 / 10 + (long long)randombytes_uniform((uint32_t)(d / 5 + 1));
    return d;
}

/* The delay before attempt number next (1-based), or -1 when the schedule
 * is spent. Retry-After, when longer, wins. */
static long long next_delay(const webhook_config *c, int next, long retry_after_s)
{
    long long d = schedule_delay(c->delays_ms, c->n_delays, next);
    if (d < 0)
        return -1;
    if (retry_after_s > 0 && retry_after_s * 1000LL > d)
        d = retry_after_s * 1000LL;
    return d;
}

/* Records a finished job inside the caller's transaction. */
static int finish_job(webhook_engine *h, store *db, job *j, CURLcode result, err *e)
{
    long status = 0;
    curl_off_t retry_after = 0;
    curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(j->easy, CURLINFO_RETRY_AFTER, &retry_after);
    long long now = store_now_ms();
    store_attempt a = {
        .delivery = j->delivery,
        .webhook = j->webhook,
        .status = result == CURLE_OK ? (int)status : 0,
        .duration_ms = now - j->started_ms,
        .response = j->response_len ? j->response : NULL,
    };
    char error[CURL_ERROR_SIZE + 64];
    if (result != CURLE_OK) {
        snprintf(error, sizeof error, "%s",
                 j->refused    ? "address refused: loopback and private addresses need "
                                 "--webhook-allow"
                 : j->error[0] ? j->error
                               : curl_easy_strerror(result));
        a.error = error;
    }
    bool ok = result == CURLE_OK && status >= 200 && status < 300;
    if (ok) {
        a.outcome = STORE_DELIVERED;
        return store_delivery_done(db, &a, e);
    }
    long long delay = status == 410 ? -1 : next_delay(&h->c, j->attempts + 1, (long)retry_after);
    a.outcome = delay < 0 ? STORE_FAILED : STORE_RETRY;
    a.next_ms = now + (delay < 0 ? 0 : delay);
    long long since;
    if (store_delivery_done(db, &a, e) || store_webhook_failing(db, j->webhook, now, &since, e))
        return e->code;
    const char *reason = status == 410                 ? "the receiver answered 410 Gone"
                         : now - since >= FIVE_DAYS_MS ? "every attempt failed for 5 days"
                                                       : NULL;
    if (!reason)
        return ERR_OK;
    bool changed;
    if (store_webhook_disable(db, j->webhook, reason, &changed, e))
        return e->code;
    if (!changed)
        return ERR_OK;
    cJSON *data = cJSON_CreateObject();
    cJSON_AddNumberToObject(data, "webhook_id", (double)j->webhook);
    cJSON_AddStringToObject(data, "reason", reason);
    int rc = events_emit(db, "webhook.disabled", 0, 0, data, e);
    const events_notifier *n = h->c.events.notify;
    if (rc == ERR_OK && n && n->event) /* the administrators, in the same transaction */
        rc = n->event(n->ud, db, "webhook.disabled", 0, 0, data, e);
    cJSON_Delete(data);
    return rc;
}

/* ---- the thread ------------------------------------------------------------------ */

typedef struct turn {
    webhook_engine *h;
    store *db;
    job *jobs;
    int added;
} turn;

static void take_due(void *ud, const store_due_row *row)
{
    turn *t = ud;
    job *j = job_new(row, t->h->allow, t->h->plugins);
    if (!j)
        return;
    j->next = t->jobs;
    t->jobs = j;
    t->added++;
}

/* Leases the jobs' rows (a list, given) for lease_ms with lease, in one
 * transaction, then adds the jobs to the multi handle, or frees them when
 * the lease failed; returns how many started. */
static int lease_and_start(webhook_engine *h, store *db, job *jobs, long long lease_ms,
                           int (*lease)(store *, long long, long long, err *), err *e)
{
    long long until = store_now_ms() + lease_ms;
    int rc = store_begin(db, e);
    for (job *j = jobs; rc == ERR_OK && j; j = j->next)
        rc = lease(db, j->delivery, until, e);
    rc = rc == ERR_OK ? store_commit(db, e) : (store_rollback(db), rc);
    int started = 0;
    while (jobs) {
        job *j = jobs;
        jobs = j->next;
        if (rc == ERR_OK && curl_multi_add_handle(h->multi, j->easy) == CURLM_OK) {
            j->next = h->inflight;
            h->inflight = j;
            started++;
        } else {
            job_free(j);
        }
    }
    return started;
}

/* Leases and starts what is due; returns how many were started. */
static int dispatch(webhook_engine *h, store *db, int room, err *e)
{
    turn t = {h, db, NULL, 0};
    if (store_due(db, store_now_ms(), room, take_due, &t, e) != ERR_OK)
        return 0;
    if (!t.added)
        return 0;
    return lease_and_start(h, db, t.jobs, LEASE_MS, store_delivery_lease, e);
}

/* ---- e-mail ------------------------------------------------------------------------ */

#define MAIL_PER_TURN 8
#define MAIL_LEASE_MS 180000

/* A job sending one due message; the row's strings are copied by the
 * transfer, so they need not outlive the callback. */
static void take_mail(void *ud, const store_mail_row *row)
{
    turn *t = ud;
    job *j = calloc(1, sizeof *j);
    mail_message m = {.to = row->recipient,
                      .subject = row->subject,
                      .text = row->text,
                      .html = row->html,
                      .message_id = row->message_id,
                      .unsubscribe = row->unsubscribe,
                      .date_s = store_now_ms() / 1000};
    if (!j || !row->recipient || !row->subject || !row->text || !row->html || !row->message_id ||
        !(j->mail = mail_transfer_new(t->h->c.mail, &m)) || !(j->to = strdup(row->recipient))) {
        job_free(j);
        return;
    }
    j->easy = mail_transfer_easy(j->mail);
    curl_easy_setopt(j->easy, CURLOPT_PRIVATE, j);
    j->delivery = row->id;
    j->attempts = row->attempts;
    j->next = t->jobs;
    t->jobs = j;
    t->added++;
}

/* Leases and starts the messages due, beside the webhooks' deliveries in
 * the same multi handle; returns how many were started. */
static int dispatch_mail(webhook_engine *h, store *db, int room, err *e)
{
    turn t = {h, db, NULL, 0};
    int limit = room < MAIL_PER_TURN ? room : MAIL_PER_TURN;
    if (limit <= 0 || store_mail_due(db, store_now_ms(), limit, take_mail, &t, e) != ERR_OK ||
        !t.added)
        return 0;
    return lease_and_start(h, db, t.jobs, MAIL_LEASE_MS, store_mail_lease, e);
}

/* Records a finished message inside the caller's transaction. Marked sent
 * only once the server accepted it: a crash in between sends it again (the
 * same Message-ID) after the next start. */
static int finish_mail(webhook_engine *h, store *db, job *j, CURLcode result, err *e)
{
    char error[CURL_ERROR_SIZE + 64];
    mail_outcome out = mail_transfer_outcome(j->mail, result, error, sizeof error);
    long long delay = out == MAIL_TEMPORARY
                          ? schedule_delay(h->c.mail_delays_ms, h->c.n_mail_delays, j->attempts)
                          : 0;
    store_mail_outcome done = out == MAIL_SENT                       ? STORE_MAIL_SENT
                              : out == MAIL_PERMANENT || delay < 0 ? STORE_MAIL_FAILED
                                                                   : STORE_MAIL_RETRY;
    if (done != STORE_MAIL_SENT)
        reqlog_stderr("mail %lld to %s: %s%s", j->delivery, j->to, error,
                      done == STORE_MAIL_RETRY ? " (tried again later)" : " (failed)");
    return store_mail_done(db, j->delivery, done, store_now_ms() + delay, error, e);
}

/* Records every finished transfer in one transaction. */
static int collect(webhook_engine *h, store *db, err *e)
{
    CURLMsg *m;
    int left, done = 0, rc = ERR_OK;
    bool open = false;
    while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        job *j;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
        CURLcode result = m->data.result;
        curl_multi_remove_handle(h->multi, j->easy);
        for (job **p = &h->inflight; *p; p = &(*p)->next) {
            if (*p == j) {
                *p = j->next;
                break;
            }
        }
        if (!open && rc == ERR_OK)
            open = (rc = store_begin(db, e)) == ERR_OK;
        if (rc == ERR_OK)
            rc = j->mail ? finish_mail(h, db, j, result, e) : finish_job(h, db, j, result, e);
        job_free(j);
        done++;
    }
    if (open)
        rc = rc == ERR_OK ? store_commit(db, e) : (store_rollback(db), rc);
    if (rc != ERR_OK)
        reqlog_stderr("webhooks: recording deliveries failed (they will be sent again): %s",
                      err_msg(e));
    return done;
}

static void *run(void *arg)
{
    webhook_engine *h = arg;
    store *db;
    err e = ERR_INIT;
    if (store_open(h->db_path, &db, &e) != ERR_OK) {
        reqlog_stderr("webhooks: %s", err_msg(&e));
        err_clear(&e);
        return NULL;
    }
    store_delivery_unlease(db, &e); /* what was in flight at a crash goes again */
    err_clear(&e);
    store_mail_unlease(db, &e);
    err_clear(&e);
    int inflight = 0;
    long long next_tick = 0;
    while (!atomic_load(&h->stop)) {
        long long now = store_now_ms();
        if (h->c.tick_seconds > 0 && now >= next_tick) {
            tick_scheduler(db, &h->c.events);
            if (h->c.backup_dir)
                tick_backup(db, h->c.documents, h->c.backup_dir, h->c.backup_keep);
            next_tick = now + h->c.tick_seconds * 1000LL;
        }
        if (h->plugins)
            tick_plugins(db, h->plugins);
        if (h->c.mail && inflight < h->c.max_inflight)
            inflight += dispatch_mail(h, db, h->c.max_inflight - inflight, &e);
        err_clear(&e);
        if (inflight < h->c.max_inflight)
            inflight += dispatch(h, db, h->c.max_inflight - inflight, &e);
        err_clear(&e);
        int running;
        curl_multi_perform(h->multi, &running);
        int done = collect(h, db, &e);
        inflight -= done;
        err_clear(&e);
        if (done)
            continue; /* room again: refill before waiting */
        /* Sleep until traffic, a wake-up, or the next look at the outbox. */
        curl_multi_poll(h->multi, NULL, 0, inflight ? 50 : 500, NULL);
    }
    while (h->inflight) { /* leased: sent again after the next start */
        job *j = h->inflight;
        h->inflight = j->next;
        curl_multi_remove_handle(h->multi, j->easy);
        job_free(j);
    }
    store_close(db);
    return NULL;
}

int webhook_start(const webhook_config *c, webhook_engine **out, err *e)
{
    *out = NULL;
    webhook_engine *h = calloc(1, sizeof *h);
    if (!h)
        return err_set(e, ERR_FAIL, "out of memory");
    h->c = *c;
    h->db_path = strdup(c->db_path);
    h->allow = strdup(c->allow ? c->allow : "");
    h->multi = curl_multi_init();
    if (c->plugins_dir) {
        cJSON *problems = NULL;
        plugin_load(c->plugins_dir, c->plugin_settings, NULL, &h->plugins, &problems, e);
        cJSON_Delete(problems);
        err_clear(e);
    }
    if (!h->db_path || !h->allow || !h->multi || pthread_create(&h->thread, NULL, run, h) != 0) {
        if (h->multi)
            curl_multi_cleanup(h->multi);
        plugin_free(h->plugins);
        free(h->db_path);
        free(h->allow);
        free(h);
        return err_set(e, ERR_FAIL, "cannot start the webhook delivery thread");
    }
    *out = h;
    return ERR_OK;
}

void webhook_wake(webhook_engine *h)
{
    if (h && h->multi)
        curl_multi_wakeup(h->multi);
}

void webhook_stop(webhook_engine *h)
{
    if (!h)
        return;
    atomic_store(&h->stop, true);
    curl_multi_wakeup(h->multi);
    pthread_join(h->thread, NULL);
    curl_multi_cleanup(h->multi);
    plugin_free(h->plugins);
    free(h->db_path);
    free(h->allow);
    free(h);
}
