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

/* Two connections to one new database in dir, as two threads of a server
 * (or a server and the command line) have. */
int fixture_open_two(const char *dir, store **a, store **b)
{
    err e = ERR_INIT;
    *b = NULL;
    int rc = store_open(fixture_db(dir), a, &e);
    if (rc == ERR_OK && (rc = store_open(fixture_db(dir), b, &e)) != ERR_OK)
        store_close(*a);
    err_clear(&e);
    return rc;
}

/* An organisation named "Coop", as the tests that need one row to hang
 * their own on write it. */
int fixture_org_add(store *s, long long *id)
{
    err e = ERR_INIT;
    cJSON *org = cJSON_Parse("{\"name\":\"Coop\"}");
    int rc = store_org_add(s, org, id, &e);
    cJSON_Delete(org);
    err_clear(&e);
    return rc;
}

/* A self-assessment (rule set "r") of a new organisation, its id in *id. */
int fixture_self_assessment(store *s, long long *id)
{
    long long org_id;
    int rc = fixture_org_add(s, &org_id);
    if (rc != ERR_OK)
        return rc;
    err e = ERR_INIT;
    store_assessment a = {.org_id = org_id, .kind = "self_assessment", .ruleset = "r"};
    rc = store_assessment_add(s, &a, id, &e);
    err_clear(&e);
    return rc;
}

/* Reads a's version in a snapshot of its own, as a request does. */
void fixture_version_now(store *a, store_version *v)
{
    err e = ERR_INIT;
    store_snapshot(a, &e);
    store_version_get(a, v, &e);
    store_snapshot_end(a);
    err_clear(&e);
}

rules *fixture_rules_load(const char *dir, char *msg, size_t size)
{
    rules *r = NULL;
    err e = ERR_INIT;
    msg[0] = '\0';
    if (rules_load(dir, NULL, &r, &e) != ERR_OK)
        snprintf(msg, size, "%s", err_msg(&e));
    err_clear(&e);
    return r;
}

/* The shipped rules with one more file (lib/extra.lua): another rule set,
 * with a hash of its own. Loaded from a copy removed at once (the rules
 * hold their files). ERR_OK or the loader's error. */
int fixture_rules_other(rules **out)
{
    char *dir = fixture_copy_rules();
    fixture_write(dir, "lib/extra.lua", "return {}\n");
    err e = ERR_INIT;
    int rc = rules_load(dir, NULL, out, &e);
    err_clear(&e);
    fixture_rmtree(dir);
    return rc;
}
