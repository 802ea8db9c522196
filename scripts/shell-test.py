#!/usr/bin/env python3
"""make test: drive `make shell` through a pseudo-terminal, as a person at a terminal would.

    scripts/shell-test.py REPO TRANSCRIPT

Waits for the prompt, types `ofgroupctl dump-groups` and reads group 1 back, edits a line
(backspace, Ctrl-A), interrupts a running command with Ctrl-C, types `exit 3` and checks that
the VM powers off and make reports the shell's exit status. Prints "ok: ..." or "FAILED: ..." per
check and a last line "RESULT passed failed"; the whole exchange is kept in TRANSCRIPT.
Env: OFGROUP_SHELL_TEST_TIMEOUT (seconds to wait for the prompt, default 600).
"""

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

repo, transcript_path = sys.argv[1], sys.argv[2]
boot_timeout = float(os.environ.get("OFGROUP_SHELL_TEST_TIMEOUT", "600"))
PROMPT = rb"ofgroup-vm:[^\r\n]*# "

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok: make shell: {what}", flush=True)
    else:
        failed += 1
        print(f"FAILED: make shell: {what} (transcript: {transcript_path})", flush=True)
    return ok


master, slave = os.openpty()
# A terminal of a usual size, set before vng reads it for the guest's stty.
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))


def own_terminal():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


env = dict(os.environ, TERM="xterm")
proc = subprocess.Popen(
    ["make", "-s", "-C", repo, "shell"],
    stdin=slave,
    stdout=slave,
    stderr=slave,
    preexec_fn=own_terminal,
    env=env,
    close_fds=True,
)
os.close(slave)
transcript = open(transcript_path, "wb")
t0 = time.monotonic()
buf = b""


def read_some(deadline):
    """Read what the terminal has until the deadline; False at end of output."""
    global buf
    left = deadline - time.monotonic()
    if left <= 0:
        return True
    r, _, _ = select.select([master], [], [], min(left, 1.0))
    if not r:
        return True
    try:
        data = os.read(master, 65536)
    except OSError:  # EIO: every writer of the terminal is gone
        return False
    if not data:
        return False
    transcript.write(data)
    transcript.flush()
    buf += data
    return True


def expect(pattern, timeout):
    """Wait for pattern in the output since the last match; consume up to its end."""
    global buf
    deadline = time.monotonic() + timeout
    while True:
        m = re.search(pattern, buf)
        if m:
            buf = buf[m.end():]
            mark("saw " + repr(m.group(0)))
            return True
        if time.monotonic() >= deadline or not read_some(deadline):
            return False


def mark(what):
    transcript.write(f"\n<<{time.monotonic() - t0:.1f}s: {what}>>\n".encode())


def send(text):
    mark("typed " + repr(text))
    for ch in text.encode():
        # One key at a time, as typed (the guest's UART has a small FIFO under TCG).
        os.write(master, bytes([ch]))
        time.sleep(0.02)


if check(expect(PROMPT, boot_timeout), f"prompt within {boot_timeout:.0f}s"):
    print(f"   (prompt after {time.monotonic() - t0:.0f}s)", flush=True)
    send("ofgroupctl dump-groups\r")
    check(expect(rb"group_id=1,type=select", 60) and expect(PROMPT, 30),
          "ofgroupctl dump-groups shows group 1")
    # Line editing: backspace erases, Ctrl-A goes to the start of the line (readline; also
    # proves no QEMU escape key sits on Ctrl-A).
    send("cho abX\x7fc\x01e\r")
    check(expect(rb"[\r\n]abc\r*\n", 30) and expect(PROMPT, 30), "line editing (backspace, Ctrl-A)")
    # Ctrl-C interrupts the foreground command, not the shell: sh prints a line once it is
    # running, then becomes sleep; the shell is back with status 130 (SIGINT).
    send("sh -c 'echo started; exec sleep 1000'\r")
    if expect(rb"[\r\n]started\r*\n", 60):
        time.sleep(0.5)
        send("\x03")
        ok = expect(PROMPT, 30)
        send("echo status=$?\r")
        check(ok and expect(rb"[\r\n]status=130", 30) and expect(PROMPT, 30),
              "Ctrl-C interrupts a command")
    else:
        check(False, "Ctrl-C interrupts a command (the command did not start)")
    send("exit 3\r")
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        if not read_some(deadline):
            break
    try:
        rc = proc.wait(timeout=max(1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        rc = None
    while read_some(time.monotonic() + 0.2):
        if not select.select([master], [], [], 0)[0]:
            break
    check(rc == 2 and re.search(rb"shell\] Error 3", buf) is not None,
          f"exit 3 powers the VM off and make reports Error 3 (make exit status {rc})")
if proc.poll() is None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
transcript.close()
print(f"RESULT {passed} {failed}")
