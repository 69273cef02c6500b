#!/usr/bin/python3
# test-mapping.py: the client mapping editor through AT-SPI.
#
# Copyright 2026 The Liaison authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A demo-like profile (liaison-sandbox started here, the profile imported and synced with
# liaisonctl), then in the window:
#   (2) “Create new” on the other side: a name that exists there is refused with the reason; with
#       the prefix “Branch_” the record is created on Save, mapped, and cached;
#   (1) Suggest Matches → Accept All Confident → Save → restart → the mappings are there and a
#       second Suggest proposes nothing confident.
# Checks what the database holds after each step. Helpers come from test-profiles.py.

import importlib.util
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('ui_profiles', os.path.join(HERE, 'test-profiles.py'))
ui = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ui)

Failure, log, wait_for, find_all, find_one, find_button, click = (
    ui.Failure, ui.log, ui.wait_for, ui.find_all, ui.find_one, ui.find_button, ui.click)

BUILD_DIR = ui.BUILD_DIR
SANDBOX = os.path.join(BUILD_DIR, 'src', 'sandbox', 'liaison-sandbox')
LIAISONCTL = os.path.join(BUILD_DIR, 'src', 'cli', 'liaisonctl')


class Demo:
    """liaison-sandbox on free ports, and a profile “Demo” joining its two PSAs."""

    def __init__(self, tmpdir, kinds, clients=20, halo_clients=None, cw_clients=None):
        self.db = os.path.join(tmpdir, 'liaison.db')
        args = [SANDBOX, '--clients', str(clients)]
        if halo_clients is not None:
            args += ['--halo-clients', str(halo_clients)]
        if cw_clients is not None:
            args += ['--cw-clients', str(cw_clients)]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True)
        line = self.process.stdout.readline()
        if not line:
            raise Failure('liaison-sandbox did not print its ready line')
        self.ready = json.loads(line)
        h, c = self.ready['halopsa'], self.ready['connectwise']
        # secrets only through the environment, which liaison inherits
        os.environ['LSN_UI_HALO_SECRET'] = h['client_secret']
        os.environ['LSN_UI_CW_KEY'] = c['private_key']
        profile = {
            'name': 'Demo',
            'left': {'connector': 'halopsa', 'url': h['url'], 'auth_url': h['auth_url'],
                     'tenant': h['tenant'], 'client_id': h['client_id'],
                     'client_secret': {'env': 'LSN_UI_HALO_SECRET'}},
            'right': {'connector': 'connectwise', 'url': c['url'], 'company': c['company'],
                      'public_key': c['public_key'], 'client_id': c['client_id'],
                      'private_key': {'env': 'LSN_UI_CW_KEY'}},
            'kinds': kinds,
            'quiet_window_seconds': 0,
        }
        path = os.path.join(tmpdir, 'profile.json')
        with open(path, 'w') as f:
            json.dump(profile, f)
        self.ctl('profile', 'import', path)

    def ctl(self, *args, check=True):
        result = subprocess.run([LIAISONCTL, '--db', self.db, *args], capture_output=True,
                                text=True, timeout=60)
        log(f'liaisonctl {" ".join(args)}: {result.stdout.strip()} {result.stderr.strip()}')
        if check and result.returncode != 0:
            raise Failure(f'liaisonctl {" ".join(args)} failed with status {result.returncode}')
        return result

    def configure(self, server, config):
        url = self.ready[server]['url'] + '/_sandbox/config'
        request = urllib.request.Request(url, data=json.dumps(config).encode(), method='POST',
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=10) as reply:
            reply.read()

    def query(self, sql, *params):
        with sqlite3.connect(f'file:{self.db}?mode=ro', uri=True) as connection:
            return connection.execute(sql, params).fetchall()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def show_page(app, title):
    """Switches the view stack to the page called title (its switcher button)."""
    def find():
        for role in ('toggle button', 'radio button', 'push button', 'page tab'):
            for node in find_all(app.window(), role=role):
                if node.name == title or any(
                        node.getChildAtIndex(i) is not None and node.getChildAtIndex(i).name == title
                        for i in range(node.childCount)):
                    return node
        return None
    button = wait_for(f'the “{title}” page switcher', find)
    click(button)


