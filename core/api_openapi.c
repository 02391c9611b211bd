/* api_openapi: GET /api/v1/openapi.json, the API's OpenAPI 3.1 description
 * as compiled into the binary (openapi.h), with a strong ETag so that a
 * client holding the document revalidates it for nothing. */
#include "api_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "openapi.h"
#include "text.h"

static char openapi_etag[TEXT_ETAG_SIZE];
static pthread_once_t openapi_etag_once = PTHREAD_ONCE_INIT;

/* The document never changes while the process runs: its tag is taken once. */
static void openapi_tag(void)
{
    text_etag(openapi_json, openapi_json_len, openapi_etag);
}

void api_openapi(const http_request *req, http_response *res)
{
    pthread_once(&openapi_etag_once, openapi_tag);
    const char *if_none_match = http_header(req, "If-None-Match");
    http_set_header(res, "ETag", openapi_etag);
    if (if_none_match && text_etag_matches(if_none_match, openapi_etag)) {
        res->status = 304;
        return;
    }
    char *copy = malloc(openapi_json_len + 1); /* the response owns its body */
    if (!copy) {
        http_error(res, 503, "unavailable", "out of memory", NULL);
        http_set_header(res, "Retry-After", "5");
        return;
    }
    memcpy(copy, openapi_json, openapi_json_len + 1);
    http_json_text(res, 200, copy);
}
