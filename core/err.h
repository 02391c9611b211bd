/* err: the error out-parameter every fallible function fills.
 * A status code that doubles as the command line's exit code, and a message
 * built once deep inside and reported once, at the edge. */
#ifndef LABELCOOP_ERR_H
#define LABELCOOP_ERR_H

/* Status codes, also the documented exit codes of the command line. */
enum {
    ERR_OK = 0,
    ERR_FAIL = 1,   /* a check failed (tests, verification) or an I/O error */
    ERR_INPUT = 2,  /* bad input: usage, unreadable or malformed data */
    ERR_RULES = 3,  /* the rule set does not load, validate or run */
};

typedef struct err {
    int code;
    char *msg; /* owned; NULL when no error */
} err;

#define ERR_INIT {ERR_OK, NULL}

/* Replaces any previous error; returns code so callers can `return err_set(...)`. */
int err_set(err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Adds a line to the message (validation reports every problem at once). */
int err_append(err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Frees the message and resets to ERR_OK. */
void err_clear(err *e);
/* The message, or "" when none; borrowed. */
const char *err_msg(const err *e);

#endif
