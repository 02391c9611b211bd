/* filestore: the documents folder, files named by their SHA-256. An upload
 * is a temporary file ".upload-XXXXXX" in the folder itself, so that its
 * rename to the digest is atomic; until filestore_keep it is removed by
 * filestore_free, whatever stopped it (a client gone, a refusal, a
 * failure). Its bytes are written and hashed by a filewriter (OpenSSL's
 * SHA-256, with the processor's SHA instructions where it has them:
 * libsodium's portable one took half an upload's time); libsodium's hex
 * and libmagic. */
#include "filestore.h"
#include "filewriter.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <magic.h>
#include <sodium.h>

struct filestore_upload {
    char *dir;
    char *tmp; /* the temporary file's path; NULL once kept or removed */
    int fd;
    size_t size, max;
    bool cut; /* past max: never kept */
    bool finished;
    filewriter *writer;
    char sha256[FILESTORE_HASH_LEN + 1];
    char type[128];
    char type_error[256]; /* why libmagic could not tell the type; "" if it could */
};

/* The MIME types documents may have: exact, or a prefix ending in '.'. */
static const char *const allowed_types[] = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "application/vnd.oasis.opendocument.",
    "application/vnd.openxmlformats-officedocument.",
    "text/plain",
    "text/csv",
    NULL,
};

/* Flushes the folder itself, so that a file created or renamed in it
 * survives a crash. */
static int sync_dir(const char *dir, err *e)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return err_set(e, ERR_FAIL, "documents folder %s: %s", dir, strerror(saved));
    }
    close(fd);
    return ERR_OK;
}

/* libmagic cookies, loaded once and kept for the next type to read: a
 * cookie is never shared between threads at once, and loading the compiled
 * database (its rules' regular expressions compiled anew) took a sixth of
 * a 10 MiB upload's time. At most MAGIC_SPARE wait; more are closed. */
#define MAGIC_SPARE 8
static pthread_mutex_t magic_lock = PTHREAD_MUTEX_INITIALIZER;
static magic_t magic_spare[MAGIC_SPARE];
static int magic_n_spare;

/* A loaded cookie (a spare one, or a new one), or NULL with why in e. */
static magic_t magic_take(err *e)
{
    magic_t m = NULL;
    pthread_mutex_lock(&magic_lock);
    if (magic_n_spare > 0)
        m = magic_spare[--magic_n_spare];
    pthread_mutex_unlock(&magic_lock);
    if (m)
        return m;
    m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
    /* The type is read from the first MiB, as the allowed kinds say what
     * they are at their start: libmagic's default, 7 MiB, read and scanned
     * whole took a third of a large text's upload, in a buffer of its size. */
    size_t bytes_max = FILESTORE_TYPE_BYTES;
    if (m && magic_setparam(m, MAGIC_PARAM_BYTES_MAX, &bytes_max) == 0 && magic_load(m, NULL) == 0)
        return m;
    err_set(e, ERR_FAIL, "cannot tell the file's type: %s",
            m && magic_error(m) ? magic_error(m) : "libmagic failed");
    if (m)
        magic_close(m);
    return NULL;
}

static void magic_give_back(magic_t m)
{
    pthread_mutex_lock(&magic_lock);
    if (magic_n_spare < MAGIC_SPARE) {
        magic_spare[magic_n_spare++] = m;
        m = NULL;
    }
    pthread_mutex_unlock(&magic_lock);
    if (m)
        magic_close(m);
}

/* The MIME type libmagic reads in the file's first bytes, into u->type:
 * the writer's filewriter_prefix_fn. The first MiB tells each allowed
 * kind (they say what they are at their start). Read from the file itself,
 * libmagic told the same types of 3,000 files of this machine, but for
 * programs: without the file it cannot read an ELF program's headers and
 * calls it a shared library (application/x-sharedlib), refused the same. */
static void read_type(void *ud, const void *data, size_t n)
{
    filestore_upload *u = ud;
    err e = ERR_INIT;
    magic_t m = magic_take(&e);
    const char *type = m ? magic_buffer(m, data, n) : NULL;
    if (type)
        snprintf(u->type, sizeof u->type, "%s", type);
    else
        snprintf(u->type_error, sizeof u->type_error, "cannot tell the file's type: %s",
                 !m ? err_msg(&e) : magic_error(m) ? magic_error(m) : "libmagic failed");
    if (m)
        magic_give_back(m);
    err_clear(&e);
}

