#!/usr/bin/env python3
# Time from starting a binary in a pseudo-terminal (120x40) to the first frame that shows MARKER.
# Usage: scripts/startup-time.py BINARY MARKER [RUNS]
import os, pty, sys, time, select, subprocess, statistics, tempfile, signal, struct, fcntl, termios
binary, marker = sys.argv[1], sys.argv[2].encode()
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 20
times = []
data = tempfile.mkdtemp()
for _ in range(runs):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = dict(os.environ, AIREADY_DATA_DIR=data, AIREADY_CONFIG_DIR=data + "/cfg", TERM="xterm-256color")
    start = time.perf_counter()
    p = subprocess.Popen([binary], stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    buf = b""
    while marker not in buf:
        r, _, _ = select.select([master], [], [], 5)
        if not r:
            raise SystemExit("no first frame: " + repr(buf[-200:]))
        buf += os.read(master, 65536)
    times.append((time.perf_counter() - start) * 1000)
    os.write(master, b"q")
    p.wait()
    os.close(master)
print(f"runs {runs}: median {statistics.median(times):.1f} ms, min {min(times):.1f} ms, max {max(times):.1f} ms")
