#!/usr/bin/env python3
"""tools/check_layering.py fails on a forbidden include and on a missing CMake link, naming the
file, line, include edge and the link to add; it passes on a tree that follows its rules."""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, 'tools', 'check_layering.py')

DOC = '''# fake
## Layering
```layering
base:
core: base
net/dimse: core base
server/service: core base
apps: anything
```
'''
CMAKE = '''dicomkit_module(base SOURCES base/log.cpp DEPS fmt::fmt)
dicomkit_module(core SOURCES core/tag.cpp DEPS dicomkit::base)
dicomkit_module(net_dimse SOURCES net/dimse/serve.cpp DEPS dicomkit::core)
dicomkit_module(server_service SOURCES server/service/ingest.cpp DEPS dicomkit::core)
'''
FILES = {
    'src/dicomkit/base/log.hpp': '#pragma once\n',
    'src/dicomkit/base/log.cpp': '#include <dicomkit/base/log.hpp>\n',
    'src/dicomkit/core/tag.hpp': '#pragma once\n#include <dicomkit/base/log.hpp>\n',
    'src/dicomkit/core/tag.cpp': '#include <dicomkit/core/tag.hpp>\n',
    'src/dicomkit/net/dimse/serve.hpp': '#pragma once\n#include <dicomkit/core/tag.hpp>\n',
    'src/dicomkit/net/dimse/serve.cpp': '#include <dicomkit/net/dimse/serve.hpp>\n',
    'src/dicomkit/server/service/ingest.cpp': '// x\n#include <dicomkit/core/tag.hpp>\n',
}

failures = []


def make_tree(extra=None, cmake=CMAKE):
    d = tempfile.mkdtemp(prefix='layering_')
    files = dict(FILES)
    files.update(extra or {})
    files['docs/architecture.md'] = DOC
    files['src/dicomkit/CMakeLists.txt'] = cmake
    for rel, text in files.items():
        p = os.path.join(d, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'w') as f:
            f.write(text)
    return d


def run(root):
    r = subprocess.run([sys.executable, SCRIPT, '--root', root], capture_output=True, text=True)
    shutil.rmtree(root)
    return r.returncode, r.stdout + r.stderr


def expect(name, cond, out):
    if not cond:
        failures.append(f'{name}: unexpected result:\n{out}')
    else:
        print(f'ok: {name}')


rc, out = run(make_tree())
expect('a tree that follows the rules passes', rc == 0, out)

# A forbidden edge: the network layer including the archive's service.
rc, out = run(make_tree({'src/dicomkit/net/dimse/serve.cpp':
                         '#include <dicomkit/net/dimse/serve.hpp>\n\n'
                         '#include <dicomkit/server/service/ingest.hpp>\n',
                         'src/dicomkit/server/service/ingest.hpp': '#pragma once\n'}))
expect('a forbidden include fails, naming file, line and edge',
       rc == 1 and 'src/dicomkit/net/dimse/serve.cpp:3: forbidden include edge net/dimse -> '
       'server/service (#include <dicomkit/server/service/ingest.hpp>)' in out, out)

# base may use nothing of dicomkit but itself.
rc, out = run(make_tree({'src/dicomkit/base/log.cpp':
                         '#include <dicomkit/base/log.hpp>\n#include <dicomkit/core/tag.hpp>\n'}))
expect('an upward include from base fails',
       rc == 1 and 'src/dicomkit/base/log.cpp:2: forbidden include edge base -> core' in out, out)

# An allowed include whose target is not linked: server_service depends only on base.
rc, out = run(make_tree(cmake=CMAKE.replace('server/service/ingest.cpp DEPS dicomkit::core',
                                            'server/service/ingest.cpp DEPS dicomkit::base')))
expect('a missing CMake link fails, naming file, line and the link to add',
       rc == 1 and 'src/dicomkit/server/service/ingest.cpp:2: target dicomkit_server_service '
       'includes <dicomkit/core/tag.hpp> of target dicomkit_core without linking it: add '
       'dicomkit::core to DEPS of dicomkit_module(server_service)' in out, out)

# A link reached through a public dependency is enough: net_dimse -> core -> base.
rc, out = run(make_tree({'src/dicomkit/net/dimse/serve.cpp':
                         '#include <dicomkit/net/dimse/serve.hpp>\n#include <dicomkit/base/log.hpp>\n'}))
expect('a link through public DEPS passes', rc == 0, out)

# The repository's own rules catch a forbidden include put into a copy of its sources.
d = tempfile.mkdtemp(prefix='layering_repo_')
for top in ('docs', 'src', 'apps'):
    shutil.copytree(os.path.join(ROOT, top), os.path.join(d, top))
victim = os.path.join(d, 'src/dicomkit/net/pdu/pdu.cpp')
with open(victim, 'a') as f:
    f.write('#include <dicomkit/core/dataset.hpp>\n')
n = sum(1 for _ in open(victim))
rc, out = run(d)
expect('the repository rules refuse net/pdu -> core (the PDU code never sees a DataSet)',
       rc == 1 and f'src/dicomkit/net/pdu/pdu.cpp:{n}: forbidden include edge net/pdu -> core' in out,
       out)

if failures:
    print('\n'.join(failures), file=sys.stderr)
    sys.exit(1)
