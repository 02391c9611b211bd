/* cli_rules: the commands on rule sets (check, list, test, the lifecycle:
 * activate, rollback, history, show, diff, whatif), the evaluation of
 * answers, and the checks of decisions (verify, export-decision,
 * assessments migrate). Uses service (activation, history, a rule set's
 * files, migration), rules, ruleset, ruletest, whatif, verify. */
#include "cli_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diff.h"
#include "evaluation.h"
#include "files.h"
#include "json.h"
#include "rules.h"
#include "ruletest.h"
#include "text.h"
#include "verify.h"
#include "whatif.h"

static int load_rules(const opts *o, rules **r)
{
    err e = ERR_INIT;
    if (rules_load(o->rules, &o->limits, r, &e) != ERR_OK) {
        fprintf(stderr, "labelcoop: %s: the rules do not load:\n", o->rules);
        fprintf(stderr, "%s\n", err_msg(&e));
        int code = e.code;
        err_clear(&e);
        return code;
    }
    return ERR_OK;
}

int cli_cmd_rules_check(const opts *o)
{
    rules *r;
    int rc = load_rules(o, &r);
    if (rc != ERR_OK)
        return rc;
    int total[LEVEL_COUNT] = {0};
    printf("rules %s: valid\n\n", o->rules);
    printf("%-6s %-44s %5s %9s %11s %7s\n", "field", "name", "total", "mandatory", "recommended",
           "advised");
    for (int f = 0; f < rules_field_count(r); f++) {
        int n[LEVEL_COUNT] = {0}, all = 0;
        for (int i = 0; i < rules_criterion_count(r); i++) {
            const rules_criterion *c = rules_criterion_at(r, i);
            if (c->field_index == f)
                n[c->level]++, all++;
        }
        for (int l = 0; l < LEVEL_COUNT; l++)
            total[l] += n[l];
        const rules_field *fd = rules_field_at(r, f);
        size_t w = text_width(fd->name);
        printf("%-6s %s%*s %5d %9d %11d %7d\n", fd->id, fd->name, (int)(w < 44 ? 44 - w : 0), "",
               all, n[0], n[1], n[2]);
    }
    printf("%-6s %-44s %5d %9d %11d %7d\n\n", "all", "", rules_criterion_count(r), total[0],
           total[1], total[2]);
    printf("ruleset %s\n", rules_hash(r));
    rules_free(r);
    return ERR_OK;
}

int cli_cmd_rules_list(const opts *o)
{
    rules *r;
    int rc = load_rules(o, &r);
    if (rc != ERR_OK)
        return rc;
    if (o->format && strcmp(o->format, "json") == 0) {
        rc = cli_print_json(rules_to_json(r));
    } else {
        for (int i = 0; i < rules_criterion_count(r); i++) {
            const rules_criterion *c = rules_criterion_at(r, i);
            printf("%-8s %-12s %s\n", c->id, rules_level_name(c->level), c->statement);
        }
        printf("ruleset %s\n", rules_hash(r));
    }
    rules_free(r);
    return rc;
}

int cli_cmd_rules_test(const opts *o)
{
    rules *r;
    int rc = load_rules(o, &r); /* a clear message before busted's own */
    if (rc != ERR_OK)
        return rc;
    printf("ruleset %s\n", rules_hash(r));
    fflush(stdout);
    rules_free(r);
    return ruletest_run(o->rules, &o->limits, o->nargs, o->args);
}