def button_starting(root, prefix):
    for node in find_all(root, role='push button'):
        names = [node.name] + [node.getChildAtIndex(i).name for i in range(node.childCount)
                               if node.getChildAtIndex(i) is not None]
        for name in names:
            if name and name.startswith(prefix):
                return node, name
    return None


def close_dialog(app):
    dialog = app.dialog()
    if dialog is not None:
        action = dialog.queryAction()
        names = [action.getName(i) for i in range(action.nActions)]
        if 'window.close' not in names:
            raise Failure(f'the dialog has no window.close action: {names}')
        action.doAction(names.index('window.close'))
    wait_for('the dialog to close', lambda: app.dialog() is None)


def unsaved(app):
    return any('unsaved' in (n.name or '') for n in find_all(app.window(), role='label'))


def save(app):
    button = wait_for('an enabled “Save”',
                      lambda: (lambda b: b if b is not None and ui.is_sensitive(b) else None)(
                          find_button(app.window(), 'Save')))
    click(button)
    wait_for('the changes to be saved', lambda: not unsaved(app) and not ui.is_sensitive(
        find_button(app.window(), 'Save')))


def create_with_prefix(app, demo):
    # a HaloPSA client that is not mapped and whose exact name exists in ConnectWise
    rows = demo.query(
        "SELECT l.remote_id, l.name FROM remote_records l WHERE l.profile_id = 1 AND l.side = 'left' "
        "AND l.kind = 'client' AND l.deleted = 0 "
        "AND NOT EXISTS (SELECT 1 FROM links k WHERE k.kind = 'client' AND k.left_id = l.remote_id) "
        "AND EXISTS (SELECT 1 FROM remote_records r WHERE r.side = 'right' AND r.kind = 'client' "
        "AND r.deleted = 0 AND lower(trim(r.name)) = lower(trim(l.name))) ORDER BY l.name LIMIT 1")
    if not rows:
        raise Failure('the demo has no unmapped client whose name exists on the other side')
    left_id, name = rows[0]
    log(f'creating a ConnectWise client for “{name}” (#{left_id})')

    edit = wait_for(f'the edit button of “{name}”',
                    lambda: find_one(app.window(), role='push button', name=f'Edit Mapping of {name}'))
    click(edit)
    dialog = wait_for('the row dialog', app.dialog)
    prefix = wait_for('the prefix field', lambda: find_one(dialog, name='Name Prefix',
                                                         interface='EditableText'))
    create = wait_for('the “Create New in ConnectWise” button',
                      lambda: find_button(dialog, 'Create New in ConnectWise'))
    # no prefix: the name exists there, so it is refused, saying why
    wait_for('the refusal of an existing name',
             lambda: any('already exists' in (n.name or '') for n in find_all(dialog, role='label')))
    if ui.is_sensitive(create):
        raise Failure('“Create New” is enabled for a name that exists on the other side')
    prefix.queryEditableText().setTextContents('Branch_')
    wait_for('“Create New” to be enabled with a prefix', lambda: ui.is_sensitive(create))
    wait_for('the preview of the new name',
             lambda: any(f'Branch_{name}' in (n.name or '') for n in find_all(dialog, role='label')))
    click(create)
    wait_for('the row dialog to close', lambda: app.dialog() is None)
    wait_for('the row to show the new record, unsaved', lambda: unsaved(app))
    save(app)

    links = demo.query("SELECT r.name FROM links k JOIN remote_records r ON r.side = 'right' AND "
                       "r.kind = 'client' AND r.remote_id = k.right_id WHERE k.kind = 'client' "
                       "AND k.left_id = ?", left_id)
    if links != [(f'Branch_{name}',)]:
        raise Failure(f'after Save “{name}” is linked to {links!r}, expected Branch_{name}')
    events = demo.query("SELECT count(*) FROM audit_events WHERE action = 'create' AND left_id = ? "
                        "AND right_name = ? AND actor IS NOT NULL", left_id, f'Branch_{name}')
    if events != [(1,)]:
        raise Failure(f'no audit event for the created record: {events!r}')
    log(f'“Branch_{name}” was created in ConnectWise, mapped and recorded')


