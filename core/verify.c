/* verify: replay = parse the record's input with the same strict reader as
 * `labelcoop evaluate`, evaluate it under the named rule set, and compare the
 * printed JSON with the record's, byte for byte. */
#include "verify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "evaluation.h"
#include "filestore.h"
#include "text.h"
#include "json.h"

static void problem(cJSON *list, const char *what, long long id, const char *text)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, what, (double)id);
    cJSON_AddStringToObject(p, "problem", text);
    cJSON_AddItemToArray(list, p);
}

/* Replays a parsed record under r; NULL when the output matches, else why. */
static const char *replay(rules *r, const cJSON *record, char *why, size_t size)
{
    const cJSON *input = cJSON_GetObjectItem(record, "input");
    int n = rules_criterion_count(r);
    unsigned char *answers = malloc((size_t)n + 1);
    rules_input in;
    cJSON *out = NULL;
    err e = ERR_INIT;
    const char *result = NULL;
    if (!answers) {
        snprintf(why, size, "out of memory");
        return why;
    }
    if (evaluation_from_json(r, input, &in, answers, &e) != ERR_OK ||
        rules_evaluate(r, &in, &out, &e) != ERR_OK) {
        snprintf(why, size, "cannot replay: %s", err_msg(&e));
        result = why;
    } else {
        char *now = cJSON_PrintUnformatted(out);
        char *then = cJSON_PrintUnformatted(cJSON_GetObjectItem(record, "evaluation"));
        if (!now || !then || strcmp(now, then) != 0) {
            snprintf(why, size,
                     "replaying the rules gives another evaluation (outcome %s, "
                     "recorded %s)",
                     cJSON_GetStringValue(cJSON_GetObjectItem(out, "outcome")),
                     cJSON_GetStringValue(cJSON_GetObjectItem(
                         cJSON_GetObjectItem(record, "evaluation"), "outcome")));
            result = why;
        }
        free(now);
        free(then);
    }
    free(answers);
    cJSON_Delete(out);
    err_clear(&e);
    return result;
}

/* The checks that need no database: hash, link, decision vs evaluation. */
static const char *check_record(const char *text, const char *hash, const char *prev,
                                const cJSON *record, char *why, size_t size)
{
    char actual[65];
    text_sha256_hex(text, actual);
    if (!hash || strcmp(actual, hash) != 0)
        return "the record does not match its hash (edited)";
    if (!record)
        return "the record is not JSON";
    const char *linked = cJSON_GetStringValue(cJSON_GetObjectItem(record, "prev"));
    if (strcmp(linked ? linked : "", prev ? prev : "") != 0)
        return "the record's link to the previous decision is broken (a decision removed or "
               "inserted)";
    const cJSON *dec = cJSON_GetObjectItem(record, "decision");
    const char *outcome = cJSON_GetStringValue(cJSON_GetObjectItem(dec, "outcome"));
    const cJSON *ev = cJSON_GetObjectItem(record, "evaluation");
    if (outcome && strcmp(outcome, "awarded") == 0 &&
        !cJSON_IsTrue(cJSON_GetObjectItem(ev, "eligible"))) {
        snprintf(why, size, "awarded on an evaluation that is not eligible");
        return why;
    }
    return NULL;
}

/* ---- the documents a decision relied on ----------------------------------- */

/* The SHA-256 of the file at path into hex (65 bytes); ERR_NOT_FOUND when
 * there is none, ERR_FAIL (errno's words in why) when it cannot be read. */
static int file_sha256(const char *path, char *hex, char *why, size_t size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, size, "%s", strerror(errno));
        return errno == ENOENT ? ERR_NOT_FOUND : ERR_FAIL;
    }
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    unsigned char buf[65536], h[crypto_hash_sha256_BYTES];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        crypto_hash_sha256_update(&st, buf, n);
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        snprintf(why, size, "read error");
        return ERR_FAIL;
    }
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(hex, 65, h, sizeof h);
    return ERR_OK;
}

