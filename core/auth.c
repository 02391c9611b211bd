/* auth: credentials. Login failures are counted in memory per client address
 * and per account over a sliding window; a hash is always verified, even for
 * an unknown email, so that timing does not tell which emails exist. */
#include "auth.h"

#include "text.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#define WINDOW_SECONDS (15 * 60)
#define MAX_PER_CLIENT 20
#define MAX_PER_ACCOUNT 5
#define THROTTLE_SLOTS 512

typedef struct slot {
    char key[160];
    int failures;
    time_t first;
} slot;

static slot throttle[THROTTLE_SLOTS];
static pthread_mutex_t throttle_lock = PTHREAD_MUTEX_INITIALIZER;

#define TOUCH_SECONDS 60

static long now_seconds(void)
{
    return (long)time(NULL);
}

int auth_hash_password(const char *password, char *out, err *e)
{
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return err_set(e, ERR_FAIL, "cannot hash the password (out of memory)");
    return ERR_OK;
}

bool auth_verify_password(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void auth_token_hash(const char *token, char *hash)
{
    text_sha256_hex(token, hash);
}

void auth_new_token(char *token, char *hash)
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, AUTH_TOKEN_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    auth_token_hash(token, hash);
}

void auth_csrf_token(const char *token, char *out)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)"labelcoop-csrf:", 15);
    crypto_hash_sha256_update(&st, (const unsigned char *)token, strlen(token));
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, AUTH_HASH_LEN + 1, h, sizeof h);
}

/* The slot for key, reset when its window has passed; call locked. A new
 * key takes a free slot, or else the one whose window started first. */
static slot *find_slot(const char *key, time_t now, bool create)
{
    slot *victim = NULL;
    for (int i = 0; i < THROTTLE_SLOTS; i++) {
        slot *s = &throttle[i];
        if (s->key[0] && strcmp(s->key, key) == 0) {
            if (now - s->first > WINDOW_SECONDS)
                s->failures = 0, s->first = now;
            return s;
        }
        if (!victim || (victim->key[0] && (!s->key[0] || s->first < victim->first)))
            victim = s;
    }
    if (!create)
        return NULL;
    snprintf(victim->key, sizeof victim->key, "%s", key);
    victim->failures = 0;
    victim->first = now;
    return victim;
}

static bool throttled(const char *key, int max, time_t now)
{
    pthread_mutex_lock(&throttle_lock);
    slot *s = find_slot(key, now, false);
    bool over = s && s->failures >= max && now - s->first <= WINDOW_SECONDS;
    pthread_mutex_unlock(&throttle_lock);
    return over;
}

static void record(const char *key, time_t now, bool failed)
{
    pthread_mutex_lock(&throttle_lock);
    slot *s = find_slot(key, now, failed);
    if (s) {
        if (failed)
            s->failures++;
        else
            s->failures = 0;
    }
    pthread_mutex_unlock(&throttle_lock);
}

/* A valid hash of a password nobody has, for unknown emails. */
static char dummy_hash[AUTH_PWHASH_LEN];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void make_dummy(void)
{
    char pw[33];
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(pw, sizeof pw, raw, sizeof raw);
    if (auth_hash_password(pw, dummy_hash, NULL) != ERR_OK)
        dummy_hash[0] = '\0';
}

static int open_session(store *s, long long user, const char *kind, const char *name, char *token,
                        char *hash, err *e)
{
    auth_new_token(token, hash);
    return store_session_add(s, hash, user, kind, name, now_seconds(), e);
}

