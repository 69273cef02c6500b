#!/usr/bin/python3
# test-window-scenarios.py: the window as a technician meets it, through AT-SPI.
#
# Copyright 2026 The Liaison authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   1. First start → Try the Demo → Sync Now (confirming the initial import): the progress
#      completes and the overview shows the counts and the possible matches.
#   2. Connections: a wrong client secret → Test Connection shows "Authenticated" failed with the
#      server's reason; the right one → every check passes.
#   3. Sync: contacts from ConnectWise Manage to HaloPSA only → Preview shows the plan; close and
#      start again: the setting is kept (on screen and in the database).
#
# Needs a display and a D-Bus session bus (tests/run-headless). The helpers (App, wait_for,
# find_all...) come from test-profiles.py. Pictures of every page passed through go to
# build/tests/ui/artifacts/scenarios/ (drawn by liaison itself: LIAISON_SCREENSHOT_DIR and its
# "screenshot" action, called over D-Bus).

import importlib.util
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('profiles', os.path.join(HERE, 'test-profiles.py'))
common = importlib.util.module_from_spec(spec)
spec.loader.exec_module(common)

Failure = common.Failure
log = common.log
wait_for = common.wait_for
find_all = common.find_all
find_one = common.find_one
find_button = common.find_button
click = common.click
pump = common.pump
pyatspi = common.pyatspi

ARTIFACTS = os.path.join(common.ARTIFACTS, 'scenarios')
SANDBOX = os.path.join(common.BUILD_DIR, 'src', 'sandbox', 'liaison-sandbox')
APP_ID = 'io.github.liaison.Liaison'
DEMO_NAME = 'Demo: HaloPSA ↔ ConnectWise'
RUN_SECONDS = 90  # a demo sync of 100 companies takes a few seconds; Xvfb and a busy machine


class App(common.App):
    """liaison on LIAISON_DB (not --db), so that it owns its name on the session bus and its
    "screenshot" action can be called."""

    def __init__(self, db, label):
        self.db = db
        self.label = label
        env = dict(os.environ)
        env.pop('GTK_A11Y', None)
        env.pop('NO_AT_BRIDGE', None)
        env['LIAISON_DB'] = db
        env['LIAISON_SCREENSHOT_DIR'] = ARTIFACTS
        self.stderr = open(os.path.join(ARTIFACTS, f'{label}.log'), 'w')
        # LIAISON_UI_WRAPPER="gdb -batch -ex run -ex bt --args" runs liaison under a debugger.
        # LIAISON_UI_WRAP_ONLY=scenario2 wraps only that run.
        only = os.environ.get('LIAISON_UI_WRAP_ONLY')
        wrapper = os.environ.get('LIAISON_UI_WRAPPER', '').split() if only in (None, label) else []
        self.wrapped = bool(wrapper)
        self.process = subprocess.Popen(wrapper + [common.LIAISON], env=env,
                                        stdout=self.stderr, stderr=subprocess.STDOUT)
        self.root = wait_for(f'liaison (pid {self.process.pid}) on the accessibility bus',
                             self._find_application)
        log(f'{label}: liaison pid {self.process.pid}')

    def screenshot(self, name):
        """Pictures of the windows, drawn by liaison (best effort: a test artefact)."""
        pump(0.5)
        result = subprocess.run(['gdbus', 'call', '--session', '--dest', APP_ID,
                                 '--object-path', '/' + APP_ID.replace('.', '/'),
                                 '--method', 'org.gtk.Actions.Activate', 'screenshot',
                                 f"[<'{self.label}-{name}'>]", '{}'],
                                capture_output=True, text=True, timeout=20)
        if result.returncode != 0:
            log(f'no screenshot {name}: {result.stderr.strip()}')
        else:
            pump(0.3)
            log(f'screenshot {self.label}-{name}.png')

    def page(self, title):
        """Switch to a page through the view switcher."""
        def switcher_button():
            for role in ('page tab', 'toggle button', 'radio button', 'push button'):
                for node in find_all(self.window(), role=role):
                    if node.name == title or any(
                            node.getChildAtIndex(i) is not None
                            and node.getChildAtIndex(i).name == title
                            for i in range(node.childCount)):
                        return node
            return None
        button = wait_for(f'the “{title}” page switch', switcher_button)
        action = button.queryAction()
        names = [action.getName(i) for i in range(action.nActions)]
        if not names:
            raise Failure(f'the “{title}” page switch has no action')
        action.doAction(names.index('click') if 'click' in names else 0)
        pump(0.5)


def labels(root):
    return [node.name for node in find_all(root, role='label')]


def label_matching(root, pattern):
    for name in labels(root):
        if re.search(pattern, name or ''):
            return name
    return None


