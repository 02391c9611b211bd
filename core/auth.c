/* auth: credentials. Login failures are counted in memory per client address
 * and per account over a window (15 minutes unless configured), in a table that refuses new
 * keys when full rather than forget a count; a hash is always verified, even
 * for an unknown email, so that timing does not tell which emails exist. */
#include "auth.h"

#include "date.h"
#include "text.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#define THROTTLE_SLOTS 512
#define THROTTLE_BUCKETS 1024 /* a power of two */

/* Failures of one key (a client address or an account) in the window that
 * began at first. Slots are numbered from 1: 0 is "none" in the links. */
typedef struct slot {
    char key[160];
    int failures;
    long long first;  /* seconds on the monotonic clock */
    int next;         /* in its bucket's chain, or in the free list */
    int older, newer; /* in the list of used slots, oldest window first */
} slot;

/* The throttle table: slots by a keyed hash of their key, and the used ones
 * in the order their windows began. Windows all last table.window, so the
 * oldest is always the first to end: a slot is reused only once its window
 * has passed, and when every slot is inside its window a new key is refused,
 * never let in by forgetting an old one. Each login costs a hash and a short
 * chain walk, whatever the table holds. */
static struct {
    slot slots[THROTTLE_SLOTS + 1];
    int buckets[THROTTLE_BUCKETS];
    int oldest, newest, free_list;
    bool ready;
    long window; /* seconds, fixed by the first login */
    unsigned char hash_key[crypto_shorthash_KEYBYTES];
} table;
static pthread_mutex_t throttle_lock = PTHREAD_MUTEX_INITIALIZER;

#define TOUCH_SECONDS 60

/* Sessions count in whole seconds of the wall clock. */
static long now_seconds(void)
{
    return (long)(date_now_ms() / 1000);
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

static long long monotonic_seconds(void)
{
    return date_clock_us() / 1000000;
}

/* Call locked, as every function below that touches the table. The key is
 * random so that nobody can choose keys that share a bucket. */
static void table_init(void)
{
    if (table.ready)
        return;
    randombytes_buf(table.hash_key, sizeof table.hash_key);
    for (int i = 1; i <= THROTTLE_SLOTS; i++)
        table.slots[i].next = i < THROTTLE_SLOTS ? i + 1 : 0;
    table.free_list = 1;
    table.ready = true;
}

static int *bucket_of(const char *key)
{
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, (const unsigned char *)key, strlen(key), table.hash_key);
    unsigned b = (unsigned)h[0] | (unsigned)h[1] << 8;
    return &table.buckets[b & (THROTTLE_BUCKETS - 1)];
}

static int slot_find(const char *key)
{
    int i = *bucket_of(key);
    while (i && strcmp(table.slots[i].key, key) != 0)
        i = table.slots[i].next;
    return i;
}

/* Takes slot i out of its chain and of the used list, back to the free list. */
static void slot_free(int i)
{
    slot *s = &table.slots[i];
    int *link = bucket_of(s->key);
    while (*link != i)
        link = &table.slots[*link].next;
    *link = s->next;
    *(s->older ? &table.slots[s->older].newer : &table.oldest) = s->newer;
    *(s->newer ? &table.slots[s->newer].older : &table.newest) = s->older;
    s->key[0] = '\0';
    s->next = table.free_list;
    table.free_list = i;
}

/* Frees the slots whose window has passed: they are the oldest ones. */
static void slots_expire(long long now)
{
    while (table.oldest && now - table.slots[table.oldest].first > table.window)
        slot_free(table.oldest);
}

/* The slot of key, a new one (window starting now) when it has none; 0 when
 * every slot is inside its window. */
static int slot_get(const char *key, long long now)
{
    int i = slot_find(key);
    if (i || !table.free_list)
        return i;
    i = table.free_list;
    slot *s = &table.slots[i];
    table.free_list = s->next;
    snprintf(s->key, sizeof s->key, "%s", key);
    s->failures = 0;
    s->first = now;
    int *head = bucket_of(s->key);
    s->next = *head;
    *head = i;
    s->older = table.newest, s->newer = 0;
    *(table.newest ? &table.slots[table.newest].newer : &table.oldest) = i;
    table.newest = i;
    return i;
}

/* One fewer failure for key (all of them when all), its slot freed at none. */
static void slot_forgive(const char *key, bool all)
{
    int i = slot_find(key);
    if (i && (all || --table.slots[i].failures <= 0))
        slot_free(i);
}

/* Counts an attempt as a failure of both keys before the password is
 * checked, so that concurrent guesses cannot all pass the limit's check
 * first; a right password takes it back (throttle_settle). ERR_TOO_MANY
 * when either key is over its limit, or when the table has no room left. */
