/* files: reading whole files and listing a directory tree in a stable order.
 * Used by the rules loader and the Lua sandbox; knows nothing of either. */
#ifndef LABELCOOP_FILES_H
#define LABELCOOP_FILES_H

#include <stddef.h>

#include "err.h"

/* Reads path whole into *data (NUL-terminated, caller frees); ERR_INPUT on failure. */
int files_read(const char *path, char **data, size_t *len, err *e);
/* Reads all of a stream (stdin) the same way. */
int files_read_stream(void *stream, const char *name, char **data, size_t *len, err *e);

/* A list of paths relative to a root, sorted bytewise. Owns its strings. */
typedef struct files_list {
    char **paths;
    size_t count;
} files_list;

/* Lists the regular files under root whose name ends in suffix, skipping hidden
 * entries; paths are relative to root with '/' separators. */
int files_list_tree(const char *root, const char *suffix, files_list *out, err *e);
void files_list_free(files_list *l);

/* Joins root and a relative path into a new string; caller frees. */
char *files_join(const char *root, const char *rel);

/* A tree of files held in memory: what a sandbox loads scripts from, so the
 * bytes hashed are the bytes run, and no script ever touches the disk. */
typedef struct files_tree {
    char **paths; /* relative, sorted bytewise */
    char **data;  /* NUL-terminated contents */
    size_t *lens;
    size_t count;
} files_tree;

/* Reads every file files_list_tree() would list and keep(path) accepts (NULL: all). */
int files_tree_read(const char *root, const char *suffix, int (*keep)(const char *path),
                    files_tree *out, err *e);
/* The contents of path, or NULL; borrowed from the tree. */
const char *files_tree_find(const files_tree *t, const char *path, size_t *len);
void files_tree_free(files_tree *t);

#endif
