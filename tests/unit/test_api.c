/* Unit tests of api: routing a method and path to a route. */
#include "api.h"
#include "test.h"

#define ASSERT_ROUTE(method, path, status, expected)                                               \
    do {                                                                                           \
        const char *pattern_ = "unset";                                                            \
        ASSERT_EQ(api_route(method, path, &pattern_), status);                                     \
        if (expected)                                                                              \
            ASSERT_STR_EQ(pattern_, expected);                                                     \
        else                                                                                       \
            ASSERT(!pattern_);                                                                     \
    } while (0)

/* Segments, :id numbers and :key strings; 404 for no such path, 405 for a
 * path that takes other methods. */
TEST_IMPL(api_routes)
{
    ASSERT_ROUTE("GET", "/api/v1/assessments/12", 0, "assessments/:id");
    ASSERT_ROUTE("PUT", "/api/v1/assessments/12/answers/JF-01", 0, "assessments/:id/answers/:key");
    ASSERT_ROUTE("GET", "/api/v1/assessments/12/answers/JF-01", 405, NULL);
    ASSERT_ROUTE("POST", "/api/v1/rulesets/whatif", 0, "rulesets/whatif");
    ASSERT_ROUTE("GET", "/api/v1/rulesets/whatif", 0, "rulesets/:key");
    ASSERT_ROUTE("GET", "/api/v1//assessments//12/", 0, "assessments/:id");
    /* :id is a positive decimal number */
    ASSERT_ROUTE("GET", "/api/v1/assessments/0", 404, NULL);
    ASSERT_ROUTE("GET", "/api/v1/assessments/-3", 404, NULL);
    ASSERT_ROUTE("GET", "/api/v1/assessments/+3", 404, NULL);
    ASSERT_ROUTE("GET", "/api/v1/assessments/3x", 404, NULL);
    ASSERT_ROUTE("GET", "/api/v1/assessments/ 5", 404, NULL);
    ASSERT_ROUTE("GET", "/api/v1/assessments/\t5", 404, NULL);
    ASSERT_ROUTE("GET", "/api/v1/assessments/007", 404, NULL);
    ASSERT_ROUTE("GET", "/api/v1/assessments/99999999999999999999", 404, NULL);
    ASSERT_ROUTE("GET", "/api/v1/assessments/999999999999999999", 0, "assessments/:id");
    ASSERT_ROUTE("GET", "/api/v1/nothing", 404, NULL);
    ASSERT_ROUTE("GET", "/api/v1/", 404, NULL);
    ASSERT_ROUTE("GET", "/api/v2/me", 404, NULL);
    ASSERT_ROUTE("GET", "/api/v1/a/b/c/d/e/f/g/h/i", 404, NULL);
    /* the path fits a 1 KiB buffer, or is no endpoint */
    char path[1100] = "/api/v1/reports/";
    size_t n = strlen(path);
    memset(path + n, 'r', 1023 - n);
    path[1023] = '\0';
    ASSERT_ROUTE("GET", path, 0, "reports/:key");
    path[1023] = 'r';
    path[1024] = '\0';
    ASSERT_ROUTE("GET", path, 404, NULL);
    return 0;
}
