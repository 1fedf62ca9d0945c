#!/usr/bin/env python3
"""Checks the module layering of docs/architecture.md ("Layering" section) against the code.

Two checks:
  1. every `#include <dicomkit/...>` in src/ and apps/ goes from a module to one its rule allows;
  2. every CMake target whose sources include another module's header links (directly or through
     its dependencies' public DEPS) the target that provides that header.

Usage: check_layering.py [--root DIR]   (DIR defaults to the repository holding this script)
Exit status 0 when both hold, 1 with one line per violation (file:line: what, and the fix) when not,
2 when the rules or the CMake files cannot be read.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass, field

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*<(dicomkit/[^>]+)>')
SOURCE_EXTS = ('.cpp', '.hpp', '.h', '.cc')


@dataclass
class Target:
    name: str            # CMake target name, e.g. dicomkit_server_service
    alias: str           # what others write in their link lists, e.g. dicomkit::server_service
    cmake_file: str
    line: int
    how: str             # how to add a dependency: "DEPS of dicomkit_module(x)" ...
    sources: list[str] = field(default_factory=list)   # repo-relative paths
    public: list[str] = field(default_factory=list)    # link items that propagate
    private: list[str] = field(default_factory=list)
    runtime_module: bool = False  # add_library(... MODULE ...): loaded at run time, never linked


class Failure(Exception):
    pass


def parse_rules(doc_path: str) -> dict[str, set[str]]:
    """The fenced ```layering block: `module: allowed allowed ...` (commas optional, # comments)."""
    try:
        text = open(doc_path, encoding='utf-8').read()
    except OSError as e:
        raise Failure(f'{doc_path}: cannot read the layering rules: {e}')
    m = re.search(r'^```layering[ \t]*\n(.*?)^```', text, re.S | re.M)
    if not m:
        raise Failure(f'{doc_path}: no ```layering fenced block (the rules the check enforces)')
    rules: dict[str, set[str]] = {}
    for raw in m.group(1).splitlines():
        line = raw.split('#', 1)[0].strip()
        if not line:
            continue
        if ':' not in line:
            raise Failure(f'{doc_path}: layering rule without "module:": {raw!r}')
        mod, allowed = line.split(':', 1)
        rules[mod.strip()] = {a for a in re.split(r'[\s,]+', allowed.strip()) if a}
    return rules


def module_of(path: str, modules: list[str]) -> str | None:
    """Repo-relative path -> module name: apps/... is "apps", src/dicomkit/<m>/... the longest
    rule module that is a prefix of the path."""
    if path.startswith('apps/'):
        return 'apps'
    prefix = 'src/dicomkit/'
    if not path.startswith(prefix):
        return None
    rest = path[len(prefix):]
    best = None
    for m in modules:
        if m != 'apps' and rest.startswith(m + '/') and (best is None or len(m) > len(best)):
            best = m
    return best


def included_module(header: str, modules: list[str]) -> str | None:
    return module_of('src/' + header, modules)


def scan_includes(root: str) -> dict[str, list[tuple[int, str]]]:
    out: dict[str, list[tuple[int, str]]] = {}
    for top in ('src', 'apps'):
        base = os.path.join(root, top)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for f in sorted(filenames):
                if not f.endswith(SOURCE_EXTS):
                    continue
                full = os.path.join(dirpath, f)
                rel = os.path.relpath(full, root).replace(os.sep, '/')
                incs = []
                with open(full, encoding='utf-8', errors='replace') as fh:
                    for n, line in enumerate(fh, 1):
                        m = INCLUDE_RE.match(line)
                        if m:
                            incs.append((n, m.group(1)))
                out[rel] = incs
    return out


