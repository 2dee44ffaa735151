#!/bin/sh
# Provided: no lesson asks you to change this file. The container's shim, one
# per running container, started detached (its own session) by startTask in
# runtime/task.ts, so that it outlives the daemon:
#
#   /bin/sh shim.sh <dir> <stdin path or /dev/null> <pipes|terminal> <n> <mount argv: n words…> <runtime> <run args…>
#
# 1. makes the fifos <dir>/stdout and <dir>/stderr, and waits until the daemon
#    has a reader on each (then nothing the container writes can be lost);
# 2. with n > 0, runs the mount command (its last word is the mount point, the
#    bundle's rootfs); when that fails, exits with mount's status, its message
#    in <dir>/mount.log, without running the runtime;
# 3. runs `<runtime> … run …`: create + start + wait in one process, which
#    stays the container's parent and exits with its status (128+n after
#    signal n). The shim is that process's parent, the one that can collect
#    the status: the daemon (Node) cannot make itself a subreaper;
# 4. unmounts the mount point, then writes the status to <dir>/exit (via
#    exit.tmp and a rename), and exits.
#
# Paths and names arrive as arguments, never inside shell text, so no name can
# inject shell code. The files it leaves are drawn in runtime/shim.ts.
#
# With `terminal`, the runtime runs under util-linux script(1), which gives it
# a pseudo-terminal as stdin, stdout and stderr (`run` of a bundle with
# process.terminal wants one to copy the container's own terminal to) and
# returns its status (-e). Everything the container prints then arrives on
# <dir>/stdout; <dir>/stderr stays empty. `script -c` takes shell text, so the
# runtime's argv travels in the environment (MINIDOCKER_ARGC, MINIDOCKER_ARG1…)
# and this script, run again with --in-terminal inside that terminal, rebuilds
# it (section "in the terminal" below).

if [ "${1-}" = --in-terminal ]; then
  # In the terminal script(1) made: give it the size in MINIDOCKER_ROWS/COLS
  # (the runtime copies its own terminal's size to the container's), record
  # which terminal it is in MINIDOCKER_TTY, rebuild the runtime's argv and exec
  # it. eval sees constant text and the counter, never a path or a name.
  [ -z "${MINIDOCKER_ROWS-}" ] || stty rows "$MINIDOCKER_ROWS" cols "${MINIDOCKER_COLS-}" 2>/dev/null
  tty >"$MINIDOCKER_TTY.tmp" && mv -f "$MINIDOCKER_TTY.tmp" "$MINIDOCKER_TTY"
  n=$MINIDOCKER_ARGC i=0
  set --
  while [ "$i" -lt "$n" ]; do
    i=$((i + 1))
    eval "set -- \"\$@\" \"\$MINIDOCKER_ARG$i\"; unset MINIDOCKER_ARG$i"
  done
  unset MINIDOCKER_ARGC MINIDOCKER_ROWS MINIDOCKER_COLS MINIDOCKER_TTY MINIDOCKER_SHIM
  exec "$@"
fi

# Runs the first <count> of the words after it as a command: the mount command,
# taken from the front of the shim's own arguments.
run_first() {
  count=$1
  shift
  words=$#
  for arg; do
    [ "$count" -gt 0 ] || break
    count=$((count - 1))
    set -- "$@" "$arg"
  done
  shift "$words"
  "$@"
}

dir=$1 in=$2 io=$3 m=$4
shift 4
mkfifo -m 600 "$dir/stdout" "$dir/stderr" || exit
# A write-only open waits for a reader: the daemon's. Only then may the container
# write, or the output of one that ends at once would be gone before anybody read it.
exec 3>"$dir/stdout" 4>"$dir/stderr"
# Read-write: the shim is a reader too, so the container never gets EPIPE while the daemon is away.
exec 3<>"$dir/stdout" 4<>"$dir/stderr"

# The mount comes after the readers: a daemon that gives up waiting for them kills a shim that mounted nothing.
target=
if [ "$m" -gt 0 ]; then
  run_first "$m" "$@" 2>"$dir/mount.log" 3>&- 4>&- || exit
  while [ "$m" -gt 0 ]; do
    target=$1 m=$((m - 1))
    shift
  done
fi

# "$@" is now the runtime's argv: `<runtime> --root … run --bundle … --pid-file <dir>/pid <id>`.
if [ "$io" = terminal ]; then
  # A terminal file left by an earlier run could name another container's terminal by now.
  rm -f "$dir/tty"
  MINIDOCKER_ARGC=$# MINIDOCKER_TTY=$dir/tty MINIDOCKER_SHIM=$0 SHELL=/bin/sh
  export MINIDOCKER_ARGC MINIDOCKER_TTY MINIDOCKER_SHIM SHELL
  i=0
  for arg; do
    i=$((i + 1))
    export "MINIDOCKER_ARG$i=$arg"
  done
  # No echo on script's side: input reaches the container's terminal, which echoes like docker's.
  # shellcheck disable=SC2016 # the shell script(1) starts expands it, not this one
  set -- script -q -e -E never -c 'exec /bin/sh "$MINIDOCKER_SHIM" --in-terminal' /dev/null
  # No stdin: the terminal gets no input at all, as with docker's -t without -i. At end of input script
  # would send the container an end-of-file; a fifo nobody writes to, held read-write here, never ends.
  if [ "$in" = /dev/null ]; then
    in=$dir/stdin
    [ -p "$in" ] || mkfifo "$in"
    exec 5<>"$in"
  fi
fi

"$@" <"$in" >"$dir/stdout" 2>"$dir/stderr" 3>&- 4>&- 5>&-
status=$?
# Close before the exit file appears: whoever sees it knows no writer is left.
exec 3>&- 4>&- 5>&-
# The terminal is gone too, and its name may soon be another's.
[ "$io" != terminal ] || rm -f "$dir/tty"
# The container's processes are gone with `run`: nothing holds the rootfs any more.
[ -z "$target" ] || umount "$target" 2>>"$dir/mount.log"
echo "$status" >"$dir/exit.tmp" && mv -f "$dir/exit.tmp" "$dir/exit"
