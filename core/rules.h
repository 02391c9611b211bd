/* rules: a rule set (référentiel, weights, award rule) loaded from Lua files
 * into a sandboxed state, validated, identified by a hash, and evaluated.
 * Uses sandbox, files for the tree, libsodium for SHA-256. */
#ifndef LABELCOOP_RULES_H
#define LABELCOOP_RULES_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "date.h"
#include "err.h"
#include "sandbox.h"

typedef struct rules rules;

typedef enum { LEVEL_MANDATORY, LEVEL_RECOMMENDED, LEVEL_ADVISED, LEVEL_COUNT } rules_level;

typedef enum {
    ANSWER_NONE,
    ANSWER_MET,
    ANSWER_PARTIAL,
    ANSWER_NOT_MET,
    ANSWER_NOT_APPLICABLE,
} rules_answer;

typedef enum { KIND_SELF_ASSESSMENT, KIND_AUDIT } rules_kind;

typedef struct rules_field {
    char *id, *name;
    char **themes; /* declared, or gathered from its criteria in order */
    int n_themes;
    int n_criteria;
} rules_field;

typedef struct rules_criterion {
    char *id, *field, *theme, *statement, *guidance;
    char **evidence, **legal;
    int n_evidence, n_legal;
    rules_level level;
    double weight;
    bool na_allowed;
    bool invalid; /* declared with problems: only while a load fails */
    int field_index;
} rules_criterion;

/* What an evaluation reads: the answers are one rules_answer per criterion,
 * in declaration order (borrowed). */
typedef struct rules_input {
    rules_kind kind;
    char date[DATE_LEN + 1];
    int internal_stakeholders;
    const unsigned char *answers;
} rules_input;

/* Loads the rule files under dir (specs excluded). On ERR_RULES the message
 * lists every problem found, one "file:line: problem" per line. *out is the
 * caller's, freed with rules_free. */
int rules_load(const char *dir, const sandbox_limits *lim, rules **out, err *e);
/* The same from files already in memory (a rule set stored in the database);
 * tree is moved into the rule set, whatever the outcome. */
int rules_load_tree(files_tree *tree, const sandbox_limits *lim, rules **out, err *e);
/* Reads the rule files of dir (specs excluded) without loading them. */
int rules_read(const char *dir, files_tree *tree, err *e);
/* The identity of a tree of rule files: 64 hex digits into hex[65]. */
void rules_tree_hash(const files_tree *tree, char *hex);
void rules_free(rules *r);
/* The files the rule set was loaded from; borrowed. */
const files_tree *rules_files(const rules *r);

/* SHA-256 of the rule files, 64 hex digits; borrowed. */
const char *rules_hash(const rules *r);
int rules_field_count(const rules *r);
const rules_field *rules_field_at(const rules *r, int i);
int rules_criterion_count(const rules *r);
const rules_criterion *rules_criterion_at(const rules *r, int i);
/* Index of the criterion with this id, or -1. */
int rules_find(const rules *r, const char *id);

const char *rules_level_name(rules_level l);
const char *rules_answer_name(rules_answer a);
/* The answer named s ("met"...), or ANSWER_NONE when s names none. */
rules_answer rules_answer_parse(const char *s);

/* The award rule's parameters ({"validity_years": 3, ...}); borrowed. */
const cJSON *rules_parameters(const rules *r);

/* The référentiel as JSON ({"ruleset","fields","criteria"}); caller deletes. */
cJSON *rules_to_json(const rules *r);

/* Runs the award rule on in; *out (caller deletes) is the evaluation JSON.
 * ERR_RULES when the rules fail or return a malformed result. */
int rules_evaluate(rules *r, const rules_input *in, cJSON **out, err *e);

typedef enum { OUTCOME_ELIGIBLE, OUTCOME_NOT_ELIGIBLE, OUTCOME_INCOMPLETE } rules_outcome;

/* The outcome alone, for bulk uses (what-if, benchmarks): the award rule's
 * decide(ctx) when it has one, else the outcome of its evaluate(ctx). The
 * answers stay resident in the Lua state; only changed ones are rewritten. */
int rules_decide(rules *r, const rules_input *in, rules_outcome *out, err *e);

/* The sandbox the rules run in, for tools that drive it (rule tests). */
sandbox *rules_sandbox(rules *r);

/* What a criterion says, as JSON: {"id","field","theme","level","statement"}
 * (a document's findings and a plugin's validate_answer add to it); caller
 * deletes. */
cJSON *rules_criterion_json(const rules_criterion *c);

#endif
