/* cli_platform: the platform's commands (the database, organisations and
 * users, backups, the demo, webhooks, plugins, documents, reports, the
 * tick, the version) and the environment every command opens. Each
 * command reads and writes through the service, as the API does. */
#include "cli_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "backup.h"
#include "date.h"
#include "demo.h"
#include "document.h"
#include "events.h"
#include "plugin.h"
#include "report.h"
#include "reqlog.h"
#include "service.h"
#include "store.h"
#include "version.h"
#include "webhook.h"

/* Creates the folders above a database file, as `make run` expects var/. */
int cli_make_parent(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            return cli_fail(ERR_INPUT, "cannot create the database's folder");
        *p = '/';
    }
    return ERR_OK;
}

int cli_open_db(const opts *o, store **db)
{
    err e = ERR_INIT;
    struct stat st;
    if (stat(o->db, &st) == 0 && !S_ISREG(st.st_mode)) {
        fprintf(stderr, "labelcoop: --db %s: not a file (a database file is expected)\n", o->db);
        return ERR_INPUT;
    }
    /* A path mistyped would otherwise get a new, empty database, which
     * `verify` would then call verified. */
    if (!o->may_create && access(o->db, F_OK) != 0) {
        fprintf(stderr, "labelcoop: --db %s: no database there (`labelcoop init --db %s` makes one)\n",
                o->db, o->db);
        return ERR_INPUT;
    }
    int rc = cli_prepare_db(o->db);
    if (rc != ERR_OK)
        return rc;
    if (store_open(o->db, db, &e) != ERR_OK)
        return cli_fail_err(&e);
    return ERR_OK;
}

int cli_prepare_db(const char *path)
{
    if (cli_make_parent(path) != ERR_OK)
        return ERR_INPUT;
    char made[BACKUP_NAME_MAX];
    err e = ERR_INIT;
    if (backup_before_migration(path, made, sizeof made, &e) != ERR_OK)
        return cli_fail_err(&e);
    if (made[0])
        fprintf(stderr, "labelcoop: %s is migrated to schema version %d; a copy of it as it "
                        "was: %s\n",
                path, store_latest_version(), made);
    return ERR_OK;
}


void cli_env_close(cli_env *env)
{
    ruleset_cache_free(env->cache);
    store_close(env->db);
    memset(env, 0, sizeof *env);
}

/* Opens what the command needs; the error is said on stderr. Closed by
 * env_close, also after a failure here. */
int cli_env_open(const opts *o, env_need need, cli_env *env)
{
    err e = ERR_INIT;
    bool activated;
    memset(env, 0, sizeof *env);
    int rc = cli_open_db(o, &env->db);
    if (rc != ERR_OK || need == ENV_DB) {
        env->s.db = env->db;
        return rc;
    }
    env->s = (service){.db = env->db, .rulesets = env->cache = ruleset_cache_new(&o->limits)};
    if (need == ENV_ACTIVE &&
        (service_ruleset_bootstrap(&env->s, o->rules, &o->limits, &activated, &e) != ERR_OK ||
         ruleset_active(env->cache, env->db, NULL, &env->s.rules, &e) != ERR_OK)) {
        cli_env_close(env);
        return cli_fail_err(&e);
    }
    return ERR_OK;
}

int cli_cmd_init(const opts *o)
{
    opts made = *o;
    made.may_create = true;
    cli_env env;
    int rc = cli_env_open(&made, ENV_DB, &env);
    if (rc != ERR_OK)
        return rc;
    printf("database %s at schema version %d\n", o->db, store_schema_version(env.db));
    cli_env_close(&env);
    return ERR_OK;
}

static void add_text(cJSON *o, const char *key, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, key, v);
}

int cli_cmd_org_add(const opts *o)
{
    if (!o->name)
        return cli_fail(ERR_INPUT, "org add: --name NAME is required");
    cli_env env;
    int rc = cli_env_open(o, ENV_DB, &env);
    if (rc != ERR_OK)
        return rc;
    cJSON *body = cJSON_CreateObject(), *out = NULL;
    add_text(body, "name", o->name);
    add_text(body, "legal_form", o->legal_form);
    add_text(body, "city", o->city);
    add_text(body, "region", o->region);
    add_text(body, "member_since", o->member_since);
    err e = ERR_INIT;
    rc = service_org_add(&env.s, body, &out, &e);
    cJSON_Delete(body);
    cli_env_close(&env);
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    printf("organisation %.0f\n", cJSON_GetNumberValue(cJSON_GetObjectItem(out, "id")));
    cJSON_Delete(out);
    return ERR_OK;
}

