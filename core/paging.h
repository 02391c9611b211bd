/* paging: the query of a list endpoint. Which query parameters a route
 * takes (any other is refused, named), and its pages: `limit` (default
 * 100, at most 1,000) and an opaque `cursor`, the next page's address in a
 * Link header (RFC 8288), the answer still a JSON array. Knows nothing of
 * HTTP or the routes: the API hands it the parameters and the list. */
#ifndef LABELCOOP_PAGING_H
#define LABELCOOP_PAGING_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

#define PAGING_DEFAULT 100
#define PAGING_MAX 1000

typedef struct page {
    long long limit, offset;
} page;

/* Refuses (ERR_INPUT "?name: ...") a parameter of args ({"name": "value"})
 * that allowed (a comma list, "" for none) does not name, unless paged and
 * it is limit or cursor. */
int paging_check(const cJSON *args, const char *allowed, bool paged, err *e);
/* The page args ask for: ERR_INPUT for a limit out of 1..PAGING_MAX or a
 * cursor this server did not give. */
int paging_parse(const cJSON *args, page *p, err *e);
/* Keeps of *list (an array, replaced) the page's items; *more tells whether
 * items follow. */
void paging_slice(cJSON **list, const page *p, bool *more);
/* The next page's Link value, "<path?...>; rel=\"next\"": args again
 * (escaped), with the limit and the next cursor. Empty when it does not fit. */
void paging_link(const char *path, const cJSON *args, const page *p, char *out, size_t size);

#endif
