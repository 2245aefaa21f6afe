/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The events of --report, --report-fd and --learn (report.h), and the
 * service that says what they were when the sandbox ends. */
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "learn.h"
#include "log.h"
#include "monitor.h"
#include "plan.h"
#include "util.h"

/* The longest string an event keeps; a longer one is cut with "...". */
#define FIELD_MAX 1024

static struct {
        const struct plan *plan; /* NULL: no report asked for */
        struct report_event ev[REPORT_MAX];
        unsigned long count[REPORT_MAX];
        size_t n;
        unsigned long over;    /* distinct events past REPORT_MAX */
        unsigned long dropped; /* calls let go unexamined */
        unsigned long unsent;  /* JSON lines the caller's fd had no room for */
} st;

static const char *const kind_names[REPORT_KINDS] = {
        [REPORT_MISSING] = "missing",         [REPORT_READONLY] = "read-only", [REPORT_MASKED] = "masked",
        [REPORT_LANDLOCK] = "landlock",       [REPORT_SECCOMP] = "seccomp",    [REPORT_NETWORK] = "network",
        [REPORT_INTERPRETER] = "interpreter",
};

const char *report_kind_name(enum report_kind k)
{
        return k < REPORT_KINDS ? kind_names[k] : "unknown";
}

/* A copy of s fit for a terminal and for JSON: bytes other than printable
 * ASCII as \xNN, at most FIELD_MAX long. NULL stays NULL. */
static char *printable(const char *s)
{
        size_t len = 0;
        char *out;

        if (!s)
                return NULL;
        out = xmalloc(FIELD_MAX + 8);
        for (; *s && len < FIELD_MAX; s++) {
                unsigned char c = (unsigned char) *s;
                if (c >= 0x20 && c < 0x7f)
                        out[len++] = (char) c;
                else
                        len += (size_t) snprintf(out + len, 5, "\\x%02x", c);
        }
        if (*s)
                len += (size_t) snprintf(out + len, 4, "...");
        out[len] = '\0';
        return out;
}

static bool same(const char *a, const char *b)
{
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void set_str(json_t *o, const char *key, const char *v)
{
        json_object_set_new(o, key, v ? json_string(v) : json_null());
}

/* One line to --report-fd, if the caller's end has room now: the monitor
 * never waits for the caller. */
static void write_line(json_t *o)
{
        int fd = st.plan ? st.plan->report_fd : -1;
        char *text;
        size_t len;

        if (fd < 0)
                return;
        text = json_dumps(o, JSON_COMPACT);
        if (!text)
                return;
        len = strlen(text);
        text[len] = '\n'; /* json_dumps leaves room for its NUL */
        if (poll(&(struct pollfd){.fd = fd, .events = POLLOUT}, 1, 0) != 1 || write_all(fd, text, len + 1) < 0)
                st.unsent++;
        free(text);
}

static void write_event(const struct report_event *e)
{
        json_t *o = json_object();

        set_str(o, "kind", report_kind_name(e->kind));
        json_object_set_new(o, "pid", json_integer(e->pid));
        set_str(o, "exe", e->exe);
        set_str(o, "syscall", e->syscall);
        set_str(o, "path", e->path);
        set_str(o, "address", e->address);
        set_str(o, "verdict", e->verdict);
        json_object_set_new(o, "errno", json_integer(e->err));
        set_str(o, "cause", e->cause);
        set_str(o, "suggest", e->suggest);
        write_line(o);
        json_decref(o);
}

void report_event(const struct report_event *e)
{
        struct report_event *kept;

        if (!st.plan)
                return;
        for (size_t i = 0; i < st.n; i++) {
                const struct report_event *k = &st.ev[i];
                if (k->kind == e->kind && same(k->syscall, e->syscall) && same(k->cause, e->cause) &&
                    same(k->suggest, e->suggest)) {
                        st.count[i]++;
                        return;
                }
        }
        if (st.n == REPORT_MAX) {
                st.over++;
                return;
        }
        kept = &st.ev[st.n];
        *kept = *e;
        kept->exe = printable(e->exe);
        kept->syscall = printable(e->syscall);
        kept->path = printable(e->path);
        kept->address = printable(e->address);
        kept->cause = printable(e->cause);
        kept->suggest = printable(e->suggest);
        st.count[st.n++] = 1;
        write_event(kept);
}

void report_dropped(unsigned long n)
{
        st.dropped += n;
}

/* A refusal with ENOSYS is how a profile makes the C library fall back to
 * an older call (clone3 to clone): in the JSON, not in the summary. */
static bool quiet(const struct report_event *e)
{
        return e->kind == REPORT_SECCOMP && e->err == ENOSYS;
}

/* The summary on stderr: one line per cause, with what would allow it. */
static void summarize(void)
{
        const char *me = log_progname();

        size_t shown = 0;

        for (size_t i = 0; i < st.n; i++)
                shown += !quiet(&st.ev[i]);
        if (shown == 0) {
                fprintf(stderr, "%s: report: the sandbox refused nothing that the report can see\n", me);
        } else {
                fprintf(stderr, "%s: report: what the sandbox refused, and what would allow it:\n", me);
                for (size_t i = 0; i < st.n; i++) {
                        const struct report_event *e = &st.ev[i];
                        char times[32] = "";

                        if (quiet(e))
                                continue;
                        if (st.count[i] > 1)
                                snprintf(times, sizeof times, ", %lu times", st.count[i]);
                        bool who = e->exe || e->syscall || times[0];

                        fprintf(stderr, "%s: report: %s%s%s%s%s%s%s%s%s\n", me, e->cause, who ? " (" : "",
                                e->exe ? e->exe : "", e->exe && e->syscall ? ": " : "", e->syscall ? e->syscall : "",
                                e->exe || e->syscall ? times : times + (times[0] ? 2 : 0), who ? ")" : "",
                                e->suggest ? ": add " : "", e->suggest ? e->suggest : "");
                }
        }
        if (st.over)
                fprintf(stderr, "%s: report: and %lu more kinds of refusal, not kept\n", me, st.over);
        if (st.dropped)
                fprintf(stderr, "%s: report: %lu calls came too fast to be examined; they went on unseen\n", me,
                        st.dropped);
}

static int events_init(struct monitor *m)
{
        const struct plan *p = m->o->plan;

        if (m->o->relay || !p || !plan_reports(p))
                return 0;
        st.plan = p;
        return 0;
}

static void events_teardown(struct monitor *m)
{
        (void) m;
        if (!st.plan)
                return;
        if (st.over || st.dropped || st.unsent) {
                json_t *o = json_object();
                set_str(o, "kind", "dropped");
                json_object_set_new(o, "count", json_integer((json_int_t) (st.over + st.dropped)));
                set_str(o, "cause", "events past the report's limit, or calls that came too fast to be examined");
                write_line(o);
                json_decref(o);
        }
        if (st.plan->report_summary)
                summarize();
        if (st.plan->learn_fd >= 0 && learn_write(st.plan->learn_fd, st.plan->learn_path, st.ev, st.count, st.n) < 0)
                log_warning("--learn: can't write %s", st.plan->learn_path);
        for (size_t i = 0; i < st.n; i++) {
                free((char *) st.ev[i].exe);
                free((char *) st.ev[i].syscall);
                free((char *) st.ev[i].path);
                free((char *) st.ev[i].address);
                free((char *) st.ev[i].cause);
                free((char *) st.ev[i].suggest);
        }
        st.n = 0;
        st.plan = NULL;
}

const struct monitor_service monitor_events = {
        .name = "events",
        .init = events_init,
        .teardown = events_teardown,
};
