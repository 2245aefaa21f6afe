/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

struct rootfs;
struct fs_op;

/* --file FD DEST: the data from FD in a new file DEST inside the sandbox. */
int op_file(struct rootfs *rfs, const struct fs_op *op);
/* --bind-data / --ro-bind-data FD DEST: the data from FD in a file on
 * cocoon's private tmpfs, bound on DEST. */
int op_bind_data(struct rootfs *rfs, const struct fs_op *op);
/* --bind-fd / --ro-bind-fd FD DEST: bind exactly what FD refers to. */
int op_bind_fd(struct rootfs *rfs, const struct fs_op *op);
