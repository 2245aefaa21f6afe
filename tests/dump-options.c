/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Print the option table, one option a line, for the docs consistency test:
 * NAME \t NARGS \t METAVAR \t KIND,KIND \t HELP */
#include <stdio.h>

#include "options.h"

int main(void)
{
        size_t n;
        const struct option_def *t = option_table(&n);

        for (size_t i = 0; i < n; i++) {
                printf("%s\t%u\t%s\t", t[i].name, t[i].nargs, t[i].metavar ? t[i].metavar : "");
                for (unsigned a = 0; a < t[i].nargs; a++)
                        printf("%s%s", a ? "," : "", complete_kind_name(t[i].complete[a]));
                printf("\t%s\n", t[i].help);
        }
        return 0;
}
