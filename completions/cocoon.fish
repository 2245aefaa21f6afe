# fish completion for cocoon(1)
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Completes cocoon's options, the argument(s) of each option by kind, and,
# once the options end, a command and its own arguments.

# The options, one a line: the name, the kind of each argument it takes
# (separated by commas, or "-" when it takes none), then a short description.
# Kinds: file dir fd cap env number none.  This list must match the option
# table in src/options.c (build/tests/dump-options prints it);
# tests/integration/test_docs.py checks.
# BEGIN OPTIONS
set -l __cocoon_table '
--help                    -            Show a summary of the options
--version                 -            Show the version
--args                    fd           Read NUL-separated options from a file descriptor
--argv0                   none         Value to pass to the command as argv[0]
--level-prefix            -            Start messages with a syslog priority marker
--explain                 -            Print the sandbox the options describe, and exit
--explain=json            -            The same, as JSON
--profile                 file         Take the options of a profile here
--unshare-all             -            Create every namespace that can be created
--share-net               -            Keep the network namespace of the caller
--unshare-user            -            Create a user namespace
--unshare-user-try        -            Create a user namespace if possible
--unshare-ipc             -            Create an IPC namespace
--unshare-pid             -            Create a pid namespace
--unshare-net             -            Create a network namespace with loopback only
--unshare-uts             -            Create a UTS namespace
--unshare-cgroup          -            Create a cgroup namespace
--unshare-cgroup-try      -            Create a cgroup namespace if possible
--allow-host              none         Network only through the monitor proxy, to listed hosts
--net                     none         Network: pasta (own namespace, outbound through pasta), none or host
--forward                 none         With --net pasta: forward tcp:HOSTPORT[:PORT] or udp: into the sandbox
--uid                     number       User id inside the sandbox
--gid                     number       Group id inside the sandbox
--map-users               none         Map you to root and your subordinate ids above (auto)
--uid-map                 none         Map user ids IN:OUT:COUNT (repeatable)
--gid-map                 none         Map group ids IN:OUT:COUNT (repeatable)
--hostname                none         Host name inside the sandbox
--chdir                   dir          Working directory of the command
--setenv                  env,none     Set an environment variable
--unsetenv                env          Remove an environment variable
--clearenv                -            Remove every environment variable but PWD
--keep-env                env          Keep a variable (or VAR*) from the caller
--bind                    file,file    Bind a host path read-write
--bind-try                file,file    Bind a host path read-write if it exists
--ro-bind                 file,file    Bind a host path read-only
--ro-bind-try             file,file    Bind a host path read-only if it exists
--dev-bind                file,file    Bind a host path with device access
--dev-bind-try            file,file    Bind a host path with device access if it exists
--remount-ro              dir          Make a mount read-only, nosuid and nodev
--tmpfs                   dir          Mount a new tmpfs
--dir                     dir          Create a directory
--symlink                 file,file    Create a symbolic link
--proc                    dir          Mount procfs, its sensitive entries hidden
--sys                     dir          Mount a read-only sysfs, its sensitive entries hidden
--mask                    file         Hide a path under an empty read-only file or directory
--unmask                  file         Lift a mask of /proc or /sys, bound ones too (or all of them)
--dev                     dir          Mount a minimal /dev
--file                    fd,file      Copy the data on a file descriptor into a new file
--bind-data               fd,file      Bind a private copy of the data on a file descriptor
--ro-bind-data            fd,file      Bind a private copy of the data on a descriptor read-only
--bind-fd                 fd,file      Bind the file or directory a descriptor is open on
--ro-bind-fd              fd,file      Bind the file or directory a descriptor is open on read-only
--chmod                   number,file  Change the mode of an existing path
--mqueue                  dir          Mount a new mqueue file system
--overlay-src             dir          Add a lower layer to the next overlay
--overlay                 dir,dir,dir  Mount an overlay that writes to a host directory
--tmp-overlay             dir          Mount an overlay that writes to a private tmpfs
--ro-overlay              dir          Mount a read-only overlay
--perms                   number       Mode of what the next operation creates
--size                    number       Size limit in bytes for the next tmpfs
--seccomp                 fd           Load a compiled seccomp filter from a descriptor
--add-seccomp-fd          fd           Stack a compiled seccomp filter from a descriptor
--seccomp-profile         file         Compile a JSON seccomp profile (or default) and load it
--seccomp-export          file         Write the compiled seccomp profile to a file and exit
--userns                  fd           Use an existing user namespace
--userns2                 fd           Switch into a user namespace once setup is done
--pidns                   fd           Use an existing pid namespace
--disable-userns          -            Stop the sandbox from creating user namespaces
--assert-userns-disabled  -            Fail if the sandbox can create user namespaces
--lock-file               file         Hold a lock on a file while the sandbox runs
--sync-fd                 fd           Keep a file descriptor open while the sandbox runs
--block-fd                fd           Wait for data on a descriptor before running the command
--userns-block-fd         fd           Wait on a descriptor for the caller to write the id maps
--info-fd                 fd           Write JSON about the sandbox to a file descriptor
--json-status-fd          fd           Write JSON status lines to a file descriptor
--report                  -            Say on stderr what the sandbox refused, when it ends
--report-fd               fd           Write what the sandbox refuses as JSON lines to a descriptor
--learn                   file         Write a profile of what the command needed, for review
--exec-label              none         SELinux context of the command
--file-label              none         SELinux context of the tmpfs mounts
--not-a-security-boundary -            Let submounts of binds keep their flags if they cannot change
--landlock                -            Landlock rules derived from the mounts
--landlock-read           file         Landlock: let a path be read
--landlock-write          file         Landlock: let a path be read and changed
--landlock-exec           file         Landlock: let a path be read and executed
--connect-tcp             none         Landlock: allow TCP connects to a port or range only
--bind-tcp                none         Landlock: allow TCP binds to a port or range only
--scope-abstract-unix     -            Landlock: no connects to abstract sockets outside
--scope-signals           -            Landlock: no signals to processes outside
--landlock-best-effort    -            Skip with a warning what Landlock in this kernel lacks
--rlimit                  none         Set a resource limit of the command
--memory-max              number       Memory limit of the sandbox (cgroup v2)
--pids-max                number       Process limit of the sandbox (cgroup v2)
--cpu-max                 number       CPU limit of the sandbox in percent of one CPU (cgroup v2)
--timeout                 number       Kill the sandbox after some seconds and exit 124
--unshare-time            -            Create a time namespace
--monotonic-offset        number       Shift the monotonic clock inside (seconds)
--boottime-offset         number       Shift the boot-time clock inside (seconds)
--new-session             -            Run the command in a new terminal session
--die-with-parent         -            Kill the sandbox when the parent of cocoon dies
--as-pid-1                -            Run the command as pid 1, without a reaper
--cap-add                 cap          Add a capability
--cap-drop                cap          Drop a capability
--check                   -            Tell what this host allows a sandbox, and exit
--check=json              -            The same, as JSON
--fallback                none         Where namespaces are refused, run with Landlock alone
--require                 none         Refuse the fallback if it cannot enforce this part
'
# END OPTIONS

