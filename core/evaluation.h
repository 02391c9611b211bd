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

/* The evaluation as French text, outcome first; caller frees. */
char *evaluation_text(const cJSON *result);

#endif
