#!/usr/bin/python3
# check-potfiles.py: every file with translatable strings is listed in POTFILES.in, and every
# listed file exists.
#
# Copyright 2026 The Liaison authors
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import sys

source_root = sys.argv[1]

listed = set()
with open(os.path.join(source_root, 'po', 'POTFILES.in')) as f:
    for line in f:
        line = line.strip()
        if line and not line.startswith('#'):
            listed.add(line)

c_marker = re.compile(r'(^|[^A-Za-z0-9_])(_|N_|C_|NC_|g_dgettext|ngettext)\s*\(')
needed = set()
for folder, pattern in (('src', c_marker), ('ui', re.compile(r'translatable="yes"'))):
    for directory, _dirs, files in os.walk(os.path.join(source_root, folder)):
        for name in files:
            if not name.endswith(('.c', '.h', '.ui')):
                continue
            path = os.path.join(directory, name)
            with open(path, encoding='utf-8') as f:
                if pattern.search(f.read()):
                    needed.add(os.path.relpath(path, source_root))

status = 0
for path in sorted(needed - listed):
    print(f'{path} has translatable strings but is not in po/POTFILES.in')
    status = 1
for path in sorted(listed):
    if not os.path.exists(os.path.join(source_root, path)):
        print(f'po/POTFILES.in lists {path}, which does not exist')
        status = 1
if status == 0:
    print(f'po/POTFILES.in lists all {len(needed)} source files with translatable strings')
sys.exit(status)
