/* filewriter: a file written as its bytes come, hashed with SHA-256 on the
 * way, by two threads of its own. The caller's thread only copies the
 * bytes into blocks; one thread hashes them, the other writes each block
 * and starts its writeback at once, so that receiving, hashing, writing
 * and flushing overlap instead of following each other. Small files (under
 * one block), and files beyond those the process lets run at once, are
 * hashed and written on the caller's thread, with the same result. Uses
 * OpenSSL's SHA-256 and pthreads. */
#ifndef LABELCOOP_FILEWRITER_H
#define LABELCOOP_FILEWRITER_H

#include <stddef.h>

#include "err.h"

#define FILEWRITER_DIGEST_LEN 32

typedef struct filewriter filewriter;

/* Called once the file's first bytes are written: its first prefix_bytes,
 * or all of it when shorter, read back into data (n bytes; 0 for an empty
 * file). It runs on the writer's thread, beside the bytes still coming,
 * so that the caller finds its result ready once the file is drained. */
typedef void (*filewriter_prefix_fn)(void *ud, const void *data, size_t n);

/* A writer of fd (borrowed: still the caller's to close, after
 * filewriter_free); what is said of the file in errors is name. on_prefix
 * (may be NULL) is given the first prefix_bytes. */
int filewriter_open(int fd, const char *name, size_t prefix_bytes, filewriter_prefix_fn on_prefix,
                    void *ud, filewriter **out, err *e);
/* Appends n bytes; ERR_FAIL when an earlier block could not be written. */
int filewriter_write(filewriter *w, const void *data, size_t n, err *e);
/* Ends the bytes: once it returns they are all written (in the page
 * cache, not yet flushed: read them back freely), on_prefix has run and
 * digest holds their SHA-256. The flush goes on meanwhile;
 * filewriter_flush waits for it. */
int filewriter_drain(filewriter *w, unsigned char digest[FILEWRITER_DIGEST_LEN], err *e);
/* After filewriter_drain: the bytes are on disk (fsync). */
int filewriter_flush(filewriter *w, err *e);
/* Lets go of w (NULL is fine), stopping its thread. */
void filewriter_free(filewriter *w);

#endif
