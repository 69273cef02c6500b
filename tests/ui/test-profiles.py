#!/usr/bin/python3
# test-profiles.py: add a profile through the window, restart, find it again.
#
# Copyright 2026 The Liaison authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Drives build/src/gui/liaison through AT-SPI, the way a screen reader would, so it also checks
# that the controls it needs have accessible names. Needs a display and a D-Bus session bus:
#
#   xvfb-run -a dbus-run-session -- meson test -C build --suite ui
#
# GTK 4.8 notes: buttons are clicked through the Action interface (doAction), not with pointer
# coordinates; a label's text is its accessible name; text goes in through EditableText.
#
# Artefacts (window pictures, accessibility tree dumps) go to build/tests/ui/artifacts/.

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

SKIP = 77  # meson's "skipped"

BUILD_DIR = os.environ.get('LIAISON_BUILD_DIR',
                           os.path.join(os.path.dirname(__file__), '..', '..', 'build'))
LIAISON = os.path.join(BUILD_DIR, 'src', 'gui', 'liaison')
ARTIFACTS = os.path.join(BUILD_DIR, 'tests', 'ui', 'artifacts')

PROFILE_NAME = 'Acme: HaloPSA and ConnectWise'
WAIT_SECONDS = 20  # any single wait; the whole test takes a few seconds


class Failure(Exception):
    pass


def log(*args):
    print('#', *args, flush=True)


try:
    import pyatspi
    from gi.repository import GLib
except ImportError as e:
    log(f'pyatspi is not available to {sys.executable} ({e}): install python3-pyatspi')
    sys.exit(SKIP)


def pump(seconds):
    """Let libatspi handle its D-Bus traffic for a while (it only does so in the main loop)."""
    context = GLib.MainContext.default()
    end = time.monotonic() + seconds
    while True:
        while context.pending():
            context.iteration(False)
        if time.monotonic() >= end:
            return
        time.sleep(0.02)


def wait_for(what, predicate, timeout=WAIT_SECONDS):
    """Poll predicate() until it returns something true, or fail after timeout seconds."""
    end = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < end:
        try:
            result = predicate()
            if result:
                return result
        except Failure:
            raise
        except Exception as e:  # objects vanish while the tree changes: try again
            last_error = e
        pump(0.1)
    detail = f' (last error: {last_error})' if last_error else ''
    raise Failure(f'timed out after {timeout} s waiting for {what}{detail}')


def states(node):
    return node.getState()


def is_showing(node):
    # GTK 4.8 sets "showing" on windows only; the window hides the pages of its stacks that are
    # not on screen (accessible state "hidden"), so they are not in the tree at all.
    return states(node).contains(pyatspi.STATE_VISIBLE)


def is_sensitive(node):
    return states(node).contains(pyatspi.STATE_SENSITIVE)


def walk(node, depth=0, max_depth=60):
    """Every descendant of node (depth first), tolerant of nodes that vanish underway."""
    if node is None or depth > max_depth:
        return
    yield node
    try:
        count = node.childCount
    except Exception:
        return
    for i in range(count):
        try:
            child = node.getChildAtIndex(i)
        except Exception:
            continue
        yield from walk(child, depth + 1, max_depth)


def find_all(root, role=None, name=None, showing=True, interface=None):
    found = []
    for node in walk(root):
        try:
            if role is not None and node.getRoleName() != role:
                continue
            if name is not None and node.name != name:
                continue
            if showing and not is_showing(node):
                continue
            if interface is not None and interface not in pyatspi.listInterfaces(node):
                continue
        except Exception:
            continue
        found.append(node)
    return found


def find_one(root, **kwargs):
    nodes = find_all(root, **kwargs)
    return nodes[0] if nodes else None


def find_button(root, text):
    """A push button called text, or (GTK 4.8 names labelled buttons "_Add Add") whose label
    child is called text."""
    for node in find_all(root, role='push button'):
        if node.name == text:
            return node
        for i in range(node.childCount):
            child = node.getChildAtIndex(i)
            if child is not None and child.getRoleName() == 'label' and child.name == text:
                return node
    return None


def click(node):
    action = node.queryAction()
    for i in range(action.nActions):
        if action.getName(i) == 'click':
            action.doAction(i)
            return
    raise Failure(f'{node.getRoleName()} “{node.name}” has no click action')


