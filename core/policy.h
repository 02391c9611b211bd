/* policy: who may do what. Every permission of the platform is decided here,
 * in one function, from the caller's role and organisation and the target's
 * organisation, kind and auditor. Uses store's user and assessment records. */
#ifndef LABELCOOP_POLICY_H
#define LABELCOOP_POLICY_H

#include <stdbool.h>

#include "err.h"
#include "store.h"

typedef enum {
    POLICY_ADMINISTER,      /* organisations, users, API tokens */
    POLICY_USERS_READ,      /* the list of users (to choose an auditor) */
    POLICY_ORG_READ,        /* target: org_id */
    POLICY_SELF_ASSESS,     /* start a self-assessment; target: org_id */
    POLICY_AUDIT_CREATE,    /* open an audit */
    POLICY_ASSESSMENT_READ, /* target: assessment */
    POLICY_ASSESSMENT_EDIT, /* answers, stakeholders, submit; target: assessment: the
                               CAE's members (self-assessment), the assigned auditor
                               while certified (audit) */
    POLICY_DECIDE,          /* record a committee decision */
    POLICY_DRAFT_MIGRATE,   /* a draft's what-if and move to the active rules; target: assessment */
    POLICY_ACTIONS_READ,    /* target: org_id */
    POLICY_ACTIONS_EDIT,    /* target: org_id */
    POLICY_NETWORK_READ,    /* the registry, good practices: any member */
    POLICY_RULES_MANAGE,    /* rule sets: history, what-if, activation */
    POLICY_ROLE_CONFIRM,    /* confirm a committee role an administrator gave */
    POLICY_DOCUMENTS_READ,  /* a CAE's evidence documents; target: org_id (and linked) */
    POLICY_DOCUMENTS_EDIT,  /* new version, delete; target: org_id */
    POLICY_DOCUMENTS_ADD,   /* upload a new document; target: org_id (and auditing_draft) */
    POLICY_TEAM_MANAGE,     /* a CAE's team: its list, disable, remove, responsible; target:
                               org_id */
    POLICY_INVITE,          /* invite someone to an account; target: the account's org_id */
} policy_action;

typedef struct policy_target {
    long long org_id;
    const store_assessment *assessment;
    bool auditing_org;   /* the caller is an auditor with an audit of this organisation */
    bool linked;         /* the document is an auditor's: linked by an audit assigned to
                            them, or uploaded by them */
    bool auditing_draft; /* the caller is an auditor with a draft audit of this organisation */
} policy_target;

/* Whether u's certification as an auditor covers today ("YYYY-MM-DD"). */
bool policy_certified(const store_user *u, const char *today);

/* ERR_OK when u may do action on target, else ERR_FORBIDDEN saying why. */
int policy_check(const store_user *u, policy_action action, const policy_target *target, err *e);

#endif
