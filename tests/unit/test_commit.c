/* Unit tests of the group commit, on a real database file written by
 * several threads at once. */
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "commit.h"
#include "store.h"
#include "test.h"

#define THREADS 8
#define WRITES 60

typedef struct writer {
    commit_group *g;
    int n;
    int wrong; /* writes whose outcome was not the expected one */
} writer;

typedef struct write_arg {
    long long id;
    bool refuse; /* writes its row, then fails: the row must go */
} write_arg;

static int journal_write(store *db, void *ctx, err *e)
{
    const write_arg *w = ctx;
    int rc = store_journal(db, 0, "test.write", "x", w->id, NULL, NULL, e);
    if (rc == ERR_OK && w->refuse)
        rc = err_set(e, ERR_INPUT, "write %lld refused", w->id);
    return rc;
}

static void *write_many(void *ud)
{
    writer *t = ud;
    for (int i = 0; i < WRITES; i++) {
        write_arg w = {(long long)t->n * 1000 + i, i % 10 == 3};
        err e = ERR_INIT;
        char want[64];
        snprintf(want, sizeof want, "write %lld refused", w.id);
        int rc = commit_run(t->g, journal_write, &w, &e);
        if (w.refuse ? rc != ERR_INPUT || strcmp(err_msg(&e), want) != 0 : rc != ERR_OK)
            t->wrong++;
        err_clear(&e);
    }
    return NULL;
}

/* A store and a group commit on one new database in dir. */
static int open_group(const char *dir, store **s, commit_group **g)
{
    err e = ERR_INIT;
    int rc = store_open(fixture_db(dir), s, &e);
    if (rc == ERR_OK && (rc = commit_open(fixture_db(dir), g, &e)) != ERR_OK)
        store_close(*s);
    err_clear(&e);
    return rc;
}

/* Whether the journal holds rows rows, its hash chain whole. */
static bool journal_holds(store *s, long long rows)
{
    err e = ERR_INIT;
    long long n = -1, checked = -1, bad = -1;
    bool ok = store_journal_count(s, &n, &e) == ERR_OK &&
              store_journal_verify(s, &checked, &bad, &e) == ERR_OK && n == rows && bad == 0;
    err_clear(&e);
    return ok;
}

