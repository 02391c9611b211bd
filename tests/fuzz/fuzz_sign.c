/* libFuzzer target: webhook signing with arbitrary secrets, ids and bodies;
 * a well-formed secret always signs, the same way twice. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready && sodium_init() >= 0)
        ready = 1;
    /* secret \0 id \0 body */
    char *copy = malloc(size + 3);
    memcpy(copy, data, size);
    copy[size] = copy[size + 1] = copy[size + 2] = '\0';
    const char *secret = copy;
    const char *id = secret + strlen(secret) + 1;
    const char *body = id + strlen(id) + 1;
    if (body > copy + size)
        body = copy + size;
    char a[1024] = "", b[1024] = "";
    int ra = webhook_sign(secret, id, "1700000000", body, a, sizeof a);
    int rb = webhook_sign(secret, id, "1700000000", body, b, sizeof b);
    if (ra != rb || (ra == 0 && strcmp(a, b) != 0))
        abort();
    free(copy);
    return 0;
}
