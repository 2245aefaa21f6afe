/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cocoon: argv --parse--> plan --validate--> launch. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "launch.h"
#include "advice.h"
#include "check.h"
#include "explain.h"
#include "fallback.h"
#include "log.h"
#include "options.h"
#include "plan.h"
#include "reaper.h"
#include "util.h"
#include "validate.h"

/* --seccomp-export: write the compiled profile, the last program, to a file
 * that bwrap's --seccomp or our own can load back. */
static int export_program(const struct plan *p)
{
        const struct bpf_prog *prog = &p->programs[p->n_programs - 1];
        int fd = open(p->seccomp_export, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
        int r;

        if (fd < 0)
                return log_errno(errno, "--seccomp-export: can't create %s", p->seccomp_export), 1;
        r = write_all(fd, prog->insns, prog->len * sizeof *prog->insns);
        if (close(fd) < 0 && r == 0)
                r = -errno;
        if (r < 0)
                return log_errno(r, "--seccomp-export: can't write %s", p->seccomp_export), 1;
        return 0;
}

/* The warnings, before the sandbox runs; bwrap says nothing of the kind. */
static void warn_all(const struct plan *p)
{
        if (log_is_bwrap())
                return;
        for (size_t i = 0; i < p->n_warnings; i++)
                log_warning("warning: %s", p->warnings[i]);
}

int main(int argc, char **argv, char **envp)
{
        struct plan plan;
        int exit_now = 0;
        int r;

        /* cocoon needs no privilege beyond the caller's, and a setuid or
         * setgid copy would lend the host's to anyone: refuse, as bwrap does
         * since 0.11.2 unless built for setuid (and always since 0.12). */
        if (getuid() != geteuid() || getgid() != getegid()) {
                log_init(argc > 0 ? argv[0] : NULL);
                die("refusing to run setuid or setgid: it needs no privileges and must not be given any");
        }
#if !HAVE_REAPER_IMAGE
        /* pid 1 of a sandbox, exec'd from a sealed copy of us (see pid1.c) */
        if (argc == REAPER_SELF_ARGC && argv[0][0] == '\0' && getenv(REAPER_ENV))
                reaper_exec_main(argv, envp);
#else
        (void) envp;
#endif

        log_init(argc > 0 ? argv[0] : NULL);
        plan_init(&plan);

        if (parse_command_line(&plan, argc > 0 ? argc - 1 : 0, argc > 0 ? argv + 1 : argv, &exit_now) < 0)
                r = 1;
        else if (exit_now)
                r = fflush(stdout) == 0 ? 0 : 1;
        else if (plan.check && plan.argc)
                r = (log_error("%s: takes no command", plan.check == 2 ? "--check=json" : "--check"), 1);
        else if (plan.check)
                r = check_run(plan.check == 2);
        else if (plan_validate(&plan) < 0)
                r = 1;
        else if ((advice_check(&plan), plan.explain))
                r = explain(&plan, stdout) < 0 ? 1 : 0;
        else if ((warn_all(&plan), plan.seccomp_export))
                r = export_program(&plan);
        else if (plan.fallback_landlock && fallback_needed(&plan))
                r = fallback_run(&plan);
        else
                r = launch(&plan);
        plan_free(&plan);
        return r;
}
