/* report: the admin report scripts. A report is scripts/NAME.lua declaring
 * report { title, description, audience, params, run = function (params, out) }.
 * It runs in the sandbox with a read-only data API (data.organisations(),
 * data.assessments{...}, data.latest_answers{...}...) and writes a document of
 * headings, paragraphs, tables and charts; format writes that document out
 * (text, CSV, JSON, HTML, XLSX). Not the PDFs: those are document's.
 * Uses sandbox, ljson, store and rules; never writes to the database. */
#ifndef LABELCOOP_REPORT_H
#define LABELCOOP_REPORT_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "sandbox.h"
#include "rules.h"
#include "store.h"

typedef struct report_request {
    const char *scripts_dir;
    const char *name;
    const cJSON *params; /* {"name": "text"}, from --param or the query string */
    long long own_org;   /* > 0: a CAE member: reports for CAEs only, on this CAE only */
    sandbox_limits limits;  /* 0: 2 billion instructions, 256 MiB */
    void (*progress)(void *ud, double done, double total);
    void *progress_ud;
} report_request;

/* [{"name","title","description","audience","params"}], for CAEs only when
 * cae_only. Scripts that fail to load are left out and named in *problems. */
int report_list(const char *scripts_dir, bool cae_only, cJSON **out, cJSON **problems, err *e);
/* Runs a report; *doc: {"name","title","description","params","blocks":[...]}.
 * ERR_NOT_FOUND for an unknown report, ERR_INPUT for bad parameters (named),
 * ERR_FORBIDDEN for a CAE asking for another report, ERR_RULES when the
 * script fails (file:line). */
int report_run(store *db, rules *active, const report_request *rq, cJSON **doc, err *e);

#endif
