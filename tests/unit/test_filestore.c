/* Unit tests of filestore: files named by their digest, stored once, typed
 * from their content, and no temporary file left behind. */
#include <dirent.h>
#include <unistd.h>

#include "filestore.h"
#include "test.h"

/* How many entries dir holds (hidden ones included). */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *x; d && (x = readdir(d));)
        n += strcmp(x->d_name, ".") != 0 && strcmp(x->d_name, "..") != 0;
    if (d)
        closedir(d);
    return n;
}

/* Stores text as one upload into dir; its digest into sha256. */
static int store_text(const char *dir, const char *text, bool *created, char *sha256)
{
    err e = ERR_INIT;
    filestore_upload *u;
    int rc = filestore_begin(dir, 1024, &u, &e);
    if (rc == ERR_OK)
        rc = filestore_write(u, text, strlen(text), &e);
    if (rc == ERR_OK)
        rc = filestore_finish(u, &e);
    if (rc == ERR_OK)
        rc = filestore_keep(u, created, &e);
    if (rc == ERR_OK)
        snprintf(sha256, FILESTORE_HASH_LEN + 1, "%s", filestore_sha256(u));
    filestore_free(u);
    err_clear(&e);
    return rc;
}

/* The same bytes twice are one file, named by their SHA-256. */
TEST_IMPL(filestore_stored_once)
{
    char *tmp = fixture_tmpdir(), dir[512], sha[FILESTORE_HASH_LEN + 1], again[sizeof sha];
    snprintf(dir, sizeof dir, "%s/documents", tmp); /* made at the first upload */
    bool created;
    ASSERT_EQ(store_text(dir, "abc", &created, sha), ERR_OK);
    ASSERT(created);
    ASSERT_STR_EQ(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ASSERT_EQ(store_text(dir, "abc", &created, again), ERR_OK);
    ASSERT(!created);
    ASSERT_STR_EQ(again, sha);
    ASSERT_EQ(entries(dir), 1);
    err e = ERR_INIT;
    int fd;
    size_t size;
    ASSERT_EQ(filestore_open(dir, sha, &fd, &size, &e), ERR_OK);
    ASSERT_EQ(size, 3);
    close(fd);
    ASSERT_EQ(filestore_remove(dir, sha, &e), ERR_OK);
    ASSERT_EQ(filestore_open(dir, sha, &fd, &size, &e), ERR_NOT_FOUND);
    err_clear(&e);
    ASSERT_EQ(entries(dir), 0);
    fixture_rmtree(tmp);
    return 0;
}

/* A file a deletion set aside is still read for a backup until purged;
 * put back, it is read at its place again. */
TEST_IMPL(filestore_open_kept)
{
    char *dir = fixture_tmpdir(), sha[FILESTORE_HASH_LEN + 1];
    bool created;
    ASSERT_EQ(store_text(dir, "abc", &created, sha), ERR_OK);
    err e = ERR_INIT;
    int fd;
    size_t size;
    ASSERT_EQ(filestore_set_aside(dir, sha, &e), ERR_OK);
    ASSERT_EQ(filestore_open(dir, sha, &fd, &size, &e), ERR_NOT_FOUND);
    err_clear(&e);
    ASSERT_EQ(filestore_open_kept(dir, sha, &fd, &size, &e), ERR_OK);
    ASSERT_EQ(size, 3);
    close(fd);
    filestore_put_back(dir, sha);
    ASSERT_EQ(filestore_open_kept(dir, sha, &fd, &size, &e), ERR_OK);
    close(fd);
    ASSERT_EQ(filestore_set_aside(dir, sha, &e), ERR_OK);
    filestore_purge(dir, sha);
    ASSERT_EQ(filestore_open_kept(dir, sha, &fd, &size, &e), ERR_NOT_FOUND);
    err_clear(&e);
    ASSERT_EQ(entries(dir), 0);
    fixture_rmtree(dir);
    return 0;
}

/* Past its limit an upload is refused and, let go, leaves nothing. */
TEST_IMPL(filestore_limit_leaves_nothing)
{
    char *dir = fixture_tmpdir();
    err e = ERR_INIT;
    filestore_upload *u;
    ASSERT_EQ(filestore_begin(dir, 4, &u, &e), ERR_OK);
    ASSERT_EQ(entries(dir), 1); /* the temporary file */
    ASSERT_EQ(filestore_write(u, "abcd", 4, &e), ERR_OK);
    ASSERT_EQ(filestore_write(u, "e", 1, &e), ERR_TOO_LARGE);
    ASSERT_CONTAINS(err_msg(&e), "over 4 bytes");
    ASSERT(filestore_finish(u, &e) != ERR_OK);
    filestore_free(u);
    ASSERT_EQ(entries(dir), 0);
    /* An upload abandoned half-way (a client gone) leaves nothing either. */
    ASSERT_EQ(filestore_begin(dir, 100, &u, &e), ERR_OK);
    ASSERT_EQ(filestore_write(u, "ab", 2, &e), ERR_OK);
    filestore_free(u);
    ASSERT_EQ(entries(dir), 0);
    err_clear(&e);
    fixture_rmtree(dir);
    return 0;
}

/* The type comes from the bytes: a PNG's signature is a PNG, text is text,
 * an executable is refused naming its type whatever it is called. */
TEST_IMPL(filestore_types)
{
    static const struct {
        const char *bytes;
        size_t len;
        const char *type;
        int allowed;
    } cases[] = {
        {"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x02\0\0\0", 29, "image/png", ERR_OK},
        {"Statuts de la CAE, article 3\n", 29, "text/plain", ERR_OK},
        {"\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0\x01\0\0\0", 24, NULL,
         ERR_MEDIA_TYPE},
        {"<!DOCTYPE html><html><body>x</body></html>\n", 43, "text/html", ERR_MEDIA_TYPE},
    };
    char *dir = fixture_tmpdir();
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        err e = ERR_INIT;
        filestore_upload *u;
        ASSERT_EQ(filestore_begin(dir, 1024, &u, &e), ERR_OK);
        ASSERT_EQ(filestore_write(u, cases[i].bytes, cases[i].len, &e), ERR_OK);
        ASSERT_EQ(filestore_finish(u, &e), ERR_OK);
        if (cases[i].type)
            ASSERT_STR_EQ(filestore_type(u), cases[i].type);
        ASSERT_EQ(filestore_check_type(filestore_type(u), &e), cases[i].allowed);
        if (cases[i].allowed)
            ASSERT_CONTAINS(err_msg(&e), filestore_type(u));
        filestore_free(u);
        err_clear(&e);
    }
    err e = ERR_INIT;
    ASSERT_EQ(filestore_check_type("application/vnd.oasis.opendocument.text", &e), ERR_OK);
    ASSERT_EQ(filestore_check_type("application/vnd.oasis.opendocument.", &e), ERR_MEDIA_TYPE);
    ASSERT_EQ(filestore_check_type("application/pdfx", &e), ERR_MEDIA_TYPE);
    err_clear(&e);
    ASSERT_EQ(entries(dir), 0);
    fixture_rmtree(dir);
    return 0;
}