void verify_record_documents(const cJSON *record, const char *dir, long long decision,
                             cJSON *problems, int *checked)
{
    const cJSON *criterion, *d;
    cJSON_ArrayForEach(criterion, cJSON_GetObjectItem(record, "documents"))
    {
        cJSON_ArrayForEach(d, criterion)
        {
            const char *sha256 = cJSON_GetStringValue(cJSON_GetObjectItem(d, "sha256"));
            const char *title = cJSON_GetStringValue(cJSON_GetObjectItem(d, "title"));
            char path[4096], actual[65], why[600], err_words[256];
            double id = cJSON_GetNumberValue(cJSON_GetObjectItem(d, "document"));
            double version = cJSON_GetNumberValue(cJSON_GetObjectItem(d, "version"));
            (*checked)++;
            if (!sha256 || !filestore_hash_valid(sha256)) {
                snprintf(why, sizeof why, "criterion %s: a document without a valid sha256",
                         criterion->string);
                problem(problems, "decision", decision, why);
                continue;
            }
            snprintf(path, sizeof path, "%s/%s", dir, sha256);
            int rc = file_sha256(path, actual, err_words, sizeof err_words);
            if (rc == ERR_OK && strcmp(actual, sha256) == 0)
                continue;
            snprintf(why, sizeof why,
                     "criterion %s: document %.0f version %.0f (%s, sha256 %s) %s%s", criterion->string,
                     id, version, title ? title : "?", sha256,
                     rc == ERR_NOT_FOUND ? "is missing from " : rc == ERR_OK ? "was changed in " : "cannot be read in ",
                     dir);
            if (rc == ERR_OK)
                snprintf(why + strlen(why), sizeof why - strlen(why), " (its bytes hash to %s)",
                         actual);
            else if (rc != ERR_NOT_FOUND)
                snprintf(why + strlen(why), sizeof why - strlen(why), " (%s)", err_words);
            problem(problems, "decision", decision, why);
        }
    }
}

typedef struct walk {
    store *db;
    ruleset_cache *cache;
    cJSON *problems;
    char prev[65];
    int decisions;
    cJSON *closed; /* audit id -> the decision (awarded, refused) that closed it */
    const char *documents; /* the documents folder, NULL: not checked */
    int files;             /* documents checked */
} walk;

/* One submission takes one decision, and only a deferral gives the audit
 * back for another: a decision after the one that closed its audit is two
 * decisions on one submission (concurrent ones, before issue 17). */
static const char *after_closed(walk *w, const store_record *rec, char *why, size_t size)
{
    char key[24];
    snprintf(key, sizeof key, "%lld", rec->assessment_id);
    const cJSON *by = cJSON_GetObjectItem(w->closed, key);
    if (by) {
        snprintf(why, size,
                 "audit %lld was already decided by decision %.0f: one submission "
                 "takes one decision",
                 rec->assessment_id, cJSON_GetNumberValue(by));
        return why;
    }
    if (rec->outcome && strcmp(rec->outcome, "deferred") != 0)
        cJSON_AddNumberToObject(w->closed, key, (double)rec->id);
    return NULL;
}

static bool same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static int check_row(void *ud, const store_record *rec)
{
    walk *w = ud;
    char why[600];
    w->decisions++;
    if (!rec->record) {
        problem(w->problems, "decision", rec->id, "no decision record");
        return 0;
    }
    cJSON *record = cJSON_Parse(rec->record);
    const char *bad = check_record(rec->record, rec->record_hash, w->prev, record, why, sizeof why);
    if (!bad && !same(rec->prev_hash, w->prev[0] ? w->prev : NULL))
        bad = "the stored link to the previous decision is broken";
    const cJSON *dec = cJSON_GetObjectItem(record, "decision");
    if (!bad &&
        (!same(rec->outcome, cJSON_GetStringValue(cJSON_GetObjectItem(dec, "outcome"))) ||
         !same(rec->date, cJSON_GetStringValue(cJSON_GetObjectItem(dec, "date"))) ||
         !same(rec->valid_until, cJSON_GetStringValue(cJSON_GetObjectItem(dec, "valid_until")))))
        bad = "the stored outcome or dates differ from the decision record";
    if (!bad)
        bad = after_closed(w, rec, why, sizeof why);
    if (!bad) {
        rules *r;
        err e = ERR_INIT;
        const char *hash = cJSON_GetStringValue(cJSON_GetObjectItem(record, "ruleset"));
        if (!hash || ruleset_get(w->cache, w->db, hash, &r, &e) != ERR_OK) {
            snprintf(why, sizeof why, "its rule set cannot be loaded: %s", err_msg(&e));
            bad = why;
        } else {
            bad = replay(r, record, why, sizeof why);
        }
        err_clear(&e);
    }
    if (bad)
        problem(w->problems, "decision", rec->id, bad);
    if (record && w->documents)
        verify_record_documents(record, w->documents, rec->id, w->problems, &w->files);
    /* Follow the stored chain on, so one bad row is reported once. */
    snprintf(w->prev, sizeof w->prev, "%s", rec->record_hash ? rec->record_hash : "");
    cJSON_Delete(record);
    return 0;
}

