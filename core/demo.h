/* demo: the demonstration data `make run` starts with: two CAEs, one user of
 * each role, and one submitted self-assessment. Uses service (as the trusted
 * command line) and libsodium for passwords nobody guesses. */
#ifndef LABELCOOP_DEMO_H
#define LABELCOOP_DEMO_H

#include "service.h"

/* Fills an empty database; *logins (caller deletes) lists {"email", "role",
 * "password"}, the only time the passwords are shown. ERR_CONFLICT when the
 * database already has users. */
int demo_seed(service *s, cJSON **logins, err *e);

#endif
