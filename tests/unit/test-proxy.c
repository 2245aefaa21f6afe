/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for --allow-host: rules, targets, addresses (DNS rebinding), HTTP heads. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "proxy.h"
#include "tap.h"

static struct allow_host rules[8];
static size_t n_rules;

static void add(const char *arg)
{
        const char *why = proxy_rule_parse(arg, &rules[n_rules]);
        ok(!why, "rule %s parses%s%s", arg, why ? ": " : "", why ? why : "");
        if (!why)
                n_rules++;
}

static bool allowed(const char *target, unsigned port)
{
        char host[PROXY_HOST_MAX];
        unsigned p;

        if (proxy_split_target(target, strlen(target), port, host, &p) < 0)
                return false;
        return proxy_rules_match(rules, n_rules, host, p) != NULL;
}

static bool public4(const char *a)
{
        struct sockaddr_in sin = {.sin_family = AF_INET};
        inet_pton(AF_INET, a, &sin.sin_addr);
        return proxy_addr_public((struct sockaddr *) &sin);
}

static bool public6(const char *a)
{
        struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
        inet_pton(AF_INET6, a, &sin6.sin6_addr);
        return proxy_addr_public((struct sockaddr *) &sin6);
}

static void test_rules(void)
{
        static const char *const bad[] = {"",         ":80",       "*",    "*.",         "*:443",
                                          "a*.b.com", "*.*.b.com", "a..b", "a.b:0",      "a.b:65536",
                                          "a.b:08x",  "a b",       "[::1", "[a.b]:80",   "[::1]x",
                                          "-",        "::1:80",    "::1",  "fe80::1:443"};
        struct allow_host r;

        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                const char *why = proxy_rule_parse(bad[i], &r);
                ok(why != NULL, "rule '%s' is refused (%s)", bad[i], why ? why : "accepted");
                if (!why)
                        free(r.host);
        }
        add("Example.COM.");
        add("*.Wild.org");
        add("10.1.2.3:8080");
        add("[::1]:8443");
        add("localhost:9000");
        ok(allowed("example.com", 443) && allowed("EXAMPLE.com.", 80), "a name without a port: 443 and 80");
        ok(!allowed("example.com", 8443) && !allowed("www.example.com", 443), "other ports and names are not");
        ok(allowed("a.wild.org", 443) && allowed("b.a.WILD.org:80", 0), "a wildcard matches names below it");
        ok(!allowed("wild.org", 443) && !allowed("xwild.org", 443), "but not the domain itself, nor a suffix");
        ok(allowed("10.1.2.3:8080", 0) && !allowed("10.1.2.3:80", 0), "an IPv4 rule, its port only");
        ok(allowed("[::1]:8443", 0) && allowed("[0:0::1]:8443", 0) && !allowed("[::2]:8443", 0),
           "an IPv6 rule, in canonical form");
        ok(allowed("localhost:9000", 0) && !allowed("localhost:9001", 0), "localhost with a port");
        ok(proxy_rule_needs_public(&rules[0]) && proxy_rule_needs_public(&rules[1]),
           "names and wildcards must resolve to public addresses");
        ok(!proxy_rule_needs_public(&rules[2]) && !proxy_rule_needs_public(&rules[3]) &&
                   !proxy_rule_needs_public(&rules[4]),
           "an address itself, or localhost, need not");
}