int verify_database(store *db, ruleset_cache *cache, cJSON **report, err *e)
{
    return verify_with_documents(db, cache, NULL, report, e);
}

int verify_with_documents(store *db, ruleset_cache *cache, const char *documents, cJSON **report,
                          err *e)
{
    *report = NULL;
    walk w = {db, cache, cJSON_CreateArray(), "", 0, cJSON_CreateObject(), documents, 0};
    long long rows = 0, bad_row = 0;
    int rc = store_begin_read(db, e);
    if (rc == ERR_OK)
        rc = store_decision_each(db, check_row, &w, e);
    if (rc == ERR_OK)
        rc = store_journal_verify(db, &rows, &bad_row, e);
    store_rollback(db);
    cJSON_Delete(w.closed);
    if (rc != ERR_OK) {
        cJSON_Delete(w.problems);
        return rc;
    }
    if (bad_row)
        problem(w.problems, "journal", bad_row,
                "the journal's chain breaks here (a row edited, removed or inserted)");
    cJSON *r = cJSON_CreateObject();
    cJSON_AddBoolToObject(r, "ok", cJSON_GetArraySize(w.problems) == 0);
    cJSON_AddNumberToObject(r, "decisions", w.decisions);
    cJSON_AddNumberToObject(r, "journal_rows", (double)rows);
    if (documents)
        cJSON_AddNumberToObject(r, "documents", w.files);
    cJSON_AddItemToObject(r, "problems", w.problems);
    *report = r;
    return ERR_OK;
}

typedef struct finder {
    long long id;
    cJSON *found;
} finder;

static int find_row(void *ud, const store_record *rec)
{
    finder *f = ud;
    if (rec->id != f->id)
        return 0;
    f->found = cJSON_CreateObject();
    cJSON_AddNumberToObject(f->found, "decision", (double)rec->id);
    cJSON_AddStringToObject(f->found, "record", rec->record ? rec->record : "");
    cJSON_AddStringToObject(f->found, "record_hash", rec->record_hash ? rec->record_hash : "");
    return 1;
}

int verify_export(store *db, long long decision, cJSON **out, err *e)
{
    *out = NULL;
    finder f = {decision, NULL};
    if (store_decision_each(db, find_row, &f, e))
        return e->code;
    if (!f.found)
        return err_set(e, ERR_NOT_FOUND, "no decision %lld", decision);
    cJSON *record = cJSON_Parse(cJSON_GetStringValue(cJSON_GetObjectItem(f.found, "record")));
    const char *hash = cJSON_GetStringValue(cJSON_GetObjectItem(record, "ruleset"));
    files_tree tree = {0};
    int rc = hash ? store_ruleset_files(db, hash, &tree, e)
                  : err_set(e, ERR_FAIL, "decision %lld has no record", decision);
    cJSON_Delete(record);
    if (rc != ERR_OK) {
        cJSON_Delete(f.found);
        return rc;
    }
    cJSON *files = cJSON_AddObjectToObject(f.found, "rules");
    for (size_t i = 0; i < tree.count; i++)
        cJSON_AddStringToObject(files, tree.paths[i], tree.data[i]);
    files_tree_free(&tree);
    *out = f.found;
    return ERR_OK;
}

/* Copies the file from to to (created, not there before). */
static int copy_file(const char *from, const char *to, err *e)
{
    FILE *in = fopen(from, "rb");
    if (!in)
        return err_set(e, errno == ENOENT ? ERR_NOT_FOUND : ERR_FAIL, "%s: %s", from,
                       strerror(errno));
    FILE *out = fopen(to, "wbx");
    if (!out) {
        fclose(in);
        return err_set(e, ERR_FAIL, "%s: %s", to, strerror(errno));
    }
    char buf[65536];
    size_t n;
    bool ok = true;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    ok = ok && !ferror(in);
    fclose(in);
    if (fclose(out) != 0)
        ok = false;
    return ok ? ERR_OK : err_set(e, ERR_FAIL, "%s: cannot copy to %s", from, to);
}