int cli_cmd_evaluate(const opts *o)
{
    if (!o->answers)
        return cli_fail(ERR_INPUT,
                        "evaluate: --answers FILE (or - for standard input) is required");
    err e = ERR_INIT;
    char *text = NULL;
    size_t len = 0;
    int rc = strcmp(o->answers, "-") == 0 ? files_read_stream(stdin, "stdin", &text, &len, &e)
                                          : files_read(o->answers, &text, &len, &e);
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    rules *r;
    rc = load_rules(o, &r);
    if (rc != ERR_OK) {
        free(text);
        return rc;
    }
    unsigned char *answers = malloc((size_t)rules_criterion_count(r) + 1);
    rules_input in;
    cJSON *result = NULL;
    if (!answers)
        rc = err_set(&e, ERR_FAIL, "out of memory");
    else if ((rc = evaluation_parse(r, text, len, &in, answers, &e)) != ERR_OK)
        err_set(&e, rc, "%s: %s", strcmp(o->answers, "-") ? o->answers : "stdin", err_msg(&e));
    else
        rc = rules_evaluate(r, &in, &result, &e);
    free(text);
    free(answers);
    rules_free(r);
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    if (o->format && strcmp(o->format, "text") == 0) {
        char *out = evaluation_text(result);
        cJSON_Delete(result);
        if (!out)
            return cli_fail(ERR_FAIL, "out of memory");
        fputs(out, stdout);
        free(out);
        return ERR_OK;
    }
    return cli_print_json(result);
}

/* ---- the rules lifecycle ------------------------------------------------------- */

/* A rule set named by a folder, or by a hash stored in the database. */
static int open_rules_arg(const opts *o, const char *arg, store **db, ruleset_cache *cache,
                          rules **r, bool *owned)
{
    struct stat st;
    err e = ERR_INIT;
    *owned = false;
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
        opts dir = *o;
        dir.rules = arg;
        *owned = true;
        return load_rules(&dir, r);
    }
    if (!*db && cli_open_db(o, db) != ERR_OK)
        return ERR_INPUT;
    if (ruleset_get(cache, *db, arg, r, &e) != ERR_OK) {
        fprintf(stderr, "labelcoop: %s: neither a rules folder nor a stored rule set (%s)\n", arg,
                err_msg(&e));
        err_clear(&e);
        return ERR_INPUT;
    }
    return ERR_OK;
}

int cli_cmd_rules_diff(const opts *o)
{
    const char *a = o->args[0], *b = o->args[1];
    store *db = NULL;
    ruleset_cache *cache = ruleset_cache_new(&o->limits);
    rules *ra = NULL, *rb = NULL;
    bool own_a = false, own_b = false;
    int rc = open_rules_arg(o, a, &db, cache, &ra, &own_a);
    if (rc == ERR_OK)
        rc = open_rules_arg(o, b, &db, cache, &rb, &own_b);
    if (rc == ERR_OK) {
        cJSON *d = diff_rules(ra, rb);
        if (o->format && strcmp(o->format, "json") == 0) {
            rc = cli_print_json(d);
        } else {
            char *text = diff_text(d);
            fputs(text ? text : "", stdout);
            free(text);
            cJSON_Delete(d);
        }
    }
    if (own_a)
        rules_free(ra);
    if (own_b)
        rules_free(rb);
    ruleset_cache_free(cache);
    store_close(db);
    return rc;
}

static int print_whatif(const opts *o, cJSON *report_json)
{
    if (o->format && strcmp(o->format, "json") == 0)
        return cli_print_json(report_json);
    char *text = whatif_text(report_json);
    fputs(text ? text : "", stdout);
    free(text);
    cJSON_Delete(report_json);
    return ERR_OK;
}

/* What candidate rules are weighed against, as the server's what-if: the
 * active rule set or, when it does not load, the latest activated that does
 * (said on stderr, with why the active one does not); *active NULL when no
 * rule set was ever activated, or none loads. *loads: the active one does. */
static int baseline(store *db, ruleset_cache *cache, rules **active, bool *loads, err *e)
{
    char *broken = NULL;
    int rc = ruleset_baseline(cache, db, NULL, active, &broken, e);
    *loads = !broken;
    if (broken)
        fprintf(stderr, "labelcoop: %s\n", broken);
    if (broken && *active)
        fprintf(stderr,
                "labelcoop: compared with rule set %s instead, the latest activated that "
                "loads\n",
                rules_hash(*active));
    free(broken);
    if (rc == ERR_NOT_FOUND) { /* the first rule set: nothing to weigh it against */
        err_clear(e);
        rc = ERR_OK;
    }
    return rc;
}

