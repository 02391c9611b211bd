/* Unit tests of filewriter: the same bytes, digest and first bytes whether
 * the file is written on its own thread or on the caller's, a disk that
 * refuses them reported, and a file given up half-way let go of. */
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include "filewriter.h"
#include "test.h"

#define PREFIX 4096

typedef struct {
    unsigned char first[PREFIX];
    size_t n;
    int calls;
} seen_prefix;

static void on_prefix(void *ud, const void *data, size_t n)
{
    seen_prefix *p = ud;
    p->calls++;
    p->n = n;
    memcpy(p->first, data, n < PREFIX ? n : PREFIX);
}

/* n bytes that differ from block to block, so that a block written twice
 * or out of order changes the digest. */
static unsigned char *pattern(size_t n)
{
    unsigned char *b = malloc(n ? n : 1);
    unsigned x = 2463534242u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        b[i] = (unsigned char)x;
    }
    return b;
}

/* Writes data through a filewriter into a new file of dir in chunks of
 * chunk bytes, and checks the file, the digest and the prefix. */
static int write_and_check(const char *dir, const unsigned char *data, size_t n, size_t chunk)
{
    char path[512];
    snprintf(path, sizeof path, "%s/file-%zu", dir, n);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    ASSERT(fd >= 0);
    err e = ERR_INIT;
    seen_prefix seen = {.calls = 0};
    filewriter *w;
    ASSERT_EQ(filewriter_open(fd, "test file", PREFIX, on_prefix, &seen, &w, &e), ERR_OK);
    for (size_t at = 0; at < n; at += chunk)
        ASSERT_EQ(filewriter_write(w, data + at, n - at < chunk ? n - at : chunk, &e), ERR_OK);
    unsigned char digest[FILEWRITER_DIGEST_LEN], want[FILEWRITER_DIGEST_LEN];
    ASSERT_EQ(filewriter_drain(w, digest, &e), ERR_OK);
    ASSERT_EQ(filewriter_flush(w, &e), ERR_OK);
    filewriter_free(w);
    ASSERT_EQ(EVP_Digest(data, n, want, NULL, EVP_sha256(), NULL), 1);
    ASSERT(memcmp(digest, want, sizeof want) == 0);
    ASSERT_EQ(seen.calls, 1);
    ASSERT_EQ(seen.n, n < PREFIX ? n : PREFIX);
    ASSERT(memcmp(seen.first, data, seen.n) == 0);
    unsigned char *back = malloc(n + 1);
    ASSERT_EQ(pread(fd, back, n + 1, 0), (long long)n);
    ASSERT(memcmp(back, data, n) == 0);
    free(back);
    close(fd);
    return 0;
}

/* Files of every size around the block (256 KiB) and the writeback step
 * (1 MiB), in chunks that never line up with either. */
TEST_IMPL(filewriter_same_bytes_any_size)
{
    char *dir = fixture_tmpdir();
    static const size_t sizes[] = {0, 1, 4095, 4097, 262143, 262144, 262145, 3 * 1048576 + 7};
    unsigned char *data = pattern(3 * 1048576 + 7);
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        if (write_and_check(dir, data, sizes[i], 7919))
            FAIL_AT("a file of %zu bytes", sizes[i]);
    free(data);
    fixture_rmtree(dir);
    return 0;
}

/* More files at once than the writers that may run: those beyond are
 * written on the caller's thread, the same. */
TEST_IMPL(filewriter_many_at_once)
{
    enum { FILES = 24, SIZE = 600 * 1024 };
    char *dir = fixture_tmpdir(), path[512];
    unsigned char *data = pattern(SIZE);
    filewriter *w[FILES];
    int fd[FILES];
    err e = ERR_INIT;
    for (int i = 0; i < FILES; i++) {
        snprintf(path, sizeof path, "%s/many-%d", dir, i);
        fd[i] = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
        ASSERT_EQ(filewriter_open(fd[i], "test file", 0, NULL, NULL, &w[i], &e), ERR_OK);
    }
    for (size_t at = 0; at < SIZE; at += 65536) /* interleaved, all open at once */
        for (int i = 0; i < FILES; i++)
            ASSERT_EQ(filewriter_write(w[i], data + at, SIZE - at < 65536 ? SIZE - at : 65536, &e),
                      ERR_OK);
    unsigned char want[FILEWRITER_DIGEST_LEN], digest[FILEWRITER_DIGEST_LEN];
    ASSERT_EQ(EVP_Digest(data, SIZE, want, NULL, EVP_sha256(), NULL), 1);
    for (int i = 0; i < FILES; i++) {
        ASSERT_EQ(filewriter_drain(w[i], digest, &e), ERR_OK);
        ASSERT_EQ(filewriter_flush(w[i], &e), ERR_OK);
        ASSERT(memcmp(digest, want, sizeof want) == 0);
        ASSERT_EQ(lseek(fd[i], 0, SEEK_END), SIZE);
        filewriter_free(w[i]);
        close(fd[i]);
    }
    free(data);
    fixture_rmtree(dir);
    return 0;
}

/* A disk that refuses the bytes (/dev/full: ENOSPC) is reported, for a
 * small file at its end and for a large one on the way, and the writer
 * refuses anything more. */
TEST_IMPL(filewriter_full_disk)
{
    static const size_t sizes[] = {100, 4 * 1048576};
    unsigned char *data = pattern(4 * 1048576);
    for (size_t i = 0; i < 2; i++) {
        int fd = open("/dev/full", O_WRONLY);
        ASSERT(fd >= 0);
        err e = ERR_INIT;
        filewriter *w;
        ASSERT_EQ(filewriter_open(fd, "the full disk", 0, NULL, NULL, &w, &e), ERR_OK);
        int rc = ERR_OK;
        for (size_t at = 0; rc == ERR_OK && at < sizes[i]; at += 65536)
            rc = filewriter_write(w, data + at, sizes[i] - at < 65536 ? sizes[i] - at : 65536, &e);
        unsigned char digest[FILEWRITER_DIGEST_LEN];
        if (rc == ERR_OK)
            rc = filewriter_drain(w, digest, &e);
        ASSERT_EQ(rc, ERR_FAIL);
        ASSERT_CONTAINS(err_msg(&e), "the full disk: No space left on device");
        err_clear(&e);
        ASSERT_EQ(filewriter_write(w, "x", 1, &e), ERR_FAIL);
        err_clear(&e);
        filewriter_free(w);
        close(fd);
    }
    free(data);
    return 0;
}

/* A file given up half-way (a client gone) stops its writer: nothing waits
 * and nothing leaks (the sanitizer run checks). */
TEST_IMPL(filewriter_given_up)
{
    char *dir = fixture_tmpdir(), path[512];
    snprintf(path, sizeof path, "%s/given-up", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    unsigned char *data = pattern(2 * 1048576);
    err e = ERR_INIT;
    filewriter *w;
    ASSERT_EQ(filewriter_open(fd, "test file", 0, NULL, NULL, &w, &e), ERR_OK);
    ASSERT_EQ(filewriter_write(w, data, 2 * 1048576, &e), ERR_OK);
    filewriter_free(w);
    close(fd);
    free(data);
    fixture_rmtree(dir);
    return 0;
}
