/* A real webhook receiver for the tests: listens on loopback, checks every
 * Standard Webhooks signature with the shared secret, appends one JSON line
 * per request to a log (with when it came, received_at: seconds on the
 * monotonic clock), and answers the statuses a test scripts.
 *   webhook_receiver --secret whsec_... --log FILE [--listen 127.0.0.1:0]
 *                    [--statuses 500,200] [--retry-after SECONDS]
 * It prints "listening on http://127.0.0.1:PORT" once ready. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

static const char *secret, *log_path, *retry_after;
static int statuses[64], n_statuses, served;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct body {
    char *data;
    size_t len;
} body;

/* True when one of the "v1,<b64>" signatures in header matches. */
static int verified(const char *id, const char *ts, const char *payload, const char *header)
{
    unsigned char key[128], mac[crypto_auth_hmacsha256_BYTES];
    size_t key_len;
    if (!id || !ts || !header || strncmp(secret, "whsec_", 6) != 0 ||
        sodium_base642bin(key, sizeof key, secret + 6, strlen(secret + 6), NULL, &key_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return 0;
    size_t n = strlen(id) + strlen(ts) + strlen(payload) + 3;
    char *msg = malloc(n);
    snprintf(msg, n, "%s.%s.%s", id, ts, payload);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, key_len);
    crypto_auth_hmacsha256_update(&st, (unsigned char *)msg, strlen(msg));
    crypto_auth_hmacsha256_final(&st, mac);
    free(msg);
    char expected[64];
    sodium_bin2base64(expected, sizeof expected, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", header);
    for (char *tok = strtok(copy, " "); tok; tok = strtok(NULL, " "))
        if (strncmp(tok, "v1,", 3) == 0 && strcmp(tok + 3, expected) == 0)
            return 1;
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **state)
{
    (void)cls, (void)url, (void)version;
    body *b = *state;
    if (!b) {
        *state = calloc(1, sizeof *b);
        return MHD_YES;
    }
    if (*size) {
        b->data = realloc(b->data, b->len + *size + 1);
        memcpy(b->data + b->len, data, *size);
        b->len += *size;
        b->data[b->len] = '\0';
        *size = 0;
        return MHD_YES;
    }
    const char *payload = b->data ? b->data : "";
    const char *id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-id");
    const char *ts = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-timestamp");
    const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-signature");
    pthread_mutex_lock(&lock);
    int status = n_statuses ? statuses[served < n_statuses ? served : n_statuses - 1] : 200;
    served++;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    cJSON *line = cJSON_CreateObject();
    cJSON_AddStringToObject(line, "method", method);
    cJSON_AddNumberToObject(line, "received_at", (double)now.tv_sec + now.tv_nsec / 1e9);
    cJSON_AddStringToObject(line, "id", id ? id : "");
    cJSON_AddStringToObject(line, "timestamp", ts ? ts : "");
    cJSON_AddBoolToObject(line, "verified", verified(id, ts, payload, sig));
    cJSON_AddNumberToObject(line, "status", status);
    cJSON *parsed = cJSON_Parse(payload);
    cJSON_AddItemToObject(line, "body", parsed ? parsed : cJSON_CreateString(payload));
    char *text = cJSON_PrintUnformatted(line);
    FILE *f = fopen(log_path, "a");
    if (f) {
        fprintf(f, "%s\n", text);
        fclose(f);
    }
    free(text);
    cJSON_Delete(line);
    pthread_mutex_unlock(&lock);
    static char reply[] = "{\"received\":true}";
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(reply), reply, MHD_RESPMEM_PERSISTENT);
    if (retry_after && status >= 400)
        MHD_add_response_header(r, "Retry-After", retry_after);
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ok;
}

static void on_done(void *cls, struct MHD_Connection *c, void **state,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    body *b = *state;
    if (b) {
        free(b->data);
        free(b);
    }
}

int main(int argc, char **argv)
{
    const char *listen = "127.0.0.1:0";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--secret"))
            secret = argv[i + 1];
        else if (!strcmp(argv[i], "--log"))
            log_path = argv[i + 1];
        else if (!strcmp(argv[i], "--listen"))
            listen = argv[i + 1];
        else if (!strcmp(argv[i], "--retry-after"))
            retry_after = argv[i + 1];
        else if (!strcmp(argv[i], "--statuses")) {
            char *copy = strdup(argv[i + 1]);
            for (char *t = strtok(copy, ","); t && n_statuses < 64; t = strtok(NULL, ","))
                statuses[n_statuses++] = atoi(t);
            free(copy);
        }
    }
    if (!secret || !log_path || sodium_init() < 0) {
        fprintf(stderr, "usage: webhook_receiver --secret whsec_... --log FILE [--listen A:P] "
                        "[--statuses 500,200] [--retry-after S]\n");
        return 2;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET};
    const char *colon = strrchr(listen, ':');
    char host[64];
    snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
    inet_pton(AF_INET, host, &sa.sin_addr);
    sa.sin_port = htons((uint16_t)atoi(colon + 1));
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
        on_request, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, 2u,
        MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
    if (!d)
        return 1;
    printf("listening on http://%s:%d\n", host,
           MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
    fflush(stdout);
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    int sig;
    sigwait(&sigs, &sig);
    MHD_stop_daemon(d);
    return 0;
}
