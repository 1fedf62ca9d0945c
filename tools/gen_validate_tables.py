#!/usr/bin/env python3
"""Generates src/dicomkit/validate/generated/tables.cpp from dicom3tools' standard templates.

Usage: gen_validate_tables.py STANDARD_DIR OUT_DIR
  STANDARD_DIR is dicom3tools' libsrc/standard (condn.tpl, sopcl.tpl, binval.tpl, tagval.tpl,
  elmdict/dicom3.tpl, iodcomp/*.tpl, module/*.tpl, strval/*.tpl). The output is tables of plain
  structs declared in src/dicomkit/validate/tables.hpp: the build never reads the templates.
"""
import glob
import os
import re
import sys

KV = re.compile(r'([A-Za-z_]+)="([^"]*)"')


def strip_comment(line):
    quoted = False
    for i, c in enumerate(line):
        if c == '"':
            quoted = not quoted
        elif c == '#' and not quoted:
            return line[:i]
    return line


def lines_of(path):
    with open(path, encoding='latin-1') as f:
        for n, raw in enumerate(f, 1):
            line = strip_comment(raw.rstrip('\n')).strip()
            if line:
                yield n, line


def cstr(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch in '"\\':
            out.append('\\' + ch)
        elif 32 <= o < 127:
            out.append(ch)
        else:
            out.append('\\%03o' % o)
    out.append('"')
    return ''.join(out)


# ---------------------------------------------------------------- dictionary (keyword -> tag)
def read_elmdict(std):
    tags = {}
    pat = re.compile(r'^\(([0-9A-Fa-fx]{4}),([0-9A-Fa-fx]{4})\)')
    for _, line in lines_of(os.path.join(std, 'elmdict', 'dicom3.tpl')):
        m = pat.match(line)
        if not m:
            continue
        kv = dict(KV.findall(line))
        kw = kv.get('Keyword')
        if not kw:
            continue
        g, e = m.group(1).lower(), m.group(2).lower()
        tag = int((g + e).replace('x', '0'), 16)
        mask = int(''.join('0' if c == 'x' else 'f' for c in g + e), 16)
        tags.setdefault(kw, (tag, mask))
    return tags


def read_uids(std):
    uids = {}
    for _, line in lines_of(os.path.join(std, 'sopcl.tpl')):
        kv = dict(KV.findall(line))
        if 'Name' in kv and 'Uid' in kv:
            suffix = 'SOPInstanceUID' if kv.get('Type') == 'Instance' else 'SOPClassUID'
            uids.setdefault(kv['Name'] + suffix, kv['Uid'])
    for _, line in lines_of(os.path.join(std, 'transyn.tpl')):
        kv = dict(KV.findall(line))
        if 'Name' in kv and 'Uid' in kv:
            uids.setdefault(kv['Name'] + 'TransferSyntaxUID', kv['Uid'])
    return uids


# ---------------------------------------------------------------- value sets
def read_value_sets(std):
    sets = {}  # name -> (kind, [values])
    files = [(p, 'string') for p in sorted(glob.glob(os.path.join(std, 'strval', '*.tpl')))]
    files += [(os.path.join(std, 'binval.tpl'), 'binary'), (os.path.join(std, 'tagval.tpl'), 'tag')]
    head = re.compile(r'^(StringValues|BinaryValues|TagValues)="([^"]*)"\s*\{')
    for path, kind in files:
        current = None
        for _, line in lines_of(path):
            m = head.match(line)
            if m:
                current = m.group(2)
                sets[current] = (kind, [])
                continue
            if line.startswith('}'):
                current = None
                continue
            if current is None:
                continue
            value = line.rstrip(',').split('=', 1)[0].strip() if '=' in line else line.rstrip(',').strip()
            if kind == 'string':
                sets[current][1].append(value)
            elif kind == 'binary':
                try:
                    sets[current][1].append(int(value, 0))
                except ValueError:
                    pass
            else:
                parts = [p.strip() for p in value.split(',')]
                if len(parts) == 2:
                    sets[current][1].append((int(parts[0], 16) << 16) | int(parts[1], 16))
    return sets


# ---------------------------------------------------------------- conditions
OPS = {'': 0, 'Or': 0, 'or': 0, '|': 0, '||': 0, 'And': 1, 'and': 1, '&': 1, '&&': 1, 'Xor': 2, 'xor': 2, '^': 2}
CMPS = {'==': 0, '!=': 1, '<': 2, '<=': 3, '>': 4, '>=': 5}


def read_conditions(std, tags, uids, warn):
    conds = {}  # name -> list of terms
    order = []
    cur = None
    for n, line in lines_of(os.path.join(std, 'condn.tpl')):
        kv = dict(KV.findall(line))
        if line.startswith('Condition='):
            cur = kv['Condition']
            conds[cur] = []
            order.append(cur)
            continue
        if line.startswith('ConditionEnd'):
            cur = None
            continue
        if cur is None:
            continue
        op = OPS.get(kv.get('Operator', ''), 0)
        neg = 1 if kv.get('Modifier', '') in ('Not', 'not', '~', '!') else 0
        if line.startswith('('):
            conds[cur].append(dict(kind='Open', op=0, neg=0))
            continue
        if line.startswith(')'):
            conds[cur].append(dict(kind='Close', op=op, neg=neg))
            continue
        if not line.startswith('Element='):
            warn('condn.tpl:%d: ignored: %s' % (n, line))
            continue
        el = kv['Element'].strip()
        if el not in tags:
            warn('condn.tpl:%d: unknown keyword %s' % (n, el))
            tag, mask = 0xFFFFFFFF, 0xFFFFFFFF
        else:
            tag, mask = tags[el]
        sel = kv.get('ValueSelector', '*')
        sel = -1 if sel in ('', '*') else int(sel)

        def term(kind, **extra):
            t = dict(kind=kind, op=op, neg=neg, sel=sel, tag=tag, aux=0, text=None, num=0.0, cmp=0)
            t.update(extra)
            conds[cur].append(t)

        def tag_of(kw):
            if kw not in tags:
                warn('condn.tpl:%d: unknown keyword %s' % (n, kw))
                return 0xFFFFFFFF
            return tags[kw][0]

        def const(name):
            if name not in uids:
                warn('condn.tpl:%d: unknown constant %s' % (n, name))
            return uids.get(name, '?' + name)

        sv_used = 'StringValue' in kv
        sc_used = 'StringConstant' in kv
        if 'ValuePresent' in kv:
            term('ValuePresent')
        if 'ElementPresent' in kv:
            m = kv['ElementPresent']
            if m:
                term('ElementPresentMasked', aux=(int(m, 0) << 16) | 0xFFFF)
            else:
                term('ElementPresent')
        if 'ElementPresentAbove' in kv:
            term('ElementPresentAbove')
        if 'ElementPresentWithin' in kv:
            seq = tag_of(kv['ElementPresentWithin'])
            if sv_used:
                term('StringValueMatchWithin', aux=seq, text=kv['StringValue'])
                sv_used = False
            elif sc_used:
                term('StringValueMatchWithin', aux=seq, text=const(kv['StringConstant']))
                sc_used = False
            else:
                term('ElementPresentWithin', aux=seq)
        if 'ElementPresentInPathFromRoot' in kv:
            term('ElementPresentInPathFromRoot', aux=tag_of(kv['ElementPresentInPathFromRoot']))
        if 'SequencePresentInPathFromRootHasItems' in kv:
            term('SequencePresentInPathFromRootHasItems', aux=tag_of(kv['SequencePresentInPathFromRootHasItems']))
        if 'ElementPresentInPathFromRootFirstItem' in kv:
            term('ElementPresentInPathFromRootFirstItem', aux=tag_of(kv['ElementPresentInPathFromRootFirstItem']))
        if 'SequencePresentInPathFromRootFirstItemHasItems' in kv:
            term('SequencePresentInPathFromRootFirstItemHasItems',
                 aux=tag_of(kv['SequencePresentInPathFromRootFirstItemHasItems']))
        if 'ElementPresentInRoot' in kv:
            term('ElementPresentInRoot')
        if 'GroupPresent' in kv:
            m = kv['GroupPresent']
            term('GroupPresent', aux=int(m, 0) if m else 0xFFFF)
        if sc_used:
            term('StringValueMatch', text=const(kv['StringConstant']))
        if 'StringConstantFromRootAttribute' in kv:
            term('StringValueMatchRoot', text=const(kv['StringConstantFromRootAttribute']))
        if sv_used:
            term('StringValueMatch', text=kv['StringValue'])
        if 'StringValueAbove' in kv:
            term('StringValueMatchAbove', text=kv['StringValueAbove'])
        if 'StringValueFromRootAttribute' in kv:
            term('StringValueMatchRoot', text=kv['StringValueFromRootAttribute'])
        if 'StringValueFromRoot' in kv:
            term('StringValueMatchRoot', text=kv['StringValueFromRoot'])
        for key, kind in (('BinaryValue', 'BinaryValueMatch'), ('BinaryValueFromRootAttribute', 'BinaryValueMatchRoot')):
            if key in kv:
                cmp, _, num = kv[key].partition(' ')
                term(kind, cmp=CMPS[cmp], num=float(int(num, 0)) if num.strip().lower().startswith('0x') else float(num))
        for key, kind in (('TagValue', 'TagValueMatch'), ('TagValueFromRootAttribute', 'TagValueMatchRoot')):
            if key in kv:
                g, e = kv[key].split(',')
                term(kind, aux=(int(g, 16) << 16) | int(e, 16))
        for key in ('SequenceHasItems', 'SequenceHasOneItem', 'SequenceHasTwoItems', 'SequenceHasMultipleItems'):
            if key in kv:
                term(key)
    return conds, order


# ---------------------------------------------------------------- modules and macros
TYPES = {'1': 1, '1C': 2, '2': 3, '2C': 4, '3': 5, '3C': 6}


def parse_vm(vm):
    if not vm:
        return 0, 0xFFFF
    lo, _, hi = vm.partition('-')
    lo = int(lo)
    if not hi:
        return lo, lo
    return lo, 0xFFFF if 'n' in hi else int(hi)


def read_modules(std, warn):
    bodies = {}  # ('module'|'macro', name) -> list of raw entries (nested lists for sequences)
    for path in sorted(glob.glob(os.path.join(std, 'module', '*.tpl'))):
        stack = []
        fname = os.path.basename(path)
        for n, line in lines_of(path):
            kv = dict(KV.findall(line))
            if line.startswith('Module=') or line.startswith('DefineMacro='):
                key = ('module', kv['Module']) if 'Module' in kv else ('macro', kv['DefineMacro'])
                if key in bodies:
                    warn('%s:%d: %s defined again, the first kept' % (fname, n, key))
                body = []
                if key not in bodies:
                    bodies[key] = body
                stack = [body]
            elif line.startswith('ModuleEnd') or line.startswith('MacroEnd'):
                stack = []
            elif line.startswith('SequenceEnd'):
                if len(stack) > 1:
                    stack.pop()
            elif not stack:
                continue
            elif line.startswith('Sequence='):
                child = []
                stack[-1].append(('seq', kv, child))
                stack.append(child)
            elif line.startswith('Name='):
                stack[-1].append(('attr', kv, None))
            elif line.startswith('InvokeMacro='):
                stack[-1].append(('invoke', kv, None))
            elif line.startswith('Verify='):
                stack[-1].append(('verify', kv, None))
            else:
                warn('%s:%d: ignored: %s' % (fname, n, line))
    return bodies


def read_iods(std, warn):
    iods = []
    for path in sorted(glob.glob(os.path.join(std, 'iodcomp', '*.tpl'))):
        cur = None
        ie = ''
        for _, line in lines_of(path):
            kv = dict(KV.findall(line))
            if line.startswith('CompositeIOD='):
                cur = dict(name=kv['CompositeIOD'], cond=kv.get('Condition', ''), profile=kv.get('Profile', ''),
                           modules=[])
                iods.append(cur)
            elif line.startswith('CompositeIODEnd'):
                cur = None
            elif line.startswith('InformationEntity='):
                ie = kv['InformationEntity']
            elif line.startswith('Module=') and cur is not None:
                cur['modules'].append((kv['Module'], kv.get('Usage', 'U'), kv.get('Condition', ''), ie))
    return iods


ACC_CONDITIONS = (('terms', 'kTerms', 'Term'), ('conditions', 'kConditions', 'Condition'),
                  ('strings', 'kStrings', 'Text'), ('numbers', 'kNumbers', 'std::int64_t'),
                  ('value_sets', 'kValueSets', 'ValueSet'))
ACC_MODULES = (('rows', 'kRows', 'Row'), ('bodies', 'kBodies', 'Body'), ('module_refs', 'kModuleRefs', 'ModuleRef'),
               ('iods', 'kIods', 'Iod'), ('sop_classes', 'kSopClasses', 'SopClassIod'))


def header(what):
    return ['// Generated by tools/gen_validate_tables.py from dicom3tools libsrc/standard (see README.md here): '
            + what + '.', '// Do not edit: change the generator and run it again.',
            '#include <dicomkit/validate/tables.hpp>', '', 'namespace dicomkit::validate::tables {', 'namespace {']


class TextBlob:
    """Every string of the tables, once, in one character array: rows refer to them by offset and
    size (Text), so that the tables hold no pointers and need no relocation at start-up."""

    def __init__(self):
        self.parts = []
        self.size = 0
        self.index = {}

    def ref(self, s):
        if s is None or s == '':
            return '{}'
        if s not in self.index:
            for ch in s:
                if ord(ch) > 255:
                    raise ValueError('not a one-byte character in %r' % s)
            self.index[s] = self.size
            self.parts.append(s)
            self.size += len(s)
        return '{%d,%d}' % (self.index[s], len(s))

    def emit(self, o):
        o.append('constexpr char kText[%d] = {' % (self.size + 1))
        line = []
        width = 0
        for s in self.parts:
            line.append(cstr(s))
            width += len(line[-1])
            if width > 100:
                o.append(''.join(line))
                line, width = [], 0
        if line:
            o.append(''.join(line))
        if not self.parts:
            o.append('""')
        o.append('};')


def accessors(o, table):
    for fn, arr, typ in table:
        o.append('std::span<const %s> %s() noexcept { return %s; }' % (typ, fn, arr))
    o.append('')


def main():
    std, out = sys.argv[1], sys.argv[2]
    warnings = []
    warn = warnings.append
    tags = read_elmdict(std)
    uids = read_uids(std)
    value_sets = read_value_sets(std)
    conds, cond_order = read_conditions(std, tags, uids, warn)
    bodies = read_modules(std, warn)
    iods = read_iods(std, warn)

    cond_index = {}
    terms = []
    cond_rows = []
    for name in cond_order:
        cond_index[name] = len(cond_rows)
        cond_rows.append((name, len(terms), len(conds[name])))
        terms.extend(conds[name])
    for builtin in ('Never', 'Always'):
        cond_index.setdefault(builtin, {'Never': 0xFFFE, 'Always': 0xFFFD}[builtin])

    def cond_ref(name, where):
        if not name:
            return 0xFFFF
        if name not in cond_index:
            warn('%s: unknown condition %s' % (where, name))
            return 0xFFFF
        return cond_index[name]

    vs_index = {}
    vs_rows = []
    string_values = []
    number_values = []
    for name, (kind, values) in value_sets.items():
        vs_index[name] = len(vs_rows)
        if kind == 'string':
            vs_rows.append((name, 0, len(string_values), len(values)))
            string_values.extend(values)
        else:
            vs_rows.append((name, 1 if kind == 'binary' else 2, len(number_values), len(values)))
            number_values.extend(values)

    # Bodies: every module and macro body, and every sequence body, as a range of rows.
    body_rows = []   # (name, first, count)
    rows = []
    body_index = {}
    pending = []

    def emit_body(name, entries):
        idx = len(body_rows)
        body_rows.append([name, 0, 0])
        pending.append((idx, entries))
        return idx

    for key in sorted(bodies):
        body_index[key] = emit_body(key[1], bodies[key])

    VS_KEYS = (('StringEnumValues', 1), ('StringDefinedTerms', 2), ('BinaryEnumValues', 3), ('TagEnumValues', 4),
               ('BinaryBitMap', 5))

    def make_row(kind, kv, child, where):
        name = (kv.get('Name') or kv.get('Sequence') or kv.get('Verify') or '').strip()
        tag = 0xFFFFFFFF
        if kind in ('attr', 'seq', 'verify'):
            if name not in tags:
                warn('%s: unknown keyword %s' % (where, name))
            else:
                tag = tags[name][0]
        flags = 0
        if 'NoCondition' in kv:
            flags |= 1
        if kv.get('mbpo') == 'true':
            flags |= 2
        if 'NotZeroError' in kv:
            flags |= 4
        if 'NotZeroWarning' in kv:
            flags |= 8
        message = kv.get('ThenErrorMessage') or kv.get('ThenWarningMessage') or ''
        if 'ThenErrorMessage' in kv:
            flags |= 16
        elif 'ThenWarningMessage' in kv:
            flags |= 32
        vs_kind, vs = 0, 0xFFFF
        for key, k in VS_KEYS:
            if key in kv:
                if kv[key] in vs_index:
                    vs_kind, vs = k, vs_index[kv[key]]
                else:
                    warn('%s: unknown value set %s' % (where, kv[key]))
        sel = kv.get('ValueSelector', '*')
        sel = -1 if sel in ('', '*') else int(sel)
        lo, hi = parse_vm(kv.get('VM', ''))
        body = 0xFFFF
        if kind == 'seq':
            body = emit_body(name, child)
        elif kind == 'invoke':
            key = ('macro', kv['InvokeMacro'])
            if key not in body_index:
                warn('%s: unknown macro %s' % (where, kv['InvokeMacro']))
                return None
            body = body_index[key]
        rkind = {'attr': 0, 'seq': 1, 'invoke': 2, 'verify': 3}[kind]
        return (rkind, TYPES.get(kv.get('Type', ''), 0), flags, sel, vs_kind, tag,
                cond_ref(kv.get('Condition', ''), where), vs, body, lo, hi, message)

    while pending:
        idx, entries = pending.pop(0)
        made = [make_row(k, kv, child, body_rows[idx][0]) for k, kv, child in entries]
        made = [r for r in made if r is not None]
        body_rows[idx][1] = len(rows)
        body_rows[idx][2] = len(made)
        rows.extend(made)

    mod_refs = []
    iod_rows = []
    sop_map = {}
    usage = {'M': 0, 'C': 1, 'U': 2}
    for iod in iods:
        first = len(mod_refs)
        for mname, use, cname, ie in iod['modules']:
            key = ('module', mname)
            if key not in body_index:
                warn('%s: unknown module %s' % (iod['name'], mname))
                continue
            mod_refs.append((body_index[key], usage.get(use, 2), cond_ref(cname, iod['name']), ie))
        iod_rows.append((iod['name'], cond_ref(iod['cond'], iod['name']), first, len(mod_refs) - first))
        for t in conds.get(iod['cond'], []):
            if t['kind'] == 'StringValueMatchRoot' and t['tag'] in (0x00080016, 0x00020002) and not t['neg'] \
                    and t['op'] == 0 and not t['text'].startswith('?') and not iod['profile']:
                sop_map.setdefault(t['text'], len(iod_rows) - 1)

    kinds = ['ElementPresent', 'ElementPresentMasked', 'ValuePresent', 'ElementPresentAbove', 'ElementPresentWithin',
             'StringValueMatchWithin', 'ElementPresentInPathFromRoot', 'SequencePresentInPathFromRootHasItems',
             'ElementPresentInPathFromRootFirstItem', 'SequencePresentInPathFromRootFirstItemHasItems',
             'ElementPresentInRoot', 'GroupPresent', 'StringValueMatch', 'StringValueMatchRoot',
             'StringValueMatchAbove', 'BinaryValueMatch', 'BinaryValueMatchRoot', 'TagValueMatch',
             'TagValueMatchRoot', 'SequenceHasItems', 'SequenceHasOneItem', 'SequenceHasTwoItems',
             'SequenceHasMultipleItems', 'Open', 'Close']

    text = TextBlob()
    os.makedirs(out, exist_ok=True)
    o = header('condition and value set tables')
    o.append('using K = TermKind;')
    o.append('constexpr Term kTerms[] = {')
    for t in terms:
        if t['kind'] in ('Open', 'Close'):
            o.append('{K::%s,%d,%d,0,0,0,0,{},0},' % (t['kind'], t['op'], t['neg']))
        else:
            num = repr(t['num']) if t['num'] != int(t['num']) else '%d' % t['num']
            o.append('{K::%s,%d,%d,%d,%d,0x%x,0x%x,%s,%s},' % (
                t['kind'], t['op'], t['neg'], t['sel'], t['cmp'], t['tag'], t['aux'],
                text.ref(t['text']), num))
    o.append('};')
    o.append('constexpr Condition kConditions[] = {')
    for name, first, count in cond_rows:
        o.append('{%s,%d,%d},' % (text.ref(name), first, count))
    o.append('};')
    o.append('constexpr Text kStrings[] = {')
    for i in range(0, len(string_values), 8):
        o.append(','.join(text.ref(s) for s in string_values[i:i + 8]) + ',')
    o.append('};')
    o.append('constexpr std::int64_t kNumbers[] = {')
    for i in range(0, len(number_values), 12):
        o.append(','.join('%d' % v for v in number_values[i:i + 12]) + ',')
    o.append('};')
    o.append('constexpr ValueSet kValueSets[] = {')
    for name, kind, first, count in vs_rows:
        o.append('{%s,%d,%d,%d},' % (text.ref(name), kind, first, count))
    o.append('};')
    o.append('}  // namespace')
    o.append('')
    accessors(o, ACC_CONDITIONS)
    o.append('}  // namespace dicomkit::validate::tables')
    with open(os.path.join(out, 'conditions.cpp'), 'w') as f:
        f.write('\n'.join(o) + '\n')
    o = header('module, macro and IOD tables')
    o.append('constexpr Row kRows[] = {')
    for r in rows:
        o.append('{%d,%d,%d,%d,%d,0x%x,%d,%d,%d,%d,%d,%s},' % (r[:11] + (text.ref(r[11]),)))
    o.append('};')
    o.append('constexpr Body kBodies[] = {')
    for name, first, count in body_rows:
        o.append('{%s,%d,%d},' % (text.ref(name), first, count))
    o.append('};')
    o.append('constexpr ModuleRef kModuleRefs[] = {')
    for b, use, c, ie in mod_refs:
        o.append('{%d,%d,%d,%s},' % (b, use, c, text.ref(ie)))
    o.append('};')
    o.append('constexpr Iod kIods[] = {')
    for name, c, first, count in iod_rows:
        o.append('{%s,%d,%d,%d},' % (text.ref(name), c, first, count))
    o.append('};')
    o.append('constexpr SopClassIod kSopClasses[] = {')
    for uid in sorted(sop_map):
        o.append('{%s,%d},' % (text.ref(uid), sop_map[uid]))
    o.append('};')
    o.append('}  // namespace')
    o.append('')
    accessors(o, ACC_MODULES)
    o.append('}  // namespace dicomkit::validate::tables')
    with open(os.path.join(out, 'modules.cpp'), 'w') as f:
        f.write('\n'.join(o) + '\n')
    o = ['// Generated by tools/gen_validate_tables.py from dicom3tools libsrc/standard (see README.md here): '
         'the strings of every table.', '// Do not edit: change the generator and run it again.',
         '#include <dicomkit/validate/tables.hpp>', '', 'namespace dicomkit::validate::tables {', 'namespace {']
    text.emit(o)
    o.append('}  // namespace')
    o.append('')
    o.append('std::string_view Text::view() const noexcept { return {kText + offset, size}; }')
    o.append('')
    o.append('Text find_text(std::string_view s) noexcept {')
    o.append('    const std::string_view all(kText, sizeof kText - 1);')
    o.append('    const std::size_t at = s.empty() ? std::string_view::npos : all.find(s);')
    o.append('    if (at == std::string_view::npos) return {};')
    o.append('    return {static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(s.size())};')
    o.append('}')
    o.append('')
    o.append('}  // namespace dicomkit::validate::tables')
    with open(os.path.join(out, 'text.cpp'), 'w') as f:
        f.write('\n'.join(o) + '\n')
    sys.stderr.write('%d conditions, %d terms, %d rows, %d bodies, %d IODs, %d SOP classes, %d value sets; '
                     '%d notes\n' % (len(cond_rows), len(terms), len(rows), len(body_rows), len(iod_rows),
                                     len(sop_map), len(vs_rows), len(warnings)))
    for w in warnings:
        sys.stderr.write('note: %s\n' % w)


if __name__ == '__main__':
    main()
