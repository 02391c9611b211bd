/* Unit tests of ruleset: rule sets stored, checked and activated (the
 * activation, a domain write, through service_rules). */
#include <sqlite3.h>

#include "ruleset.h"
#include "service.h"
#include "store.h"
#include "test.h"

TEST_IMPL(ruleset_store_and_tamper)
{
    char *dir = fixture_tmpdir();
    const char *path = fixture_db(dir);
    store *db;
    err e = ERR_INIT;
    bool activated;
    ASSERT_EQ(store_open(path, &db, &e), ERR_OK);
    service svc = {.db = db};
    ASSERT_EQ(service_ruleset_bootstrap(&svc, RULES_DIR, NULL, &activated, &e), ERR_OK);
    ASSERT(activated);
    ASSERT_EQ(service_ruleset_bootstrap(&svc, RULES_DIR, NULL, &activated, &e), ERR_OK);
    ASSERT(!activated); /* only a database that never had rules */
    ruleset_cache *cache = ruleset_cache_new(NULL);
    rules *r;
    ASSERT_EQ(ruleset_active(cache, db, NULL, &r, &e), ERR_OK);
    ASSERT_EQ(rules_criterion_count(r), 117);
    char hash[65];
    snprintf(hash, sizeof hash, "%s", rules_hash(r));
    /* At a version, the active rule set is looked up again only once the
     * version moves: an activation is a commit, so it always does. */
    store_version v, v2;
    ASSERT_EQ(store_version_get(db, &v, &e), ERR_OK);
    ASSERT_EQ(ruleset_active(cache, db, &v, &r, &e), ERR_OK);
    ASSERT_STR_EQ(rules_hash(r), hash);
    rules *next;
    long long activation;
    ASSERT_EQ(fixture_rules_other(&next), ERR_OK);
    ASSERT_EQ(service_ruleset_activate_loaded(&svc, next, NULL, "test", &activation, &e), ERR_OK);
    char next_hash[65];
    snprintf(next_hash, sizeof next_hash, "%s", rules_hash(next));
    rules_free(next);
    ASSERT_EQ(store_version_get(db, &v2, &e), ERR_OK);
    ASSERT(!store_version_same(&v, &v2));
    ASSERT_EQ(ruleset_active(cache, db, &v, &r, &e), ERR_OK);
    ASSERT_STR_EQ(rules_hash(r), hash); /* the same version: the same answer */
    ASSERT_EQ(ruleset_active(cache, db, &v2, &r, &e), ERR_OK);
    ASSERT_STR_EQ(rules_hash(r), next_hash);
    ruleset_cache_free(cache);
    /* A stored file changed behind labelcoop's back no longer matches its hash. */
    ASSERT_EQ(fixture_sql(path, "DROP TRIGGER ruleset_files_frozen;"
                                "UPDATE ruleset_files SET content = content || ' '"
                                " WHERE path = 'award.lua'"),
              SQLITE_OK);
    cache = ruleset_cache_new(NULL);
    ASSERT_EQ(ruleset_get(cache, db, hash, &r, &e), ERR_RULES);
    ASSERT_CONTAINS(err_msg(&e), "tampered");
    ASSERT_EQ(ruleset_get(cache, db, "0000", &r, &e), ERR_NOT_FOUND);
    ruleset_cache_free(cache);
    store_close(db);
    err_clear(&e);
    fixture_rmtree(dir);
    return 0;
}

/* Files stored under a hash that they do not hash to are never activated:
 * the check reads back, inside the activation's transaction, what the
 * database then holds under the hash. A rule set whose stored files were
 * changed (here: one more file under its hash) is refused, and the active
 * rule set stays; a failure to load is said once per version, with the way
 * back, and the previous activation is found. */
TEST_IMPL(ruleset_activate_checks_what_is_stored)
{
    char *dir = fixture_tmpdir();
    const char *path = fixture_db(dir);
    store *db;
    err e = ERR_INIT;
    bool activated;
    long long id;
    ASSERT_EQ(store_open(path, &db, &e), ERR_OK);
    service svc = {.db = db};
    ASSERT_EQ(service_ruleset_bootstrap(&svc, RULES_DIR, NULL, &activated, &e), ERR_OK);
    rules *next;
    ASSERT_EQ(fixture_rules_other(&next), ERR_OK);
    ASSERT_EQ(service_ruleset_activate_loaded(&svc, next, NULL, "second", &id, &e), ERR_OK);
    char first[65], previous[65];
    ASSERT_EQ(service_ruleset_previous(&svc, first, &e), ERR_OK);
    ASSERT(strcmp(first, rules_hash(next)) != 0);
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO ruleset_files (hash, path, content) VALUES ('%s', 'zz.lua', 'x')",
             rules_hash(next));
    ASSERT_EQ(fixture_sql(path, sql), SQLITE_OK);
    /* The active rule set no longer loads: said with the way back. */
    ruleset_cache *cache = ruleset_cache_new(NULL);
    store_version v;
    rules *r;
    ASSERT_EQ(store_version_get(db, &v, &e), ERR_OK);
    ASSERT_EQ(ruleset_active(cache, db, &v, &r, &e), ERR_RULES);
    ASSERT_CONTAINS(err_msg(&e), "tampered");
    ASSERT_CONTAINS(err_msg(&e), "labelcoop rules rollback");
    ASSERT_EQ(ruleset_active(cache, db, &v, &r, &e), ERR_RULES);
    ASSERT_CONTAINS(err_msg(&e), "does not load");
    ASSERT_EQ(ruleset_last_good(cache, db, &r, &e), ERR_OK);
    ASSERT_STR_EQ(rules_hash(r), first);
    /* Activating it again, with the right files in hand, is refused. */
    ASSERT_EQ(service_ruleset_activate_loaded(&svc, next, NULL, "again", &id, &e), ERR_CONFLICT);
    ASSERT_CONTAINS(err_msg(&e), "nothing activated");
    ASSERT_EQ(service_ruleset_previous(&svc, previous, &e), ERR_OK);
    ASSERT_STR_EQ(previous, first); /* the refused activation left no row */
    rules_free(next);
    ruleset_cache_free(cache);
    store_close(db);
    err_clear(&e);
    fixture_rmtree(dir);
    return 0;
}
