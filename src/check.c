/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --check: the namespace items, from one probe in a child, and the report.
 * The other items are in check-more.c. */
#include "check.h"

#include <errno.h>
#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostcause.h"
#include "hostprobe.h"
#include "log.h"

#define OTHER_NS (CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP)

static void check_userns(struct check_report *r, const struct probe_result *p)
{
        long max = hostprobe_sysctl("user/max_user_namespaces");
        long clone_ok = hostprobe_sysctl("kernel/unprivileged_userns_clone");
        long aa = hostprobe_sysctl("kernel/apparmor_restrict_unprivileged_userns");
        char label[128], facts[256];
        const char *aa_label = hostprobe_apparmor(label, sizeof label);
        struct host_cause c;

        snprintf(facts, sizeof facts, "user.max_user_namespaces=%ld", max);
        if (clone_ok >= 0)
                snprintf(facts + strlen(facts), sizeof facts - strlen(facts), ", kernel.unprivileged_userns_clone=%ld",
                         clone_ok);
        if (aa >= 0)
                snprintf(facts + strlen(facts), sizeof facts - strlen(facts),
                         ", kernel.apparmor_restrict_unprivileged_userns=%ld", aa);
        snprintf(facts + strlen(facts), sizeof facts - strlen(facts), ", AppArmor label of this process: %s",
                 aa_label ? aa_label : "none (AppArmor is off)");
        if (p->err[STEP_USERNS] == 0) {
                check_add(r, "userns", "user namespaces", true, CHECK_OK, NULL, "made one (%s)", facts);
                return;
        }
        hostcause_userns(p->err[STEP_USERNS], &c);
        check_add(r, "userns", "user namespaces", true, CHECK_MISSING, c.fix, "refused (%s): %s (%s)",
                  strerror(p->err[STEP_USERNS]), c.why, facts);
}

static void check_mount(struct check_report *r, const struct probe_result *p)
{
        const char *title = "mount in a user namespace";
        struct host_cause c;
        int err;
        bool maps = p->err[STEP_MAPS] > 0;

        if (p->err[STEP_USERNS] != 0) {
                check_add(r, "mount", title, true, CHECK_MISSING, "see user namespaces",
                          "not tried: no user namespace");
                return;
        }
        err = maps ? p->err[STEP_MAPS] : p->err[STEP_MOUNTNS] > 0 ? p->err[STEP_MOUNTNS] : p->err[STEP_MOUNT];
        if (err == 0) {
                check_add(r, "mount", title, true, CHECK_OK, NULL, "id maps written, a tmpfs mounted");
                return;
        }
        hostcause_mount(err, maps, &c);
        check_add(r, "mount", title, true, CHECK_MISSING, c.fix, "%s", c.why);
}

/* An item that needs the mount step done first. */
static void check_after_mount(struct check_report *r, const struct probe_result *p, enum probe_step step,
                              const char *name, const char *title, bool core, const char *fix, const char *what)
{
        int err = p->err[step];

        if (err < 0)
                check_add(r, name, title, core, core ? CHECK_MISSING : CHECK_LIMITED, "see the items above",
                          "not tried: an earlier step failed");
        else if (err == 0)
                check_add(r, name, title, core, CHECK_OK, NULL, "made one in a user namespace");
        else
                check_add(r, name, title, core, core ? CHECK_MISSING : CHECK_LIMITED, fix, "refused (%s): %s",
                          strerror(err), what);
}

static void check_container(struct check_report *r, const struct probe_result *p)
{
        const char *kind = hostprobe_container();
        bool nested = hostprobe_nested_userns();
        int filters = hostprobe_seccomp_filters();
        char label[128], refused[160] = "";
        const char *aa_label = hostprobe_apparmor(label, sizeof label);
        enum probe_step bad = hostprobe_first_failure(p);

        if (bad != STEP_COUNT)
                snprintf(refused, sizeof refused, "; it refuses %s",
                         bad == STEP_USERNS                         ? "user namespaces"
                         : bad == STEP_MAPS                         ? "id maps in a user namespace"
                         : bad == STEP_MOUNT || bad == STEP_MOUNTNS ? "mounts in a user namespace"
                                                                    : "some namespaces");
        if (!kind && !nested) {
                check_add(r, "container", "container", false, CHECK_OK, NULL,
                          "none detected (%d seccomp filter%s on this process)", filters, filters == 1 ? "" : "s");
                return;
        }
        check_add(r, "container", "container", false, bad == STEP_COUNT ? CHECK_OK : CHECK_LIMITED,
                  bad == STEP_COUNT ? NULL : "see the items above",
                  "%s%s: seccomp filters on this process: %d, AppArmor: %s, user namespace: %s%s",
                  kind ? "running in a container: " : "inside a sandbox", kind ? kind : "", filters,
                  aa_label ? aa_label : "off", nested ? "a nested one" : "the host's", refused);
}

static const char *status_word(enum check_status s)
{
        return s == CHECK_OK ? "ok" : s == CHECK_LIMITED ? "limited" : "missing";
}

static int print_json(const struct check_report *r, bool works)
{
        json_t *items = json_array(), *root;
        char *text;
        int rc;

        for (int i = 0; i < r->n; i++) {
                const struct check_item *it = &r->items[i];
                json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "name", it->name, "title",
                                                       it->title, "status", status_word(it->status), "detail",
                                                       it->detail, "fix", it->fix, "required", it->core));
        }
        root = json_pack("{s:b, s:o}", "sandbox_works", works, "items", items);
        text = root ? json_dumps(root, JSON_INDENT(2)) : NULL;
        json_decref(root);
        if (!text)
                return log_error("--check=json: can't build the report"), 1;
        rc = printf("%s\n", text) < 0 ? 1 : 0;
        free(text);
        return rc;
}

int check_run(bool json)
{
        struct check_report r = {.n = 0};
        struct probe_result p;
        bool works = true;

        hostprobe_sandbox(CLONE_NEWUSER | OTHER_NS, true, &p);
        check_userns(&r, &p);
        check_mount(&r, &p);
        check_after_mount(&r, &p, STEP_OTHER_NS, "namespaces", "pid, network, IPC, UTS and cgroup namespaces", true,
                          "see the container item", "--unshare-pid, --unshare-net and the others need them");
        check_after_mount(&r, &p, STEP_OVERLAY, "overlay", "overlayfs in a user namespace", false,
                          "Linux 5.11 or later", "--overlay, --tmp-overlay and --ro-overlay need it");
        check_after_mount(&r, &p, STEP_TIMENS, "timens", "time namespace", false,
                          "Linux 5.6 or later, built with CONFIG_TIME_NS", "--unshare-time needs it");
        check_container(&r, &p);
        check_syscalls(&r);
        check_landlock(&r);
        check_seccomp_notify(&r);
        check_cgroup(&r);
        check_helpers(&r);

        for (int i = 0; i < r.n; i++)
                if (r.items[i].core && r.items[i].status != CHECK_OK)
                        works = false;
        if (json)
                return print_json(&r, works) || !works;
        for (int i = 0; i < r.n; i++) {
                const struct check_item *it = &r.items[i];
                printf("%-8s %s: %s%s%s\n", status_word(it->status), it->title, it->detail, *it->fix ? "; fix: " : "",
                       it->fix);
        }
        printf("%s\n", works ? "the full sandbox works here"
                             : "the sandbox can't run here: fix what is missing above, or use --fallback landlock");
        return fflush(stdout) == 0 && works ? 0 : 1;
}