int auth_login(store *s, const auth_config *c, const char *email, const char *password,
               const char *client, auth_actor *who, char *token, err *e)
{
    (void)c;
    time_t now = time(NULL);
    char client_key[160], account_key[160];
    snprintf(client_key, sizeof client_key, "client:%s", client ? client : "?");
    snprintf(account_key, sizeof account_key, "account:%s", email);
    for (char *p = account_key; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    if (throttled(client_key, MAX_PER_CLIENT, now) || throttled(account_key, MAX_PER_ACCOUNT, now))
        return err_set(e, ERR_TOO_MANY, "too many failed logins; try again in 15 minutes");

    char hash[AUTH_PWHASH_LEN] = "";
    err lookup = ERR_INIT;
    int found = store_user_by_email(s, email, &who->user, hash, sizeof hash, &lookup);
    if (found != ERR_OK && found != ERR_NOT_FOUND) {
        *e = lookup;
        return e->code;
    }
    err_clear(&lookup);
    /* The password check takes tens of milliseconds: no read transaction
     * stays open over it (one would hold the WAL back from a checkpoint). */
    store_snapshot_end(s);
    if (found != ERR_OK) {
        pthread_once(&dummy_once, make_dummy);
        auth_verify_password(dummy_hash, password);
    }
    if (found != ERR_OK || !auth_verify_password(hash, password)) {
        record(client_key, now, true);
        record(account_key, now, true);
        return err_set(e, ERR_UNAUTHORIZED, "wrong email or password");
    }
    /* Said only to whoever knows the password. */
    if (who->user.disabled)
        return err_set(e, ERR_UNAUTHORIZED, "this account is disabled; ask an administrator");
    record(account_key, now, false);
    who->api = false;
    return open_session(s, who->user.id, "session", NULL, token, who->token_hash, e);
}

/* Looks up the session whose token hashes to who->token_hash; *created and
 * *last_seen are its times as stored (last_seen before any touch this call
 * makes). */
static int resolve(store *s, const auth_config *c, auth_actor *who, long long *created,
                   long long *last_seen, err *e)
{
    char kind[8];
    int rc = store_session_get(s, who->token_hash, &who->user, kind, created, last_seen, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_UNAUTHORIZED, "unknown or revoked session; log in again");
    if (rc != ERR_OK)
        return rc;
    if (who->user.disabled) /* its sessions went with the change; a guard all the same */
        return err_set(e, ERR_UNAUTHORIZED, "this account is disabled; ask an administrator");
    who->api = strcmp(kind, "api") == 0;
    long now = now_seconds();
    /* An API token does not expire (it is revoked); its last use is kept
     * all the same, for the list an administrator reviews. */
    if (!who->api && (now - *last_seen > c->idle_seconds || now - *created > c->lifetime_seconds)) {
        err ignored = ERR_INIT;
        store_session_delete(s, who->token_hash, &ignored);
        err_clear(&ignored);
        return err_set(e, ERR_UNAUTHORIZED, "session expired; log in again");
    }
    /* Writing on every request would serialise readers behind the write lock. */
    if (now - *last_seen < TOUCH_SECONDS)
        return ERR_OK;
    /* The touch only extends the idle time: when the database cannot be
     * written (a full disk, a read-only file), reads go on without it. */
    int touched = store_session_touch(s, who->token_hash, now, e);
    if (touched == ERR_UNAVAILABLE) {
        err_clear(e);
        return ERR_OK;
    }
    return touched;
}

bool auth_memo_find(const auth_config *c, const auth_memo *memo, const store_version *v,
                    const char *token, auth_actor *who)
{
    if (!token || strlen(token) != AUTH_TOKEN_LEN)
        return false;
    auth_token_hash(token, who->token_hash);
    long now = now_seconds();
    for (int i = 0; i < AUTH_MEMO_SIZE; i++) {
        const auth_actor *m = &memo->entries[i].who;
        long long created = memo->entries[i].created, seen = memo->entries[i].last_seen;
        if (!memo->entries[i].used || strcmp(m->token_hash, who->token_hash) != 0 ||
            !store_settings_same(&memo->entries[i].v, v))
            continue;
        /* A session near a touch or an expiry goes the whole way. */
        if (now - seen >= TOUCH_SECONDS || (!m->api && now - created > c->lifetime_seconds))
            return false;
        *who = *m;
        return true;
    }
    return false;
}

int auth_resolve_memo(store *s, const auth_config *c, auth_memo *memo, const store_version *v,
                      const char *token, auth_actor *who, err *e)
{
    if (!token || strlen(token) != AUTH_TOKEN_LEN)
        return err_set(e, ERR_UNAUTHORIZED, "missing or malformed credentials");
    if (auth_memo_find(c, memo, v, token, who)) /* else who->token_hash is set for resolve */
        return ERR_OK;
    long long created = 0, last_seen = 0;
    int rc = resolve(s, c, who, &created, &last_seen, e);
    if (rc == ERR_OK) {
        unsigned k = memo->next++ % AUTH_MEMO_SIZE;
        memo->entries[k].who = *who;
        memo->entries[k].created = created;
        memo->entries[k].last_seen = last_seen;
        memo->entries[k].v = *v;
        memo->entries[k].used = true;
    }
    return rc;
}

int auth_logout(store *s, const char *token, err *e)
{
    char hash[AUTH_HASH_LEN + 1];
    auth_token_hash(token, hash);
    return store_session_delete(s, hash, e);
}

int auth_api_token(store *s, long long user, const char *name, char *token, err *e)
{
    char hash[AUTH_HASH_LEN + 1];
    return open_session(s, user, "api", name, token, hash, e);
}