TEST_IMPL(commit_group_batches_and_isolates)
{
    char *dir = fixture_tmpdir();
    store *s;
    commit_group *g;
    ASSERT_EQ(open_group(dir, &s, &g), ERR_OK);
    pthread_t th[THREADS];
    writer w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (writer){g, i, 0};
        ASSERT_EQ(pthread_create(&th[i], NULL, write_many, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        ASSERT_EQ(w[i].wrong, 0);
    }
    commit_close(g);
    /* Every accepted write is there, no refused one, and the chain holds. */
    ASSERT(journal_holds(s, THREADS * (WRITES - WRITES / 10)));
    store_close(s);
    fixture_rmtree(dir);
    return 0;
}

/* Submitted writes: their callers go on at once, and each is told once,
 * from the group's thread, with its own outcome. */
typedef struct told {
    pthread_mutex_t mu;
    int calls, wrong;
    write_arg args[2 * WRITES];
} told;

typedef struct submitted {
    told *t;
    write_arg *w;
} submitted;

static void tell(void *ctx, int rc, err *e)
{
    submitted *s = ctx;
    char want[64];
    snprintf(want, sizeof want, "write %lld refused", s->w->id);
    bool ok = s->w->refuse ? rc == ERR_INPUT && strcmp(err_msg(e), want) == 0 : rc == ERR_OK;
    pthread_mutex_lock(&s->t->mu);
    s->t->calls++;
    s->t->wrong += !ok;
    pthread_mutex_unlock(&s->t->mu);
    free(s);
}

static int journal_submitted(store *db, void *ctx, err *e)
{
    return journal_write(db, ((submitted *)ctx)->w, e);
}

static int submit(commit_group *g, told *t, int i)
{
    submitted *s = malloc(sizeof *s);
    if (!s)
        return ERR_FAIL;
    t->args[i] = (write_arg){i, i % 10 == 3};
    *s = (submitted){t, &t->args[i]};
    err e = ERR_INIT;
    int rc = commit_submit(g, journal_submitted, tell, s, &e);
    err_clear(&e);
    if (rc != ERR_OK)
        free(s);
    return rc;
}

TEST_IMPL(commit_group_submits_and_tells)
{
    char *dir = fixture_tmpdir();
    store *s;
    commit_group *g;
    ASSERT_EQ(open_group(dir, &s, &g), ERR_OK);
    told *t = calloc(1, sizeof *t);
    ASSERT(t != NULL);
    pthread_mutex_init(&t->mu, NULL);
    /* Submitted beside writes that wait, from other threads. */
    pthread_t th[2];
    writer w[2] = {{g, 1, 0}, {g, 2, 0}};
    for (int i = 0; i < 2; i++)
        ASSERT_EQ(pthread_create(&th[i], NULL, write_many, &w[i]), 0);
    for (int i = 0; i < WRITES; i++)
        ASSERT_EQ(submit(g, t, i), ERR_OK);
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        ASSERT_EQ(w[i].wrong, 0);
    }
    for (int i = 0; i < 200; i++) { /* 10 s at most */
        pthread_mutex_lock(&t->mu);
        int calls = t->calls;
        pthread_mutex_unlock(&t->mu);
        if (calls == WRITES)
            break;
        struct timespec nap = {0, 50 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    ASSERT_EQ(t->calls, WRITES);
    /* Closing applies what is queued, and tells each before it returns. */
    for (int i = WRITES; i < 2 * WRITES; i++)
        ASSERT_EQ(submit(g, t, i), ERR_OK);
    commit_close(g);
    ASSERT_EQ(t->calls, 2 * WRITES);
    ASSERT_EQ(t->wrong, 0);
    ASSERT(journal_holds(s, 4 * (WRITES - WRITES / 10)));
    pthread_mutex_destroy(&t->mu);
    free(t);
    store_close(s);
    fixture_rmtree(dir);
    return 0;
}

/* A journal row with a before image of 3 KiB: each commit writes a page of
 * its own to the WAL, at least. */
static int big_write(store *db, void *ctx, err *e)
{
    cJSON *before = ctx;
    return store_journal(db, 0, "test.big", "x", 1, before, NULL, e);
}

/* Reads, without taking part, how far the WAL goes and how much of it a
 * checkpoint has copied back: mxFrame and nBackfill in SQLite's wal-index
 * (the -shm file; its layout is documented in SQLite's walformat.html:
 * native-endian, mxFrame at byte 16 of the header, nBackfill at 96). */
static int wal_progress(const char *db, unsigned *frames, unsigned *copied)
{
    char shm[4096];
    snprintf(shm, sizeof shm, "%s-shm", db);
    FILE *f = fopen(shm, "rb");
    if (!f)
        return -1;
    unsigned char hdr[100];
    size_t n = fread(hdr, 1, sizeof hdr, f);
    fclose(f);
    if (n != sizeof hdr)
        return -1;
    memcpy(frames, hdr + 16, sizeof *frames);
    memcpy(copied, hdr + 96, sizeof *copied);
    return 0;
}

/* The WAL size, in frames, past which the test's writer waits for the
 * checkpointer: four times the 1,000 pages that make a checkpoint due. */
enum { WAL_PATIENCE = 4000 };

/* Called between two commits: when the WAL has grown past WAL_PATIENCE,
 * the checkpointer has not had its turn (a loaded machine may not schedule
 * it while the writes go by flat out), so the writer waits, up to a
 * minute, for it to copy the WAL back. Returns 1 if it waited, 0 if it
 * had no need, -1 if the checkpointer never copied anything. */
static int wal_wait_for_checkpointer(const char *db)
{
    unsigned frames, copied;
    if (wal_progress(db, &frames, &copied) != 0 || frames <= WAL_PATIENCE)
        return 0;
    for (int ms = 0; ms < 60000; ms++) {
        if (wal_progress(db, &frames, &copied) == 0 && copied >= frames)
            return 1;
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    return -1;
}

TEST_IMPL(commit_group_checkpoints_beside_writes)
{
    enum { COMMITS = 8000 };
    char *dir = fixture_tmpdir();
    const char *path = fixture_db(dir);
    commit_group *g;
    store *s; /* open throughout: the last connection to close removes the WAL */
    err e = ERR_INIT;
    ASSERT_EQ(store_open(path, &s, &e), ERR_OK);
    ASSERT_EQ(commit_open(path, &g, &e), ERR_OK);
    char pad[3073];
    memset(pad, 'x', sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    cJSON *before = cJSON_CreateObject();
    cJSON_AddStringToObject(before, "pad", pad);
    int waits = 0;
    for (int i = 0; i < COMMITS; i++) {
        ASSERT_EQ(commit_run(g, big_write, before, &e), ERR_OK);
        int w = wal_wait_for_checkpointer(path);
        ASSERT(w >= 0); /* else nothing ever checkpointed the WAL */
        waits += w;
    }
    cJSON_Delete(before);
    commit_close(g);
    /* The writer does not checkpoint: the checkpointer does, and the WAL
     * starts over. Without it the WAL would hold every page written, three
     * or so a commit (100 MB), since SQLite's inline checkpoints are off on
     * the writer; with it, the WAL peaks at 1,000 pages plus what the
     * writes add while a checkpoint runs (10 to 20 MB here, flat out). The
     * waits above make that bound hold however the threads are scheduled:
     * the writer never runs more than WAL_PATIENCE frames ahead. */
    char wal[4096];
    snprintf(wal, sizeof wal, "%s-wal", path);
    struct stat st;
    ASSERT_EQ(stat(wal, &st), 0);
    fprintf(stderr, "wal %lld, %d waits for the checkpointer\n", (long long)st.st_size, waits);
    ASSERT(st.st_size < (off_t)COMMITS * 4096);
    long long rows, bad;
    ASSERT_EQ(store_journal_verify(s, &rows, &bad, &e), ERR_OK);
    ASSERT_EQ(rows, COMMITS);
    ASSERT_EQ(bad, 0);
    store_close(s);
    fixture_rmtree(dir);
    return 0;
}