static void test_addresses(void)
{
        ok(public4("93.184.216.34") && public4("8.8.8.8"), "public IPv4");
        ok(!public4("127.0.0.1") && !public4("127.1.2.3") && !public4("10.0.0.1") && !public4("172.16.0.1") &&
                   !public4("172.31.255.255") && !public4("192.168.1.1") && !public4("169.254.169.254") &&
                   !public4("0.0.0.0") && !public4("100.64.0.1") && !public4("224.0.0.1") &&
                   !public4("255.255.255.255"),
           "loopback, private, link-local (cloud metadata), shared, multicast are not");
        ok(public4("172.32.0.1") && public4("100.128.0.1"), "the ranges end where they end");
        ok(public6("2606:2800:220:1::1"), "public IPv6");
        ok(!public6("::1") && !public6("::") && !public6("fe80::1") && !public6("fd00::1") && !public6("fc00::1") &&
                   !public6("ff02::1") && !public6("::ffff:127.0.0.1") && !public6("::ffff:10.0.0.1"),
           "IPv6 loopback, link-local, unique local, multicast, mapped private are not");
        ok(!public4("198.18.0.1") && !public4("198.19.255.255") && !public4("192.0.0.8") && !public4("192.0.2.1") &&
                   !public4("198.51.100.7") && !public4("203.0.113.9") && !public4("0.1.2.3") &&
                   !public4("240.0.0.1") && !public4("255.255.255.254"),
           "benchmarking, protocol assignments, documentation, this network, reserved are not");
        ok(public4("198.17.255.255") && public4("198.20.0.1") && public4("192.0.1.1") && public4("192.0.3.1") &&
                   public4("198.51.101.1") && public4("203.0.112.1") && public4("223.255.255.255"),
           "and those ranges end where they end");
        ok(!public6("2001:db8::1") && public6("2001:db9::1"), "IPv6 documentation is not");
        ok(!public6("64:ff9b::7f00:1") && !public6("64:ff9b::a00:1") && public6("64:ff9b::808:808"),
           "NAT64: the IPv4 address inside decides");
        ok(!public6("64:ff9b:1::a00:1") && !public6("64:ff9b:1:a00:1::"), "local-use NAT64 is not");
        ok(!public6("2002:7f00:1::1") && !public6("2002:a9fe:a9fe::1") && public6("2002:808:808::1"),
           "6to4: the IPv4 address inside decides");
}

static int http(const char *head, struct http_request *req, char *out, size_t cap, size_t *len)
{
        return http_parse(head, strlen(head), req, out, cap, len);
}

