# bash completion for cocoon(1)                            -*- shell-script -*-
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Completes cocoon's options, the argument(s) of each option by kind, and,
# once the options end, a command and its own arguments (as for sudo or env).

# The options, one a line: the name, then the kind of each argument it takes,
# separated by commas, or "-" when it takes none.  Kinds: file dir fd cap env
# number none.  This list must match the option table in src/options.c
# (build/tests/dump-options prints it); tests/integration/test_docs.py checks.
# BEGIN OPTIONS
_cocoon_options='
--help                    -
--version                 -
--args                    fd
--argv0                   none
--level-prefix            -
--explain                 -
--explain=json            -
--profile                 file
--unshare-all             -
--share-net               -
--unshare-user            -
--unshare-user-try        -
--unshare-ipc             -
--unshare-pid             -
--unshare-net             -
--unshare-uts             -
--unshare-cgroup          -
--unshare-cgroup-try      -
--allow-host              none
--net                     none
--forward                 none
--uid                     number
--gid                     number
--map-users               none
--uid-map                 none
--gid-map                 none
--hostname                none
--chdir                   dir
--setenv                  env,none
--unsetenv                env
--clearenv                -
--keep-env                env
--bind                    file,file
--bind-try                file,file
--ro-bind                 file,file
--ro-bind-try             file,file
--dev-bind                file,file
--dev-bind-try            file,file
--remount-ro              dir
--tmpfs                   dir
--dir                     dir
--symlink                 file,file
--proc                    dir
--sys                     dir
--mask                    file
--unmask                  file
--dev                     dir
--file                    fd,file
--bind-data               fd,file
--ro-bind-data            fd,file
--bind-fd                 fd,file
--ro-bind-fd              fd,file
--chmod                   number,file
--mqueue                  dir
--overlay-src             dir
--overlay                 dir,dir,dir
--tmp-overlay             dir
--ro-overlay              dir
--perms                   number
--size                    number
--seccomp                 fd
--add-seccomp-fd          fd
--seccomp-profile         file
--seccomp-export          file
--userns                  fd
--userns2                 fd
--pidns                   fd
--disable-userns          -
--assert-userns-disabled  -
--lock-file               file
--sync-fd                 fd
--block-fd                fd
--userns-block-fd         fd
--info-fd                 fd
--json-status-fd          fd
--report                  -
--report-fd               fd
--learn                   file
--exec-label              none
--file-label              none
--not-a-security-boundary -
--landlock                -
--landlock-read           file
--landlock-write          file
--landlock-exec           file
--connect-tcp             none
--bind-tcp                none
--scope-abstract-unix     -
--scope-signals           -
--landlock-best-effort    -
--rlimit                  none
--memory-max              number
--pids-max                number
--cpu-max                 number
--timeout                 number
--unshare-time            -
--monotonic-offset        number
--boottime-offset         number
--new-session             -
--die-with-parent         -
--as-pid-1                -
--cap-add                 cap
--cap-drop                cap
--check                   -
--check=json              -
--fallback                none
--require                 none
'
# END OPTIONS

_cocoon_capabilities='ALL
CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL
CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE
CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER
CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT
CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE CAP_SYS_RESOURCE CAP_SYS_TIME
CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE CAP_AUDIT_WRITE CAP_AUDIT_CONTROL
CAP_SETFCAP CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM
CAP_BLOCK_SUSPEND CAP_AUDIT_READ CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE'

# The built-in profiles (src/profiles), for --profile.
_cocoon_profiles='shell build build-overlay agent host-ro clean-env desktop x11 wayland pulseaudio pipewire dbus-session gpu network'

# The resource names that --rlimit takes, each followed by "=".
_cocoon_rlimits='as= vmem= core= cpu= data= fsize= locks= memlock= msgqueue= nice=
nofile= nproc= rss= rtprio= rttime= sigpending= stack='

# Complete one argument of the given kind, for the given option.
_cocoon_complete_kind()
{
    local kind=$1 cur=$2 option=$3
    # A few options take a word besides what their kind offers.
    case $option in
        --rlimit)
            if [[ $cur != *=* ]]; then
                compopt -o nospace 2>/dev/null
                mapfile -t COMPREPLY < <(compgen -W "$_cocoon_rlimits" -- "$cur")
            fi
            return
            ;;
        --seccomp-profile)
            _cocoon_complete_kind "$kind" "$cur"
            mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -W default -- "$cur")
            return
            ;;
        --profile)
            _cocoon_complete_kind "$kind" "$cur"
            mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -W "$_cocoon_profiles" -- "$cur")
            return
            ;;
        --unmask)
            _cocoon_complete_kind "$kind" "$cur"
            mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -W all -- "$cur")
            return
            ;;
    esac
    case $kind in
        file)
            if declare -F _filedir >/dev/null; then
                _filedir
            else
                compopt -o filenames 2>/dev/null
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            fi
            ;;
        dir)
            if declare -F _filedir >/dev/null; then
                _filedir -d
            else
                compopt -o filenames 2>/dev/null
                mapfile -t COMPREPLY < <(compgen -d -- "$cur")
            fi
            ;;
        cap)
            mapfile -t COMPREPLY < <(compgen -W "$_cocoon_capabilities" -- "${cur^^}")
            ;;
        env)
            mapfile -t COMPREPLY < <(compgen -e -- "$cur")
            ;;
        *)
            # fd, number, free text: nothing sensible to offer.
            COMPREPLY=()
            ;;
    esac
}

_cocoon()
{
    COMPREPLY=()
    local cword=$COMP_CWORD
    local -a words=("${COMP_WORDS[@]}")
    local cur=${words[cword]}

    local -A kinds_of=()
    local name kinds
    while read -r name kinds; do
        [[ -n $name ]] && kinds_of[$name]=$kinds
    done <<< "$_cocoon_options"

    # Walk the words before the cursor: options and their arguments, until
    # "--" or the first word that is not an option, which is the command.
    local i=1 command_at=-1 w
    local -a args
    while (( i < cword )); do
        w=${words[i]}
        if [[ $w == -- ]]; then
            command_at=$(( i + 1 ))
            break
        elif [[ $w == --?* && -n ${kinds_of[$w]+set} ]]; then
            args=()
            [[ ${kinds_of[$w]} != - ]] && IFS=, read -r -a args <<< "${kinds_of[$w]}"
            if (( i + ${#args[@]} >= cword )); then
                # The cursor is on an argument of this option.
                _cocoon_complete_kind "${args[cword - i - 1]}" "$cur" "$w"
                return 0
            fi
            (( i += 1 + ${#args[@]} ))
        elif [[ $w == -* ]]; then
            (( i++ ))   # unknown option: cocoon will reject it; skip it here
        else
            command_at=$i
            break
        fi
    done

    if (( command_at >= 0 )); then
        if declare -F _command_offset >/dev/null; then
            _command_offset "$command_at"
        elif (( command_at == cword )); then
            mapfile -t COMPREPLY < <(compgen -c -- "$cur")
        else
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        fi
        return 0
    fi

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "${!kinds_of[*]}" -- "$cur")
    else
        mapfile -t COMPREPLY < <(compgen -c -- "$cur")
    fi
    return 0
}

complete -F _cocoon cocoon

# ex: filetype=sh
