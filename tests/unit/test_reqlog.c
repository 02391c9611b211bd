/* Unit tests of reqlog: log lines gathered from several threads, escaped. */
#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reqlog.h"
#include "text.h"
#include "test.h"

/* What the pipe holds now, into buf (NUL-terminated); "" when nothing. */
static const char *drain(int fd, char *buf, size_t size)
{
    ssize_t n = read(fd, buf, size - 1);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static void *other_thread(void *l)
{
    reqlog_line(l, "e\n", 2, false);
    return NULL;
}

TEST_IMPL(reqlog_gathers_in_order)
{
    int p[2];
    char buf[256];
    ASSERT_EQ(pipe(p), 0);
    ASSERT_EQ(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
    reqlog *l = reqlog_new(p[1]);
    ASSERT(l);
    reqlog_line(l, "a\n", 2, false);
    reqlog_line(l, "b\n", 2, false);
    ASSERT_STR_EQ(drain(p[0], buf, sizeof buf), ""); /* gathered */
    reqlog_line(l, "c 500\n", 6, true);              /* an error: out at once, after the others */
    ASSERT_STR_EQ(drain(p[0], buf, sizeof buf), "a\nb\nc 500\n");
    reqlog_line(l, "d\n", 2, false);
    reqlog_tick(l);
    ASSERT_STR_EQ(drain(p[0], buf, sizeof buf), ""); /* not a fifth of a second old yet */
    nanosleep(&(struct timespec){0, 250 * 1000000L}, NULL);
    reqlog_tick(l);
    ASSERT_STR_EQ(drain(p[0], buf, sizeof buf), "d\n");
    pthread_t t; /* another thread's line, still gathered when the log ends */
    ASSERT_EQ(pthread_create(&t, NULL, other_thread, l), 0);
    pthread_join(t, NULL);
    ASSERT_STR_EQ(drain(p[0], buf, sizeof buf), "");
    reqlog_free(l);
    ASSERT_STR_EQ(drain(p[0], buf, sizeof buf), "e\n");
    close(p[0]);
    close(p[1]);
    return 0;
}

/* A field of a log line: what a client sent can neither end the line nor
 * shift a field, and a cut never splits an escape. */
TEST_IMPL(reqlog_escapes_fields)
{
    char out[64];
    ASSERT_EQ(reqlog_escape(out, sizeof out, "/a\nGET /forged 200", 100), 27u);
    ASSERT_STR_EQ(out, "/a\\x0aGET\\x20/forged\\x20200");
    reqlog_escape(out, sizeof out, "\r\t\x1b[31m\x7f\"\\\xc3\xa9~", 100);
    ASSERT_STR_EQ(out, "\\x0d\\x09\\x1b[31m\\x7f\\x22\\x5c\\xc3\\xa9~");
    ASSERT_EQ(reqlog_escape(out, 8, "ab\n\n", 100), 6u); /* "ab\x0a" and no half escape */
    ASSERT_STR_EQ(out, "ab\\x0a");
    ASSERT_EQ(reqlog_escape(out, sizeof out, "abcdef", 3), 3u);
    ASSERT_STR_EQ(out, "abc");
    return 0;
}

/* A message keeps its spaces, quotes and accents on one line. */
TEST_IMPL(reqlog_escapes_messages)
{
    char out[128];
    reqlog_escape_message(out, sizeof out, "a.lua:3: \"x\" été\nb.lua:5: \x1b[2J\xc2\x9b\\");
    ASSERT_STR_EQ(out, "a.lua:3: \"x\" été\\x0ab.lua:5: \\x1b[2J\\xc2\\x9b\\x5c");
    return 0;
}

/* reqlog_stderr's line, written with stderr sent to a file. */
static void stderr_line(char *out, size_t size, const char *message)
{
    char path[] = "/tmp/labelcoop-reqlog.XXXXXX";
    int fd = mkstemp(path), saved = dup(STDERR_FILENO);
    fflush(stderr);
    dup2(fd, STDERR_FILENO);
    reqlog_stderr("%s", message);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    ssize_t n = pread(fd, out, size - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
}

TEST_IMPL(reqlog_json_lines)
{
    char line[512];
    reqlog_set_json(true);
    stderr_line(line, sizeof line, "plugin \"x\": résumé\nsecond line");
    cJSON *o = cJSON_Parse(line);
    ASSERT(o != NULL);
    ASSERT(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(o, "message")), "résumé") != NULL);
    ASSERT(cJSON_GetStringValue(cJSON_GetObjectItem(o, "time")) != NULL);
    cJSON_Delete(o);
    /* Bytes that are no UTF-8 still give a JSON line: escaped, every one. */
    stderr_line(line, sizeof line, "bad \xff\xfe bytes");
    ASSERT(text_utf8_valid(line, strlen(line)));
    o = cJSON_Parse(line);
    ASSERT(o != NULL);
    ASSERT(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(o, "message")), "\\xff\\xfe") != NULL);
    cJSON_Delete(o);
    reqlog_set_json(false);
    return 0;
}
