/* Unit tests of json: the reader of inputs and record ids. */
#include <math.h>

#include "json.h"
#include "test.h"

TEST_IMPL(json_ids)
{
    /* The fuzzer of request bodies found {"organisation_id": 1888...8}
     * cast to an integer out of range: undefined behaviour. */
    static const char *const good[] = {"1", "42", "9007199254740992", "1e3", NULL};
    static const char *const bad[] = {
        "0", "-1", "1.5", "1e300", "-1e300", "\"1\"", "true", "null", "9007199254740994", NULL};
    long long id;
    for (int i = 0; good[i]; i++) {
        cJSON *v = cJSON_Parse(good[i]);
        ASSERT(json_id(v, &id));
        ASSERT_EQ(id, (long long)strtod(good[i], NULL));
        cJSON_Delete(v);
    }
    for (int i = 0; bad[i]; i++) {
        cJSON *v = cJSON_Parse(bad[i]);
        if (json_id(v, &id))
            FAIL_AT("json_id took %s", bad[i]);
        ASSERT_EQ(id, 0);
        cJSON_Delete(v);
    }
    cJSON *nan = cJSON_CreateNumber(NAN);
    ASSERT(!json_id(nan, &id));
    cJSON_Delete(nan);
    return 0;
}

/* The message of rc, or "" when it is ERR_OK; e is cleared. */
static const char *message(int rc, err *e, char *msg, size_t n)
{
    snprintf(msg, n, "%s", rc == ERR_OK ? "" : err_msg(e));
    err_clear(e);
    return msg;
}

/* The message json_parse gives text, or "" when it takes it. */
static const char *parse_msg(const char *text, char *msg, size_t n)
{
    cJSON *doc;
    err e = ERR_INIT;
    int rc = json_parse(text, strlen(text), &doc, &e);
    cJSON_Delete(doc);
    return message(rc, &e, msg, n);
}

TEST_IMPL(json_refuses_duplicate_keys)
{
    char msg[256];
    ASSERT_STR_EQ(parse_msg("{\"files\":{\"award.lua\":\"A\",\"x.lua\":\"\",\"award.lua\":\"B\"}}",
                            msg, sizeof msg),
                  "$.files.award.lua: duplicate key: an object names each key once");
    ASSERT_STR_EQ(parse_msg("{\"a\":1,\"a\":1}", msg, sizeof msg),
                  "$.a: duplicate key: an object names each key once");
    ASSERT_STR_EQ(parse_msg("[{\"k\":1},{\"x\":{\"y\":[0,{\"k\":1,\"k\":2}]}}]", msg, sizeof msg),
                  "$[1].x.y[1].k: duplicate key: an object names each key once");
    ASSERT_STR_EQ(parse_msg("{\"a\":{\"k\":1},\"b\":{\"k\":1},\"k\":[]}", msg, sizeof msg), "");
    ASSERT_STR_EQ(parse_msg("{\"A\":1,\"a\":1}", msg, sizeof msg), ""); /* keys are case-sensitive */
    return 0;
}

/* The message json_only_keys gives text's object, or "" when it takes it. */
static const char *keys_msg(const char *text, const char *path, char *msg, size_t n)
{
    static const char *const keys[] = {"status", "comment", "evidence", NULL};
    cJSON *doc = cJSON_Parse(text);
    err e = ERR_INIT;
    int rc = json_only_keys(doc, keys, path, &e);
    cJSON_Delete(doc);
    return message(rc, &e, msg, n);
}

TEST_IMPL(json_only_keys)
{
    char msg[256];
    ASSERT_STR_EQ(keys_msg("{\"status\":\"met\",\"evidence\":[]}", "$", msg, sizeof msg), "");
    ASSERT_STR_EQ(keys_msg("{}", "$", msg, sizeof msg), "");
    ASSERT_STR_EQ(keys_msg("{\"status\":\"met\",\"Status\":1,\"x\":2}", "$.answers.JF-01", msg,
                           sizeof msg),
                  "$.answers.JF-01.Status: unknown key (expected status, comment, evidence)");
    return 0;
}
