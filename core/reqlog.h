/* reqlog: the request log, one line per request, written to a file
 * descriptor. Each thread gathers its lines and writes them whole, many at
 * a time, at most a fifth of a second after the first (nginx's buffered
 * access_log does the same): one write(2) per request was 3 % of the
 * server's CPU under load. A line for an error is written at once, with
 * those gathered before it, so a thread's lines keep their order. */
#ifndef LABELCOOP_REQLOG_H
#define LABELCOOP_REQLOG_H

#include <stdbool.h>
#include <stddef.h>

typedef struct reqlog reqlog;

/* NULL when out of memory (then lines are written at once). */
reqlog *reqlog_new(int fd);
/* Adds a whole line (with its "\n"); urgent writes out this thread's lines now. */
void reqlog_line(reqlog *l, const char *line, size_t len, bool urgent);
/* Writes out the lines gathered longer than the delay, by any thread: call
 * it a few times a second. */
void reqlog_tick(reqlog *l);
/* Copies text to out (size bytes, NUL-terminated) as a log line's field:
 * bytes outside printable ASCII, the space, '"' and '\\' become \xNN, as in
 * nginx's access log, so text a client sent (a URL decoded from %0a, a
 * header) can neither forge a line nor shift a field. Stops at the last
 * whole escape that fits, or after max bytes of text. Returns the length. */
size_t reqlog_escape(char *out, size_t size, const char *text, size_t max);
/* The same for a message on one line of its own: spaces, quotes and UTF-8
 * text stay; control characters (C0, DEL, C1) and '\\' become \xNN. */
size_t reqlog_escape_message(char *out, size_t size, const char *text);
/* The shape of every line from now on: text (the default) or one JSON
 * object a line (--log-format json). Set once, before the threads start. */
void reqlog_set_json(bool json);
bool reqlog_json(void);
/* Writes the printf-formatted message to stderr as one line, after its
 * RFC 3339 time (text: "TIME message", escaped as reqlog_escape_message
 * does; JSON: {"time", "message"}): text a plugin, a script or a webhook's
 * receiver chose (an error, an answer) can hold a newline, and must not
 * forge a log line. Long messages are cut. */
void reqlog_stderr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes out every line left, and frees l; no thread may add lines any more. */
void reqlog_free(reqlog *l);

#endif
