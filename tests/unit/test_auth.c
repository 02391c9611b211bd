/* Unit tests of auth: the memo of resolved tokens a worker keeps. */
#include "auth.h"
#include "store.h"
#include "test.h"

TEST_IMPL(auth_memo_trusts_its_settings_only)
{
    char *dir = fixture_tmpdir();
    store *a, *b;
    err e = ERR_INIT;
    ASSERT_EQ(fixture_open_two(dir, &a, &b), ERR_OK);
    store_user u = {.email = "m@b.test", .name = "M", .role = "admin"};
    long long user, settings;
    ASSERT_EQ(store_user_add(b, &u, "x", &user, &e), ERR_OK);
    char token[AUTH_TOKEN_LEN + 1], other[AUTH_TOKEN_LEN + 1], hash[AUTH_HASH_LEN + 1];
    ASSERT_EQ(auth_api_token(b, user, 0, "t", token, &e), ERR_OK);
    auth_config c = {.idle_seconds = 1800, .lifetime_seconds = 43200};
    auth_memo memo = {0};
    auth_actor who;
    store_version v, later;
    fixture_version_now(a, &v);
    ASSERT_EQ(store_settings_get(b, &settings, &e), ERR_OK);
    ASSERT_EQ(settings, v.settings);
    /* Nothing resolved yet: the memo alone cannot tell. */
    ASSERT(!auth_memo_find(&c, &memo, &v, token, &who));
    ASSERT_EQ(auth_resolve_memo(a, &c, &memo, &v, token, &who, &e), ERR_OK);
    memset(&who, 0, sizeof who);
    ASSERT(auth_memo_find(&c, &memo, &v, token, &who));
    ASSERT_EQ(who.user.id, user);
    ASSERT(who.api);
    /* Neither another token nor a malformed one. */
    auth_new_token(other, hash);
    ASSERT(!auth_memo_find(&c, &memo, &v, other, &who));
    ASSERT(!auth_memo_find(&c, &memo, &v, "short", &who));
    /* Once the settings moved (another account), no longer. */
    store_user u2 = {.email = "n@b.test", .name = "N", .role = "admin"};
    ASSERT_EQ(store_user_add(b, &u2, "x", &user, &e), ERR_OK);
    fixture_version_now(a, &later);
    ASSERT(!store_settings_same(&v, &later));
    ASSERT(!auth_memo_find(&c, &memo, &later, token, &who));
    store_close(a);
    store_close(b);
    fixture_rmtree(dir);
    return 0;
}
