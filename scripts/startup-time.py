#!/usr/bin/env python3
"""Start-up of aiready against a minimal ratatui app, in the same pseudo-terminal.

Each run starts a program in a fresh 120x40 pseudo-terminal with a fresh, empty data
directory (or, with --data DIR, the saved sessions in DIR), measures the time from spawning it to reading the end of its first frame (a marker
on the frame's last row), sends `q` and waits for it to exit. The two programs alternate run
by run, so that a change in the host's speed hits both alike. Printed per program: the median,
minimum and maximum time and the median peak memory (RSS); then the median of the per-round
differences.

With --instructions each program runs under `valgrind --tool=callgrind` instead, and the number
of instructions it executed up to the end of its first frame, and from start to exit (first
frame, `q`, exit), is printed: figures that do not change with the host's load. --keep DIR keeps
the profiles, for `callgrind_annotate --inclusive=yes DIR/aiready.1.callgrind.1` to show where
the first frame's go (the `.1` part ends with the first frame).

Both programs are built in release first (cargo build --release), unless --no-build is given.

With --data DIR, aiready starts on the sessions saved in DIR instead of an empty directory
(the same directory every run, as a user's own; the untimed first run brings their summaries up
to date). `AIREADY_BENCH_SESSIONS_DIR=DIR cargo bench --bench listing` makes DIR/5, DIR/50 and
DIR/500.

Usage:
  scripts/startup-time.py [--runs N] [--no-build] [--data DIR]
  scripts/startup-time.py --instructions [--runs N] [--no-build] [--keep DIR]
"""

import argparse
import fcntl
import os
import pty
import re
import select
import shutil
import statistics
import struct
import subprocess
import tempfile
import termios
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROWS, COLS = 40, 120

# (name, binary, marker, first frame function). The marker is the last text of the program's
# first frame, so the whole frame has arrived when it is read: aiready starts on the list of
# sessions, whose footer ends with "help"; the minimal app draws its marker on its last row.
# Callgrind writes a profile part each time the first call of the function returns: the first
# part counts what a program did up to the end of its first frame (drawn, written and flushed).
# aiready's is a function of its own that is never inlined; the minimal app's is ratatui's draw.
PROGRAMS = [
    ("aiready", os.path.join(ROOT, "target", "release", "aiready"), b"help", "aiready::tui::draw_frame"),
    (
        "minimal ratatui",
        os.path.join(ROOT, "target", "release", "examples", "minimal_ratatui"),
        b"minimal-ratatui-ready",
        "*Terminal<B>>::try_draw",
    ),
]


def build():
    subprocess.run(
        ["cargo", "build", "--release", "--locked", "--bin", "aiready", "--example", "minimal_ratatui"],
        cwd=ROOT,
        check=True,
    )


def drain(master):
    """Reads whatever the program wrote, so that it never blocks on a full terminal."""
    try:
        return os.read(master, 65536)
    except OSError:
        return b""