/* The first line of standard input, without its line ending; caller frees. */
static char *read_password(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return line;
}

int cli_cmd_user_add(const opts *o)
{
    if (!o->email || !o->name || !o->role || !o->password_stdin)
        return cli_fail(ERR_INPUT, "user add: --email, --name, --role and --password-stdin are "
                               "required");
    char *password = read_password();
    if (!password)
        return cli_fail(ERR_INPUT, "user add: no password on standard input");
    cli_env env;
    int rc = cli_env_open(o, ENV_DB, &env);
    if (rc != ERR_OK) {
        sodium_memzero(password, strlen(password));
        free(password);
        return rc;
    }
    cJSON *body = cJSON_CreateObject(), *out = NULL;
    add_text(body, "email", o->email);
    add_text(body, "name", o->name);
    add_text(body, "role", o->role);
    add_text(body, "certified_until", o->certified_until);
    add_text(body, "password", password);
    if (o->org)
        cJSON_AddNumberToObject(body, "organisation_id", (double)o->org);
    sodium_memzero(password, strlen(password));
    free(password);
    err e = ERR_INIT;
    rc = service_user_add(&env.s, body, &out, &e);
    cJSON *pw = cJSON_GetObjectItem(body, "password");
    sodium_memzero(pw->valuestring, strlen(pw->valuestring));
    cJSON_Delete(body);
    cli_env_close(&env);
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    printf("user %.0f\n", cJSON_GetNumberValue(cJSON_GetObjectItem(out, "id")));
    cJSON_Delete(out);
    return ERR_OK;
}

/* A role for the person of --email, given at once (committee included: the
 * command line is the server's operator, as for user add). */
int cli_cmd_user_role(const opts *o)
{
    if (!o->email || !o->role)
        return cli_fail(ERR_INPUT, "user role: --email and --role are required");
    cli_env env;
    int rc = cli_env_open(o, ENV_DB, &env);
    if (rc != ERR_OK)
        return rc;
    cJSON *body = cJSON_CreateObject(), *out = NULL;
    add_text(body, "role", o->role);
    add_text(body, "certified_until", o->certified_until);
    if (o->org)
        cJSON_AddNumberToObject(body, "organisation_id", (double)o->org);
    err e = ERR_INIT;
    rc = service_role_add_email(&env.s, o->email, body, &out, &e);
    cJSON_Delete(body);
    cli_env_close(&env);
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    printf("user %.0f: %d roles\n", cJSON_GetNumberValue(cJSON_GetObjectItem(out, "id")),
           cJSON_GetArraySize(cJSON_GetObjectItem(out, "roles")));
    cJSON_Delete(out);
    return ERR_OK;
}

int cli_cmd_backup(const opts *o)
{
    const char *file = o->args[0];
    cli_env env;
    int rc = cli_env_open(o, ENV_DB, &env);
    if (rc != ERR_OK)
        return rc;
    err e = ERR_INIT;
    service_library_config library;
    char documents[BACKUP_NAME_MAX];
    cli_library(o, &library, documents, sizeof documents);
    rc = backup_take(env.db, documents, file, &e);
    cli_env_close(&env);
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    printf("backup of %s written to %s, its documents to %s.documents\n", o->db, file, file);
    return ERR_OK;
}

/* Replaces the database with a copy checked whole first (backup.h). */
int cli_cmd_restore(const opts *o)
{
    char aside[BACKUP_NAME_MAX];
    cJSON *report = NULL;
    err e = ERR_INIT;
    if (cli_make_parent(o->db) != ERR_OK)
        return ERR_INPUT;
    service_library_config library;
    char documents[BACKUP_NAME_MAX];
    cli_library(o, &library, documents, sizeof documents);
    int rc = backup_restore(o->args[0], o->db, documents, &o->limits, aside, sizeof aside, &report,
                            &e);
    double decisions = cJSON_GetNumberValue(cJSON_GetObjectItem(report, "decisions"));
    cJSON_Delete(report);
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    printf("restored %s into %s: %.0f decisions replayed, both chains checked\n", o->args[0],
           o->db, decisions);
    if (aside[0])
        printf("the database it replaced is kept as %s\n", aside);
    return ERR_OK;
}

