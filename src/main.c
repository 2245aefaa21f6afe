/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cocoon: argv --parse--> plan --validate--> launch. */
#include <stdio.h>

#include "launch.h"
#include "log.h"
#include "options.h"
#include "plan.h"
#include "validate.h"

int main(int argc, char **argv)
{
        struct plan plan;
        int exit_now = 0;
        int r;

        log_init(argc > 0 ? argv[0] : NULL);
        plan_init(&plan);

        if (parse_command_line(&plan, argc > 0 ? argc - 1 : 0, argc > 0 ? argv + 1 : argv, &exit_now) < 0)
                return 1;
        if (exit_now)
                return fflush(stdout) == 0 ? 0 : 1;
        if (plan_validate(&plan) < 0)
                return 1;

        r = launch(&plan);
        plan_free(&plan);
        return r;
}
