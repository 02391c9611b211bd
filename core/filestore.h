/* filestore: the documents folder. Each file is stored once under the
 * SHA-256 of its bytes: written to a temporary file in the folder as it
 * comes (the digest computed on the way), flushed to disk, then renamed to
 * its digest and the folder flushed, before the database row naming it
 * commits. Its type is read from its content with libmagic, never from its
 * name. Uses filewriter, libsodium and libmagic; knows nothing of SQLite
 * or HTTP. */
#ifndef LABELCOOP_FILESTORE_H
#define LABELCOOP_FILESTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define FILESTORE_HASH_LEN 64 /* a SHA-256 in lowercase hex */
#define FILESTORE_TYPE_BYTES ((size_t)1 << 20) /* the type is read from the first MiB */

typedef struct filestore_upload filestore_upload;

/* Begins an upload of at most max bytes into dir (made when missing): a
 * temporary file there. *out is the caller's, for filestore_free. */
int filestore_begin(const char *dir, size_t max, filestore_upload **out, err *e);
/* Appends n bytes. ERR_TOO_LARGE past the upload's max (the file is then
 * cut: the upload can no longer be kept), ERR_FAIL when the disk refuses. */
int filestore_write(filestore_upload *u, const void *data, size_t n, err *e);
/* Appends what is left to read of fd (a file the command line was given). */
int filestore_write_fd(filestore_upload *u, int fd, err *e);
/* Ends the bytes: flushed to disk, their digest and type read. */
int filestore_finish(filestore_upload *u, err *e);
/* After filestore_finish: the file, for reading its bytes with pread (a
 * virus scanner's); borrowed from u. */
int filestore_fd(const filestore_upload *u);
/* After filestore_finish: the digest, the size in bytes, the MIME type
 * libmagic reads in the content ("application/pdf"); borrowed from u. */
const char *filestore_sha256(const filestore_upload *u);
size_t filestore_size(const filestore_upload *u);
const char *filestore_type(const filestore_upload *u);
/* ERR_OK when type is one documents may have (PDF, PNG, JPEG, OpenDocument,
 * Office Open XML, plain text, CSV); else ERR_MEDIA_TYPE naming it. */
int filestore_check_type(const char *type, err *e);
/* Moves the finished file to its place, named by its digest, and flushes
 * the folder; the same bytes stored already are kept as they are and the
 * temporary file goes. *created: whether this put the file there. */
int filestore_keep(filestore_upload *u, bool *created, err *e);
/* Lets go of u (NULL is fine): its temporary file removed if still there. */
void filestore_free(filestore_upload *u);

/* Opens the stored file of sha256 for reading: *fd the caller's, *size its
 * length. ERR_NOT_FOUND when it is not there. */
int filestore_open(const char *dir, const char *sha256, int *fd, size_t *size, err *e);
/* The same, or else the file a deletion under way set aside (its bytes
 * are those of sha256 until purged): what a backup reads. */
int filestore_open_kept(const char *dir, const char *sha256, int *fd, size_t *size, err *e);
/* Removes the stored file of sha256 (nothing names it any more); one
 * already gone is no error. */
int filestore_remove(const char *dir, const char *sha256, err *e);
/* A deletion in two steps, so that the file goes only with the rows that
 * named it: set aside inside the deleting transaction (renamed, so that an
 * upload of the same bytes meanwhile stores them anew), then purged once it
 * committed, or put back when it did not. */
int filestore_set_aside(const char *dir, const char *sha256, err *e);
void filestore_purge(const char *dir, const char *sha256);
void filestore_put_back(const char *dir, const char *sha256);
/* What a process stopped half-way (killed, a power cut) left in dir: each
 * temporary upload file unchanged for max_age seconds is removed (a younger
 * one may be another process's upload under way), and each file set aside
 * by a deletion is put back when named(ud, sha256) says rows still name it
 * (the deletion did not commit), else purged. *count: the files handled. */
int filestore_sweep(const char *dir, long max_age, bool (*named)(void *ud, const char *sha256),
                    void *ud, int *count, err *e);
/* Whether text is a digest as stored: 64 lowercase hex digits. */
bool filestore_hash_valid(const char *text);

#endif