int cli_cmd_whatif(const opts *o)
{
    cli_env env;
    rules *active = NULL, *candidate = NULL;
    bool activated, loads;
    err e = ERR_INIT;
    int rc = cli_env_open(o, ENV_CACHE, &env);
    if (rc != ERR_OK)
        return rc;
    if (service_ruleset_bootstrap(&env.s, o->rules, &o->limits, &activated, &e) == ERR_OK &&
        baseline(env.db, env.cache, &active, &loads, &e) == ERR_OK && !active)
        err_set(&e, ERR_RULES, "no stored rule set loads: nothing to weigh the rules against");
    rc = e.code != ERR_OK ? cli_fail_err(&e) : load_rules(o, &candidate);
    if (rc == ERR_OK) {
        cJSON *out;
        rc = whatif_run(env.db, active, candidate, &out, &e) == ERR_OK ? print_whatif(o, out)
                                                                       : cli_fail_err(&e);
        rules_free(candidate);
    }
    cli_env_close(&env);
    return rc;
}

static int keep_spec(const char *path)
{
    return strncmp(path, "spec/", 5) == 0;
}

/* The rule specs of the rules folder (DIR/spec), run against the candidate:
 * the folder itself, or a stored rule set's files with the folder's specs.
 * Nothing runs when the folder has no spec/ (as `rules test` would refuse). */
static int run_specs(const opts *o, const rules *candidate, bool stored, err *e)
{
    char spec_dir[4200];
    snprintf(spec_dir, sizeof spec_dir, "%s/spec", o->rules);
    struct stat st;
    if (stat(spec_dir, &st) != 0)
        return ERR_OK;
    fflush(stdout);
    if (!stored)
        return ruletest_child(o->rules, &o->limits, e);
    files_tree specs;
    if (files_tree_read(o->rules, ".lua", keep_spec, &specs, e) != ERR_OK)
        return e->code;
    int rc = ruletest_tree(rules_files(candidate), &specs, &o->limits, e);
    files_tree_free(&specs);
    return rc;
}

/* The what-if against what is active, then the activation. */
static int activate(const opts *o, cli_env *env, rules *candidate, err *e)
{
    store *db = env->db;
    rules *active = NULL;
    long long id = 0;
    bool loads;
    if (baseline(db, env->cache, &active, &loads, e) != ERR_OK)
        return e->code;
    if (loads && active && strcmp(rules_hash(active), rules_hash(candidate)) == 0) {
        printf("rule set %s is already the active one\n", rules_hash(candidate));
        return ERR_OK;
    }
    if (active) {
        cJSON *out = NULL;
        if (whatif_run(db, active, candidate, &out, e) != ERR_OK)
            return e->code;
        char *text = whatif_text(out);
        fputs(text ? text : "", stdout);
        free(text);
        cJSON_Delete(out);
    }
    if (service_ruleset_activate_loaded(&env->s, candidate, o->label, o->note, &id, e) != ERR_OK)
        return e->code;
    printf("activated rule set %s (activation %lld)\n", rules_hash(candidate), id);
    return ERR_OK;
}

/* `rules activate`: the folder's rules, or with --ruleset a stored rule
 * set (what restores service when the active one no longer loads). */
int cli_cmd_rules_activate(const opts *o)
{
    if (!o->note || !o->note[0])
        return cli_fail(ERR_INPUT, "rules activate: --note TEXT is required (why this change)");
    cli_env env;
    int rc = cli_env_open(o, ENV_CACHE, &env);
    if (rc != ERR_OK)
        return rc;
    rules *candidate = NULL;
    err e = ERR_INIT;
    if (o->ruleset) {
        rc = ruleset_get(env.cache, env.db, o->ruleset, &candidate, &e);
        if (rc == ERR_NOT_FOUND)
            err_set(&e, ERR_INPUT, "rules activate: --ruleset %s: no such stored rule set",
                    o->ruleset);
    } else if ((rc = load_rules(o, &candidate)) != ERR_OK) {
        candidate = NULL; /* reported */
    }
    if (rc == ERR_OK && (rc = run_specs(o, candidate, o->ruleset != NULL, &e)) == ERR_FAIL) {
        fprintf(stderr, "%s\n", err_msg(&e)); /* busted's report */
        err_set(&e, ERR_FAIL, "rules activate: the rule specs fail; nothing was activated");
    }
    if (rc == ERR_OK)
        rc = activate(o, &env, candidate, &e);
    if (e.code)
        rc = cli_fail_err(&e);
    if (!o->ruleset)
        rules_free(candidate);
    cli_env_close(&env);
    return rc;
}