int cli_cmd_demo(const opts *o)
{
    opts made = *o;
    made.may_create = true;
    cli_env env;
    int rc = cli_env_open(&made, ENV_CACHE, &env);
    if (rc != ERR_OK)
        return rc;
    err e = ERR_INIT;
    bool activated;
    cJSON *logins = NULL;
    rc = service_ruleset_bootstrap(&env.s, o->rules, &o->limits, &activated, &e);
    if (rc == ERR_OK)
        rc = ruleset_active(env.cache, env.db, NULL, &env.s.rules, &e);
    if (rc == ERR_OK)
        rc = demo_seed(&env.s, &logins, &e);
    cli_env_close(&env);
    if (rc == ERR_CONFLICT) {
        printf("%s: %s\n", o->db, err_msg(&e));
        err_clear(&e);
        return ERR_OK;
    }
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    printf("Demo data created in %s. Logins (shown this once):\n", o->db);
    const cJSON *l;
    cJSON_ArrayForEach(l, logins)
    {
        printf("  %-10s %-26s %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(l, "role")),
               cJSON_GetStringValue(cJSON_GetObjectItem(l, "email")),
               cJSON_GetStringValue(cJSON_GetObjectItem(l, "password")));
    }
    cJSON_Delete(logins);
    return ERR_OK;
}

/* Writes len bytes of text to path, or to stdout without one. A path that
 * cannot be opened is bad input (exit 2, as for `db backup`), named; a
 * write that fails once it is open (a full disk) is a failure (exit 1). */
int cli_write_out(const char *cmd, const char *path, const char *text, size_t len)
{
    char msg[4400];
    FILE *f = path ? fopen(path, "wb") : stdout;
    if (!f) {
        snprintf(msg, sizeof msg, "%s: --out %s: cannot be written (%s)", cmd, path,
                 strerror(errno));
        return cli_fail(ERR_INPUT, msg);
    }
    bool ok = fwrite(text, 1, len, f) == len;
    if (path)
        ok = fclose(f) == 0 && ok;
    else
        ok = fflush(f) == 0 && ok;
    if (ok)
        return ERR_OK;
    snprintf(msg, sizeof msg, "%s: writing %s failed (%s)", cmd, path ? path : "to stdout",
             strerror(errno));
    return cli_fail(ERR_FAIL, msg);
}

/* ---- webhooks and the scheduler --------------------------------------------------- */

int cli_cmd_webhook_add(const opts *o)
{
    if (!o->url)
        return cli_fail(ERR_INPUT, "webhook add: --url URL is required");
    cli_env env;
    int rc = cli_env_open(o, ENV_DB, &env);
    if (rc != ERR_OK)
        return rc;
    cJSON *body = cJSON_CreateObject(), *out = NULL;
    cJSON_AddStringToObject(body, "url", o->url);
    if (o->events && strcmp(o->events, "*") != 0) {
        cJSON *list = cJSON_AddArrayToObject(body, "events");
        char buf[2048];
        snprintf(buf, sizeof buf, "%s", o->events);
        char *save = NULL;
        for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
            cJSON_AddItemToArray(list, cJSON_CreateString(t));
    }
    char *secret = o->secret_stdin ? read_password() : NULL;
    if (secret)
        cJSON_AddStringToObject(body, "secret", secret);
    err e = ERR_INIT;
    rc = service_webhook_add(&env.s, body, &out, &e);
    if (secret) {
        sodium_memzero(secret, strlen(secret));
        free(secret);
    }
    cJSON_Delete(body);
    cli_env_close(&env);
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    printf("webhook %.0f -> %s\n", cJSON_GetNumberValue(cJSON_GetObjectItem(out, "id")), o->url);
    if (!o->secret_stdin) /* the only time it is shown */
        printf("secret %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(out, "secret")));
    cJSON_Delete(out);
    return ERR_OK;
}

int cli_cmd_webhook_log(const opts *o)
{
    cli_env env;
    int rc = cli_env_open(o, ENV_DB, &env);
    if (rc != ERR_OK)
        return rc;
    err e = ERR_INIT;
    cJSON *hooks = NULL;
    bool found = false;
    rc = service_webhook_list(&env.s, &hooks, &e);
    const cJSON *w;
    cJSON_ArrayForEach(w, hooks)
    {
        long long id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(w, "id"));
        if (rc != ERR_OK || (o->id && id != o->id))
            continue;
        found = true;
        cJSON *log = NULL;
        if ((rc = service_webhook_log(&env.s, id, &log, &e)) != ERR_OK)
            break;
        const char *reason = cJSON_GetStringValue(cJSON_GetObjectItem(w, "disabled_reason"));
        printf("webhook %lld %s%s%s\n", id, cJSON_GetStringValue(cJSON_GetObjectItem(w, "url")),
               reason ? " (disabled: " : "", reason ? reason : "");
        if (reason)
            printf(")\n");
        const cJSON *a;
        cJSON_ArrayForEach(a, log)
        {
            const cJSON *status = cJSON_GetObjectItem(a, "status");
            const char *error = cJSON_GetStringValue(cJSON_GetObjectItem(a, "error"));
            char code[8] = "---";
            if (cJSON_IsNumber(status))
                snprintf(code, sizeof code, "%d", (int)status->valuedouble);
            printf("  %s  event %.0f %-22s %s %5.0f ms  %s\n",
                   cJSON_GetStringValue(cJSON_GetObjectItem(a, "at")),
                   cJSON_GetNumberValue(cJSON_GetObjectItem(a, "event_id")),
                   cJSON_GetStringValue(cJSON_GetObjectItem(a, "type")), code,
                   cJSON_GetNumberValue(cJSON_GetObjectItem(a, "duration_ms")), error ? error : "");
        }
        cJSON_Delete(log);
    }
    cJSON_Delete(hooks);
    cli_env_close(&env);
    if (rc == ERR_OK && o->id && !found)
        err_set(&e, ERR_INPUT, "webhook log: --id %lld: no such webhook", o->id), rc = ERR_INPUT;
    return rc == ERR_OK ? ERR_OK : cli_fail_err(&e);
}

