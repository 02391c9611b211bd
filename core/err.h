/* err: the error out-parameter every fallible function fills.
 * A status code that doubles as the command line's exit code, and a message
 * built once deep inside and reported once, at the edge. */
#ifndef LABELCOOP_ERR_H
#define LABELCOOP_ERR_H

/* Status codes, also the documented exit codes of the command line. */
enum {
    ERR_OK = 0,
    ERR_FAIL = 1,  /* a check failed (tests, verification) or an I/O error */
    ERR_INPUT = 2, /* bad input: usage, unreadable or malformed data */
    ERR_RULES = 3, /* the rule set does not load, validate or run */
    /* Beyond the exit codes: outcomes the HTTP edge maps to statuses (the
     * command line reports them as bad input, or 1 for ERR_UNAVAILABLE). */
    ERR_NOT_FOUND = 4,    /* 404 */
    ERR_CONFLICT = 5,     /* 409: wrong state, duplicate */
    ERR_FORBIDDEN = 6,    /* 403 */
    ERR_UNAUTHORIZED = 7, /* 401 */
    ERR_UNAVAILABLE = 8,  /* 503: the database cannot be written */
    ERR_TOO_MANY = 9,     /* 429: too many failed logins */
    ERR_MEDIA_TYPE = 10,  /* 415: a body that is not JSON */
    ERR_AGAIN = 11,       /* to be made again the usual way (the caller's, never a client's) */
    ERR_PRECONDITION = 12, /* 412: If-Match names what is no longer there */
    ERR_TOO_LARGE = 13,    /* 413: an upload past its limit */
    ERR_UNPROCESSABLE = 14, /* 422: a file refused for what it holds (a virus) */
    ERR_GONE = 15,          /* 410: a single-use link already used, or expired */
};

typedef struct err {
    int code;
    char *msg; /* owned; NULL when no error */
} err;

#define ERR_INIT                                                                                   \
    {                                                                                              \
        ERR_OK, NULL                                                                               \
    }

/* Replaces any previous error; returns code so callers can `return err_set(...)`. */
int err_set(err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#ifdef __clang_analyzer__
/* clang-tidy's analyzer sees err_set, defined in another file, as opaque,
 * and followed paths where a failure returned ERR_OK. Told that it gives
 * back its code, it no longer does. For the analyzer only. */
#define err_set(e, code, ...) (err_set((e), (code), __VA_ARGS__), (code))
#endif
/* Adds a line to the message (validation reports every problem at once). */
int err_append(err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* ERR_INPUT with "PATH: message", PATH a JSON path such as "$.answers.JF-01". */
int err_at(err *e, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The command line's exit code for a status: every status maps to one of the
 * documented four (0 done, 1 a check failed or the work could not be done,
 * 2 bad input, 3 rules error), so no command ever exits with another. */
int err_exit_code(int code);
/* Frees the message and resets to ERR_OK. */
void err_clear(err *e);
/* The message, or "" when none; borrowed. */
const char *err_msg(const err *e);

#endif