def suggest(app):
    button = wait_for('“Suggest Matches…”', lambda: find_button(app.window(), 'Suggest Matches…'))
    click(button)
    dialog = wait_for('the suggestions dialog', app.dialog)
    found = wait_for('“Accept All Confident”', lambda: button_starting(dialog, 'Accept All Confident'))
    return dialog, found


def confident_count(label):
    return int(label[label.index('(') + 1:label.index(')')])


def main():
    if not os.environ.get('DISPLAY') or not os.environ.get('DBUS_SESSION_BUS_ADDRESS'):
        log('no display or session bus: run under tests/run-headless')
        return ui.SKIP
    for program in (ui.LIAISON, SANDBOX, LIAISONCTL):
        if not os.access(program, os.X_OK):
            log(f'{program} is not built')
            return 1

    ui.ARTIFACTS = os.path.join(BUILD_DIR, 'tests', 'ui', 'artifacts-mapping')
    shutil.rmtree(ui.ARTIFACTS, ignore_errors=True)
    os.makedirs(ui.ARTIFACTS)
    tmpdir = tempfile.mkdtemp(prefix='liaison-ui-mapping-')
    demo = None
    app = None
    try:
        demo = Demo(tmpdir, {'client': {'direction': 'both', 'mode': 'realtime',
                                        'master': 'newest'}})
        demo.ctl('sync', 'Demo', '--yes')
        links_before = demo.query("SELECT count(*) FROM links")[0][0]

        app = ui.App(demo.db, 'mapping-first')
        show_page(app, 'Mappings')
        wait_for('the mapping table', lambda: find_one(app.window(), name='Client Mappings'))

        # (2) create new with a prefix, after a refused duplicate name
        create_with_prefix(app, demo)

        # (1) suggest, accept the confident ones, save
        dialog, (button, label) = suggest(app)
        n = confident_count(label)
        log(f'{label}')
        if n == 0:
            raise Failure('the demo gives no confident suggestion')
        click(button)
        wait_for('the confident ones to be accepted',
                 lambda: (lambda f: f and confident_count(f[1]) == 0)(
                     button_starting(dialog, 'Accept All Confident')))
        close_dialog(app)
        wait_for('the accepted pairs to show as unsaved', lambda: unsaved(app))
        if demo.query("SELECT count(*) FROM links WHERE origin = 'mapping'")[0][0] != 1:
            raise Failure('accepting wrote to the database before Save')
        save(app)
        mapped = demo.query("SELECT count(*) FROM links WHERE origin = 'mapping'")[0][0]
        if mapped != n + 1:
            raise Failure(f'{mapped} saved mappings, expected {n} accepted + 1 created')
        if demo.query("SELECT count(*) FROM audit_events WHERE action = 'map'")[0][0] != n:
            raise Failure('not one audit event per accepted mapping')
        app.close()
        app = None

        # restart: the mappings are there, and nothing new is proposed
        app = ui.App(demo.db, 'mapping-second')
        show_page(app, 'Mappings')
        wait_for('the mapping table', lambda: find_one(app.window(), name='Client Mappings'))
        dialog, (button, label) = suggest(app)
        if confident_count(label) != 0 or ui.is_sensitive(button):
            raise Failure(f'the second Suggest proposes new confident pairs: {label}')
        close_dialog(app)
        if demo.query("SELECT count(*) FROM links")[0][0] != links_before + n + 1:
            raise Failure('the links changed without a Save')
        app.close()
        app = None
        print('ok')
        return 0

    except Failure as e:
        log(f'FAIL: {e}')
        if app is not None:
            app.dump('at-failure')
            app.kill()
            app = None
        return 1

    finally:
        if app is not None:
            app.kill()
        if demo is not None:
            demo.stop()
        shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
