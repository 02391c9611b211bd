/* cidr: matching addresses against lists of networks, byte by byte under
 * the prefix's mask. */
#include "cidr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* True when addr lies in "a.b.c.d/n" or "x::/n" (or equals a bare address). */
static bool in_cidr(const struct sockaddr *addr, const char *cidr)
{
    char net[64];
    const char *slash = strchr(cidr, '/');
    size_t len = slash ? (size_t)(slash - cidr) : strlen(cidr);
    if (len >= sizeof net)
        return false;
    memcpy(net, cidr, len);
    net[len] = '\0';
    unsigned char want[16], have[16];
    int bytes;
    if (addr->sa_family == AF_INET && inet_pton(AF_INET, net, want) == 1) {
        memcpy(have, &((const struct sockaddr_in *)addr)->sin_addr, 4);
        bytes = 4;
    } else if (addr->sa_family == AF_INET6 && inet_pton(AF_INET6, net, want) == 1) {
        memcpy(have, &((const struct sockaddr_in6 *)addr)->sin6_addr, 16);
        bytes = 16;
    } else {
        return false;
    }
    int bits = slash ? atoi(slash + 1) : bytes * 8;
    if (bits < 0 || bits > bytes * 8)
        return false;
    for (int i = 0; i < bytes && bits > 0; i++, bits -= 8) {
        unsigned char mask = bits >= 8 ? 0xff : (unsigned char)(0xff << (8 - bits));
        if ((have[i] & mask) != (want[i] & mask))
            return false;
    }
    return true;
}

bool cidr_listed(const struct sockaddr *addr, const char *list)
{
    char item[128];
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, ",");
        if (n < sizeof item) {
            memcpy(item, p, n);
            item[n] = '\0';
            if (in_cidr(addr, item))
                return true;
        }
        p += n + (p[n] == ',');
    }
    return false;
}

/* The address at text as a sockaddr in *ss; false when it is none. */
static bool parse_address(const char *text, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        return true;
    }
    return false;
}

bool cidr_address(const char *text)
{
    struct sockaddr_storage ss;
    return parse_address(text, &ss);
}

bool cidr_listed_text(const char *address, const char *list)
{
    struct sockaddr_storage ss;
    return parse_address(address, &ss) && cidr_listed((const struct sockaddr *)&ss, list);
}

/* Whether item is "address" or "address/bits" with bits in range. */
static bool item_valid(const char *item)
{
    char net[64];
    const char *slash = strchr(item, '/');
    size_t len = slash ? (size_t)(slash - item) : strlen(item);
    if (len == 0 || len >= sizeof net)
        return false;
    memcpy(net, item, len);
    net[len] = '\0';
    struct sockaddr_storage ss;
    if (!parse_address(net, &ss))
        return false;
    if (!slash)
        return true;
    char *end;
    long bits = strtol(slash + 1, &end, 10);
    return slash[1] && !*end && bits >= 0 && bits <= (ss.ss_family == AF_INET ? 32 : 128);
}

int cidr_check_list(const char *list, const char *what, err *e)
{
    char item[128];
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, ",");
        snprintf(item, sizeof item, "%.*s", (int)(n < sizeof item ? n : sizeof item - 1), p);
        if (n >= sizeof item || !item_valid(item))
            return err_set(e, ERR_INPUT, "%s: '%s' is not an address or a network", what, item);
        p += n + (p[n] == ',');
    }
    return ERR_OK;
}
