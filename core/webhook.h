/* webhook: webhook delivery. One thread reads the outbox, signs each delivery
 * as Standard Webhooks says (HMAC-SHA256 with libsodium), sends many at once
 * with libcurl's multi interface, records every attempt, and schedules
 * retries; it also runs the scheduler's tick. Uses store, events, libcurl. */
#ifndef LABELCOOP_WEBHOOK_H
#define LABELCOOP_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "err.h"
#include "events.h"
#include "mail.h"

#define WEBHOOK_MAX_RETRIES 8

typedef struct webhook_config {
    const char *db_path;
    const char *allow; /* comma-separated CIDRs or host names private addresses need */
    int max_inflight;  /* deliveries in flight at once (default 64) */
    long long delays_ms[WEBHOOK_MAX_RETRIES]; /* before each attempt; 0s, 5s, 5min, 30min, 2h, 5h, 10h,
                                              10h */
    int n_delays;
    int tick_seconds; /* scheduler period (default 60); 0: no scheduler */
    events_config events;
    const char *backup_dir;  /* the daily copy, taken at the tick; NULL: none */
    int backup_keep;
    const char *documents; /* the documents folder, copied with the database */
    const char *plugins_dir; /* on_event and webhook_payload hooks; NULL: none */
    const char *plugin_settings;
    const mail_config *mail; /* pending e-mail is sent with it; NULL: it waits */
    long long mail_delays_ms[WEBHOOK_MAX_RETRIES]; /* before each e-mail attempt after the first */
    int n_mail_delays;
} webhook_config;

/* The defaults above, for db_path. */
void webhook_defaults(webhook_config *c, const char *db_path);

typedef struct webhook_engine webhook_engine;

int webhook_start(const webhook_config *c, webhook_engine **out, err *e);
/* Says new events were committed, so the thread looks now. Thread-safe. */
void webhook_wake(webhook_engine *h);
/* Stops the thread; deliveries in flight are sent again after a restart. */
void webhook_stop(webhook_engine *h);

/* A new secret: "whsec_" and the base64 of WEBHOOK_SECRET_BYTES random bytes; out[64]. */
#define WEBHOOK_SECRET_BYTES 24
void webhook_new_secret(char *out);
/* A secret given by an admin: "whsec_" then the base64 of WEBHOOK_SECRET_BYTES
 * to 128 bytes (a short key is guessed offline from one signed delivery).
 * ERR_INPUT at $.secret otherwise. */
int webhook_check_secret(const char *secret, err *e);
/* Appends "v1,<base64 HMAC-SHA256 of id.timestamp.body>" for secret to out;
 * -1 when the secret is not "whsec_<base64>". */
int webhook_sign(const char *secret, const char *id, const char *timestamp, const char *body,
              char *out, size_t size);
/* http(s) URL check: ERR_INPUT naming the problem otherwise. */
int webhook_check_url(const char *url, err *e);
/* Whether a connection to addr may be made under the allowlist. */
bool webhook_address_allowed(const struct sockaddr *addr, const char *allow);
/* Parses "0,5,300" (seconds) into delays; -1 when malformed. */
int webhook_parse_delays(const char *text, webhook_config *c);
/* The same for e-mail retries (--mail-retry). */
int webhook_parse_mail_delays(const char *text, webhook_config *c);

#endif
