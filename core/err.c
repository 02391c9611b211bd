/* err: building error messages with printf formats; uses only libc. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *vformat(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

int(err_set)(err *e, int code, const char *fmt, ...) /* the name in brackets: not err.h's macro */
{
    if (!e)
        return code;
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    free(e->msg);
    e->msg = s;
    e->code = code;
    return code;
}

int err_append(err *e, int code, const char *fmt, ...)
{
    if (!e)
        return code;
    va_list ap;
    va_start(ap, fmt);
    char *line = vformat(fmt, ap);
    va_end(ap);
    if (!line)
        return code;
    if (!e->msg) {
        e->msg = line;
    } else {
        size_t a = strlen(e->msg), b = strlen(line);
        char *s = realloc(e->msg, a + b + 2);
        if (s) {
            s[a] = '\n';
            memcpy(s + a + 1, line, b + 1);
            e->msg = s;
        }
        free(line);
    }
    if (e->code == ERR_OK)
        e->code = code;
    return e->code;
}

int err_at(err *e, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    err_set(e, ERR_INPUT, "%s: %s", path, msg ? msg : "bad input");
    free(msg);
    return ERR_INPUT;
}

int err_exit_code(int code)
{
    switch (code) {
    case ERR_OK:
    case ERR_FAIL:
    case ERR_INPUT:
    case ERR_RULES:
        return code;
    case ERR_NOT_FOUND: /* the id or name given names nothing */
    case ERR_CONFLICT:  /* asked of something in the wrong state */
    case ERR_FORBIDDEN: /* asked of the wrong role */
    case ERR_UNAUTHORIZED:
    case ERR_TOO_MANY:
    case ERR_MEDIA_TYPE:
    case ERR_PRECONDITION:
    case ERR_GONE:
    case ERR_TOO_LARGE:
    case ERR_UNPROCESSABLE:
        return ERR_INPUT;
    default: /* ERR_UNAVAILABLE (the database cannot be opened or written), ERR_AGAIN */
        return ERR_FAIL;
    }
}

void err_clear(err *e)
{
    free(e->msg);
    e->msg = NULL;
    e->code = ERR_OK;
}

const char *err_msg(const err *e)
{
    return e && e->msg ? e->msg : "";
}