def dump_tree(root, path):
    with open(path, 'w') as f:
        for node in walk(root):
            try:
                depth = 0
                parent = node.parent
                while parent is not None and depth < 80:
                    depth += 1
                    parent = parent.parent
                flags = []
                if is_showing(node):
                    flags.append('showing')
                if not is_sensitive(node):
                    flags.append('insensitive')
                f.write(f'{"  " * depth}{node.getRoleName()} “{node.name}” {" ".join(flags)}\n')
            except Exception as e:
                f.write(f'(vanished: {e})\n')


class App:
    """One run of liaison on a given database."""

    def __init__(self, db, label):
        self.db = db
        self.label = label
        env = dict(os.environ)
        # tests/meson.build turns accessibility off for every other test: turn it back on.
        env.pop('GTK_A11Y', None)
        env.pop('NO_AT_BRIDGE', None)
        self.stderr = open(os.path.join(ARTIFACTS, f'{label}.log'), 'w')
        # LIAISON_UI_WRAPPER="gdb -batch -ex run -ex bt --args" runs liaison under a debugger.
        self.wrapped = bool(os.environ.get('LIAISON_UI_WRAPPER'))
        wrapper = os.environ.get('LIAISON_UI_WRAPPER', '').split()
        self.process = subprocess.Popen(wrapper + [LIAISON, '--db', db], env=env,
                                        stdout=self.stderr, stderr=subprocess.STDOUT)
        self.root = wait_for(f'liaison (pid {self.process.pid}) on the accessibility bus',
                             self._find_application)
        log(f'{label}: liaison pid {self.process.pid} is on the accessibility bus')

    def _find_application(self):
        """The application's accessible, once its window is on the bus."""
        if self.process.poll() is not None:
            self.stderr.flush()
            with open(self.stderr.name) as f:
                output = f.read().strip()
            raise Failure(f'liaison exited with status {self.process.returncode} at start: '
                          f'{output or "no output"}')
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is None or app.childCount == 0:
                continue
            if app.get_process_id() == self.process.pid or (self.wrapped and app.name == 'liaison'):
                return app
        return None

    def check_alive(self):
        status = self.process.poll()
        if status is not None:
            raise Failure(f'{self.label}: liaison exited unexpectedly with status {status} '
                          f'(see {self.stderr.name})')

    def toplevels(self):
        """The application's windows, without looking inside them."""
        self.check_alive()
        return [self.root.getChildAtIndex(i) for i in range(self.root.childCount)]

    def window(self):
        for toplevel in self.toplevels():
            if toplevel is not None and toplevel.getRoleName() == 'frame':
                return toplevel
        return None

    def dialog(self):
        for toplevel in self.toplevels():
            if toplevel is not None and toplevel.getRoleName() == 'dialog':
                return toplevel
        return None

    def sidebar_names(self):
        """The names in the profile list, or None while it is not shown."""
        self.check_alive()
        lists = find_all(self.window(), role='list', name='Profiles')
        if not lists:
            return None
        return [item.name for item in find_all(lists[0], role='list item')]

    def dump(self, suffix):
        path = os.path.join(ARTIFACTS, f'{self.label}-{suffix}.txt')
        try:
            dump_tree(self.root, path)
            log(f'accessibility tree saved to {path}')
        except Exception as e:
            log(f'could not dump the accessibility tree: {e}')

    def close(self):
        """Close the window the way a person would; the application then exits by itself."""
        if self.process.poll() is None:
            frame = self.window()
            if frame is not None:
                action = frame.queryAction()
                names = [action.getName(i) for i in range(action.nActions)]
                if 'window.close' in names:
                    try:
                        action.doAction(names.index('window.close'))
                    except GLib.GError as e:
                        # The window closed and the application quit before it answered.
                        log(f'{self.label}: closing: {e.message}')
            try:
                self.process.wait(timeout=WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise Failure(f'{self.label}: liaison did not exit within {WAIT_SECONDS} s '
                              'after its window was closed')
        self.stderr.close()
        if self.process.returncode != 0:
            raise Failure(f'{self.label}: liaison exited with status {self.process.returncode} '
                          f'(see {self.stderr.name})')

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.stderr.close()


def take_screenshot(db, name):
    """A picture of the window on db, through liaison --screenshot (no accessibility needed)."""
    path = os.path.join(ARTIFACTS, name)
    env = dict(os.environ, GTK_A11Y='none', NO_AT_BRIDGE='1')
    try:
        result = subprocess.run([LIAISON, '--db', db, '--screenshot', path], env=env,
                                capture_output=True, text=True, timeout=WAIT_SECONDS)
        if result.returncode == 0 and os.path.exists(path):
            log(f'screenshot saved to {path}')
        else:
            log(f'no screenshot: status {result.returncode}: {result.stderr.strip()}')
    except subprocess.TimeoutExpired:
        log('no screenshot: liaison --screenshot timed out')


def add_profile_through_the_window(app, name):
    # The empty state's button: the database is new.
    button = wait_for('the “Add Profile” button of the empty state',
                      lambda: find_button(app.window(), 'Add Profile'))
    if app.sidebar_names():
        raise Failure('a new database already shows profiles: %r' % app.sidebar_names())
    click(button)

    dialog = wait_for('the “New Profile” dialog', app.dialog)
    entry = wait_for('an editable text field in the dialog',
                     lambda: find_one(dialog, interface='EditableText'))
    log(f'dialog “{dialog.name}”, entry {entry.getRoleName()} “{entry.name}”')

    add = wait_for('the “Add” button of the dialog',
                   lambda: find_button(dialog, 'Add'))
    if is_sensitive(add):
        raise Failure('“Add” is enabled before a name was typed')

    if not entry.queryEditableText().setTextContents(name):
        raise Failure('setting the name through EditableText failed')
    wait_for('“Add” to become enabled once a name is typed', lambda: is_sensitive(add))
    click(add)

    # GTK 4.8 crashes when an assistive technology looks inside a window that is closing, so
    # wait for the dialog to be gone from the list of windows before looking into any window.
    wait_for('the dialog to close', lambda: app.dialog() is None)

    # The window switches from the empty state to the list, with the new profile selected.
    wait_for(f'“{name}” in the sidebar',
             lambda: name in (app.sidebar_names() or []))


def main():
    if not os.environ.get('DISPLAY') and not os.environ.get('WAYLAND_DISPLAY'):
        log('no display: run under xvfb-run -a dbus-run-session -- meson test ...')
        return SKIP
    if not os.environ.get('DBUS_SESSION_BUS_ADDRESS'):
        log('no D-Bus session bus: run under dbus-run-session')
        return SKIP
    if not os.access(LIAISON, os.X_OK):
        log(f'{LIAISON} is not built')
        return 1

    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    os.makedirs(ARTIFACTS)
    tmpdir = tempfile.mkdtemp(prefix='liaison-ui-')
    db = os.path.join(tmpdir, 'liaison.db')
    app = None

    try:
        log(f'database {db}')

        app = App(db, 'first-run')
        add_profile_through_the_window(app, PROFILE_NAME)
        log(f'added “{PROFILE_NAME}” through the window')
        app.dump('after-add')
        app.close()
        app = None

        # What the store wrote, read without liaison.
        with sqlite3.connect(f'file:{db}?mode=ro', uri=True) as connection:
            rows = [r[0] for r in connection.execute('SELECT name FROM profiles')]
        if rows != [PROFILE_NAME]:
            raise Failure(f'the database holds {rows!r}, expected [{PROFILE_NAME!r}]')

        app = App(db, 'second-run')
        names = wait_for('the profile list after the restart', app.sidebar_names)
        if names != [PROFILE_NAME]:
            raise Failure(f'after the restart the sidebar shows {names!r}, '
                          f'expected [{PROFILE_NAME!r}]')
        log(f'after the restart the sidebar shows {names!r}')
        if find_all(app.window(), role='label', name='No Profiles'):
            raise Failure('the empty state is still shown next to the list of profiles')
        app.close()
        app = None

        take_screenshot(db, 'after-restart.png')
        print('ok')
        return 0

    except Failure as e:
        log(f'FAIL: {e}')
        if app is not None:
            app.dump('at-failure')
            app.kill()
        take_screenshot(db, 'at-failure.png')
        return 1

    finally:
        if app is not None:
            app.kill()
        shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