int verify_export_documents(const cJSON *export, const char *from, const char *to, err *e)
{
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(export, "record"));
    long long id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(export, "decision"));
    cJSON *record = text ? cJSON_Parse(text) : NULL;
    cJSON *problems = cJSON_CreateArray();
    int checked = 0, rc = ERR_OK;
    /* The files the record names, as they are now: none sent unchecked. */
    verify_record_documents(record, from, id, problems, &checked);
    if (cJSON_GetArraySize(problems) > 0)
        rc = err_set(e, ERR_FAIL, "decision %lld: %s", id,
                     cJSON_GetStringValue(cJSON_GetObjectItem(problems->child, "problem")));
    if (rc == ERR_OK && mkdir(to, 0755) != 0 && errno != EEXIST)
        rc = err_set(e, ERR_FAIL, "%s: %s", to, strerror(errno));
    const cJSON *criterion, *d;
    cJSON_ArrayForEach(criterion, cJSON_GetObjectItem(record, "documents"))
    {
        cJSON_ArrayForEach(d, criterion)
        {
            const char *sha256 = cJSON_GetStringValue(cJSON_GetObjectItem(d, "sha256"));
            char src[4096], dst[4096];
            snprintf(src, sizeof src, "%s/%s", from, sha256);
            snprintf(dst, sizeof dst, "%s/%s", to, sha256);
            if (rc == ERR_OK && access(dst, F_OK) != 0) /* named twice, copied once */
                rc = copy_file(src, dst, e);
        }
    }
    cJSON_Delete(problems);
    cJSON_Delete(record);
    return rc;
}

int verify_export_check(const cJSON *export, const sandbox_limits *lim, const char *documents,
                        cJSON **report, err *e)
{
    *report = NULL;
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(export, "record"));
    const char *hash = cJSON_GetStringValue(cJSON_GetObjectItem(export, "record_hash"));
    const cJSON *decision = cJSON_GetObjectItem(export, "decision");
    long long id = 0;
    if (cJSON_IsNumber(decision) && !json_id(decision, &id))
        return err_set(e, ERR_INPUT, "$.decision: expected a decision id");
    if (!text || !hash)
        return err_set(e, ERR_INPUT,
                       "$: expected {\"decision\", \"record\", \"record_hash\", "
                       "\"rules\"} as written by export-decision");
    files_tree tree;
    if (json_tree(cJSON_GetObjectItem(export, "rules"), "$.rules", &tree, e))
        return e->code;
    cJSON *problems = cJSON_CreateArray();
    cJSON *record = NULL; /* a key named twice would read one way here, another elsewhere */
    err pe = ERR_INIT;
    json_parse(text, strlen(text), &record, &pe);
    err_clear(&pe);
    char why[600], actual[65];
    const char *prev = cJSON_GetStringValue(cJSON_GetObjectItem(record, "prev"));
    const char *bad = check_record(text, hash, prev, record, why, sizeof why);
    rules_tree_hash(&tree, actual);
    const char *named = cJSON_GetStringValue(cJSON_GetObjectItem(record, "ruleset"));
    if (!bad && !same(actual, named))
        bad = "the rule files do not hash to the rule set the record names";
    rules *r = NULL;
    if (!bad) {
        err le = ERR_INIT;
        if (rules_load_tree(&tree, lim, &r, &le) != ERR_OK) {
            snprintf(why, sizeof why, "its rules do not load: %s", err_msg(&le));
            bad = why;
        } else {
            bad = replay(r, record, why, sizeof why);
        }
        err_clear(&le);
    }
    files_tree_free(&tree); /* empty when moved into r */
    if (bad)
        problem(problems, "decision", id, bad);
    int checked = 0;
    if (documents && record)
        verify_record_documents(record, documents, id, problems, &checked);
    rules_free(r);
    cJSON_Delete(record);
    cJSON *rep = cJSON_CreateObject();
    cJSON_AddBoolToObject(rep, "ok", cJSON_GetArraySize(problems) == 0);
    cJSON_AddNumberToObject(rep, "decisions", 1);
    if (documents)
        cJSON_AddNumberToObject(rep, "documents", checked);
    cJSON_AddItemToObject(rep, "problems", problems);
    *report = rep;
    return ERR_OK;
}