def peak_rss_kib(pid):
    """The peak resident memory of a running process so far (Linux), or None."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            found = re.search(r"^VmHWM:\s+(\d+) kB", f.read(), re.MULTILINE)
    except OSError:
        return None
    return int(found.group(1)) if found else None


def run_once(command, marker, timeout, sessions=None):
    """Runs `command` in a fresh pseudo-terminal with a fresh data directory, or with the data
    directory `sessions`. Returns the seconds from spawning it to reading `marker`, and its
    peak RSS in KiB after the first frame (None where the system does not tell)."""
    data = tempfile.mkdtemp(prefix="aiready-startup-")
    master, slave = pty.openpty()
    try:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        env = dict(
            os.environ,
            AIREADY_DATA_DIR=sessions or os.path.join(data, "data"),
            AIREADY_CONFIG_DIR=os.path.join(data, "config"),
            TERM="xterm-256color",
        )
        env.pop("NO_COLOR", None)
        env.pop("AIREADY_THEME", None)
        start = time.perf_counter()
        pid = os.posix_spawn(
            command[0],
            command,
            env,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, slave, 0),
                (os.POSIX_SPAWN_DUP2, slave, 1),
                (os.POSIX_SPAWN_DUP2, slave, 2),
                (os.POSIX_SPAWN_CLOSE, master),
            ],
            setsid=True,
        )
        os.close(slave)
        slave = None
        seen = b""
        while marker not in seen:
            ready, _, _ = select.select([master], [], [], timeout)
            chunk = drain(master) if ready else b""
            if not chunk:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                reason = f"no first frame within {timeout} s" if not ready else "exited before its first frame"
                raise SystemExit(f"{os.path.basename(command[-1])}: {reason}: {seen[-300:]!r}")
            # A tail long enough for a marker cut between two reads.
            seen = seen[-64:] + chunk
        elapsed = time.perf_counter() - start
        # Read while the program runs: the kernel's figure for a finished child would also
        # count this script's memory, which the child shared until it started the program.
        peak = peak_rss_kib(pid)
        os.write(master, b"q")
        deadline = time.monotonic() + timeout
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                raise SystemExit(f"{os.path.basename(command[-1])}: did not exit after q")
            ready, _, _ = select.select([master], [], [], 0.02)
            if ready:
                drain(master)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{os.path.basename(command[-1])}: exit status {os.waitstatus_to_exitcode(status)}")
        return elapsed, peak
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)
        shutil.rmtree(data, ignore_errors=True)


def times(args):
    elapsed = {name: [] for name, _, _, _ in PROGRAMS}
    rss = {name: [] for name, _, _, _ in PROGRAMS}
    # One untimed run of each, so that every timed run finds the same files in the page cache.
    for _, binary, marker, _ in PROGRAMS:
        run_once([binary], marker, args.timeout, args.data)
    load_before = os.getloadavg()[0]
    for round_ in range(args.runs):
        order = PROGRAMS if round_ % 2 == 0 else PROGRAMS[::-1]
        for name, binary, marker, _ in order:
            seconds, peak = run_once([binary], marker, args.timeout, args.data)
            elapsed[name].append(seconds * 1000)
            rss[name].append(peak)
    load_after = os.getloadavg()[0]
    where = f"data directory {args.data}" if args.data else "fresh data directory"
    print(f"start-up to the end of the first frame, {COLS}x{ROWS} pseudo-terminal, {where},")
    print(f"{args.runs} runs each, alternating; load average {load_before:.2f} before, {load_after:.2f} after")
    for name, _, _, _ in PROGRAMS:
        t = elapsed[name]
        peaks = [p for p in rss[name] if p is not None]
        memory = f"   peak RSS {statistics.median(peaks) / 1024:5.1f} MiB" if peaks else ""
        print(
            f"  {name:16} median {statistics.median(t):6.2f} ms   min {min(t):6.2f} ms   "
            f"max {max(t):6.2f} ms{memory}"
        )
    (first, _, _, _), (second, _, _, _) = PROGRAMS
    diffs = [a - b for a, b in zip(elapsed[first], elapsed[second])]
    print(f"  {first} minus {second}: median {statistics.median(diffs):.2f} ms per round")


def callgrind_total(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        found = re.search(r"^(?:summary|totals): (\d+)", f.read(), re.MULTILINE)
    if not found:
        raise SystemExit(f"no instruction total in {path}")
    return int(found.group(1))


def instructions(args):
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("valgrind is not installed (on Debian or Ubuntu: apt-get install valgrind)")
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    print(f"instructions executed (callgrind), {args.runs} runs each: up to the end of the first frame, and from start to exit (first frame, then q)")
    for name, binary, marker, first_frame in PROGRAMS:
        first_frames, totals = [], []
        # One run outside callgrind first, as for the times: summaries of another format or
        # made by another build are brought up to date, so the counts are of a listing that
        # reads them.
        run_once([binary], marker, args.timeout, args.data)
        for run in range(1, args.runs + 1):
            out_dir = args.keep or tempfile.mkdtemp(prefix="aiready-callgrind-")
            out_file = os.path.join(out_dir, f"{os.path.basename(binary)}.{run}.callgrind")
            try:
                command = [
                    valgrind,
                    "--tool=callgrind",
                    "--quiet",
                    f"--callgrind-out-file={out_file}",
                    f"--dump-after={first_frame}",
                    binary,
                ]
                run_once(command, marker, max(args.timeout, 120), args.data)
                # out_file.1 is the first part (to the end of the first frame), out_file.2 and
                # on the parts of later frames, out_file itself the part up to the exit.
                parts = sorted(
                    (p for p in os.listdir(out_dir) if p.startswith(os.path.basename(out_file) + ".")),
                    key=lambda p: int(p.rsplit(".", 1)[1]),
                )
                if not parts:
                    raise SystemExit(f"{binary}: callgrind wrote no part at the end of the first frame")
                first_frames.append(callgrind_total(os.path.join(out_dir, parts[0])))
                totals.append(sum(callgrind_total(os.path.join(out_dir, p)) for p in parts) + callgrind_total(out_file))
            finally:
                if not args.keep:
                    shutil.rmtree(out_dir, ignore_errors=True)
        print(
            f"  {name:16} first frame: median {statistics.median(first_frames) / 1e6:6.2f} million "
            f"(min {min(first_frames) / 1e6:.2f}, max {max(first_frames) / 1e6:.2f});   "
            f"to exit: median {statistics.median(totals) / 1e6:6.2f} million"
        )
    if args.keep:
        print(f"profiles kept in {args.keep}: callgrind_annotate --inclusive=yes {args.keep}/aiready.1.callgrind.1 (first frame)")


def main():
    parser = argparse.ArgumentParser(description="Start-up of aiready against a minimal ratatui app.")
    parser.add_argument("--runs", type=int, help="runs per program (default 30; 3 with --instructions)")
    parser.add_argument("--instructions", action="store_true", help="count instructions with callgrind instead of timing")
    parser.add_argument("--no-build", action="store_true", help="use the release binaries as they are")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for a first frame")
    parser.add_argument("--keep", metavar="DIR", help="with --instructions: keep the callgrind profiles in DIR")
    parser.add_argument("--data", metavar="DIR", help="start aiready on the sessions saved in DIR")
    args = parser.parse_args()
    if args.runs is None:
        args.runs = 3 if args.instructions else 30
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.data:
        args.data = os.path.abspath(args.data)
        if not os.path.isdir(args.data):
            parser.error(f"--data {args.data}: no such directory")
    if not args.no_build:
        build()
    for _, binary, _, _ in PROGRAMS:
        if not os.access(binary, os.X_OK):
            raise SystemExit(f"{binary} is missing; build it with: cargo build --release --bin aiready --example minimal_ratatui")
    if args.instructions:
        instructions(args)
    else:
        times(args)


if __name__ == "__main__":
    main()
