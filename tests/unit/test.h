/* test: a minimal harness in the style of libuv's: TEST_IMPL(name) bodies,
 * ASSERT_* macros that print both sides, and a few fixtures. */
#ifndef LABELCOOP_TEST_H
#define LABELCOOP_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "store.h"

#define TEST_IMPL(name)                                                                            \
    int run_test_##name(void);                                                                     \
    int run_test_##name(void)

#define FAIL_AT(...)                                                                               \
    do {                                                                                           \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                            \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        return 1;                                                                                  \
    } while (0)

#define ASSERT(expr)                                                                               \
    do {                                                                                           \
        if (!(expr))                                                                               \
            FAIL_AT("assertion failed: %s", #expr);                                                \
    } while (0)

#define ASSERT_EQ(a, b)                                                                            \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_)                                                                              \
            FAIL_AT("%s == %s: %lld != %lld", #a, #b, a_, b_);                                     \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                                        \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                                     \
            FAIL_AT("%s == %s:\n  \"%s\"\n  \"%s\"", #a, #b, a_ ? a_ : "(null)",                   \
                    b_ ? b_ : "(null)");                                                           \
    } while (0)

#define ASSERT_CONTAINS(hay, needle)                                                               \
    do {                                                                                           \
        const char *h_ = (hay), *n_ = (needle);                                                    \
        if (!h_ || !strstr(h_, n_))                                                                \
            FAIL_AT("%s contains \"%s\":\n  \"%s\"", #hay, n_, h_ ? h_ : "(null)");                \
    } while (0)

/* Fixtures (test_fixtures.c). */
/* A new empty folder under /tmp; caller frees the string (the folder is removed
 * with fixture_rmtree). */
char *fixture_tmpdir(void);
/* Writes dir/rel, creating folders on the way. */
void fixture_write(const char *dir, const char *rel, const char *content);
/* Copies the shipped rules into a new temporary folder. */
char *fixture_copy_rules(void);
void fixture_rmtree(char *dir);
/* dir/t.db, the test's database file; borrowed until the next call. */
const char *fixture_db(const char *dir);
/* Runs sql on the database at path behind labelcoop's back (to leave it as
 * an older or newer labelcoop would have); SQLITE_OK on success. */
int fixture_sql(const char *path, const char *sql);
/* Two connections to one new database in dir, as two threads of a server
 * (or a server and the command line) have; ERR_OK or the store's error. */
int fixture_open_two(const char *dir, store **a, store **b);
/* An organisation (fixture_org_add) or a self-assessment of a new one
 * (fixture_self_assessment) written in s, its id in *id; ERR_OK or the
 * store's error. */
int fixture_org_add(store *s, long long *id);
int fixture_self_assessment(store *s, long long *id);
/* Reads a's version in a snapshot of its own, as a request does. */
void fixture_version_now(store *a, store_version *v);
/* The rules in dir, or NULL with the loader's message in msg. */
rules *fixture_rules_load(const char *dir, char *msg, size_t size);
/* The shipped rules with one more file: another rule set, loaded in *out
 * (ERR_OK), or the loader's error. */
int fixture_rules_other(rules **out);

#endif
