/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --explain's text: the JSON description (explain.c) laid out for people. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"

/* The strings of a JSON array, joined by sep; "none" when it is empty. */
static void list(FILE *out, const json_t *a, const char *sep)
{
        size_t i;
        json_t *v;

        if (!json_array_size(a)) {
                fputs("none", out);
                return;
        }
        json_array_foreach (a, i, v) {
                if (json_is_string(v))
                        fprintf(out, "%s%s", i ? sep : "", json_string_value(v));
                else if (json_is_integer(v))
                        fprintf(out, "%s%lld", i ? sep : "", (long long) json_integer_value(v));
                else
                        fprintf(out, "%s(missing)", i ? sep : "");
        }
}

static const char *str(const json_t *o, const char *key)
{
        return json_string_value(json_object_get(o, key));
}

static void mounts(FILE *out, const json_t *a)
{
        size_t i;
        json_t *m;

        fprintf(out, "mounts, in order:%s\n", json_array_size(a) ? "" : " none");
        json_array_foreach (a, i, m) {
                const char *src = str(m, "source"), *target = str(m, "target");
                const json_t *host = json_object_get(m, "host_source"), *layers = json_object_get(m, "layers");

                fprintf(out, "  %3zu  %-14s", i + 1, str(m, "option"));
                if (target)
                        fprintf(out, " %s -> %s (a symlink)", str(m, "dest"), target);
                else if (src)
                        fprintf(out, " %s on %s", src, str(m, "dest"));
                else
                        fprintf(out, " %s", str(m, "dest"));
                if (json_array_size(json_object_get(m, "flags"))) {
                        fputs("  [", out);
                        list(out, json_object_get(m, "flags"), ", ");
                        fputc(']', out);
                }
                if (str(m, "mode"))
                        fprintf(out, "  mode %s", str(m, "mode"));
                if (json_object_get(m, "size"))
                        fprintf(out, "  size %lld", (long long) json_integer_value(json_object_get(m, "size")));
                if (json_is_true(json_object_get(m, "skipped")))
                        fputs("  (skipped: the source is missing)", out);
                fputc('\n', out);
                if (src && json_is_string(host) && strcmp(json_string_value(host), src) != 0)
                        fprintf(out, "%22s host path: %s\n", "", json_string_value(host));
                else if (src && !json_is_string(host) && !json_is_true(json_object_get(m, "skipped")))
                        fprintf(out, "%22s host path: missing now\n", "");
                if (layers) {
                        fprintf(out, "%22s layers, bottom first: ", "");
                        list(out, layers, ", ");
                        fputc('\n', out);
                }
        }
}

static void masks(FILE *out, const json_t *o)
{
        static const struct {
                const char *key, *what;
        } parts[] = {
                {"proc_hidden", "/proc hidden"}, {"proc_read_only", "/proc read-only"}, {"sys_hidden", "/sys hidden"}};
        bool any = false;

        for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
                const json_t *a = json_object_get(o, parts[k].key);
                if (!a)
                        continue;
                fprintf(out, "%-12s %s: ", any ? "" : "masks", parts[k].what);
                list(out, a, " ");
                fputc('\n', out);
                any = true;
        }
        if (!any)
                fprintf(out, "%-12s none (no /proc or /sys in the sandbox)\n", "masks");
        if (json_array_size(json_object_get(o, "lifted"))) {
                fprintf(out, "%-12s lifted by --unmask: ", "");
                list(out, json_object_get(o, "lifted"), " ");
                fputc('\n', out);
        }
}

static void seccomp(FILE *out, const json_t *a)
{
        size_t i;
        json_t *p;

        fprintf(out, "%-12s ", "seccomp");
        if (!json_array_size(a))
                fputs("none\n", out);
        json_array_foreach (a, i, p)
                fprintf(out, "%s%zu. %s: %lld instructions\n", i ? "             " : "", i + 1, str(p, "what"),
                        (long long) json_integer_value(json_object_get(p, "instructions")));
}

