/* Unit tests of paging: a list endpoint's query and its pages. */
#include <string.h>

#include "paging.h"
#include "test.h"

static cJSON *args_of(const char *const kv[][2], int n)
{
    cJSON *a = cJSON_CreateObject();
    for (int i = 0; i < n; i++)
        cJSON_AddStringToObject(a, kv[i][0], kv[i][1]);
    return a;
}

TEST_IMPL(paging_query_checked)
{
    err e = ERR_INIT;
    const char *const ok[][2] = {{"organisation_id", "3"}, {"limit", "2"}};
    cJSON *a = args_of(ok, 2);
    ASSERT_EQ(ERR_OK, paging_check(a, "organisation_id", true, &e));
    ASSERT_EQ(ERR_INPUT, paging_check(a, "organisation_id", false, &e)); /* limit: not paged */
    ASSERT(strstr(err_msg(&e), "?limit: unknown query parameter") != NULL);
    err_clear(&e);
    ASSERT_EQ(ERR_INPUT, paging_check(a, "", true, &e));
    ASSERT(strstr(err_msg(&e), "(this endpoint takes limit,cursor)") != NULL);
    err_clear(&e);
    cJSON_Delete(a);
    /* "bzkyMjMzNzIwMzY4NTQ3NzU4MDc": "o9223372036854775807", an offset that
     * would overflow with the limit added. */
    const char *const bad[][2] = {{"limit", "0"},       {"limit", "1001"},
                                  {"limit", "7x"},      {"cursor", "!!"},
                                  {"cursor", "bm9wZQ"}, {"limit", ""},
                                  {"cursor", "bzkyMjMzNzIwMzY4NTQ3NzU4MDc"}};
    for (int i = 0; i < 7; i++) {
        page p;
        a = args_of(&bad[i], 1);
        ASSERT_EQ(ERR_INPUT, paging_parse(a, &p, &e));
        ASSERT(err_msg(&e)[0] == '?');
        err_clear(&e);
        cJSON_Delete(a);
    }
    return 0;
}

TEST_IMPL(paging_pages_and_links)
{
    err e = ERR_INIT;
    cJSON *list = cJSON_CreateArray();
    for (int i = 0; i < 5; i++)
        cJSON_AddItemToArray(list, cJSON_CreateNumber(i));
    const char *const q[][2] = {{"criterion", "JF 01&x"}, {"limit", "2"}};
    cJSON *a = args_of(q, 2);
    page p;
    ASSERT_EQ(ERR_OK, paging_parse(a, &p, &e));
    ASSERT_EQ(2, p.limit);
    ASSERT_EQ(0, p.offset);
    char link[512];
    paging_link("/api/v1/good-practices", a, &p, link, sizeof link);
    /* The filter kept (escaped), the limit, and a cursor to the third item. */
    ASSERT(strncmp(link, "</api/v1/good-practices?criterion=JF%2001%26x&limit=2&cursor=", 61) == 0);
    ASSERT(strstr(link, ">; rel=\"next\"") != NULL);
    const char *c = strstr(link, "cursor=") + 7;
    char cursor[64];
    snprintf(cursor, sizeof cursor, "%.*s", (int)strcspn(c, ">"), c);
    const char *const next[][2] = {{"limit", "2"}, {"cursor", cursor}};
    cJSON *b = args_of(next, 2);
    ASSERT_EQ(ERR_OK, paging_parse(b, &p, &e));
    ASSERT_EQ(2, p.offset);
    bool more;
    paging_slice(&list, &p, &more);
    ASSERT_EQ(2, cJSON_GetArraySize(list));
    ASSERT_EQ(2, (int)cJSON_GetNumberValue(cJSON_GetArrayItem(list, 0)));
    ASSERT(more);
    /* A link that does not fit is none, never one cut short. */
    paging_link("/api/v1/good-practices", a, &p, link, 40);
    ASSERT_STR_EQ("", link);
    cJSON_Delete(list);
    cJSON_Delete(a);
    cJSON_Delete(b);
    return 0;
}
