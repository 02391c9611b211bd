/* libFuzzer target: the request path as the server reads it, "METHOD PATH"
 * with any bytes (libmicrohttpd has already decoded %XX, so '?', '/' and
 * control bytes all reach us): the API's routing (segments, :id numbers,
 * :key strings) and the static files' path check. The query string and
 * cookies are split by libmicrohttpd itself; no code of ours parses them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "http.h"

/* A path the static files accept names nothing outside the web folder. */
static void check_safe(const char *path)
{
    if (!http_path_safe(path))
        return;
    if (path[0] != '/' || strchr(path, '\\'))
        abort();
    for (const char *s = path + 1;; s++) {
        if (*s == '.' || *s == '/')
            abort(); /* a dot segment, or an empty one before the end */
        s += strcspn(s, "/");
        if (!*s)
            break;
    }
}

/* A route found is one of the API's, for a path under /api/v1/; else 404 or 405. */
static void check_route(const char *method, const char *path)
{
    const char *pattern = "unset";
    int status = api_route(method, path, &pattern);
    if (status == 0 && (!pattern || strncmp(path, "/api/v1/", 8) != 0))
        abort();
    if (status != 0 && (pattern || (status != 404 && status != 405)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* NUL-terminated copies, as the server gets them: cut at a NUL byte. */
    char *line = malloc(size + 1);
    memcpy(line, data, size);
    line[size] = '\0';
    char *space = strchr(line, ' ');
    const char *method = space ? line : "GET";
    const char *path = space ? space + 1 : line;
    if (space)
        *space = '\0';
    check_safe(path);
    check_route(method, path);
    free(line);
    return 0;
}
