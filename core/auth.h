/* auth: who is calling. Passwords hashed with argon2id, session and API
 * tokens of 256 random bits of which only a hash is stored, session expiry
 * (idle and absolute), CSRF tokens, and throttling of failed logins.
 * Uses libsodium and store. */
#ifndef LABELCOOP_AUTH_H
#define LABELCOOP_AUTH_H

#include <stdbool.h>

#include "err.h"
#include "store.h"

#define AUTH_TOKEN_LEN 43 /* base64url of 32 bytes, no padding */
#define AUTH_HASH_LEN 64  /* hex SHA-256 */
#define AUTH_PWHASH_LEN 128

typedef struct auth_config {
    long idle_seconds;     /* a session unused this long expires (default 30 min) */
    long lifetime_seconds; /* and none lives longer than this (default 12 h) */
    /* Login throttling; 0 for each default: 20 failures from one client
     * address, 5 on one account, within a window of 15 minutes. The window
     * is the process's: the first login fixes it. */
    int failures_per_client, failures_per_account;
    long window_seconds;
} auth_config;

#define AUTH_FAILURES_PER_CLIENT 20
#define AUTH_FAILURES_PER_ACCOUNT 5
#define AUTH_WINDOW_SECONDS (15 * 60)

/* The caller of a request, once authenticated. */
typedef struct auth_actor {
    store_user user;
    char token_hash[AUTH_HASH_LEN + 1];
    bool api; /* an API token (no cookie, no CSRF check) */
} auth_actor;

/* argon2id hash of password into out[AUTH_PWHASH_LEN]. */
int auth_hash_password(const char *password, char *out, err *e);
/* Checks a password against a stored hash. */
bool auth_verify_password(const char *hash, const char *password);
/* A new random token and the hash to store. */
void auth_new_token(char *token, char *hash);
void auth_token_hash(const char *token, char *hash);
/* The CSRF token that goes with a session token, out[AUTH_HASH_LEN + 1]. */
void auth_csrf_token(const char *token, char *out);

/* Checks email and password and opens a session acting in role (NULL: the
 * person's first role; ERR_INPUT at $.role when they do not hold it, said
 * only once the password is right); token gets the new token.
 * client (the peer address) and the email are throttled after failures;
 * ERR_TOO_MANY then, and also while the table of failures is full (512
 * addresses and emails with failures in the last window).
 * ERR_UNAUTHORIZED with the same message whether or not the email exists. */
int auth_login(store *s, const auth_config *c, const char *email, const char *password,
               const char *role, const char *client, auth_actor *who, char *token, err *e);
/* Sessions one thread resolved lately, each trusted again only while the
 * database's settings are at the version they were read at (a logout, a
 * revocation or a password change moves them, so it ends the trust; an
 * answer written does not) and while it is not due to expire or to be
 * touched. */
#define AUTH_MEMO_SIZE 8
typedef struct auth_memo {
    struct {
        auth_actor who;
        long long created, last_seen;
        store_version v;
        bool used;
    } entries[AUTH_MEMO_SIZE];
    unsigned next;
} auth_memo;

/* A guess at email's password made from client (changing one's password
 * names the current one), counted by the login throttle with the logins'
 * keys before the password is checked: ERR_TOO_MANY when over; a right
 * guess is taken back with auth_guess_right. */
int auth_guess(const auth_config *c, const char *email, const char *client, err *e);
void auth_guess_right(const char *email, const char *client);
/* A request of kind ("password reset") for email from client, counted by
 * the login throttle (its limits and window) under keys of its own and never
 * taken back, whether the email has an account or not: ERR_TOO_MANY when
 * over. */
int auth_throttle_request(const auth_config *c, const char *kind, const char *email,
                          const char *client, err *e);
/* A browser session for user, as a login opens (inside the caller's write
 * when there is one); token[AUTH_TOKEN_LEN + 1] gets it, hash its hash. */
int auth_session_open(store *s, long long user, char *token, char *hash, err *e);

/* Resolves a token into the actor, through memo, with v the database's
 * version now; ERR_UNAUTHORIZED when unknown or expired. */
int auth_resolve_memo(store *s, const auth_config *c, auth_memo *memo, const store_version *v,
                      const char *token, auth_actor *who, err *e);
/* The memo's answer alone, with no database read: false when it has none
 * it may trust at v (then resolve through auth_resolve_memo). */
bool auth_memo_find(const auth_config *c, const auth_memo *memo, const store_version *v,
                    const char *token, auth_actor *who);
int auth_logout(store *s, const char *token, err *e);
/* Creates an API token acting as user in the role row role_id (it ends
 * with the role); token gets it (shown once). */
int auth_api_token(store *s, long long user, long long role_id, const char *name, char *token,
                   err *e);

#endif
