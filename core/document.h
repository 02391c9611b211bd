/* document: the PDFs the label circulates, drawn with cairo: the audit
 * report a committee reads and the label certificate. Uses cairo, cJSON. */
#ifndef LABELCOOP_DOCUMENT_H
#define LABELCOOP_DOCUMENT_H

#include <cjson/cJSON.h>

#include "err.h"

/* Writes the audit report of one assessment to path (A4 portrait, French).
 * data (borrowed) is assembled by the caller: {"organisation", "assessment",
 * "auditor", "stakeholders", "evaluation", "decision", "criteria", "fields"};
 * a missing value prints as "—". ERR_INPUT when data is not an object or
 * path cannot be opened, ERR_FAIL when writing fails (no partial file is
 * left). */
int document_audit_report(const cJSON *data, const char *path, err *e);

/* Writes the one-page label certificate (A4 landscape) to path. data
 * (borrowed): {"organisation": {"name", "city"}, "decision": {"date",
 * "valid_until", "record_hash"}, "ruleset"}. ERR_INPUT without a decision and
 * its record hash, or for a decision whose outcome is not "awarded". */
int document_certificate(const cJSON *data, const char *path, err *e);

/* A criterion's "Preuves : a ; b" line of the report, or NULL when it has
 * no evidence: texts as written, documents seen as "title, version N,
 * p. PAGES, SHA-256 HEX" (the links as the assessment lists them, with
 * "title", "resolved_version", "sha256"); caller frees. */
char *document_evidence_text(const cJSON *criterion);

/* The process stops: every document being drawn is given up at its next
 * page break, and so is every later one, with ERR_UNAVAILABLE. A document
 * is also given up after 90 s of drawing (the longest the API's limits
 * allow takes far less). Thread safe. */
void document_stop(void);

#endif