int filestore_begin(const char *dir, size_t max, filestore_upload **out, err *e)
{
    *out = NULL;
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        return err_set(e, ERR_FAIL, "documents folder %s: %s", dir, strerror(errno));
    filestore_upload *u = calloc(1, sizeof *u);
    size_t n = strlen(dir) + sizeof "/.upload-XXXXXX";
    if (u)
        u->fd = -1, u->dir = strdup(dir), u->tmp = malloc(n);
    if (!u || !u->dir || !u->tmp) {
        if (u)
            free(u->tmp), u->tmp = NULL;
        filestore_free(u);
        return err_set(e, ERR_FAIL, "out of memory");
    }
    snprintf(u->tmp, n, "%s/.upload-XXXXXX", dir);
    u->fd = mkstemp(u->tmp);
    if (u->fd >= 0)
        fcntl(u->fd, F_SETFD, FD_CLOEXEC);
    if (u->fd < 0) {
        int saved = errno;
        free(u->tmp), u->tmp = NULL;
        filestore_free(u);
        return err_set(e, ERR_FAIL, "documents folder %s: %s", dir, strerror(saved));
    }
    char name[4096];
    snprintf(name, sizeof name, "documents folder %s", dir);
    if (filewriter_open(u->fd, name, FILESTORE_TYPE_BYTES, read_type, u, &u->writer, e)) {
        filestore_free(u);
        return e->code;
    }
    u->max = max;
    *out = u;
    return ERR_OK;
}

int filestore_write(filestore_upload *u, const void *data, size_t n, err *e)
{
    if (u->cut || u->finished)
        return err_set(e, ERR_FAIL, "the upload is over");
    if (n > u->max - u->size) {
        u->cut = true;
        return err_set(e, ERR_TOO_LARGE, "the file is over %zu bytes", u->max);
    }
    if (filewriter_write(u->writer, data, n, e)) {
        u->cut = true;
        return e->code;
    }
    u->size += n;
    return ERR_OK;
}

int filestore_write_fd(filestore_upload *u, int fd, err *e)
{
    char buf[64 * 1024];
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return err_set(e, ERR_INPUT, "cannot read the file: %s", strerror(errno));
        if (r == 0)
            return ERR_OK;
        if (filestore_write(u, buf, (size_t)r, e))
            return e->code;
    }
}

int filestore_finish(filestore_upload *u, err *e)
{
    if (u->cut || !u->tmp)
        return err_set(e, ERR_FAIL, "the upload was cut short");
    unsigned char digest[FILEWRITER_DIGEST_LEN];
    if (filewriter_drain(u->writer, digest, e))
        return e->code;
    sodium_bin2hex(u->sha256, sizeof u->sha256, digest, sizeof digest);
    if (u->type_error[0])
        return err_set(e, ERR_FAIL, "%s", u->type_error);
    if (filewriter_flush(u->writer, e))
        return e->code;
    u->finished = true;
    return ERR_OK;
}

int filestore_fd(const filestore_upload *u)
{
    return u->fd;
}

const char *filestore_sha256(const filestore_upload *u)
{
    return u->sha256;
}

size_t filestore_size(const filestore_upload *u)
{
    return u->size;
}

const char *filestore_type(const filestore_upload *u)
{
    return u->type;
}

int filestore_check_type(const char *type, err *e)
{
    for (const char *const *t = allowed_types; *t; t++) {
        size_t n = strlen(*t);
        bool prefix = (*t)[n - 1] == '.';
        if (prefix ? strncmp(type, *t, n) == 0 && type[n] : strcmp(type, *t) == 0)
            return ERR_OK;
    }
    return err_set(e, ERR_MEDIA_TYPE,
                   "the file is %s: documents are PDF, PNG, JPEG, OpenDocument, Office Open XML, "
                   "plain text or CSV",
                   type);
}

bool filestore_hash_valid(const char *text)
{
    return text && strlen(text) == FILESTORE_HASH_LEN &&
           strspn(text, "0123456789abcdef") == FILESTORE_HASH_LEN;
}

/* dir/sha256 into out. */
static int stored_path(const char *dir, const char *sha256, char *out, size_t size, err *e)
{
    if (!filestore_hash_valid(sha256))
        return err_set(e, ERR_INPUT, "not a SHA-256: %.80s", sha256);
    if ((size_t)snprintf(out, size, "%s/%s", dir, sha256) >= size)
        return err_set(e, ERR_INPUT, "documents folder path too long");
    return ERR_OK;
}

int filestore_keep(filestore_upload *u, bool *created, err *e)
{
    char path[4096];
    *created = false;
    if (!u->finished || !u->tmp)
        return err_set(e, ERR_FAIL, "the upload is not finished");
    if (stored_path(u->dir, u->sha256, path, sizeof path, e))
        return e->code;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == u->size) {
        unlink(u->tmp); /* stored already: the same bytes, named by their digest */
    } else {
        if (rename(u->tmp, path) != 0)
            return err_set(e, ERR_FAIL, "documents folder %s: %s", u->dir, strerror(errno));
        *created = true;
    }
    free(u->tmp);
    u->tmp = NULL;
    return sync_dir(u->dir, e);
}