# Two parallel lists, global so that the functions below can read them:
# option names, and the comma-separated kinds of their arguments.
set -g __cocoon_names
set -g __cocoon_kinds
for __cocoon_line in (string split \n -- $__cocoon_table)
    set -l fields (string split -n ' ' -- $__cocoon_line)
    set -q fields[2]; or continue
    set -a __cocoon_names $fields[1]
    set -a __cocoon_kinds $fields[2]
    complete -c cocoon -n '__cocoon_state option' \
        -l (string sub -s 3 -- $fields[1]) -d "$fields[3..-1]"
end
set -e __cocoon_line

# Print where the cursor is: "option" (an option or the command may come),
# "arg KIND" (an argument of an option), "command" (the command's name) or
# "args" (the command's arguments).  With an argument, succeed only when the
# state is that one.  When the cursor is on an argument, the global variable
# __cocoon_option holds the option it belongs to.
function __cocoon_state
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l n (count $tokens)
    set -l state option
    set -g __cocoon_option
    set -l i 1
    while test $i -le $n
        set -l w $tokens[$i]
        if test "$w" = --
            if test $i -eq $n
                set state command
            else
                set state args
            end
            break
        end
        set -l idx (contains -i -- $w $__cocoon_names)
        if test -n "$idx"
            set -l kinds
            if test $__cocoon_kinds[$idx] != -
                set kinds (string split , -- $__cocoon_kinds[$idx])
            end
            set -l nk (count $kinds)
            if test (math $i + $nk) -gt $n
                set -l which (math $n + 1 - $i)
                set state "arg $kinds[$which]"
                set -g __cocoon_option $w
                break
            end
            set i (math $i + 1 + $nk)
        else if string match -q -- '-*' $w
            set i (math $i + 1)
        else
            set state args
            break
        end
    end
    if set -q argv[1]
        test "$state" = "$argv"
    else
        echo $state
    end