int cli_cmd_plugins_list(const opts *o)
{
    char settings[4200];
    snprintf(settings, sizeof settings, "%s/settings.json", o->plugins);
    plugin_set *set;
    cJSON *problems;
    err e = ERR_INIT;
    if (plugin_load(o->plugins, settings, NULL, &set, &problems, &e) != ERR_OK)
        return cli_fail_err(&e);
    cJSON *list = plugin_list(set);
    plugin_free(set);
    const cJSON *x;
    cJSON_ArrayForEach(x, problems) reqlog_stderr("not loaded: %s", x->valuestring);
    int rc = cJSON_GetArraySize(problems) ? ERR_RULES : ERR_OK;
    cJSON_Delete(problems);
    if (o->format && strcmp(o->format, "json") == 0) {
        cli_print_json(list);
        return rc;
    }
    cJSON_ArrayForEach(x, list)
    {
        char *hooks = cJSON_PrintUnformatted(cJSON_GetObjectItem(x, "hooks"));
        printf("%-20s %-8s %4.0f  %-8s %s  %s\n",
               cJSON_GetStringValue(cJSON_GetObjectItem(x, "name")),
               cJSON_GetStringValue(cJSON_GetObjectItem(x, "version")),
               cJSON_GetNumberValue(cJSON_GetObjectItem(x, "priority")),
               cJSON_IsTrue(cJSON_GetObjectItem(x, "enabled")) ? "enabled" : "disabled",
               hooks ? hooks : "[]", cJSON_GetStringValue(cJSON_GetObjectItem(x, "description")));
        free(hooks);
    }
    cJSON_Delete(list);
    return rc;
}

int cli_cmd_document(const opts *o)
{
    const char *kind = o->verb, *id_text = o->args[0];
    long long id;
    if (cli_parse_count(id_text, 1, (long long)1 << 53, &id))
        return cli_fail(ERR_INPUT, "document: expected an assessment id");
    if (!o->out)
        return cli_fail(ERR_INPUT, "document: --out FILE.pdf is required");
    cli_env env;
    int rc = cli_env_open(o, ENV_ACTIVE, &env);
    if (rc != ERR_OK)
        return rc;
    err e = ERR_INIT;
    rc = service_document(&env.s, id, kind, o->out, &e);
    cli_env_close(&env);
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    printf("%s of assessment %lld written to %s\n", kind, id, o->out);
    return ERR_OK;
}

/* ---- reports -------------------------------------------------------------------------- */

/* Atomic, lock-free, so safe in a handler: the signal may land on the
 * sandbox's watchdog thread while the report runs on this one. */
static atomic_int interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    atomic_store(&interrupted, 1);
}

