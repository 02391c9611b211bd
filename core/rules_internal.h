/* rules_internal: what rules.c (loading, the resident context, evaluation)
 * and rules_decl.c (the committee's declarations, each checked) share;
 * private to them. Callers include rules.h only. */
#ifndef LABELCOOP_RULES_INTERNAL_H
#define LABELCOOP_RULES_INTERNAL_H

#include <sodium.h>

#include <lauxlib.h>

#include "rules.h"

#define REFERENTIAL_DIR "referential/"
#define WEIGHTS_FILE "weights.lua"
#define AWARD_FILE "award.lua"
#define POS_LEN 256

struct rules {
    files_tree tree;
    sandbox *sandbox;
    char hash[crypto_hash_sha256_BYTES * 2 + 1];
    rules_field *fields;
    char (*field_pos)[POS_LEN];
    int n_fields, cap_fields;
    rules_criterion *crit;
    char (*crit_pos)[POS_LEN];
    int n_crit, cap_crit;
    int *by_id;                  /* criterion indices sorted by id */
    bool loading;                /* declarations are accepted only while loading */
    bool *field_declared_themes; /* per field: themes listed in field{} */
    char weights_pos[POS_LEN], award_pos[POS_LEN]; /* "" until declared */
    cJSON *parameters, *weights;
    int ctx_ref, answers_ref, status_ref, evaluate_ref, decide_ref;
    unsigned char *resident;    /* the answers ctx holds now, one rules_answer each */
    char *by_level;             /* scratch: the answer letters of every level */
    int level_ref[LEVEL_COUNT]; /* the strings of ctx.by_level, as last built */
    int by_level_ref;
    err problems;
};

#define KEY_WEIGHTS "labelcoop.rules.weights"
#define KEY_AWARD "labelcoop.rules.award"

extern const char *const rules_level_names[LEVEL_COUNT];
extern const char *const rules_answer_names[ANSWER_NOT_APPLICABLE + 1];

/* One declaration being read: the table is at index 1 of L. */
typedef struct decl {
    rules *r;
    lua_State *L;
    char pos[POS_LEN]; /* "file:line: what id: " */
} decl;

/* A problem of the declaration d is reading, after its "file:line: what id: ". */
void rules_problem(decl *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rules_criterion_free(rules_criterion *c);
void rules_free_strings(char **list, int n);
/* field{}, criterion{}, weights{}, award{}: the functions rule files call. */
extern const luaL_Reg rules_declarations[];

#endif
