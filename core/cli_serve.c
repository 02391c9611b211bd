/* cli_serve: `labelcoop serve`: the server's configuration from the
 * options, its signals (SIGHUP reloads, SIGINT and SIGTERM stop), and its
 * orderly stop. Uses api, http, commit, hook, document. */
#include "cli_internal.h"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "backup.h"
#include "commit.h"
#include "document.h"
#include "webhook.h"
#include "http.h"
#include "reqlog.h"

/* SIGHUP: the workers read the active rule set from the database again (a
 * repair made in the database behind labelcoop's back is then seen), and
 * whether it loads is said on stderr. The log is stderr: no file to reopen.
 * A rules folder is never activated here: activation runs the rule specs,
 * through `rules activate` or POST /rulesets. */
static void reload_rules(const opts *o)
{
    store *db;
    rules *r;
    err e = ERR_INIT;
    api_reload();
    if (store_open(o->db, &db, &e) != ERR_OK) {
        reqlog_stderr("SIGHUP: %s", err_msg(&e));
        err_clear(&e);
        return;
    }
    ruleset_cache *cache = ruleset_cache_new(&o->limits);
    if (!cache)
        reqlog_stderr("SIGHUP: out of memory");
    else if (ruleset_active(cache, db, NULL, &r, &e) != ERR_OK)
        reqlog_stderr("SIGHUP: %s", err_msg(&e)); /* the server's log: one line */
    else
        reqlog_stderr("SIGHUP: the active rule set %s loads; the folder %s is not activated "
                      "(`labelcoop rules activate` does)",
                      rules_hash(r), o->rules);
    ruleset_cache_free(cache);
    err_clear(&e);
    store_close(db);
}

/* Set once a stop's drain is over (http_stop): the scripts still running
 * in the workers then stop at their next instruction. */
static atomic_int serve_stopping;

/* The process as a server wants it: the stop and reload signals blocked
 * here, so that the server's threads inherit the mask and the signals reach
 * serve's sigwait (sigs); SIGPIPE, SIGXFSZ ignored; freed memory kept. */
