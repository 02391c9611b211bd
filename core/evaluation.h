/* evaluation: the evaluate input document (kind, date, stakeholders, answers)
 * checked against a rule set, and an evaluation rendered for a person.
 * Uses rules for the référentiel and cJSON for parsing. */
#ifndef LABELCOOP_EVALUATION_H
#define LABELCOOP_EVALUATION_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "rules.h"

/* Fills in from the JSON text. answers must hold rules_criterion_count(r)
 * entries; in->answers points to it. ERR_INPUT names the JSON path at fault. */
int evaluation_parse(const rules *r, const char *text, size_t len, rules_input *in,
                     unsigned char *answers, err *e);
/* The same from a parsed document. */
int evaluation_from_json(const rules *r, const cJSON *doc, rules_input *in, unsigned char *answers,
                         err *e);

/* An evidence entry naming a document: {"document": ID, "version": N,
 * "pages": "3-5"}, version and pages optional (0, NULL: the latest, none);
 * pages borrowed from the entry. */
typedef struct evaluation_link {
    long long document, version;
    const char *pages;
} evaluation_link;
/* Checks v, an evidence entry at path, as a document link into *link:
 * ERR_INPUT naming the path at fault ("$.evidence[1].pages: ..."). */
int evaluation_link_check(const cJSON *v, const char *path, evaluation_link *link, err *e);
/* The link as stored: {"document", "version" (null: the latest), "pages"
 * (null: none)}; caller deletes; NULL when out of memory. */
cJSON *evaluation_link_json(const evaluation_link *link);

/* The evaluation as French text, outcome first; caller frees. */
char *evaluation_text(const cJSON *result);

#endif
