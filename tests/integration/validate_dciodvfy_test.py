#!/usr/bin/env python3
"""dicomkit validate against dciodvfy on every file of the shared corpus (MANIFEST.tsv).

For each file, the attributes dciodvfy reports as missing or empty of type 1 or 2 (and missing of
type 1C or 2C) must be the ones dicomkit validate reports (same keyword, same kind), and the other
way round; each difference that remains is listed, with the clause of PS3.3 that decides it, in
the exceptions file (FILE, SIDE, KIND, KEYWORD, clause and reason; FILE may be * for every file,
KIND and KEYWORD both * for every difference of that side in the file). A difference not listed
there fails the test, and so does an exception that no longer happens. Files on which dciodvfy
aborts are left out. Exit 77 when the corpus or dciodvfy is absent.

Usage: validate_dciodvfy_test.py DICOMKIT CORPUS_DIR EXCEPTIONS_FILE
"""
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

KINDS = {
    'Missing attribute Type 1 Required': 'missing-type1',
    'Empty attribute (no value) Type 1 Required': 'empty-type1',
    'Missing attribute Type 2 Required': 'missing-type2',
    'Missing attribute Type 1C Conditional': 'missing-type1c',
    'Empty attribute (no value) Type 1C Conditional': 'empty-type1c',
    'Missing attribute Type 2C Conditional': 'missing-type2c',
}
LINE = re.compile(r'^Error - (%s) Element=<([^>]*)>' % '|'.join(re.escape(k) for k in KINDS))


def dciodvfy(path):
    try:
        res = subprocess.run(['dciodvfy', path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    except subprocess.TimeoutExpired:
        return None
    if res.returncode < 0:
        return None  # dciodvfy aborted (an assertion of its own): nothing to compare
    out = res.stdout.decode('latin-1')
    found = set()
    for line in out.splitlines():
        m = LINE.match(line)
        if m:
            found.add((KINDS[m.group(1)], m.group(2)))
    return found


def read_exceptions(path):
    allowed = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            parts = line.split('\t')
            if len(parts) < 5 or not parts[4].startswith('PS3.'):
                sys.exit('%s:%d: want FILE<TAB>SIDE<TAB>KIND<TAB>KEYWORD<TAB>PS3.3 clause and reason' % (path, n))
            allowed[tuple(parts[:4])] = n
    return allowed


def main():
    dicomkit, corpus, exceptions = (os.path.abspath(a) for a in sys.argv[1:4])
    manifest = os.path.join(corpus, 'MANIFEST.tsv')
    if not os.path.exists(manifest):
        print('SKIP: no corpus at %s' % corpus)
        return 77
    if shutil.which('dciodvfy') is None:
        print('SKIP: dciodvfy not installed')
        return 77
    with open(manifest) as f:
        rel = [line.split('\t')[0] for line in f.read().splitlines()[1:] if line.strip()]
    paths = [os.path.join(corpus, r) for r in rel]
    with ThreadPoolExecutor(max_workers=4) as pool:
        theirs = dict(zip(rel, pool.map(dciodvfy, paths)))
    res = subprocess.run([dicomkit, 'validate', '--format', 'json', '--no-retired'] + paths,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=corpus)
    if res.returncode not in (0, 1, 2):
        print('dicomkit validate exited %d: %s' % (res.returncode, res.stderr.decode()[-2000:]))
        return 1
    ours = {}
    for obj in json.loads(res.stdout):
        r = os.path.relpath(obj['file'], corpus)
        ours[r] = {(f['kind'], f['keyword']) for f in obj['findings'] if f['kind'] in KINDS.values()}
    allowed = read_exceptions(exceptions)
    used = set()
    unlisted = []
    compared = 0
    aborted = 0
    for r in rel:
        if theirs[r] is None:
            aborted += 1
            continue  # dciodvfy aborted or did not finish in time
        mine = ours.get(r)
        if mine is None:
            key = (r, 'unreadable', '-', '-')
            if key in allowed:
                used.add(key)
            else:
                unlisted.append('%s\tunreadable\t-\t-' % r)
            continue
        compared += 1
        for side, diff in (('dciodvfy-only', theirs[r] - mine), ('dicomkit-only', mine - theirs[r])):
            for kind, kw in sorted(diff):
                key = (r, side, kind, kw)
                for k in (key, ('*', side, kind, kw), (r, side, '*', '*')):
                    if k in allowed:
                        used.add(k)
                        break
                else:
                    unlisted.append('%s\t%s\t%s\t%s' % key)
    stale = [k for k in allowed if k not in used]
    print('%d files compared with dciodvfy, %d exceptions used; %d files dciodvfy could not check (aborted)'
          % (compared, len(used), aborted))
    for line in unlisted:
        print('UNLISTED DIFFERENCE: ' + line)
    for k in stale:
        print('STALE EXCEPTION (line %d): %s' % (allowed[k], '\t'.join(k)))
    return 1 if unlisted or stale else 0


if __name__ == '__main__':
    sys.exit(main())
