#!/usr/bin/python3
# test-activity.py: the Activity page and "Send again" through AT-SPI.
#
# Copyright 2026 The Liaison authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# (3) An export fails in the sandbox (fault injection: the next ConnectWise company create
# answers 500), the failed event is found with the outcome filter, and after the fault is off
# (it fires once) “Send Again” shows what will be sent, sends it, and the new event succeeds and
# is linked to the failure (retry_of). Also checks the CSV export of the filtered view through
# the same model. Helpers come from test-profiles.py and test-mapping.py.

import importlib.util
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name, path):
    """A test script as a module (its main() does not run)."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mapping = load('ui_mapping', 'test-mapping.py')
# one set of helpers: the test-profiles.py module test-mapping.py loaded
ui = mapping.ui

Failure, log, wait_for, find_all, find_one, find_button, click = (
    ui.Failure, ui.log, ui.wait_for, ui.find_all, ui.find_one, ui.find_button, ui.click)


def labels(root):
    return [n.name or '' for n in find_all(root, role='label')]


def main():
    if not os.environ.get('DISPLAY') or not os.environ.get('DBUS_SESSION_BUS_ADDRESS'):
        log('no display or session bus: run under tests/run-headless')
        return ui.SKIP
    for program in (ui.LIAISON, mapping.SANDBOX, mapping.LIAISONCTL):
        if not os.access(program, os.X_OK):
            log(f'{program} is not built')
            return 1

    ui.ARTIFACTS = os.path.join(ui.BUILD_DIR, 'tests', 'ui', 'artifacts-activity')
    shutil.rmtree(ui.ARTIFACTS, ignore_errors=True)
    os.makedirs(ui.ARTIFACTS)
    tmpdir = tempfile.mkdtemp(prefix='liaison-ui-activity-')
    demo = None
    app = None
    try:
        demo = mapping.Demo(tmpdir, {'client': {'direction': 'left-to-right', 'mode': 'realtime',
                                                'master': 'left'}},
                            clients=3, halo_clients=3, cw_clients=0)
        # the next company create fails with a 500; it fires once
        demo.configure('connectwise', {'fail_next': {'count': 1, 'kind': '500',
                                                     'route': 'POST /company/companies'}})
        demo.ctl('sync', 'Demo', '--yes', check=False)  # status 1: a record failed
        failed = demo.query("SELECT id, left_name FROM audit_events WHERE outcome = 'failed'")
        if len(failed) != 1:
            raise Failure(f'expected one failed export, the database holds {failed!r}')
        failed_id, failed_name = failed[0]
        log(f'event {failed_id} failed: the export of “{failed_name}”')

        app = ui.App(demo.db, 'activity')
        mapping.show_page(app, 'Activity')
        wait_for('the event list', lambda: find_one(app.window(), name='Events'))
        wait_for('the events counted', lambda: any(l.endswith(' events') for l in labels(app.window())))

        # find it with the outcome filter
        click(wait_for('the “Failed” filter', lambda: find_button(app.window(), 'Failed')))
        wait_for('one failed event', lambda: '1 event' in labels(app.window()))
        wait_for('the failed event in the list',
                 lambda: any(failed_name in l for l in labels(find_one(app.window(), name='Events'))))

        click(wait_for('“Details…”', lambda: find_button(app.window(), 'Details…')))
        dialog = wait_for('the event details', app.dialog)
        wait_for('the server’s message', lambda: any('500' in l or 'rror' in l for l in labels(dialog)))
        click(wait_for('“Send Again…”', lambda: find_button(dialog, 'Send Again…')))
        wait_for('what will be sent', lambda: any('This will be sent' in l for l in labels(dialog)))
        plan = [l for l in labels(dialog) if failed_name in l and 'create' in l.lower()]
        if not plan:
            raise Failure(f'the plan does not show the create of “{failed_name}”: {labels(dialog)}')
        send = wait_for('“Send”', lambda: find_button(dialog, 'Send'))
        click(send)
        wait_for('the result', lambda: any(l.startswith('Sent (run') for l in labels(dialog)))
        wait_for('the retry linked to the failure',
                 lambda: any(l.startswith('Sent again: ') and ' ok' in l for l in labels(dialog)))

        retries = demo.query("SELECT e.outcome, e.action, r.trigger FROM audit_events e JOIN runs r ON "
                             "r.id = e.run_id WHERE retry_of = ?", failed_id)
        if retries != [('ok', 'create', 'retry')]:
            raise Failure(f'the retries of event {failed_id} are {retries!r}')
        created = demo.query("SELECT count(*) FROM links WHERE kind = 'client'")[0][0]
        if created != 3:
            raise Failure(f'{created} clients are linked after the retry, expected 3')
        mapping.close_dialog(app)

        # the failed one is still in the log, and the page refreshed with the new run
        wait_for('the refreshed list', lambda: find_one(app.window(), name='Events'))
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
