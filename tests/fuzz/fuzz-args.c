/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz the command-line parser: the input is a NUL-separated argv. Fds 3
 * and 4 hold the second half of the input, so --args 3, --file 4 and the
 * like read fuzzed data too. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "options.h"
#include "plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The parser closes the fds it reads, and may close any fd it is told to;
 * put the standard ones back after every run. */
static int saved_out = -1, saved_err = -1, null_fd = -1;

static void restore_fds(void)
{
        dup2(null_fd, 0);
        dup2(saved_out, 1);
        dup2(saved_err, 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *copy, **argv;
        size_t argc = 0, half = size / 2;
        struct plan plan;
        int exit_now, fd;

        if (null_fd < 0) {
                null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                saved_out = fcntl(1, F_DUPFD_CLOEXEC, 100);
                saved_err = fcntl(2, F_DUPFD_CLOEXEC, 100);
        }
        for (int target = 3; target <= 4; target++) {
                fd = memfd_create("fuzz", 0);
                if (fd >= 0) {
                        if (write(fd, data + half, size - half) < 0) {
                                /* an empty fd is fine too */
                        }
                        lseek(fd, 0, SEEK_SET);
                        dup2(fd, target);
                        if (fd != target)
                                close(fd);
                }
        }

        copy = malloc(half + 1);
        memcpy(copy, data, half);
        copy[half] = '\0';
        argv = calloc(half + 2, sizeof(char *));
        for (size_t i = 0; i <= half;) {
                argv[argc++] = copy + i;
                i += strlen(copy + i) + 1;
        }
        plan_init(&plan);
        parse_command_line(&plan, (int) argc, argv, &exit_now);
        plan_free(&plan);
        free(argv);
        free(copy);
        close(3);
        close(4);
        restore_fds();
        return 0;
}
