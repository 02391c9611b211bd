/* Unit tests of the OpenAPI document compiled into the binary: it is JSON,
 * describes this version, and names exactly the routes of api.c's table. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdbool.h>
#include <strings.h>

#include "api.h"
#include "openapi.h"
#include "test.h"
#include "version.h"

/* A path with its parameters as "{}": "/assessments/{id}" and the route
 * "assessments/:id" both become "/assessments/{}". */
static void openapi_shape(const char *path, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = path; *p && n + 3 < size;) {
        if (*p == '{' || *p == ':') {
            char end = *p == '{' ? '}' : '/';
            out[n++] = '{', out[n++] = '}';
            p += strcspn(p, end == '}' ? "}" : "/");
            if (*p == '}')
                p++;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
}

/* The operation of method ("GET") on the shaped path in the document's
 * paths, or NULL. */
static const cJSON *openapi_operation(const cJSON *paths, const char *method, const char *shape)
{
    char lower[16] = "", key[256];
    for (size_t i = 0; method[i] && i + 1 < sizeof lower; i++)
        lower[i] = (char)tolower((unsigned char)method[i]), lower[i + 1] = '\0';
    const cJSON *path;
    cJSON_ArrayForEach(path, paths)
    {
        openapi_shape(path->string, key, sizeof key);
        if (strcmp(key, shape) == 0)
            return cJSON_GetObjectItemCaseSensitive(path, lower);
    }
    return NULL;
}

/* Whether the table has a route of method ("get") on the shaped path. */
static bool openapi_route(const char *method, const char *shape)
{
    const char *m, *pattern;
    char slashed[256], key[256];
    for (size_t i = 0; api_route_at(i, &m, &pattern); i++) {
        snprintf(slashed, sizeof slashed, "/%s", pattern);
        openapi_shape(slashed, key, sizeof key);
        if (strcasecmp(m, method) == 0 && strcmp(key, shape) == 0)
            return true;
    }
    return false;
}

/* Every route of the table is an operation of the document, and every
 * operation of the document a route: adding one without the other fails. */
TEST_IMPL(openapi_routes)
{
    cJSON *doc = cJSON_ParseWithLength(openapi_json, openapi_json_len);
    ASSERT(doc);
    ASSERT_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "openapi")), "3.1.0");
    const cJSON *info = cJSON_GetObjectItem(doc, "info");
    ASSERT_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(info, "version")), version_number);
    const cJSON *server = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "servers"), 0);
    ASSERT_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(server, "url")), "/api/v1");
    const cJSON *paths = cJSON_GetObjectItem(doc, "paths");
    ASSERT(cJSON_IsObject(paths));
    const char *method, *pattern;
    char shape[256], slashed[256];
    int routes = 0;
    for (size_t i = 0; api_route_at(i, &method, &pattern); i++, routes++) {
        snprintf(slashed, sizeof slashed, "/%s", pattern);
        openapi_shape(slashed, shape, sizeof shape);
        if (!openapi_operation(paths, method, shape))
            FAIL_AT("route %s %s is not in core/openapi.json (as %s)", method, pattern, shape);
    }
    ASSERT(routes > 50);
    /* and back: each operation of the document answers on the server */
    static const char *const methods[] = {"get",   "put",  "post",    "delete",
                                          "patch", "head", "options", "trace"};
    const cJSON *path;
    int operations = 0;
    cJSON_ArrayForEach(path, paths)
    {
        openapi_shape(path->string, shape, sizeof shape);
        for (size_t m = 0; m < sizeof methods / sizeof *methods; m++) {
            if (!cJSON_GetObjectItemCaseSensitive(path, methods[m]))
                continue;
            operations++;
            if (!openapi_route(methods[m], shape))
                FAIL_AT("%s %s of core/openapi.json is no route of api.c", methods[m],
                        path->string);
        }
    }
    ASSERT_EQ(operations, routes);
    cJSON_Delete(doc);
    return 0;
}