static void test_http(void)
{
        struct http_request req;
        char out[1024];
        size_t len;

        ok(http_head_length("GET / HTTP/1.1\r\nHost: a\r\n", 25) == 0, "an incomplete head");
        ok(http_head_length("GET / HTTP/1.1\r\n\r\nbody", 22) == 18, "a head ends at its blank line");
        ok(http("CONNECT Example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n", &req, out, sizeof out, &len) == 0 &&
                   req.connect && strcmp(req.host, "example.com") == 0 && req.port == 443,
           "CONNECT host:port");
        ok(http("CONNECT example.com HTTP/1.1\r\n\r\n", &req, out, sizeof out, &len) == 400, "CONNECT needs a port");
        ok(http("GET http://a.b:8080/x?y HTTP/1.1\r\nHost: A.b:8080\r\nProxy-Connection: keep-alive\r\nAccept: "
                "*/*\r\n\r\n",
                &req, out, sizeof out, &len) == 0 &&
                   !req.connect && strcmp(req.host, "a.b") == 0 && req.port == 8080,
           "an absolute URI that agrees with Host");
        out[len] = '\0';
        ok(strcmp(out, "GET /x?y HTTP/1.1\r\nHost: A.b:8080\r\nAccept: */*\r\nConnection: close\r\n\r\n") == 0,
           "sent on in origin form, without hop-by-hop headers, with Connection: close");
        ok(http("GET http://a.b/ HTTP/1.1\r\nHost: evil.com\r\n\r\n", &req, out, sizeof out, &len) == 400,
           "an absolute URI and a Host that disagree are refused");
        ok(http("GET http://a.b/ HTTP/1.1\r\nHost: a.b:81\r\n\r\n", &req, out, sizeof out, &len) == 400,
           "so is a port that disagrees");
        ok(http("GET http://a.b HTTP/1.0\r\n\r\n", &req, out, sizeof out, &len) == 0 && req.port == 80, "HTTP/1.0");
        out[len] = '\0';
        ok(strstr(out, "GET / HTTP/1.0\r\nHost: a.b\r\n") == out, "a Host header is added when there was none");
        ok(http("GET /x HTTP/1.1\r\nHost: a.b\r\n\r\n", &req, out, sizeof out, &len) == 0 && req.port == 80,
           "origin form with a Host header");
        ok(http("GET /x HTTP/1.1\r\n\r\n", &req, out, sizeof out, &len) == 400, "no host at all");
        ok(http("GET https://a.b/ HTTP/1.1\r\n\r\n", &req, out, sizeof out, &len) == 400, "https:// without CONNECT");
        ok(http("GET http://u@a.b/ HTTP/1.1\r\n\r\n", &req, out, sizeof out, &len) == 400, "userinfo");
        ok(http("GET http://a.b/ HTTP/1.1\r\nHost: a.b\r\nHost: a.b\r\n\r\n", &req, out, sizeof out, &len) == 400,
           "two Host headers");
        ok(http("GET http://a.b/ HTTP/1.1\r\nX: 1\r\n folded\r\n\r\n", &req, out, sizeof out, &len) == 400,
           "a folded header line");
        ok(http("GET http://a.b/ HTTP/1.1\r\nX: a\001b\r\n\r\n", &req, out, sizeof out, &len) == 400,
           "a control character");
        ok(http("GET http://a.b/ HTTP/2.0\r\n\r\n", &req, out, sizeof out, &len) == 400, "not HTTP/1");
        ok(http("GET /x HTTP/1.1\r\nHost: a.b\r\nHost : evil.com\r\n\r\n", &req, out, sizeof out, &len) == 400 &&
                   http("GET /x HTTP/1.1\r\nHost: a.b\r\nConnection\t: keep-alive\r\n\r\n", &req, out, sizeof out,
                        &len) == 400 &&
                   http("GET /x HTTP/1.1\r\nHost: a.b\r\nX(y): 1\r\n\r\n", &req, out, sizeof out, &len) == 400 &&
                   http("GET /x HTTP/1.1\r\nHost: a.b\r\n: 1\r\n\r\n", &req, out, sizeof out, &len) == 400,
           "a header name with a space before its colon, or other non-token bytes, is refused");
        ok(http("POST /x HTTP/1.1\r\nHost: a.b\r\nContent-Length: 12\r\n\r\n", &req, out, sizeof out, &len) == 0 &&
                   req.body_len == 12,
           "the body's length");
        ok(http("GET /x HTTP/1.1\r\nHost: a.b\r\n\r\n", &req, out, sizeof out, &len) == 0 && req.body_len == 0,
           "no Content-Length, no body");
        ok(http("POST /x HTTP/1.1\r\nHost: a.b\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", &req, out,
                sizeof out, &len) == 400 &&
                   http("POST /x HTTP/1.1\r\nHost: a.b\r\nContent-Length: -1\r\n\r\n", &req, out, sizeof out, &len) ==
                           400 &&
                   http("POST /x HTTP/1.1\r\nHost: a.b\r\nContent-Length: 1,1\r\n\r\n", &req, out, sizeof out, &len) ==
                           400,
           "two Content-Lengths, or one that is not a number, are refused");
        ok(http("POST /x HTTP/1.1\r\nHost: a.b\r\nTransfer-Encoding: chunked\r\n\r\n", &req, out, sizeof out, &len) ==
                   501,
           "a plain request with Transfer-Encoding is refused (501)");
        ok(http("CONNECT a.b:443 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &req, out, sizeof out, &len) == 0,
           "a CONNECT's headers are the tunnel's business");
        ok(http("\x16\x03\x01\r\n\r\n", &req, out, sizeof out, &len) == 400, "TLS sent to the proxy");
        ok(http("GET http://a.b/ HTTP/1.1\r\nX: 1\r\n\r\n", &req, out, 20, &len) == 431,
           "a head that would not fit once rewritten");
}

int main(void)
{
        test_rules();
        test_addresses();
        test_http();
        for (size_t i = 0; i < n_rules; i++)
                free(rules[i].host);
        return tap_done();
}