void filestore_free(filestore_upload *u)
{
    if (!u)
        return;
    filewriter_free(u->writer); /* before its file is closed */
    if (u->fd >= 0)
        close(u->fd);
    if (u->tmp)
        unlink(u->tmp);
    free(u->tmp);
    free(u->dir);
    free(u);
}

/* Opens the regular file at path into *fd and *size. */
static int open_path(const char *dir, const char *sha256, const char *path, int *fd, size_t *size,
                     err *e)
{
    struct stat st;
    *fd = -1;
    int f = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (f < 0 || fstat(f, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (f >= 0)
            close(f);
        return err_set(e, ERR_NOT_FOUND, "the stored file %.12s is missing from %s", sha256, dir);
    }
    *fd = f;
    *size = (size_t)st.st_size;
    return ERR_OK;
}

int filestore_open(const char *dir, const char *sha256, int *fd, size_t *size, err *e)
{
    char path[4096];
    *fd = -1;
    if (stored_path(dir, sha256, path, sizeof path, e))
        return e->code;
    return open_path(dir, sha256, path, fd, size, e);
}

int filestore_remove(const char *dir, const char *sha256, err *e)
{
    char path[4096];
    if (stored_path(dir, sha256, path, sizeof path, e))
        return e->code;
    if (unlink(path) != 0 && errno != ENOENT)
        return err_set(e, ERR_FAIL, "documents folder %s: %s", dir, strerror(errno));
    return sync_dir(dir, e);
}

/* dir/.removed-sha256 into out. */
static int aside_path(const char *dir, const char *sha256, char *out, size_t size)
{
    return (size_t)snprintf(out, size, "%s/.removed-%s", dir, sha256) < size ? 0 : -1;
}

int filestore_set_aside(const char *dir, const char *sha256, err *e)
{
    char path[4096], aside[4200];
    if (stored_path(dir, sha256, path, sizeof path, e))
        return e->code;
    if (aside_path(dir, sha256, aside, sizeof aside))
        return err_set(e, ERR_INPUT, "documents folder path too long");
    if (rename(path, aside) != 0 && errno != ENOENT)
        return err_set(e, ERR_FAIL, "documents folder %s: %s", dir, strerror(errno));
    return ERR_OK;
}

int filestore_open_kept(const char *dir, const char *sha256, int *fd, size_t *size, err *e)
{
    char aside[4200];
    int rc = filestore_open(dir, sha256, fd, size, e);
    if (rc != ERR_NOT_FOUND)
        return rc;
    err_clear(e);
    if (aside_path(dir, sha256, aside, sizeof aside) == 0 &&
        open_path(dir, sha256, aside, fd, size, e) == ERR_OK)
        return ERR_OK;
    /* Put back meanwhile, when the deletion did not commit. */
    err_clear(e);
    return filestore_open(dir, sha256, fd, size, e);
}

void filestore_purge(const char *dir, const char *sha256)
{
    char aside[4200];
    if (aside_path(dir, sha256, aside, sizeof aside) == 0 && unlink(aside) == 0)
        sync_dir(dir, NULL);
}

void filestore_put_back(const char *dir, const char *sha256)
{
    char path[4096], aside[4200];
    if (stored_path(dir, sha256, path, sizeof path, NULL) == 0 &&
        aside_path(dir, sha256, aside, sizeof aside) == 0)
        rename(aside, path);
}

/* One leftover of filestore_sweep: *handled says whether it was one. */
static void sweep_one(const char *dir, const char *name, long max_age,
                      bool (*named)(void *ud, const char *sha256), void *ud, bool *handled)
{
    char path[4200];
    struct stat st;
    *handled = false;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (strncmp(name, ".upload-", 8) == 0) {
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && time(NULL) - st.st_mtime >= max_age)
            *handled = unlink(path) == 0;
    } else if (strncmp(name, ".removed-", 9) == 0 && filestore_hash_valid(name + 9)) {
        if (named(ud, name + 9))
            filestore_put_back(dir, name + 9);
        else
            filestore_purge(dir, name + 9);
        *handled = true;
    }
}

int filestore_sweep(const char *dir, long max_age, bool (*named)(void *ud, const char *sha256),
                    void *ud, int *count, err *e)
{
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? ERR_OK
                               : err_set(e, ERR_FAIL, "documents folder %s: %s", dir,
                                         strerror(errno));
    for (struct dirent *x; (x = readdir(d)) != NULL;) {
        bool handled;
        sweep_one(dir, x->d_name, max_age, named, ud, &handled);
        *count += handled;
    }
    closedir(d);
    return *count ? sync_dir(dir, e) : ERR_OK;
}