static void landlock(FILE *out, const json_t *o)
{
        const json_t *paths = json_object_get(o, "paths");
        bool any = json_is_true(json_object_get(o, "from_mounts")) || json_array_size(paths) ||
                   json_array_size(json_object_get(o, "connect_tcp")) ||
                   json_array_size(json_object_get(o, "bind_tcp")) ||
                   json_is_true(json_object_get(o, "scope_abstract_unix")) ||
                   json_is_true(json_object_get(o, "scope_signals"));
        size_t i;
        json_t *p;

        fprintf(out, "%-12s %s\n", "landlock",
                !any ? "none"
                     : (json_is_true(json_object_get(o, "from_mounts")) ? "rules from the mounts, and:" : "rules:"));
        if (!any)
                return;
        json_array_foreach (paths, i, p)
                fprintf(out, "%-12s %s: %s\n", "", str(p, "rights"), str(p, "path"));
        fprintf(out, "%-12s tcp connect to: ", "");
        json_array_size(json_object_get(o, "connect_tcp")) ? list(out, json_object_get(o, "connect_tcp"), ", ")
                                                           : (void) fputs("any port", out);
        fprintf(out, "; tcp bind to: ");
        json_array_size(json_object_get(o, "bind_tcp")) ? list(out, json_object_get(o, "bind_tcp"), ", ")
                                                        : (void) fputs("any port", out);
        fprintf(out, "\n%-12s abstract unix sockets outside: %s; signals outside: %s\n", "",
                json_is_true(json_object_get(o, "scope_abstract_unix")) ? "no" : "yes",
                json_is_true(json_object_get(o, "scope_signals")) ? "no" : "yes");
}

static void limits(FILE *out, const json_t *o)
{
        const char *keys[] = {"memory_max", "pids_max", "cpu_max_percent", "timeout"};
        const char *what[] = {"memory (bytes)", "processes", "cpu (% of one)", "timeout (s)"};
        const json_t *rl = json_object_get(o, "rlimits");
        bool any = false;
        size_t i;
        json_t *r;

        fprintf(out, "%-12s ", "limits");
        json_array_foreach (rl, i, r) {
                const json_t *soft = json_object_get(r, "soft"), *hard = json_object_get(r, "hard");
                fprintf(out, "%s%s=", any ? ", " : "", str(r, "name"));
                json_is_string(soft) ? fputs(json_string_value(soft), out)
                                     : fprintf(out, "%lld", (long long) json_integer_value(soft));
                fputc(':', out);
                json_is_string(hard) ? fputs(json_string_value(hard), out)
                                     : fprintf(out, "%lld", (long long) json_integer_value(hard));
                any = true;
        }
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
                if (json_object_get(o, keys[k])) {
                        fprintf(out, "%s%s %lld", any ? ", " : "", what[k],
                                (long long) json_integer_value(json_object_get(o, keys[k])));
                        any = true;
                }
        fputs(any ? "\n" : "none\n", out);
}

/* s with its control characters as \xNN: the text's lines are its layout,
 * and a newline or an escape in a path or an environment value must not
 * add a line of its own (a made-up warning) or drive the terminal. */
static char *escape_text(const char *s)
{
        size_t n = 0;
        char *r, *o;

        for (const char *c = s; *c; c++)
                n += ((unsigned char) *c < 0x20 || *c == 0x7f) ? 4 : 1;
        o = r = malloc(n + 1);
        if (!r)
                return NULL;
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        o += sprintf(o, "\\x%02x", (unsigned char) *s);
                else
                        *o++ = *s;
        *o = '\0';
        return r;
}

/* A copy of j whose strings (and object keys) are escaped; NULL when out
 * of memory. */
static json_t *escaped(const json_t *j)
{
        json_t *r = NULL, *v;
        const char *key;
        size_t i;
        char *e;

        if (json_is_string(j)) {
                if (!(e = escape_text(json_string_value(j))))
                        return NULL;
                r = json_string(e);
                free(e);
                return r;
        }
        if (json_is_array(j)) {
                r = json_array();
                json_array_foreach ((json_t *) j, i, v)
                        if (!r || json_array_append_new(r, escaped(v)) < 0)
                                return json_decref(r), NULL;
                return r;
        }
        if (json_is_object(j)) {
                r = json_object();
                json_object_foreach ((json_t *) j, key, v) {
                        e = escape_text(key);
                        if (!r || !e || json_object_set_new(r, e, escaped(v)) < 0)
                                return free(e), json_decref(r), NULL;
                        free(e);
                }
                return r;
        }
        return json_deep_copy(j);
}