static int throttle_enter(const auth_config *cfg, const char *client_key, const char *account_key,
                          const char *what, err *e)
{
    int per_client = cfg->failures_per_client ? cfg->failures_per_client : AUTH_FAILURES_PER_CLIENT;
    int per_account =
        cfg->failures_per_account ? cfg->failures_per_account : AUTH_FAILURES_PER_ACCOUNT;
    long long now = monotonic_seconds();
    pthread_mutex_lock(&throttle_lock);
    table_init();
    if (!table.window)
        table.window = cfg->window_seconds > 0 ? cfg->window_seconds : AUTH_WINDOW_SECONDS;
    long minutes = (table.window + 59) / 60;
    slots_expire(now);
    int c = slot_get(client_key, now), a = c ? slot_get(account_key, now) : 0;
    bool full = !c || !a;
    bool over = !full && (table.slots[c].failures >= per_client ||
                          table.slots[a].failures >= per_account);
    if (!full && !over)
        table.slots[c].failures++, table.slots[a].failures++;
    /* A slot taken for this attempt alone goes back. */
    if (c && !table.slots[c].failures)
        slot_free(c);
    if (a && !table.slots[a].failures)
        slot_free(a);
    pthread_mutex_unlock(&throttle_lock);
    if (full)
        return err_set(e, ERR_TOO_MANY,
                       "too many %s on this server lately; try again in %ld minute%s", what,
                       minutes, minutes > 1 ? "s" : "");
    if (over)
        return err_set(e, ERR_TOO_MANY, "too many %s; try again in %ld minute%s", what, minutes,
                       minutes > 1 ? "s" : "");
    return ERR_OK;
}

/* After a right password: the attempt was no failure, and the account's
 * earlier ones are forgiven. */
static void throttle_settle(const char *client_key, const char *account_key)
{
    pthread_mutex_lock(&throttle_lock);
    slot_forgive(client_key, false);
    slot_forgive(account_key, true);
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

static int open_session(store *s, long long user, long long role_id, const char *kind,
                        const char *name, char *token, char *hash, err *e)
{
    auth_new_token(token, hash);
    return store_session_add(s, hash, user, role_id, kind, name, now_seconds(), e);
}

/* The throttle's keys of a client address and an email (in lower case),
 * each prefixed with what they count ("" for logins). */
static void throttle_keys(const char *what, const char *client, const char *email,
                          char *client_key, char *account_key)
{
    snprintf(client_key, 160, "%sclient:%s", what, client ? client : "?");
    snprintf(account_key, 160, "%saccount:%s", what, email);
    for (char *p = account_key; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
}

int auth_guess(const auth_config *c, const char *email, const char *client, err *e)
{
    char client_key[160], account_key[160];
    throttle_keys("", client, email, client_key, account_key);
    return throttle_enter(c, client_key, account_key, "wrong passwords", e);
}

void auth_guess_right(const char *email, const char *client)
{
    char client_key[160], account_key[160];
    throttle_keys("", client, email, client_key, account_key);
    throttle_settle(client_key, account_key);
}

int auth_throttle_request(const auth_config *c, const char *kind, const char *email,
                          const char *client, err *e)
{
    char client_key[160], account_key[160], prefix[40], what[64];
    snprintf(prefix, sizeof prefix, "%s-", kind);
    snprintf(what, sizeof what, "%s requests", kind);
    throttle_keys(prefix, client, email, client_key, account_key);
    return throttle_enter(c, client_key, account_key, what, e);
}

int auth_login(store *s, const auth_config *c, const char *email, const char *password,
               const char *role, const char *client, auth_actor *who, char *token, err *e)
{
    char client_key[160], account_key[160];
    throttle_keys("", client, email, client_key, account_key);
    if (throttle_enter(c, client_key, account_key, "failed logins", e))
        return e->code;

    char hash[AUTH_PWHASH_LEN] = "";
    err lookup = ERR_INIT;
    int found = store_user_by_email(s, email, role, &who->user, hash, sizeof hash, &lookup);
    if (found != ERR_OK && found != ERR_NOT_FOUND) {
        throttle_settle(client_key, account_key); /* no guess was made */
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
    if (found != ERR_OK || !auth_verify_password(hash, password))
        return err_set(e, ERR_UNAUTHORIZED, "wrong email or password"); /* counted */
    throttle_settle(client_key, account_key);
    /* Said only to whoever knows the password. */
    if (who->user.disabled)
        return err_set(e, ERR_UNAUTHORIZED, "this account is disabled; ask an administrator");
    if (role && strcmp(who->user.role, role) != 0)
        return err_set(e, ERR_INPUT, "$.role: you do not hold the role %.16s%s", role,
                       who->user.pending_role[0] ? " (it awaits a committee member's confirmation)"
                                                 : "");
    who->api = false;
    /* A role named is kept with the session; else it acts in the person's
     * first role, whichever it is at each request. */
    return open_session(s, who->user.id, role ? who->user.role_id : 0, "session", NULL, token,
                        who->token_hash, e);
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

int auth_session_open(store *s, long long user, char *token, char *hash, err *e)
{
    return open_session(s, user, 0, "session", NULL, token, hash, e);
}

int auth_api_token(store *s, long long user, long long role_id, const char *name, char *token,
                   err *e)
{
    char hash[AUTH_HASH_LEN + 1];
    return open_session(s, user, role_id, "api", name, token, hash, e);
}
