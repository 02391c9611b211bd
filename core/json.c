/* json: JSON read from outside (request bodies, files, exports) and the
 * paths its errors name; nothing here knows Lua (that is ljson). */
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Appends what fmt makes of its one argument, cut to fit. Each caller
 * gives the format its own argument's type: one function taking either a
 * text or a number made the compiler doubt a %s would get its text. */
static void path_append(json_path *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void path_append(json_path *p, const char *fmt, ...)
{
    if (p->len >= sizeof p->buf - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(p->buf + p->len, sizeof p->buf - p->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        p->len += (size_t)n < sizeof p->buf - p->len ? (size_t)n : sizeof p->buf - p->len - 1;
}

void json_path_text(json_path *p, const char *text)
{
    path_append(p, "%s", text ? text : "");
}

void json_path_key(json_path *p, const char *key)
{
    path_append(p, ".%s", key ? key : "?");
}

void json_path_index(json_path *p, long long i)
{
    path_append(p, "[%lld]", i);
}

/* cJSON keeps strings NUL-terminated: an escaped NUL would cut a text short
 * without a word, so a document that holds one is refused instead. */
static bool has_escaped_nul(const char *text, size_t len)
{
    for (size_t i = 0; i + 6 <= len; i++)
        if (text[i] == '\\' && text[i + 1] == 'u' && text[i + 2] == '0' && text[i + 3] == '0' &&
            text[i + 4] == '0' && text[i + 5] == '0')
            return true;
    return false;
}

bool json_id(const cJSON *v, long long *out)
{
    *out = 0;
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 1 && v->valuedouble <= 9007199254740992.0))
        return false; /* NaN fails both comparisons */
    long long id = (long long)v->valuedouble;
    if ((double)id != v->valuedouble)
        return false;
    *out = id;
    return true;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* Refuses an object that names a key twice, in v and everything inside it:
 * cJSON keeps both and lookups see the first, while code that walks the
 * members sees both (a rule set was stored with one file and hashed with
 * two). Sorting the members finds it in n log n, whatever their number.
 * p is v's path ("$.files"), as the other errors write it. */
static int no_duplicates(const cJSON *v, json_path *p, err *e)
{
    int n = 0;
    for (const cJSON *c = v->child; c; c = c->next)
        n++;
    if (cJSON_IsObject(v) && n > 1) {
        /* NOLINTBEGIN(bugprone-sizeof-expression): an array of pointers, as meant */
        const cJSON **m = malloc((size_t)n * sizeof *m);
        if (!m)
            return err_set(e, ERR_FAIL, "out of memory");
        int k = 0;
        for (const cJSON *c = v->child; c; c = c->next)
            m[k++] = c;
        qsort(m, (size_t)n, sizeof *m, cmp_names);
        /* NOLINTEND(bugprone-sizeof-expression) */
        const char *dup = NULL;
        for (int i = 1; i < n && !dup; i++)
            if (strcmp(m[i - 1]->string, m[i]->string) == 0)
                dup = m[i]->string;
        free(m);
        if (dup) {
            json_path_key(p, dup);
            return err_at(e, p->buf, "duplicate key: an object names each key once");
        }
    }
    size_t saved = p->len;
    long long i = 0;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        if (!cJSON_IsObject(c) && !cJSON_IsArray(c))
            continue;
        if (cJSON_IsObject(v))
            json_path_key(p, c->string);
        else
            json_path_index(p, i);
        if (no_duplicates(c, p, e))
            return e->code;
        p->len = saved;
        p->buf[saved] = '\0';
    }
    return ERR_OK;
}

int json_parse(const char *text, size_t len, cJSON **out, err *e)
{
    const char *end = NULL;
    *out = NULL;
    if (has_escaped_nul(text, len))
        return err_set(e, ERR_INPUT, "$: text with a NUL character (\\u0000) is refused");
    /* JSON allows no raw control character; cJSON would take some. */
    int at_line = 1, at_col = 1;
    for (size_t i = 0; i < len; i++, at_col++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n')
            at_line++, at_col = 0;
        else if (c < 0x20 && c != '\t' && c != '\r')
            return err_set(e, ERR_INPUT,
                           "$: malformed JSON at line %d, column %d (a raw control "
                           "character)",
                           at_line, at_col);
    }
    *out = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!*out) {
        int line = 1, col = 1;
        const char *at = end ? end : cJSON_GetErrorPtr();
        for (const char *p = text; at && p < at && p < text + len; p++, col++)
            if (*p == '\n')
                line++, col = 0;
        return err_set(e, ERR_INPUT, "$: malformed JSON at line %d, column %d", line, col);
    }
    while (end && end < text + len && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
        end++;
    if (end && end < text + len) {
        cJSON_Delete(*out);
        *out = NULL;
        return err_set(e, ERR_INPUT, "$: unexpected data after the JSON document");
    }
    json_path at = {"$", 1};
    if (no_duplicates(*out, &at, e) != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
        return e->code;
    }
    return ERR_OK;
}

/* The allowed keys as "a, b, c", cut to fit in size. */
static void list_keys(const char *const *allowed, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (const char *const *a = allowed; *a && len < size; a++) {
        int n = snprintf(buf + len, size - len, "%s%s", a == allowed ? "" : ", ", *a);
        len += n > 0 ? (size_t)n : 0;
    }
}

int json_only_keys(const cJSON *obj, const char *const *allowed, const char *path, err *e)
{
    for (const cJSON *k = obj->child; k; k = k->next) {
        const char *const *a = allowed;
        while (*a && strcmp(*a, k->string) != 0)
            a++;
        if (*a)
            continue;
        json_path at = {"", 0};
        json_path_text(&at, path);
        json_path_key(&at, k->string);
        char expected[512];
        list_keys(allowed, expected, sizeof expected);
        return err_at(e, at.buf, "unknown key (expected %s)", expected);
    }
    return ERR_OK;
}

int json_tree(const cJSON *files, const char *where, files_tree *t, err *e)
{
    memset(t, 0, sizeof *t);
    int n = cJSON_GetArraySize(files);
    if (!cJSON_IsObject(files) || n == 0)
        return err_set(e, ERR_INPUT, "%s: must be an object {\"path\": \"content\"}", where);
    t->paths = calloc((size_t)n, sizeof *t->paths);
    t->data = calloc((size_t)n, sizeof *t->data);
    t->lens = calloc((size_t)n, sizeof *t->lens);
    if (!t->paths || !t->data || !t->lens) {
        files_tree_free(t);
        return err_set(e, ERR_FAIL, "out of memory");
    }
    const cJSON *f;
    cJSON_ArrayForEach(f, files)
    {
        if (!cJSON_IsString(f)) {
            files_tree_free(t);
            return err_set(e, ERR_INPUT, "%s.%s: must be the file's text", where, f->string);
        }
        if (!text_utf8_valid(f->valuestring, strlen(f->valuestring))) {
            files_tree_free(t);
            return err_set(e, ERR_INPUT, "%s.%s: is not valid UTF-8 text", where, f->string);
        }
        /* Insertion in order: exports are written sorted, but trust nothing. */
        size_t k = t->count;
        while (k > 0 && strcmp(t->paths[k - 1], f->string) > 0) {
            t->paths[k] = t->paths[k - 1];
            t->data[k] = t->data[k - 1];
            t->lens[k] = t->lens[k - 1];
            k--;
        }
        if (k > 0 && strcmp(t->paths[k - 1], f->string) == 0) { /* one file, one text */
            for (; k < t->count; k++) { /* closes the gap, so the tree frees whole */
                t->paths[k] = t->paths[k + 1];
                t->data[k] = t->data[k + 1];
                t->lens[k] = t->lens[k + 1];
            }
            files_tree_free(t);
            return err_set(e, ERR_INPUT, "%s.%s: duplicate key: a file is given once", where,
                           f->string);
        }
        t->paths[k] = strdup(f->string);
        t->data[k] = strdup(f->valuestring);
        t->lens[k] = strlen(f->valuestring);
        t->count++;
    }
    return ERR_OK;
}
