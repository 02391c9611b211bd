/* http_static: the web folder's files, sent from descriptors with their
 * content type; paths with dot segments never reach the file system, nor
 * does a symlink lead out of the folder. Uses libmicrohttpd. */
#include "http_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *content_type(const char *path)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".json", "application/json; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof *types; i++)
        if (strcmp(dot, types[i][0]) == 0)
            return types[i][1];
    return "application/octet-stream";
}

bool http_path_safe(const char *url)
{
    return url[0] == '/' && !strstr(url, "//") && !strstr(url, "/.") && !strchr(url, '\\');
}

/* Whether path (resolved) lies inside the folder root (resolved): a symlink in
 * the web folder may point within it, never out of it (to /etc/passwd). */
static bool inside(const char *root, const char *path)
{
    size_t n = strlen(root);
    if (n == 1) /* "/" */
        return true;
    return strncmp(path, root, n) == 0 && path[n] == '/';
}

enum MHD_Result http_send_file(http_server *s, struct MHD_Connection *c, http_request *r)
{
    r->route = "static";
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
        return http_send_error(c, r, 405, "method_not_allowed", "static files are read with GET");
    const char *url = strcmp(r->url, "/") == 0 ? "/index.html" : r->url;
    if (!s->web_root || !http_path_safe(url) || strlen(url) > 1024)
        return http_send_error(c, r, 404, "not_found", "no such page");
    char path[2048];
    snprintf(path, sizeof path, "%s%s", s->web_root, url);
    char *real = realpath(path, NULL);
    bool allowed = real && inside(s->web_root, real);
    int fd = allowed ? open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
    free(real);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return http_send_error(c, r, 404, "not_found", "no such page");
    }
    struct MHD_Response *mr = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    if (!mr) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, content_type(url));
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(mr, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    MHD_add_response_header(mr, "Referrer-Policy", "same-origin");
    return http_queue(c, r, MHD_HTTP_OK, mr);
}