/* `rules rollback`: the rule set of the activation before the active one,
 * activated again as `rules activate --ruleset` does. */
int cli_cmd_rules_rollback(const opts *o)
{
    if (!o->note || !o->note[0])
        return cli_fail(ERR_INPUT, "rules rollback: --note TEXT is required (why this change)");
    if (o->ruleset)
        return cli_fail(ERR_INPUT, "rules rollback: takes no --ruleset (see rules activate)");
    cli_env env;
    int rc = cli_env_open(o, ENV_DB, &env);
    if (rc != ERR_OK)
        return rc;
    char hash[65];
    err e = ERR_INIT;
    rc = service_ruleset_previous(&env.s, hash, &e);
    cli_env_close(&env);
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    printf("rolling back to rule set %s\n", hash);
    opts back = *o;
    back.ruleset = hash;
    return cli_cmd_rules_activate(&back);
}

int cli_cmd_rules_history(const opts *o)
{
    cli_env env;
    int rc = cli_env_open(o, ENV_DB, &env);
    if (rc != ERR_OK)
        return rc;
    cJSON *list;
    err e = ERR_INIT;
    rc = service_ruleset_history(&env.s, &list, &e);
    cli_env_close(&env);
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    if (o->format && strcmp(o->format, "json") == 0)
        return cli_print_json(list);
    const cJSON *a;
    cJSON_ArrayForEach(a, list)
    {
        const char *label = cJSON_GetStringValue(cJSON_GetObjectItem(a, "label"));
        const char *by = cJSON_GetStringValue(cJSON_GetObjectItem(a, "activated_by_email"));
        printf("%3.0f  %s  %s  %-10s %-24s %s\n",
               cJSON_GetNumberValue(cJSON_GetObjectItem(a, "id")),
               cJSON_GetStringValue(cJSON_GetObjectItem(a, "activated_at")),
               cJSON_GetStringValue(cJSON_GetObjectItem(a, "ruleset")), label ? label : "-",
               by ? by : "(command line)", cJSON_GetStringValue(cJSON_GetObjectItem(a, "note")));
    }
    cJSON_Delete(list);
    return ERR_OK;
}

int cli_cmd_rules_show(const opts *o)
{
    const char *hash = o->args[0];
    cli_env env;
    int rc = cli_env_open(o, ENV_DB, &env);
    if (rc != ERR_OK)
        return rc;
    cJSON *shown;
    err e = ERR_INIT;
    rc = service_ruleset_files(&env.s, hash, &shown, &e);
    cli_env_close(&env);
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(shown, "files"))
    {
        size_t len = strlen(f->valuestring);
        printf("==> %s <==\n%s%s", f->string, f->valuestring,
               len && f->valuestring[len - 1] == '\n' ? "" : "\n");
    }
    cJSON_Delete(shown);
    return ERR_OK;
}

