/* clamd: a client of ClamAV's scanning daemon over its local socket. A
 * file's bytes go with INSTREAM, the protocol clamd documents: the command
 * "zINSTREAM\0", then chunks, each preceded by its length in 4 bytes in
 * network order, a chunk of length 0 ending them; clamd answers one line,
 * "stream: OK", "stream: <signature> FOUND" or "<why> ERROR". Uses POSIX
 * sockets only; knows nothing of documents, SQLite or HTTP. */
#ifndef LABELCOOP_CLAMD_H
#define LABELCOOP_CLAMD_H

#include <stddef.h>

#include "err.h"

#define CLAMD_TIMEOUT_SECONDS 60 /* for each send and for the answer */

/* The socket's path in spec, "unix:/run/clamav/clamd.ctl", into path:
 * ERR_INPUT naming what is wrong with spec. */
int clamd_parse(const char *spec, char *path, size_t size, err *e);

/* Scans the bytes of fd, from its start to its end, with the clamd spec
 * names. ERR_OK with found "" when clamd finds nothing, else the name of the
 * signature it found; ERR_UNAVAILABLE when clamd cannot be reached, does
 * not answer in time or answers an error (a file over its StreamMaxLength);
 * ERR_FAIL when fd cannot be read. */
int clamd_scan_fd(const char *spec, int fd, char *found, size_t size, err *e);

#endif