end

# Complete the command's own arguments with that command's completions.
function __cocoon_complete_command_args
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l i 1
    set -l n (count $tokens)
    while test $i -le $n
        set -l w $tokens[$i]
        if test "$w" = --
            set i (math $i + 1)
            break
        end
        set -l idx (contains -i -- $w $__cocoon_names)
        if test -n "$idx"
            set -l nk 0
            if test $__cocoon_kinds[$idx] != -
                set nk (count (string split , -- $__cocoon_kinds[$idx]))
            end
            set i (math $i + 1 + $nk)
        else if string match -q -- '-*' $w
            set i (math $i + 1)
        else
            break
        end
    end
    set -l cmd (string escape -- $tokens[$i..-1]) (commandline -ct)
    complete -C (string join ' ' -- $cmd)
end

# The resource names of --rlimit, each followed by "=", until one is typed.
function __cocoon_rlimits
    string match -q -- '*=*' (commandline -ct); and return
    printf '%s=\n' as vmem core cpu data fsize locks memlock msgqueue nice \
        nofile nproc rss rtprio rttime sigpending stack
end

function __cocoon_capabilities
    printf '%s\n' ALL CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER \
        CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_LINUX_IMMUTABLE \
        CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW \
        CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_CHROOT \
        CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE \
        CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE \
        CAP_AUDIT_WRITE CAP_AUDIT_CONTROL CAP_SETFCAP CAP_MAC_OVERRIDE \
        CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM CAP_BLOCK_SUSPEND CAP_AUDIT_READ \
        CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE
end

# Nothing is completed unless one of the rules below says so.
complete -c cocoon -f
complete -c cocoon -n '__cocoon_state "arg file"' -F
complete -c cocoon -n '__cocoon_state "arg dir"' -a '(__fish_complete_directories (commandline -ct))'
complete -c cocoon -n '__cocoon_state "arg cap"' -a '(__cocoon_capabilities)'
complete -c cocoon -n '__cocoon_state "arg env"' -a '(set -xn)'
# A few options take a word besides what their kind offers.
complete -c cocoon -n '__cocoon_state "arg file"; and test "$__cocoon_option" = --seccomp-profile' \
    -a default -d 'Built-in profile'
complete -c cocoon -n '__cocoon_state "arg file"; and test "$__cocoon_option" = --profile' \
    -a 'shell build build-overlay agent host-ro clean-env desktop x11 wayland pulseaudio pipewire dbus-session gpu network' -d 'Built-in profile'
complete -c cocoon -n '__cocoon_state "arg file"; and test "$__cocoon_option" = --unmask' \
    -a all -d 'Every mask'
complete -c cocoon -n '__cocoon_state "arg none"; and test "$__cocoon_option" = --rlimit' \
    -a '(__cocoon_rlimits)'
complete -c cocoon -n '__cocoon_state option; or __cocoon_state command' -a '(__fish_complete_command)'
complete -c cocoon -n '__cocoon_state args' -a '(__cocoon_complete_command_args)'