int cli_cmd_verify(const opts *o)
{
    cJSON *rep = NULL;
    err e = ERR_INIT;
    int rc;
    if (o->record) {
        char *text;
        size_t len;
        cJSON *doc;
        if (files_read(o->record, &text, &len, &e) != ERR_OK)
            return cli_fail_err(&e);
        rc = json_parse(text, len, &doc, &e);
        free(text);
        if (rc != ERR_OK)
            return cli_fail_err(&e);
        /* The documents export-decision --with-documents wrote beside it. */
        char documents[4096];
        struct stat st;
        snprintf(documents, sizeof documents, "%s.documents", o->record);
        bool beside = stat(documents, &st) == 0 && S_ISDIR(st.st_mode);
        rc = verify_export_check(doc, &o->limits, beside ? documents : NULL, &rep, &e);
        cJSON_Delete(doc);
    } else {
        cli_env env;
        if ((rc = cli_env_open(o, ENV_CACHE, &env)) != ERR_OK)
            return rc;
        service_library_config lib;
        char dir[4096];
        cli_library(o, &lib, dir, sizeof dir);
        rc = verify_with_documents(env.db, env.cache, dir, &rep, &e);
        cli_env_close(&env);
    }
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    bool ok = cJSON_IsTrue(cJSON_GetObjectItem(rep, "ok"));
    if (o->format && strcmp(o->format, "json") == 0) {
        cli_print_json(rep);
        return ok ? ERR_OK : ERR_FAIL;
    }
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(rep, "problems"))
    {
        const cJSON *id = cJSON_GetObjectItem(p, "decision");
        printf("%s %.0f: %s\n", id ? "decision" : "journal row",
               cJSON_GetNumberValue(id ? id : cJSON_GetObjectItem(p, "journal")),
               cJSON_GetStringValue(cJSON_GetObjectItem(p, "problem")));
    }
    printf("%s: %.0f decisions replayed", ok ? "verified" : "FAILED",
           cJSON_GetNumberValue(cJSON_GetObjectItem(rep, "decisions")));
    if (cJSON_GetObjectItem(rep, "journal_rows"))
        printf(", %.0f journal rows checked",
               cJSON_GetNumberValue(cJSON_GetObjectItem(rep, "journal_rows")));
    if (cJSON_GetObjectItem(rep, "documents"))
        printf(", %.0f documents checked",
               cJSON_GetNumberValue(cJSON_GetObjectItem(rep, "documents")));
    printf("\n");
    cJSON_Delete(rep);
    return ok ? ERR_OK : ERR_FAIL;
}

int cli_cmd_export_decision(const opts *o)
{
    const char *id_text = o->args[0];
    long long id;
    if (cli_parse_count(id_text, 1, (long long)1 << 53, &id))
        return cli_fail(ERR_INPUT, "export-decision: expected a decision id");
    cli_env env;
    int rc = cli_env_open(o, ENV_DB, &env);
    if (rc != ERR_OK)
        return rc;
    if (o->with_documents && !o->out) {
        cli_env_close(&env);
        return cli_fail(ERR_INPUT, "export-decision: --with-documents needs --out FILE (the "
                                   "documents go to FILE.documents/)");
    }
    cJSON *out;
    err e = ERR_INIT;
    rc = verify_export(env.db, id, &out, &e);
    cli_env_close(&env);
    if (rc == ERR_OK && o->with_documents) {
        service_library_config lib;
        char from[4096], to[4096];
        cli_library(o, &lib, from, sizeof from);
        snprintf(to, sizeof to, "%s.documents", o->out);
        if ((rc = verify_export_documents(out, from, to, &e)) != ERR_OK)
            cJSON_Delete(out);
    }
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    char *text = cJSON_Print(out);
    cJSON_Delete(out);
    size_t len = text ? strlen(text) : 0;
    char *line = text ? realloc(text, len + 2) : NULL;
    if (!line) {
        free(text);
        return cli_fail(ERR_FAIL, "export-decision: out of memory");
    }
    memcpy(line + len, "\n", 2);
    rc = cli_write_out("export-decision", o->out, line, len + 1);
    free(line);
    return rc;
}

int cli_cmd_migrate(const opts *o)
{
    if (!o->to)
        return cli_fail(ERR_INPUT, "assessments migrate: --to HASH is required");
    cli_env env;
    int rc = cli_env_open(o, ENV_ACTIVE, &env);
    if (rc != ERR_OK)
        return rc;
    cJSON *out;
    err e = ERR_INIT;
    rc = service_migrate(&env.s, o->to, o->org, &out, &e) == ERR_OK ? cli_print_json(out)
                                                                     : cli_fail_err(&e);
    cli_env_close(&env);
    return rc;
}