static int layout(const json_t *d, FILE *out);

static void network(FILE *out, const json_t *net)
{
        const char *mode = json_string_value(json_object_get(net, "mode"));
        const json_t *fwd = json_object_get(net, "forwards");

        fputc('\n', out);
        if (!mode)
                return;
        fprintf(out, "%-12s ", "network");
        if (strcmp(mode, "pasta") == 0) {
                fputs("pasta: a namespace of its own, outbound TCP, UDP and DNS; forwarded in: ", out);
                if (json_array_size(fwd))
                        list(out, fwd, " ");
                else
                        fputs("nothing", out);
                fputc('\n', out);
        } else if (strcmp(mode, "none") == 0) {
                fputs("none: loopback only\n", out);
        } else {
                fputs("host: the caller's network namespace\n", out);
        }
}

int explain_text(const json_t *raw, FILE *out)
{
        json_t *d = escaped(raw);
        int r;

        if (!d)
                return -1;
        r = layout(d, out);
        json_decref(d);
        return r;
}

static int layout(const json_t *d, FILE *out)
{
        const json_t *ns = json_object_get(d, "namespaces"), *id = json_object_get(d, "identity");
        const json_t *env = json_object_get(d, "environment"), *warnings = json_object_get(d, "warnings");
        const char *name;
        size_t i;
        json_t *v;

        fputs("The sandbox cocoon would make (--explain: nothing was created)\n\n", out);
        fprintf(out, "%-12s new: ", "namespaces");
        list(out, json_object_get(ns, "new"), " ");
        fputs("; joined: ", out);
        list(out, json_object_get(ns, "joined"), " ");
        network(out, json_object_get(d, "network"));
        fprintf(out, "%-12s uid %lld, gid %lld inside (the caller is uid %lld)\n", "identity",
                (long long) json_integer_value(json_object_get(id, "uid")),
                (long long) json_integer_value(json_object_get(id, "gid")),
                (long long) json_integer_value(json_object_get(id, "caller_uid")));
        if (json_is_array(json_object_get(id, "uid_map"))) {
                fprintf(out, "%-12s uid ", "id maps");
                list(out, json_object_get(id, "uid_map"), " ");
                fputs("; gid ", out);
                list(out, json_object_get(id, "gid_map"), " ");
                fputs(" (INSIDE:OUTSIDE:COUNT)\n", out);
        }
        fprintf(out, "%-12s ", "capabilities");
        list(out, json_object_get(id, "capabilities"), " ");
        fputc('\n', out);
        if (json_object_get(d, "proxy")) {
                const json_t *px = json_object_get(d, "proxy");
                fprintf(out, "%-12s only through the proxy at %s (--allow-host), to: ", "network", str(px, "listen"));
                list(out, json_object_get(px, "allow_hosts"), ", ");
                fputc('\n', out);
        }
        mounts(out, json_object_get(d, "mounts"));
        masks(out, json_object_get(d, "masks"));
        seccomp(out, json_object_get(d, "seccomp"));
        landlock(out, json_object_get(d, "landlock"));
        limits(out, json_object_get(d, "limits"));
        fprintf(out, "%-12s ", "environment");
        if (!json_object_size(env))
                fputs("empty\n", out);
        i = 0;
        json_object_foreach ((json_t *) env, name, v)
                fprintf(out, "%s%s=%s\n", i++ ? "             " : "", name, json_string_value(v));
        fprintf(out, "%-12s %s\n", "directory",
                json_is_string(json_object_get(d, "directory")) ? str(d, "directory") : "(none)");
        fprintf(out, "%-12s ", "command");
        list(out, json_object_get(d, "command"), " ");
        fputc('\n', out);
        fprintf(out, "%-12s %s\n", "warnings", json_array_size(warnings) ? "" : "none");
        json_array_foreach (warnings, i, v)
                fprintf(out, "  - %s\n", json_string_value(v));
        return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