def sandbox_ready_line():
    """The sandbox's credentials (they follow from its seed, like the demo's)."""
    process = subprocess.Popen([SANDBOX, '--halo-port', '0', '--cw-port', '0'],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline()
    finally:
        process.kill()
        process.wait()
    return json.loads(line)


def scenario_demo_and_sync(db):
    app = App(db, 'scenario1')
    try:
        button = wait_for('the “Try the Demo” button', lambda: find_button(app.window(), 'Try the Demo'))
        app.screenshot('empty')
        click(button)

        wait_for(f'“{DEMO_NAME}” in the sidebar',
                 lambda: DEMO_NAME in (app.sidebar_names() or []))
        sync = wait_for('“Sync Now”', lambda: find_button(app.window(), 'Sync Now'))
        wait_for('the demo connections to be checked',
                 lambda: len([n for n in labels(app.window()) if n and n.startswith('Connected')]) == 2,
                 timeout=40)
        app.screenshot('overview-before')
        click(sync)

        # The first sync of kinds without filters asks first.
        dialog = wait_for('the “Import Everything?” dialog', app.dialog)
        if not label_matching(dialog, 'cannot be undone by adding filters later'):
            raise Failure('the initial-import dialog does not warn that filters cannot undo it')
        click(wait_for('“Import All”', lambda: find_button(dialog, 'Import All')))
        wait_for('the dialog to close', lambda: app.dialog() is None)

        # While it runs, the progress bar moves and the page answers.
        finished = wait_for('the run to finish',
                            lambda: label_matching(app.window(), r'^Finished'), timeout=RUN_SECONDS)
        counts = wait_for('the counts', lambda: label_matching(app.window(), r'\d+ created'))
        created = int(re.search(r'(\d+) created', counts).group(1))
        if created <= 0:
            raise Failure(f'the demo sync created nothing: “{counts}”')
        bar = find_one(app.window(), role='progress bar')
        if bar is None:
            raise Failure('no progress bar on the overview')
        value = bar.queryValue()
        if value.currentValue < value.maximumValue - 1e-6:
            raise Failure(f'the progress bar stopped at {value.currentValue}/{value.maximumValue}')
        log(f'{finished}: {counts}')

        matches = wait_for('the possible matches on the overview',
                           lambda: label_matching(app.window(), r'\d+ possible match'))
        log(matches)
        app.screenshot('overview-after')
    except Failure:
        app.dump('scenario1-failure')
        app.kill()
        raise
    app.close()


def scenario_connections(db):
    ready = sandbox_ready_line()
    app = App(db, 'scenario2')
    try:
        wait_for(f'“{DEMO_NAME}” in the sidebar', lambda: DEMO_NAME in (app.sidebar_names() or []))
        app.page('Connections')

        def secret_field():
            for node in find_all(app.window(), interface='EditableText'):
                if node.name and node.name.startswith('Client secret'):
                    return node
            return None

        def test_buttons():
            buttons = [b for b in find_all(app.window(), role='push button')
                       if b.name == 'Test Connection' or any(
                           b.getChildAtIndex(i) is not None
                           and b.getChildAtIndex(i).name == 'Test Connection'
                           for i in range(b.childCount))]
            return buttons if len(buttons) == 2 else None

        def check_rows():
            """(title, state, subtitle) of the HaloPSA test results, once they are in."""
            lists = find_all(app.window(), role='list', name='Test results of HaloPSA')
            if not lists:
                return None
            rows = []
            for item in find_all(lists[0], role='list item'):
                texts = [n.name for n in find_all(item, role='label')]
                rows.append((item.name, item.description, texts))
            if not rows or any(r[0] == 'Testing…' for r in rows):
                return None
            return rows

        field = wait_for('the HaloPSA client secret field', secret_field)
        if not field.queryEditableText().setTextContents('wrong-secret-for-the-test'):
            raise Failure('typing the secret failed')
        click(wait_for('the “Test Connection” buttons', test_buttons)[0])
        rows = wait_for('the test results with the wrong secret', check_rows, timeout=40)
        log(f'wrong secret: {rows}')
        auth = [r for r in rows if r[0] == 'Authenticated']
        if not auth or auth[0][1] != 'Failed':
            raise Failure(f'“Authenticated” did not fail with a wrong secret: {rows}')
        if not any(('invalid_client' in t or 'secret' in t.lower()) for t in auth[0][2] if t):
            raise Failure(f'the failed row does not give the server\'s reason: {auth[0]}')
        reachable = [r for r in rows if r[0] == 'Reachable']
        if not reachable or reachable[0][1] != 'Passed':
            raise Failure(f'“Reachable” should pass with a wrong secret: {rows}')
        app.screenshot('connections-wrong-secret')

        field = secret_field()
        if not field.queryEditableText().setTextContents(ready['halopsa']['client_secret']):
            raise Failure('typing the secret failed')
        click(wait_for('the “Test Connection” buttons', test_buttons)[0])

        def all_pass():
            rows = check_rows()
            if rows and not any(r[0] == 'Authenticated' and r[1] == 'Failed' for r in rows):
                return rows
            return None
        rows = wait_for('the test results with the right secret', all_pass, timeout=40)
        log(f'right secret: {rows}')
        failed = [r for r in rows if r[1] != 'Passed']
        if failed or len(rows) < 3:
            raise Failure(f'not every check passed with the right secret: {rows}')
        app.screenshot('connections-right-secret')
    except Exception as e:
        status = app.process.poll()
        if status is None:
            app.screenshot('failure')
        app.dump('scenario2-failure')
        app.kill()
        if status is not None:
            raise Failure(f'liaison exited with status {status} during scenario 2 ({e})')
        raise
    app.close()


def in_contacts_group(node):
    parent = node.parent
    while parent is not None:
        if parent.name == 'Contacts' and parent.getRoleName() != 'label':
            return parent
        parent = parent.parent
    return None


def contacts_direction_button(app):
    """The Contacts group's “From ConnectWise Manage to HaloPSA” button (GTK 4.8 shows toggle
    buttons as push buttons)."""
    for role in ('toggle button', 'push button'):
        for node in find_all(app.window(), role=role):
            if node.name == 'From ConnectWise Manage to HaloPSA' and in_contacts_group(node):
                return node
    return None


def contacts_summary(app):
    """The Contacts group's summary, when it says contacts go from ConnectWise Manage to HaloPSA
    (GTK 4.8 does not show a toggle button's state to assistive technologies)."""
    for label in find_all(app.window(), role='label'):
        if label.name and label.name.startswith('From ConnectWise Manage to HaloPSA,') \
                and in_contacts_group(label):
            return label.name
    return None


def expand_contacts(app):
    return wait_for('the Contacts direction buttons', lambda: contacts_direction_button(app))


def scenario_sync_settings(db):
    app = App(db, 'scenario3')
    try:
        wait_for(f'“{DEMO_NAME}” in the sidebar', lambda: DEMO_NAME in (app.sidebar_names() or []))
        app.page('Sync')
        button = expand_contacts(app)
        click(button)
        wait_for('the Contacts row to say the new direction', lambda: contacts_summary(app))
        app.screenshot('sync')

        def saved():
            with sqlite3.connect(f'file:{db}?mode=ro', uri=True) as connection:
                for (settings,) in connection.execute('SELECT settings FROM profiles'):
                    kinds = json.loads(settings).get('kinds', {})
                    if kinds.get('contact', {}).get('direction') == 'right-to-left':
                        return True
            return False
        wait_for('the direction to be saved', saved)

        click(wait_for('“Preview”', lambda: find_button(app.window(), 'Preview')))

        def preview():
            for toplevel in app.toplevels():
                if toplevel is not None and toplevel.name == 'Preview' and toplevel.childCount:
                    return toplevel
            return None
        dialog = wait_for('the Preview window', preview, timeout=RUN_SECONDS)
        plan = wait_for('the plan in the preview',
                        lambda: [n for n in labels(dialog) if n and re.search(r': \d+$', n)])
        log(f'preview: {plan}')
        if not find_all(dialog, role='label', name='Contacts'):
            raise Failure('the preview has no Contacts group')
        app.screenshot('preview')
        action = dialog.queryAction()
        names = [action.getName(i) for i in range(action.nActions)]
        if 'window.close' in names:
            action.doAction(names.index('window.close'))
        wait_for('the preview to close', lambda: preview() is None)
    except Failure:
        app.screenshot('failure')
        app.dump('scenario3-failure')
        app.kill()
        raise
    app.close()

    app = App(db, 'scenario3-again')
    try:
        wait_for(f'“{DEMO_NAME}” in the sidebar', lambda: DEMO_NAME in (app.sidebar_names() or []))
        app.page('Sync')
        button = expand_contacts(app)
        if not wait_for('the Contacts group', lambda: contacts_direction_button(app)) \
                or not contacts_summary(app):
            raise Failure('after a restart, contacts no longer go from ConnectWise Manage to HaloPSA')
        app.screenshot('sync-after-restart')
    except Failure:
        app.dump('scenario3-again-failure')
        app.kill()
        raise
    app.close()


def main():
    if not os.environ.get('DISPLAY') or not os.environ.get('DBUS_SESSION_BUS_ADDRESS'):
        log('no display or no session bus: run under tests/run-headless')
        return common.SKIP
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    os.makedirs(ARTIFACTS)
    tmpdir = tempfile.mkdtemp(prefix='liaison-scenarios-')
    db = os.path.join(tmpdir, 'liaison.db')
    only = sys.argv[1:] or ['1', '2', '3']
    try:
        if '1' in only:
            scenario_demo_and_sync(db)
            log('scenario 1 passed: demo, sync, counts')
        if '2' in only:
            scenario_connections(db)
            log('scenario 2 passed: test connection with a wrong, then the right secret')
        if '3' in only:
            scenario_sync_settings(db)
            log('scenario 3 passed: direction changed, previewed, kept after a restart')
        print('ok')
        return 0
    except Failure as e:
        log(f'FAIL: {e}')
        return 1
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
