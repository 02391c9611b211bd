/* Unit tests of cidr: address lists for the webhooks' allowlist, the
 * trusted proxies and the metrics. */
#include <arpa/inet.h>
#include <string.h>

#include "cidr.h"
#include "test.h"

TEST_IMPL(cidr_lists)
{
    const char *list = "10.0.0.0/8,192.168.1.7,2001:db8::/32";
    ASSERT(cidr_listed_text("10.255.0.1", list));
    ASSERT(!cidr_listed_text("11.0.0.1", list));
    ASSERT(cidr_listed_text("192.168.1.7", list));
    ASSERT(!cidr_listed_text("192.168.1.8", list));
    ASSERT(cidr_listed_text("2001:db8:1::5", list));
    ASSERT(!cidr_listed_text("2001:db9::5", list));
    ASSERT(!cidr_listed_text("not an address", list));
    ASSERT(cidr_address("::1") && cidr_address("10.1.2.3"));
    ASSERT(!cidr_address("10.1.2") && !cidr_address("") && !cidr_address("::1/128"));
    ASSERT(!cidr_listed_text("10.0.0.1", ""));
    ASSERT(!cidr_listed_text("10.0.0.1", NULL));
    /* A prefix that is not a whole number of bytes. */
    ASSERT(cidr_listed_text("172.31.255.255", "172.16.0.0/12"));
    ASSERT(!cidr_listed_text("172.32.0.0", "172.16.0.0/12"));
    struct sockaddr_in v4 = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &v4.sin_addr);
    ASSERT(cidr_listed((const struct sockaddr *)&v4, "127.0.0.0/8"));
    ASSERT(!cidr_listed((const struct sockaddr *)&v4, "::1"));
    return 0;
}

TEST_IMPL(cidr_check_list)
{
    err e = ERR_INIT;
    ASSERT_EQ(ERR_OK, cidr_check_list("127.0.0.1,10.0.0.0/8,::1,fe80::/10", "--x", &e));
    ASSERT_EQ(ERR_OK, cidr_check_list("", "--x", &e));
    const char *bad[] = {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/8x", "example.org",
                         "10.0.0.1,,", "300.1.1.1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ASSERT_EQ(ERR_INPUT, cidr_check_list(bad[i], "--trusted-proxy", &e));
        ASSERT(strstr(err_msg(&e), "--trusted-proxy: '") != NULL);
        ASSERT(strstr(err_msg(&e), "is not an address or a network") != NULL);
        err_clear(&e);
    }
    return 0;
}