/* A bar on standard error, only when it is a terminal. */
static void draw_progress(void *ud, double done, double total)
{
    (void)ud;
    if (!isatty(STDERR_FILENO) || total <= 0)
        return;
    int width = 40, full = (int)(width * (done > total ? 1 : done / total));
    fprintf(stderr, "\r[");
    for (int i = 0; i < width; i++)
        fputc(i < full ? '#' : ' ', stderr);
    fprintf(stderr, "] %3.0f%%", 100 * (done > total ? 1 : done / total));
    if (done >= total)
        fputc('\n', stderr);
    fflush(stderr);
}

int cli_cmd_report_list(const opts *o)
{
    cli_env env;
    int rc = cli_env_open(o, ENV_ACTIVE, &env);
    if (rc != ERR_OK)
        return rc;
    cJSON *list;
    err e = ERR_INIT;
    rc = service_reports(&env.s, o->scripts, &list, &e);
    cli_env_close(&env);
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    if (o->format && strcmp(o->format, "json") == 0)
        return cli_print_json(list);
    const cJSON *r;
    cJSON_ArrayForEach(r, list)
    {
        printf("%-20s %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(r, "name")),
               cJSON_GetStringValue(cJSON_GetObjectItem(r, "title")));
        const cJSON *p;
        cJSON_ArrayForEach(p, cJSON_GetObjectItem(r, "params"))
        {
            const char *label = cJSON_GetStringValue(cJSON_GetObjectItem(p, "label"));
            printf("%-20s   --param %s=%s  %s\n", "",
                   cJSON_GetStringValue(cJSON_GetObjectItem(p, "name")),
                   cJSON_GetStringValue(cJSON_GetObjectItem(p, "type")), label ? label : "");
        }
    }
    cJSON_Delete(list);
    return ERR_OK;
}

int cli_cmd_report(const opts *o)
{
    const char *name = o->verb;
    cli_env env;
    int rc = cli_env_open(o, ENV_ACTIVE, &env);
    if (rc != ERR_OK)
        return rc;
    struct sigaction sa = {.sa_handler = on_interrupt}, old;
    sigaction(SIGINT, &sa, &old);
    /* Plugins may add formats (report_format). */
    char settings[4200];
    snprintf(settings, sizeof settings, "%s/settings.json", o->plugins);
    plugin_set *plugins = NULL;
    cJSON *problems = NULL;
    err pe = ERR_INIT;
    plugin_load(o->plugins, settings, NULL, &plugins, &problems, &pe);
    cJSON_Delete(problems);
    err_clear(&pe);
    env.s.plugins = plugins;
    env.s.progress = draw_progress;
    env.s.interrupt = &interrupted;
    env.s.limits = &o->limits;
    char *out = NULL, *type = NULL;
    size_t len = 0;
    err e = ERR_INIT;
    cJSON *none = cJSON_CreateObject();
    rc = service_report(&env.s, o->scripts, name, o->params ? o->params : none,
                        o->format ? o->format : "text", o->separator, &out, &len, &type, &e);
    cJSON_Delete(none);
    sigaction(SIGINT, &old, NULL);
    plugin_free(plugins);
    cli_env_close(&env);
    if (rc != ERR_OK)
        return atomic_load(&interrupted) ? cli_fail(ERR_FAIL, "report interrupted")
                                         : cli_fail_err(&e);
    rc = cli_write_out("report", o->out, out, len);
    free(out);
    free(type);
    return rc;
}

int cli_cmd_tick(const opts *o)
{
    cli_env env;
    int rc = cli_env_open(o, ENV_DB, &env);
    if (rc != ERR_OK)
        return rc;
    webhook_config c;
    webhook_defaults(&c, o->db);
    /* The notifications of what it emits, as a server's tick tells them. */
    service_mail_config mail = {.templates_dir = o->mail_templates};
    char origin[512];
    err checked = ERR_INIT;
    if (o->public_url && cli_public_origin(o->public_url, origin, sizeof origin, &checked) == 0)
        mail.public_url = origin;
    err_clear(&checked);
    service_notify_ctx told = {mail.templates_dir ? &mail : NULL, &o->limits};
    events_notifier notifier = service_notifier(&told);
    c.events.notify = &notifier;
    char today[DATE_LEN + 1];
    date_today(today);
    int emitted = 0;
    err e = ERR_INIT;
    rc = events_tick(env.db, &c.events, today, &emitted, &e);
    cli_env_close(&env);
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    printf("tick %s: %d events emitted\n", today, emitted);
    return ERR_OK;
}

int cli_cmd_version(const opts *o)
{
    (void)o;
    printf("labelcoop %s (commit %s)\n", version_number, version_commit);
    return ERR_OK;
}
