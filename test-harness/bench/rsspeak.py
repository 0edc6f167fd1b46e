#!/usr/bin/python3
"""rsspeak - where a process's memory is at its highest RSS

SYNOPSIS
    rsspeak.py BINARY [--out FILE] [--interval SECONDS]

DESCRIPTION
    Waits for a process running BINARY (matched by /proc/PID/exe, so other
    engineers' authmilters are left alone) and samples its VmRSS until it
    exits, copying /proc/PID/smaps whenever the RSS is the highest seen.
    Then prints that RSS, the thread count and the resident KiB by kind:
    the main heap, glibc's other arenas (anonymous maps of 1 MiB and more),
    thread stacks (anonymous maps of the stack size, 256 KiB by default,
    with the number of threads per touched size), other anonymous maps
    (struct msg, util/pages.c; blocks malloc maps) and mapped files.

    Start it before the benchmark, e.g. for the c=512 cell of README,
    Reliability:

        test-harness/bench/rsspeak.py $PWD/build/authmilter &
        BENCH_SETUPS=authmilter BENCH_CONC=512 BENCH_EXTRA=0 \\
            test-harness/bench/run.sh --no-cold

    --out keeps the smaps copy. Reads /proc only; run it as root when the
    process runs as another user.
"""
import argparse
import collections
import os
import re
import sys
import time

MAP = re.compile(r'^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$')


def find(binary):
    """pid of a process running binary, or None"""
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            if os.readlink('/proc/%s/exe' % d) == binary:
                return int(d)
        except OSError:
            pass
    return None


def status(pid, key):
    """one number of /proc/PID/status, or None"""
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith(key + ':'):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def summary(smaps, stack_kib):
    """resident KiB by kind, and the thread stacks by touched size"""
    kinds = collections.Counter()
    stacks = collections.Counter()
    cur = None
    for line in smaps.splitlines():
        m = MAP.match(line)
        if m:
            size = (int(m.group(2), 16) - int(m.group(1), 16)) // 1024
            cur = (size, m.group(4))
            continue
        if not line.startswith('Rss:') or cur is None:
            continue
        rss = int(line.split()[1])
        size, name = cur
        if name == '[heap]':
            kind = 'main heap'
        elif name.startswith('/'):
            kind = 'mapped files'
        elif name:
            kind = name
        elif size == stack_kib:
            kind = 'thread stacks'
            stacks[rss] += 1
        elif size >= 1024:
            kind = 'other arenas (anon >= 1 MiB)'
        else:
            kind = 'other anon (struct msg, mapped blocks)'
        kinds[kind] += rss
    return kinds, stacks


def main():
    ap = argparse.ArgumentParser(description='smaps at the highest RSS')
    ap.add_argument('binary')
    ap.add_argument('--out')
    ap.add_argument('--interval', type=float, default=0.3)
    ap.add_argument('--stack-kib', type=int, default=256)
    a = ap.parse_args()
    binary = os.path.realpath(a.binary)
    pid = None
    while pid is None:
        pid = find(binary)
        if pid is None:
            time.sleep(0.2)
    best, smaps, threads = 0, '', 0
    while True:
        rss = status(pid, 'VmRSS')
        if rss is None:
            break
        if rss > best:
            try:
                with open('/proc/%d/smaps' % pid) as f:
                    smaps = f.read()
            except OSError:
                break
            best, threads = rss, status(pid, 'Threads') or 0
        time.sleep(a.interval)
    if not smaps:
        sys.exit('rsspeak: %s exited before a sample' % binary)
    if a.out:
        with open(a.out, 'w') as f:
            f.write(smaps)
    kinds, stacks = summary(smaps, a.stack_kib)
    print('# rsspeak: pid %d: highest VmRSS %.1f MiB, %d threads' %
          (pid, best / 1024, threads))
    for kind, kib in kinds.most_common(8):
        print('# %8.1f MiB  %s' % (kib / 1024, kind))
    print('# thread stacks, KiB touched x threads: %s' %
          ' '.join('%dx%d' % (k, v) for k, v in sorted(stacks.items())))


if __name__ == '__main__':
    main()
