/* paging: cursors are "o" and the offset of the next item, in base64url:
 * opaque to clients, so that the server may move to keys later. */
#include "paging.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

/* Far past any list, and far from overflowing offset + limit. */
#define PAGING_OFFSET_MAX 1000000000000LL

static bool listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, name, n) == 0)
            return true;
        p += len + (p[len] == ',');
    }
    return false;
}

int paging_check(const cJSON *args, const char *allowed, bool paged, err *e)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, args)
    {
        const char *k = a->string;
        if (listed(allowed, k) || (paged && (strcmp(k, "limit") == 0 || strcmp(k, "cursor") == 0)))
            continue;
        char takes[200];
        snprintf(takes, sizeof takes, "%s%s%s", allowed, allowed[0] && paged ? "," : "",
                 paged ? "limit,cursor" : "");
        return err_set(e, ERR_INPUT, "?%.60s: unknown query parameter (this endpoint takes %s)", k,
                       takes[0] ? takes : "none");
    }
    return ERR_OK;
}

int paging_parse(const cJSON *args, page *p, err *e)
{
    const char *limit = cJSON_GetStringValue(cJSON_GetObjectItem(args, "limit"));
    const char *cursor = cJSON_GetStringValue(cJSON_GetObjectItem(args, "cursor"));
    char *end;
    p->limit = PAGING_DEFAULT;
    p->offset = 0;
    if (limit) {
        p->limit = strtoll(limit, &end, 10);
        if (!limit[0] || *end || p->limit < 1 || p->limit > PAGING_MAX)
            return err_set(e, ERR_INPUT, "?limit: a whole number from 1 to %d", PAGING_MAX);
    }
    if (cursor) {
        unsigned char raw[32];
        size_t len = 0;
        if (sodium_base642bin(raw, sizeof raw - 1, cursor, strlen(cursor), NULL, &len, NULL,
                              sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
            len < 2 || raw[0] != 'o')
            return err_set(e, ERR_INPUT, "?cursor: not a cursor this server gave");
        raw[len] = '\0';
        p->offset = strtoll((const char *)raw + 1, &end, 10);
        if (*end || p->offset < 0 || p->offset > PAGING_OFFSET_MAX)
            return err_set(e, ERR_INPUT, "?cursor: not a cursor this server gave");
    }
    return ERR_OK;
}

void paging_slice(cJSON **list, const page *p, bool *more)
{
    int n = cJSON_GetArraySize(*list);
    *more = p->offset + p->limit < n;
    if (p->offset == 0 && !*more)
        return;
    cJSON *kept = cJSON_CreateArray();
    for (long long i = p->offset; kept && i < n && i < p->offset + p->limit; i++)
        cJSON_AddItemToArray(kept, cJSON_DetachItemFromArray(*list, (int)p->offset));
    cJSON_Delete(*list);
    *list = kept;
}

/* Appends "&name=value" (escaped) to out; false when it does not fit (a
 * link cut short would name another page). */
static bool add(char *out, size_t size, const char *name, const char *value)
{
    char *v = curl_easy_escape(NULL, value, 0);
    size_t used = strlen(out);
    bool fits = v && (size_t)snprintf(out + used, size - used, "%s%s=%s",
                                      strchr(out, '?') ? "&" : "?", name, v) < size - used;
    curl_free(v);
    return fits;
}

void paging_link(const char *path, const cJSON *args, const page *p, char *out, size_t size)
{
    char url[2048], number[32], cursor[64];
    bool fits = (size_t)snprintf(url, sizeof url, "%s", path) < sizeof url;
    const cJSON *a;
    cJSON_ArrayForEach(a, args)
    {
        if (strcmp(a->string, "limit") != 0 && strcmp(a->string, "cursor") != 0 &&
            cJSON_IsString(a))
            fits = fits && add(url, sizeof url, a->string, a->valuestring);
    }
    snprintf(number, sizeof number, "%lld", p->limit);
    char next[32];
    int n = snprintf(next, sizeof next, "o%lld", p->offset + p->limit);
    sodium_bin2base64(cursor, sizeof cursor, (const unsigned char *)next, (size_t)n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    fits = fits && add(url, sizeof url, "limit", number) && add(url, sizeof url, "cursor", cursor);
    if (!fits || (size_t)snprintf(out, size, "<%s>; rel=\"next\"", url) >= size)
        out[0] = '\0';
}