static void process_setup(sigset_t *sigs)
{
    sigemptyset(sigs);
    sigaddset(sigs, SIGINT);
    sigaddset(sigs, SIGTERM);
    sigaddset(sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* glibc gives freed memory back to the system as soon as 128 KiB lie free
     * at the top of a thread's heap, and faults it in again at the next
     * request: a server keeps up to 64 MiB of it instead. */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    /* Past a file size limit (RLIMIT_FSIZE), a write then fails with EFBIG and
     * SQLite reports it (503) instead of the signal killing the server. */
    signal(SIGXFSZ, SIG_IGN);
}

/* The delivery thread's settings: webhooks, plugins' settings file, the
 * tick, the notifications it tells (notifier, serve's), backups and the
 * documents folder they copy; a bad retry list is said (ERR_INPUT). */
static int delivery_setup(const opts *o, const char *settings, const char *documents,
                          events_notifier *notifier, webhook_config *hooks)
{
    webhook_defaults(hooks, o->db);
    hooks->allow = o->webhook_allow;
    hooks->plugins_dir = o->plugins;
    hooks->plugin_settings = settings;
    hooks->tick_seconds = (int)o->tick_seconds;
    hooks->events.notify = notifier;
    hooks->backup_dir = o->backup_dir;
    hooks->backup_keep = (int)o->backup_keep;
    hooks->documents = documents;
    if (o->webhook_retry && webhook_parse_delays(o->webhook_retry, hooks) != 0)
        return cli_fail(ERR_INPUT, "--webhook-retry: expected seconds, e.g. 0,5,300,1800");
    if (o->mail_retry && webhook_parse_mail_delays(o->mail_retry, hooks) != 0)
        return cli_fail(ERR_INPUT, "--mail-retry: expected seconds, e.g. 60,300,1800");
    return ERR_OK;
}

static int serve(const opts *o)
{
    api_config config = {
        .db_path = o->db,
        .rules_dir = o->rules,
        .limits = o->limits,
        .auth = {.idle_seconds = o->session_idle,
                 .lifetime_seconds = o->session_lifetime,
                 .failures_per_client = (int)o->login_client,
                 .failures_per_account = (int)o->login_account,
                 .window_seconds = o->login_window},
    };
    config.limits.interrupt = &serve_stopping;
    char documents[4200];
    cli_library(o, &config.library, documents, sizeof documents);
    char origin[512];
    err checked = ERR_INIT; /* cli_settings_invalid refused a bad one at start */
    if (o->public_url && cli_public_origin(o->public_url, origin, sizeof origin, &checked) == 0)
        config.public_origin = origin;
    err_clear(&checked);
    err e = ERR_INIT;
    if (api_init(&config, &e) != ERR_OK)
        return cli_fail_err(&e);
    sigset_t sigs;
    process_setup(&sigs);
    char settings[4200];
    snprintf(settings, sizeof settings, "%s/settings.json", o->plugins);
    config.plugins_dir = o->plugins;
    config.plugin_settings = settings;
    config.scripts_dir = o->scripts;
    config.mail = (service_mail_config){.templates_dir = o->mail_templates,
                                        .public_url = config.public_origin};
    service_notify_ctx told = {config.mail.templates_dir ? &config.mail : NULL, &config.limits};
    events_notifier notifier = service_notifier(&told);
    webhook_config hooks;
    if (delivery_setup(o, settings, documents, &notifier, &hooks) != ERR_OK)
        return ERR_INPUT;
    /* Checked at start (cli_settings_invalid); the password lives as long as serve. */
    mail_config mail;
    char mail_password[512];
    if (cli_mail_config(o, &mail, mail_password, sizeof mail_password, &e) != ERR_OK)
        return cli_fail_err(&e);
    hooks.mail = mail.url ? &mail : NULL;
    /* Answer writes, the most frequent, share transactions (see commit.h). */
    if (commit_open(o->db, &config.commits, &e) != ERR_OK)
        return cli_fail_err(&e);
    if (webhook_start(&hooks, &config.hooks, &e) != ERR_OK) {
        commit_close(config.commits);
        return cli_fail_err(&e);
    }
    http_config hc = {.listen = o->listen,
                      .web_root = o->web,
                      .threads = (unsigned)o->threads,
                      .max_body = (size_t)o->max_body,
                      .connection_timeout = (unsigned)o->connection_timeout,
                      .request_timeout = (unsigned)o->request_timeout,
                      .per_client = (unsigned)o->per_client,
                      .trusted_proxies = o->trusted_proxy,
                      .metrics = api_metrics,
                      .metrics_allow = o->metrics_allow,
                      .cancel = &serve_stopping,
                      .route_info = api_route_info,
                      .upload = api_uploads};
    http_server *server;
    if (http_start(&hc, api_handle, &config, &server, &e) != ERR_OK) {
        webhook_stop(config.hooks);
        commit_close(config.commits);
        return cli_fail_err(&e);
    }
    printf("listening on %s\n", http_where(server));
    fflush(stdout);
    int sig = 0;
    while (sigwait(&sigs, &sig) == 0 && sig == SIGHUP)
        reload_rules(o);
    reqlog_stderr("signal %d: stopping", sig);
    document_stop(); /* a long PDF being drawn is given up: it never holds the stop */
    http_stop(server);
    webhook_stop(config.hooks);
    api_shutdown();
    commit_close(config.commits);
    return ERR_OK;
}

/* The server holds its database for as long as it runs (a restore waits for
 * it to stop), and takes a copy of it before migrating it. */
int cli_cmd_serve(const opts *o)
{
    if (cli_settings_invalid(o))
        return ERR_INPUT;
    reqlog_set_json(strcmp(o->log_format, "json") == 0);
    if (cli_make_parent(o->db) != ERR_OK)
        return ERR_INPUT;
    int hold;
    err e = ERR_INIT;
    if (backup_hold(o->db, &hold, &e) != ERR_OK)
        return cli_fail_err(&e);
    int rc = cli_prepare_db(o->db);
    if (rc == ERR_OK)
        rc = serve(o);
    backup_release(hold);
    return rc;
}
