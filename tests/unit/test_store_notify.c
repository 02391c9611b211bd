/* Unit tests of the notifications' storage: who is told (never a disabled
 * account, nor a committee role still awaiting confirmation), a person's
 * list and opt-outs, and the unsubscribe secret. */
#include <string.h>

#include "store.h"
#include "test.h"

/* The ids of a recipients list, in order, into buf: "3,5". */
static const char *ids_of(cJSON *list, char *buf, size_t size)
{
    buf[0] = '\0';
    const cJSON *r;
    cJSON_ArrayForEach(r, list)
    {
        size_t n = strlen(buf);
        snprintf(buf + n, size - n, "%s%.0f", n ? "," : "",
                 cJSON_GetNumberValue(cJSON_GetObjectItem(r, "id")));
    }
    cJSON_Delete(list);
    return buf;
}

static long long person(store *s, const char *email, const char *role, const char *pending,
                        long long org, bool disabled)
{
    store_user u = {.org_id = org};
    snprintf(u.email, sizeof u.email, "%s", email);
    snprintf(u.name, sizeof u.name, "%s", email);
    snprintf(u.role, sizeof u.role, "%s", role);
    snprintf(u.pending_role, sizeof u.pending_role, "%s", pending);
    err e = ERR_INIT;
    if (store_user_add(s, &u, "hash", &u.id, &e) != ERR_OK)
        return 0;
    if (!disabled)
        return u.id;
    store_user got; /* as stored: its role row named, for the update */
    if (store_user_get(s, u.id, &got, &e) != ERR_OK)
        return 0;
    got.disabled = true;
    return store_user_update(s, &got, &e) == ERR_OK ? u.id : 0;
}

TEST_IMPL(store_notify_recipients)
{
    char *dir = fixture_tmpdir();
    store *s;
    err e = ERR_INIT;
    char buf[64], want[64];
    ASSERT_EQ(store_open(fixture_db(dir), &s, &e), ERR_OK);
    cJSON *fields = cJSON_Parse("{\"name\":\"Alpha\"}");
    long long a, b;
    ASSERT_EQ(store_org_add(s, fields, &a, &e), ERR_OK);
    ASSERT_EQ(store_org_add(s, fields, &b, &e), ERR_OK);
    cJSON_Delete(fields);
    long long m1 = person(s, "m1@x.test", "cae", "", a, false);
    long long gone = person(s, "gone@x.test", "cae", "", a, true);
    long long other = person(s, "o@x.test", "cae", "", b, false);
    long long m2 = person(s, "m2@x.test", "cae", "", a, false);
    long long comm = person(s, "c@x.test", "committee", "", 0, false);
    long long waiting = person(s, "w@x.test", "none", "committee", 0, false);
    long long admin = person(s, "a@x.test", "admin", "", 0, false);
    ASSERT(m1 && gone && other && m2 && comm && waiting && admin);
    cJSON *list = NULL;
    ASSERT_EQ(store_notify_members(s, a, &list, &e), ERR_OK);
    snprintf(want, sizeof want, "%lld,%lld", m1, m2);
    ASSERT_STR_EQ(ids_of(list, buf, sizeof buf), want);
    ASSERT_EQ(store_notify_committee(s, &list, &e), ERR_OK);
    snprintf(want, sizeof want, "%lld", comm);
    ASSERT_STR_EQ(ids_of(list, buf, sizeof buf), want);
    ASSERT_EQ(store_notify_admins(s, &list, &e), ERR_OK);
    snprintf(want, sizeof want, "%lld", admin);
    ASSERT_STR_EQ(ids_of(list, buf, sizeof buf), want);
    ASSERT_EQ(store_notify_user(s, gone, NULL, &list, &e), ERR_OK);
    ASSERT_STR_EQ(ids_of(list, buf, sizeof buf), "");
    ASSERT_EQ(store_notify_user(s, m1, "auditor", &list, &e), ERR_OK);
    ASSERT_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "role")),
                  "auditor");
    cJSON_Delete(list);
    store_close(s);
    fixture_rmtree(dir);
    return 0;
}

TEST_IMPL(store_notify_list_and_optouts)
{
    char *dir = fixture_tmpdir();
    store *s;
    err e = ERR_INIT;
    ASSERT_EQ(store_open(fixture_db(dir), &s, &e), ERR_OK);
    long long p = person(s, "p@x.test", "auditor", "", 0, false);
    long long q = person(s, "q@x.test", "auditor", "", 0, false);
    ASSERT(p && q);
    ASSERT_EQ(store_notification_add(s, p, "audit_assigned", "Audit confié", "/#/x", &e), ERR_OK);
    ASSERT_EQ(store_notification_add(s, p, "label_expired", "Label échu", NULL, &e), ERR_OK);
    cJSON *list = NULL;
    ASSERT_EQ(store_notification_list(s, p, 10, &list, &e), ERR_OK);
    ASSERT_EQ(cJSON_GetArraySize(list), 2);
    const cJSON *newest = cJSON_GetArrayItem(list, 0);
    ASSERT_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(newest, "kind")), "label_expired");
    long long id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(newest, "id"));
    cJSON_Delete(list);
    /* another's notification is not found and stays unread */
    ASSERT_EQ(store_notification_read(s, q, id, &e), ERR_NOT_FOUND);
    err_clear(&e);
    long long n;
    ASSERT_EQ(store_notification_unread(s, p, &n, &e), ERR_OK);
    ASSERT_EQ(n, 2);
    ASSERT_EQ(store_notification_read(s, p, id, &e), ERR_OK);
    ASSERT_EQ(store_notification_read(s, p, id, &e), ERR_OK); /* again: still read */
    ASSERT_EQ(store_notification_unread(s, p, &n, &e), ERR_OK);
    ASSERT_EQ(n, 1);
    ASSERT_EQ(store_notification_read(s, p, 0, &e), ERR_OK);
    ASSERT_EQ(store_notification_unread(s, p, &n, &e), ERR_OK);
    ASSERT_EQ(n, 0);
    bool off;
    ASSERT_EQ(store_optout_set(s, p, "audit_assigned", true, &e), ERR_OK);
    ASSERT_EQ(store_optout_set(s, p, "audit_assigned", true, &e), ERR_OK);
    ASSERT_EQ(store_optout_has(s, p, "audit_assigned", &off, &e), ERR_OK);
    ASSERT(off);
    ASSERT_EQ(store_optout_has(s, q, "audit_assigned", &off, &e), ERR_OK);
    ASSERT(!off);
    ASSERT_EQ(store_optout_set(s, p, "audit_assigned", false, &e), ERR_OK);
    ASSERT_EQ(store_optout_has(s, p, "audit_assigned", &off, &e), ERR_OK);
    ASSERT(!off);
    char secret[65], again[65];
    ASSERT_EQ(store_notify_secret(s, secret, &e), ERR_OK);
    ASSERT_EQ(strlen(secret), 64);
    store_close(s);
    ASSERT_EQ(store_open(fixture_db(dir), &s, &e), ERR_OK);
    ASSERT_EQ(store_notify_secret(s, again, &e), ERR_OK);
    ASSERT_STR_EQ(again, secret); /* links keep working across restarts */
    store_close(s);
    fixture_rmtree(dir);
    return 0;
}
