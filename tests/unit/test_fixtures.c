/* Fixtures shared by the unit tests: temporary folders, rule trees, database files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "test.h"

#ifndef RULES_DIR
#define RULES_DIR "rules"
#endif

char *fixture_tmpdir(void)
{
    char *dir = strdup("/tmp/labelcoop-unit-XXXXXX");
    if (!dir || !mkdtemp(dir)) {
        perror("mkdtemp");
        exit(2);
    }
    return dir;
}

void fixture_write(const char *dir, const char *rel, const char *content)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    for (char *p = path + strlen(dir) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0700);
            *p = '/';
        }
    }
    FILE *f = fopen(path, "wb");
    if (!f || fputs(content, f) < 0 || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

static void run(const char *cmd)
{
    if (system(cmd) != 0) {
        fprintf(stderr, "fixture command failed: %s\n", cmd);
        exit(2);
    }
}

char *fixture_copy_rules(void)
{
    char *dir = fixture_tmpdir();
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cp -r '%s'/. '%s'", RULES_DIR, dir);
    run(cmd);
    return dir;
}

void fixture_rmtree(char *dir)
{
    if (!dir)
        return;
    char cmd[4200];
    if (strncmp(dir, "/tmp/labelcoop-unit-", 20) == 0) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        run(cmd);
    }
    free(dir);
}

const char *fixture_db(const char *dir)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/t.db", dir);
    return path;
}

int fixture_sql(const char *path, const char *sql)
{
    sqlite3 *raw;
    int rc = sqlite3_open(path, &raw);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(raw, sql, NULL, NULL, NULL);
    sqlite3_close(raw);
    return rc;
}