def _cmake_calls(text: str):
    """Yields (command, args, line) for each top-level command call; comments removed."""
    text = re.sub(r'#[^\n]*', '', text)
    for m in re.finditer(r'\b([A-Za-z_][A-Za-z0-9_]*)\s*\(', text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            if text[i] == '(':
                depth += 1
            elif text[i] == ')':
                depth -= 1
            i += 1
        yield m.group(1), text[m.end():i - 1].split(), text.count('\n', 0, m.start()) + 1


def _split_keywords(args: list[str], keywords: tuple[str, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {k: [] for k in keywords}
    current = None
    for a in args:
        if a in keywords:
            current = a
        elif current:
            out[current].append(a)
    return out


def parse_cmake(root: str, rel_file: str) -> list[Target]:
    path = os.path.join(root, rel_file)
    if not os.path.exists(path):
        return []
    text = open(path, encoding='utf-8').read()
    src_dir = os.path.dirname(rel_file)
    variables: dict[str, list[str]] = {}
    targets: dict[str, Target] = {}

    def expand(items: list[str]) -> list[str]:
        out = []
        for it in items:
            m = re.fullmatch(r'\$\{(\w+)\}', it)
            if m:
                out.extend(expand(variables.get(m.group(1), [])))
            elif '$' not in it and '"' not in it:
                out.append(it)
        return out

    def rel_source(s: str) -> str:
        return os.path.normpath(os.path.join(src_dir, s)).replace(os.sep, '/')

    for cmd, args, line in _cmake_calls(text):
        if cmd == 'set' and args:
            variables[args[0]] = args[1:]
        elif cmd == 'dicomkit_module' and args:
            kw = _split_keywords(args[1:], ('SOURCES', 'DEPS', 'PRIVATE_DEPS'))
            name = 'dicomkit_' + args[0]
            targets[name] = Target(name, 'dicomkit::' + args[0], rel_file, line,
                                   f'DEPS of dicomkit_module({args[0]})',
                                   [rel_source(s) for s in expand(kw['SOURCES'])],
                                   kw['DEPS'], kw['PRIVATE_DEPS'])
        elif cmd in ('add_library', 'add_executable') and len(args) > 1:
            if args[1] == 'ALIAS' or args[0].startswith('${'):
                continue
            rest = args[1:]
            runtime = bool(rest) and rest[0] == 'MODULE'
            rest = [a for a in rest if a not in ('STATIC', 'SHARED', 'MODULE', 'OBJECT')]
            targets[args[0]] = Target(args[0], args[0], rel_file, line,
                                      f'target_link_libraries({args[0]} PRIVATE ...)',
                                      [rel_source(s) for s in expand(rest)], [], [], runtime)
        elif cmd == 'target_link_libraries' and args and args[0] in targets:
            t = targets[args[0]]
            mode = 'PUBLIC'
            for a in args[1:]:
                if a in ('PUBLIC', 'PRIVATE', 'INTERFACE'):
                    mode = a
                elif mode == 'PRIVATE':
                    t.private.append(a)
                else:
                    t.public.append(a)
    return list(targets.values())


def header_provider(header: str, targets: list[Target], modules: list[str]) -> Target | None:
    """The target that builds a header's code: the one compiling <stem>.cpp beside it, else the
    target named after the header's module (header-only parts of a module belong to it)."""
    path = 'src/' + header
    stem = os.path.splitext(path)[0]
    for t in targets:
        if any(os.path.splitext(s)[0] == stem for s in t.sources):
            return t
    mod = included_module(header, modules)
    if mod is None:
        return None
    want = 'dicomkit_' + mod.replace('/', '_')
    for t in targets:
        if t.name == want:
            return t
    return None


def reachable(t: Target, by_alias: dict[str, Target]) -> set[str]:
    """Aliases of every target whose headers t may use: its own links, then their public DEPS."""
    seen: set[str] = set()
    todo = list(t.public) + list(t.private)
    while todo:
        a = todo.pop()
        if a in seen:
            continue
        seen.add(a)
        dep = by_alias.get(a)
        if dep:
            todo.extend(dep.public)
    return seen


def check(root: str) -> list[str]:
    rules = parse_rules(os.path.join(root, 'docs', 'architecture.md'))
    modules = sorted(rules)
    for mod, allowed in rules.items():
        for a in allowed:
            if a not in rules and a != 'anything':
                raise Failure(f'docs/architecture.md: rule "{mod}" allows "{a}", which has no rule')
    includes = scan_includes(root)
    errors: list[str] = []

    # 1. include edges against the rules.
    for path, incs in includes.items():
        src_mod = module_of(path, modules)
        if src_mod is None:
            if path.startswith('src/dicomkit/') and incs:
                errors.append(f'{path}:1: file in no module of the layering rules: add its folder '
                              f'to the ```layering block of docs/architecture.md')
            continue
        for line, header in incs:
            dst_mod = included_module(header, modules)
            if dst_mod is None:
                errors.append(f'{path}:{line}: #include <{header}>: the header is in no module of '
                              f'the layering rules')
            elif dst_mod != src_mod and 'anything' not in rules[src_mod] \
                    and dst_mod not in rules[src_mod]:
                errors.append(f'{path}:{line}: forbidden include edge {src_mod} -> {dst_mod} '
                              f'(#include <{header}>); the rule is "{src_mod}: '
                              f'{" ".join(sorted(rules[src_mod])) or "(nothing)"}"')

    # 2. CMake links against the includes.
    targets = parse_cmake(root, 'src/dicomkit/CMakeLists.txt') + \
        parse_cmake(root, 'apps/dicomkit/CMakeLists.txt')
    if not targets:
        raise Failure('no CMake targets found in src/dicomkit/CMakeLists.txt')
    by_alias = {}
    for t in targets:
        by_alias[t.alias] = t
        by_alias[t.name] = t
    for t in targets:
        if t.runtime_module:
            continue  # resolves the dicomkit code it uses against the binary that loads it
        links = reachable(t, by_alias)
        # The target's files: its sources and the headers of its own folders they include.
        todo = [s for s in t.sources if s in includes]
        files: list[str] = []
        while todo:
            f = todo.pop()
            if f in files:
                continue
            files.append(f)
            for _, header in includes.get(f, []):
                hp = 'src/' + header
                prov = header_provider(header, targets, modules)
                if hp in includes and prov is t:
                    todo.append(hp)
        reported: set[str] = set()
        for f in sorted(files):
            for line, header in includes[f]:
                prov = header_provider(header, targets, modules)
                if prov is None or prov is t or prov.runtime_module:
                    continue
                if prov.alias in links or prov.name in links or prov.alias in reported:
                    continue
                reported.add(prov.alias)
                errors.append(f'{f}:{line}: target {t.name} includes <{header}> of target '
                              f'{prov.name} without linking it: add {prov.alias} to {t.how} '
                              f'in {t.cmake_file}')
    return errors


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    args = ap.parse_args()
    try:
        errors = check(args.root)
    except Failure as e:
        print(f'check_layering: {e}', file=sys.stderr)
        return 2
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f'check_layering: {len(errors)} violation(s) of the rules in docs/architecture.md '
              f'(section "Layering")', file=sys.stderr)
        return 1
    print('check_layering: all include edges and CMake links follow docs/architecture.md')
    return 0


if __name__ == '__main__':
    sys.exit(main())
