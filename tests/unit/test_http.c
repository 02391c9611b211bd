/* Unit tests of http: the paths static files may be read from. */
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
