/* Unit tests of http: the paths static files may be read from; uploads
 * streamed to the app's sink (a real server, a real client). */
#include <curl/curl.h>

#include "http.h"
#include "test.h"

TEST_IMPL(http_path_safe)
{
    static const char *const safe[] = {"/index.html", "/css/app.css", "/css/", "/a.b/c", NULL};
    static const char *const unsafe[] = {
        "",        "index.html",   "/../etc/passwd", "/css/../x",  "/.git/x",
        "/css/.x", "//etc/passwd", "/css//x",        "/js\\..\\x", "/.",
        NULL};
    for (const char *const *p = safe; *p; p++)
        if (!http_path_safe(*p))
            FAIL_AT("refused: \"%s\"", *p);
    for (const char *const *p = unsafe; *p; p++)
        if (http_path_safe(*p))
            FAIL_AT("accepted: \"%s\"", *p);
    return 0;
}

/* ---- uploads: the bodies streamed to a sink, whatever the app does with them ---- */

/* The sink of the test: up to 64 bytes kept; past them, 413. */
typedef struct sink {
    char data[64];
    size_t len;
} sink;

static int closed_sinks;

static void t_route_info(void *app, const char *method, const char *path, http_route_info *out)
{
    (void)app;
    if (strcmp(method, "POST") == 0 && strcmp(path, "/api/up") == 0)
        out->upload_limit = 4096;
}

static void *t_open(void *app, const char *field, const char *filename, int *status, char *why,
                    size_t size)
{
    (void)app, (void)filename;
    if (strcmp(field, "file") != 0) {
        *status = 400;
        snprintf(why, size, "no file part named %s", field);
        return NULL;
    }
    return calloc(1, sizeof(sink));
}

static int t_write(void *s, const char *data, size_t n, char *why, size_t size)
{
    sink *k = s;
    if (k->len + n > sizeof k->data) {
        snprintf(why, size, "over %zu bytes", sizeof k->data);
        return 413;
    }
    memcpy(k->data + k->len, data, n);
    k->len += n;
    return 0;
}

static void t_close(void *s)
{
    closed_sinks++;
    free(s);
}

/* Answers what the upload brought: "field=title;file=name;bytes". */
static void t_handler(void *app, const http_request *req, http_response *res)
{
    (void)app;
    sink *k = http_upload_sink(req);
    char *text = malloc(256);
    snprintf(text, 256, "title=%s;file=%s;%.*s", http_form(req, "title") ? http_form(req, "title") : "-",
             http_upload_filename(req) ? http_upload_filename(req) : "-", k ? (int)k->len : 0,
             k ? k->data : "");
    res->status = 200;
    res->body = text;
    res->len = strlen(text);
    res->content_type = "text/plain";
}

static size_t t_gather(char *data, size_t size, size_t n, void *ud)
{
    char *out = ud;
    size_t used = strlen(out), add = size * n;
    if (used + add < 512)
        memcpy(out + used, data, add), out[used + add] = '\0';
    return add;
}

/* POSTs a file part named field holding bytes, and a title; the status and body. */
static long t_post(int port, const char *field, const char *bytes, char *body)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/up", port);
    CURL *c = curl_easy_init();
    curl_mime *mime = curl_mime_init(c);
    curl_mimepart *part = curl_mime_addpart(mime);
    curl_mime_name(part, field);
    curl_mime_data(part, bytes, CURL_ZERO_TERMINATED);
    curl_mime_filename(part, "statuts.txt");
    part = curl_mime_addpart(mime);
    curl_mime_name(part, "title");
    curl_mime_data(part, "Statuts", CURL_ZERO_TERMINATED);
    body[0] = '\0';
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, t_gather);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_mime_free(mime);
    curl_easy_cleanup(c);
    return status;
}

/* A streamed body reaches the handler as its sink, fields and file name;
 * a sink's refusal is the answer, the handler never called; every sink is
 * let go. */
TEST_IMPL(http_upload_sink)
{
    http_config c = {.listen = "127.0.0.1:0", .threads = 2, .max_body = 1024,
                     .route_info = t_route_info,
                     .upload = {NULL, t_open, t_write, t_close}};
    http_server *s;
    err e = ERR_INIT;
    ASSERT_EQ(http_start(&c, t_handler, NULL, &s, &e), ERR_OK);
    char body[512];
    closed_sinks = 0;
    ASSERT_EQ(t_post(http_port(s), "file", "Article 3", body), 200);
    ASSERT_STR_EQ(body, "title=Statuts;file=statuts.txt;Article 3");
    ASSERT_EQ(t_post(http_port(s), "file", "0123456789012345678901234567890123456789"
                                           "0123456789012345678901234567890123456789", body),
              413);
    ASSERT_CONTAINS(body, "over 64 bytes");
    ASSERT_EQ(t_post(http_port(s), "other", "x", body), 400);
    ASSERT_CONTAINS(body, "no file part named other");
    http_stop(s);
    ASSERT_EQ(closed_sinks, 2); /* the third was never opened */
    return 0;
}
