/* files: whole-file reads and sorted recursive listings, on POSIX dirent. */
#include "files.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int files_read_stream(void *stream, const char *name, char **data, size_t *len, err *e)
{
    FILE *f = stream;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return err_set(e, ERR_FAIL, "%s: out of memory", name);
    for (;;) {
        if (cap - n < 2) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                return err_set(e, ERR_FAIL, "%s: out of memory", name);
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        return err_set(e, ERR_INPUT, "%s: read error: %s", name, strerror(errno));
    }
    buf[n] = '\0';
    *data = buf;
    if (len)
        *len = n;
    return ERR_OK;
}

int files_read(const char *path, char **data, size_t *len, err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, ERR_INPUT, "%s: %s", path, strerror(errno));
    int rc = files_read_stream(f, path, data, len, e);
    fclose(f);
    return rc;
}

char *files_join(const char *root, const char *rel)
{
    size_t a = strlen(root), b = strlen(rel);
    char *s = malloc(a + b + 2);
    if (!s)
        return NULL;
    snprintf(s, a + b + 2, "%s/%s", root, rel);
    return s;
}

static int push_path(files_list *l, size_t *cap, char *path)
{
    if (l->count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        char **p = realloc(l->paths, ncap * sizeof *p);
        if (!p)
            return -1;
        l->paths = p;
        *cap = ncap;
    }
    l->paths[l->count++] = path;
    return 0;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Walks root/rel depth first; rel is "" at the top. */
static int walk(const char *root, const char *rel, const char *suffix, files_list *out, size_t *cap,
                err *e)
{
    char *dir = rel[0] ? files_join(root, rel) : strdup(root);
    if (!dir)
        return err_set(e, ERR_FAIL, "out of memory");
    DIR *d = opendir(dir);
    if (!d) {
        err_set(e, ERR_INPUT, "%s: %s", dir, strerror(errno));
        free(dir);
        return e ? e->code : ERR_INPUT;
    }
    int rc = ERR_OK;
    struct dirent *ent;
    while (rc == ERR_OK && (ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.')
            continue;
        char *child = rel[0] ? files_join(rel, ent->d_name) : strdup(ent->d_name);
        char *full = child ? files_join(root, child) : NULL;
        struct stat st;
        if (!child || !full) {
            rc = err_set(e, ERR_FAIL, "out of memory");
        } else if (stat(full, &st) != 0) {
            rc = err_set(e, ERR_INPUT, "%s: %s", full, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(root, child, suffix, out, cap, e);
        } else if (S_ISREG(st.st_mode) && has_suffix(child, suffix)) {
            if (push_path(out, cap, child) == 0)
                child = NULL; /* now owned by the list */
            else
                rc = err_set(e, ERR_FAIL, "out of memory");
        }
        free(child);
        free(full);
    }
    closedir(d);
    free(dir);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int files_list_tree(const char *root, const char *suffix, files_list *out, err *e)
{
    size_t cap = 0;
    out->paths = NULL;
    out->count = 0;
    int rc = walk(root, "", suffix, out, &cap, e);
    if (rc != ERR_OK) {
        files_list_free(out);
        return rc;
    }
    if (out->count > 1) /* an empty folder leaves paths NULL, which qsort may not take */
        qsort(out->paths, out->count, sizeof *out->paths, cmp_str);
    return ERR_OK;
}

void files_list_free(files_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->paths[i]);
    free(l->paths);
    l->paths = NULL;
    l->count = 0;
}

int files_tree_read(const char *root, const char *suffix, int (*keep)(const char *path),
                    files_tree *out, err *e)
{
    memset(out, 0, sizeof *out);
    files_list list;
    int rc = files_list_tree(root, suffix, &list, e);
    if (rc != ERR_OK)
        return rc;
    out->paths = calloc(list.count ? list.count : 1, sizeof *out->paths);
    out->data = calloc(list.count ? list.count : 1, sizeof *out->data);
    out->lens = calloc(list.count ? list.count : 1, sizeof *out->lens);
    if (!out->paths || !out->data || !out->lens) {
        err_set(e, ERR_FAIL, "out of memory");
        rc = ERR_FAIL;
    }
    for (size_t i = 0; rc == ERR_OK && i < list.count; i++) {
        if (keep && !keep(list.paths[i]))
            continue;
        char *full = files_join(root, list.paths[i]);
        size_t n = out->count;
        rc = full ? files_read(full, &out->data[n], &out->lens[n], e)
                  : err_set(e, ERR_FAIL, "out of memory");
        free(full);
        if (rc == ERR_OK) {
            out->paths[n] = list.paths[i];
            list.paths[i] = NULL; /* moved into the tree */
            out->count++;
        }
    }
    files_list_free(&list);
    if (rc != ERR_OK)
        files_tree_free(out);
    return rc;
}

const char *files_tree_find(const files_tree *t, const char *path, size_t *len)
{
    size_t lo = 0, hi = t->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(path, t->paths[mid]);
        if (c == 0) {
            if (len)
                *len = t->lens[mid];
            return t->data[mid];
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

void files_tree_free(files_tree *t)
{
    for (size_t i = 0; i < t->count; i++) {
        free(t->paths[i]);
        free(t->data[i]);
    }
    free(t->paths);
    free(t->data);
    free(t->lens);
    memset(t, 0, sizeof *t);
}
