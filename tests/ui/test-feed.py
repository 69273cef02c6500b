#!/usr/bin/python3
# test-feed.py: a "Distributor feed → HaloPSA" profile through the window, over AT-SPI.
#
# Copyright 2026 The Liaison authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# What a technician does to reconcile a distributor's invoice with HaloPSA's software licences,
# against liaison-sandbox (its HaloPSA, and the invoice it serves over its own data):
#   1. Add Profile → kind “Distributor feed → HaloPSA” → name it.
#   2. Connections: the invoice address, the distributor, the columns, HaloPSA's settings; Test
#      Connection passes on both sides; the settings are saved (the secret to the keyring).
#   3. Sync → Preview: the licence plan per customer, counts equal to what
#      `liaisonctl --json sync NAME --dry-run` plans; the customer HaloPSA does not know is
#      shown as skipped.
#   4. Apply: the run is recorded with its counts and one audit event per write; HaloPSA holds
#      the invoice's quantities; a second Preview plans no write.
#   5. Restart: the profile and its settings are still there; the secret is not in the database.
#
# Needs a display and a D-Bus session bus with a keyring (tests/run-headless). The helpers come
# from test-profiles.py (through test-window-scenarios.py, whose App draws pictures of the
# windows). Pictures and logs go to build/tests/ui/artifacts/feed/.

import csv
import importlib.util
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('scenarios',
                                              os.path.join(HERE, 'test-window-scenarios.py'))
scenarios = importlib.util.module_from_spec(spec)
spec.loader.exec_module(scenarios)
ui = scenarios.common

Failure, wait_for, find_all, find_one, find_button, click, pump = (
    ui.Failure, ui.wait_for, ui.find_all, ui.find_one, ui.find_button, ui.click, ui.pump)
STARTED = time.monotonic()


def log(*args):
    ui.log(f'[{time.monotonic() - STARTED:5.1f} s]', *args)

BUILD_DIR = ui.BUILD_DIR
SANDBOX = os.path.join(BUILD_DIR, 'src', 'sandbox', 'liaison-sandbox')
LIAISONCTL = os.path.join(BUILD_DIR, 'src', 'cli', 'liaisonctl')
ARTIFACTS = os.path.join(BUILD_DIR, 'tests', 'ui', 'artifacts', 'feed')

PROFILE = 'Converge licences'
DISTRIBUTOR = 'Converge'
KIND_LABEL = 'Distributor feed → HaloPSA'
PREVIEW_TITLE = 'Licence Preview'
CLOSE_GRACE = 1.0   # seconds without a question to liaison while a window is being destroyed
RUN_SECONDS = 60     # a preview or an apply of the sandbox's ~40 invoice rows takes a second
TEST_SECONDS = 40    # Test Connection, on a busy machine
# The feed connector's default column names, which the sandbox's invoice uses.
COLUMNS = {'Customer column': 'Customer', 'Customer ID column (optional)': 'CustomerId',
           'Product code column': 'ProductCode', 'Product name column': 'ProductName',
           'Quantity column': 'Quantity', 'Unit price column': 'UnitPrice',
           'Billing cycle column': 'BillingCycle'}
COUNTS = re.compile(r'^(\d+) to create, (\d+) to update, (\d+) to delete, (\d+) skipped$')


class App(scenarios.App):
    """liaison on LIAISON_DB, drawing its pictures to ARTIFACTS."""

    def main_window(self):
        """The main window (the licence preview is a window of its own)."""
        for toplevel in self.toplevels():
            if toplevel is not None and toplevel.getRoleName() == 'frame' \
                    and toplevel.name != PREVIEW_TITLE:
                return toplevel
        return None

    def window(self):
        return self.main_window()

    def preview(self):
        for toplevel in self.toplevels():
            if toplevel is not None and toplevel.name == PREVIEW_TITLE and toplevel.childCount:
                return toplevel
        return None


# The sandbox, over HTTP

class Sandbox:
    def __init__(self):
        self.process = subprocess.Popen([SANDBOX, '--clients', '20', '--halo-port', '0',
                                         '--cw-port', '0'],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True)
        line = self.process.stdout.readline()
        if not line:
            raise Failure('liaison-sandbox did not print its ready line')
        self.halo = json.loads(line)['halopsa']
        self.invoice_url = self.halo['url'] + '/_sandbox/invoice.csv'
        self._token = None

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def invoice(self):
        with urllib.request.urlopen(self.invoice_url, timeout=10) as reply:
            return list(csv.DictReader(io.StringIO(reply.read().decode('utf-8'))))

    def token(self):
        if self._token is None:
            form = urllib.parse.urlencode({'grant_type': 'client_credentials',
                                           'client_id': self.halo['client_id'],
                                           'client_secret': self.halo['client_secret'],
                                           'scope': 'all'}).encode()
            with urllib.request.urlopen(self.halo['auth_url'] + '/token', data=form,
                                        timeout=10) as reply:
                self._token = json.loads(reply.read())['access_token']
        return self._token

    def get(self, path, key):
        request = urllib.request.Request(self.halo['url'] + '/api/' + path,
                                         headers={'Authorization': 'Bearer ' + self.token()})
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.loads(reply.read())[key]


# The database, read without liaison

def query(db, sql, *params):
    with sqlite3.connect(f'file:{db}?mode=ro', uri=True) as connection:
        return connection.execute(sql, params).fetchall()


def saved_settings(db):
    rows = query(db, 'SELECT settings FROM profiles WHERE name = ?', PROFILE)
    return json.loads(rows[0][0]) if rows else None


def ctl(db, *args):
    result = subprocess.run([LIAISONCTL, '--db', db, *args], capture_output=True, text=True,
                            timeout=60)
    if result.returncode != 0:
        raise Failure(f'liaisonctl {" ".join(args)} failed with status {result.returncode}: '
                      f'{result.stderr.strip()}')
    return result.stdout


# What the window shows

def field_name(node):
    """A settings row's name without what the row adds in brackets (“(saved in the keyring…)”),
    except where the brackets are part of the title (“(optional)”)."""
    name = node.name or ''
    return name.split(' (saved', 1)[0]


def fields(app):
    """The text fields of the page shown, by name (one walk of the window)."""
    return {field_name(node): node for node in find_all(app.window(), interface='EditableText')}


def text_of(node):
    text = node.queryText()
    return text.getText(0, text.characterCount)


def type_into(shown, name, value):
    field = shown.get(name)
    if field is None:
        raise Failure(f'no “{name}” field among {sorted(shown)}')
    if not field.queryEditableText().setTextContents(value):
        raise Failure(f'typing into “{name}” failed')
    wait_for(f'“{name}” to hold what was typed', lambda: text_of(field) == value)


def check_rows(app, list_name):
    """(title, state, labels) of one group's test results, once they are in."""
    lists = find_all(app.window(), role='list', name=list_name)
    if not lists:
        return None
    rows = []
    for item in find_all(lists[0], role='list item'):
        rows.append((item.name, item.description,
                     [n.name for n in find_all(item, role='label')]))
    if not rows or any(r[0] == 'Testing…' for r in rows):
        return None
    return rows


def test_connection(app, index, list_name, expected_checks):
    def buttons():
        found = [b for b in find_all(app.window(), role='push button')
                 if b.name == 'Test Connection' or any(
                     b.getChildAtIndex(i) is not None
                     and b.getChildAtIndex(i).name == 'Test Connection'
                     for i in range(b.childCount))]
        return found if len(found) == 2 else None
    click(wait_for('the two “Test Connection” buttons', buttons)[index])
    rows = wait_for(f'the {list_name.lower()}', lambda: check_rows(app, list_name),
                    timeout=TEST_SECONDS)
    log(f'{list_name}: {rows}')
    failed = [r for r in rows if r[1] != 'Passed']
    if failed:
        raise Failure(f'{list_name}: checks failed: {failed}')
    titles = [r[0] for r in rows]
    missing = [c for c in expected_checks if c not in titles]
    if missing:
        raise Failure(f'{list_name}: no {missing} among {titles}')
    return rows


def parse_counts(text):
    match = COUNTS.match(text or '')
    if not match:
        return None
    return tuple(int(n) for n in match.groups())


def shown_plan(preview):
    """(heading of the summary, total counts, {customer: counts}) once the plan is shown."""
    summary = None
    customers = {}
    for item in find_all(preview, role='list item'):
        counts = parse_counts(item.description)
        labels = [n.name for n in find_all(item, role='label')]
        if counts is not None and item.name:
            customers[item.name] = counts
        elif item.name in ('Nothing has been written yet', 'Written to HaloPSA'):
            totals = [parse_counts(t) for t in labels if parse_counts(t)]
            if totals:
                summary = (item.name, totals[0])
    if summary is None:
        return None
    return summary[0], summary[1], customers


def customer_of(action):
    """The customer a planned action is about, as the preview groups them."""
    name = action.get('source_name') or action.get('target_name')
    if name is None:
        return '(no customer)'
    if '|' in (action.get('source_id') or '') and ': ' in name:
        return name[:name.rindex(': ')]
    return name


def plan_of_cli(db):
    """What liaisonctl plans for the profile: (totals, {customer: counts}, plan)."""
    plan = json.loads(ctl(db, '--json', 'sync', PROFILE, '--dry-run'))
    totals = [0, 0, 0, 0]
    per_customer = {}
    slot = {'create': 0, 'update': 1, 'delete': 2, 'skip': 3, 'hold': 3}
    for kind in plan['kinds']:
        counts = kind['counts']
        for action, i in slot.items():
            totals[i] += counts.get(action, 0)
        for action in kind['actions']:
            if action['action'] in slot:
                c = per_customer.setdefault(customer_of(action), [0, 0, 0, 0])
                c[slot[action['action']]] += 1
    return tuple(totals), {k: tuple(v) for k, v in per_customer.items()}, plan


def wait_closed(app, what, find):
    """GTK 4.8 crashes (a NULL object path in its AT-SPI answer) when asked for the application's
    windows while one is being destroyed: let it finish without asking anything, then check."""
    pump(CLOSE_GRACE)
    wait_for(f'{what} to close', lambda: find() is None)


def open_preview(app):
    app.page('Sync')
    click(wait_for('“Preview” on the Sync page', lambda: find_button(app.window(), 'Preview')))
    preview = wait_for('the licence preview', app.preview)
    plan = wait_for('the plan in the preview', lambda: shown_plan(preview), timeout=RUN_SECONDS)
    return preview, plan


def close_preview(app, preview):
    action = preview.queryAction()
    names = [action.getName(i) for i in range(action.nActions)]
    if 'window.close' not in names:
        raise Failure(f'the preview has no window.close action: {names}')
    action.doAction(names.index('window.close'))
    wait_closed(app, 'the preview', app.preview)


# The scenario

def add_feed_profile(app):
    click(wait_for('“Add Profile”', lambda: find_button(app.window(), 'Add Profile')))
    dialog = wait_for('the “New Profile” dialog', app.dialog)
    kind = wait_for('the “Profile kind” row',
                    lambda: find_one(dialog, role='combo box', name='Profile kind'))
    if not find_one(dialog, role='combo box', name='Left system'):
        raise Failure('the two-PSA kind shows no “Left system” row')
    action = kind.queryAction()
    names = [action.getName(i) for i in range(action.nActions)]
    if 'kind.feed' not in names:
        raise Failure(f'the “Profile kind” row offers no way to choose the feed: {names}')
    action.doAction(names.index('kind.feed'))
    wait_for(f'the row to show “{KIND_LABEL}”',
             lambda: find_one(kind, role='label', name=KIND_LABEL))
    wait_for('the system rows to go (a feed profile joins the feed and HaloPSA)',
             lambda: find_one(dialog, role='combo box', name='Left system') is None)

    add = wait_for('“Add”', lambda: find_button(dialog, 'Add'))
    if ui.is_sensitive(add):
        raise Failure('“Add” is enabled before a name was typed')
    name = wait_for('the name field', lambda: find_one(dialog, interface='EditableText',
                                                       name='Name'))
    name.queryEditableText().setTextContents(PROFILE)
    wait_for('“Add” to be enabled', lambda: ui.is_sensitive(add))
    click(add)
    wait_closed(app, 'the dialog', app.dialog)
    wait_for(f'“{PROFILE}” in the sidebar', lambda: PROFILE in (app.sidebar_names() or []))

    settings = wait_for('the profile in the database', lambda: saved_settings(app.db))
    if settings['left'].get('connector') != 'feed' or settings['right'].get('connector') != 'halopsa':
        raise Failure(f'the new profile joins {settings["left"].get("connector")} and '
                      f'{settings["right"].get("connector")}, not the feed and HaloPSA')
    if settings.get('kinds', {}).get('licence', {}).get('direction') != 'left-to-right':
        raise Failure(f'the new profile does not sync licences to HaloPSA: {settings.get("kinds")}')


def fill_connections(app, sandbox):
    app.page('Connections')
    shown = wait_for('the feed settings',
                     lambda: (lambda f: f if 'Invoice source' in f and 'Client ID' in f else None)(
                         fields(app)))
    columns = {name: text_of(shown[name]) for name in COLUMNS if name in shown}
    if columns != COLUMNS:
        raise Failure(f'the column rows show {columns}, expected the defaults {COLUMNS}')
    # The invoice's own columns are the defaults: type them anyway, the way a person confirms a
    # mapping, so that they are saved with the profile.
    for name, value in COLUMNS.items():
        type_into(shown, name, value)
    type_into(shown, 'Invoice source', sandbox.invoice_url)
    type_into(shown, 'Distributor', DISTRIBUTOR)
    halo = sandbox.halo
    type_into(shown, 'Resource server', halo['url'])
    type_into(shown, 'Authorisation server', halo['auth_url'])
    type_into(shown, 'Tenant', halo['tenant'])
    type_into(shown, 'Client ID', halo['client_id'])
    type_into(shown, 'Client secret', halo['client_secret'])

    def saved():
        s = saved_settings(app.db)
        left, right = s.get('left', {}), s.get('right', {})
        if left.get('source') == sandbox.invoice_url and left.get('distributor') == DISTRIBUTOR \
                and right.get('url') == halo['url'] and right.get('client_id') == halo['client_id'] \
                and right.get('client_secret') == {'keyring': True}:
            return s
        return None
    settings = wait_for('the connections to be saved', saved)
    columns = settings['left'].get('columns', {})
    expected = {'customer': 'Customer', 'customer_id': 'CustomerId', 'product_code': 'ProductCode',
                'product_name': 'ProductName', 'quantity': 'Quantity', 'unit_price': 'UnitPrice',
                'billing_cycle': 'BillingCycle'}
    if columns != expected:
        raise Failure(f'the saved columns are {columns}, expected {expected}')
    app.screenshot('connections')

    feed_rows = test_connection(app, 0, 'Test results of Billing feed',
                                ['Read the invoice', 'Invoice rows'])
    halo_rows = test_connection(app, 1, 'Test results of HaloPSA', ['Reachable', 'Authenticated'])
    app.screenshot('connections-tested')
    return feed_rows, halo_rows


def check_preview_against_cli(app, preview, plan, sandbox):
    heading, totals, customers = plan
    cli_totals, cli_customers, _ = plan_of_cli(app.db)
    log(f'preview: {heading}: {totals}; liaisonctl: {cli_totals}')
    if heading != 'Nothing has been written yet':
        raise Failure(f'the preview says “{heading}” before Apply')
    if totals != cli_totals:
        raise Failure(f'the preview counts {totals} (create, update, delete, skip), '
                      f'liaisonctl plans {cli_totals}')
    if totals[0] + totals[1] + totals[2] == 0:
        raise Failure('the first preview plans no write at all: the sandbox invoice has changes')
    for name, counts in cli_customers.items():
        if customers.get(name) != counts:
            raise Failure(f'the preview shows {customers.get(name)} for “{name}”, '
                          f'liaisonctl plans {counts}')
    for name, counts in customers.items():
        if name not in cli_customers and counts != (0, 0, 0, 0):
            raise Failure(f'the preview shows {counts} for “{name}”, liaisonctl plans nothing')

    invoiced = {row['Customer'] for row in sandbox.invoice()}
    if not invoiced <= set(customers):
        raise Failure(f'customers of the invoice missing from the preview: '
                      f'{sorted(invoiced - set(customers))}')

    # The customer of the invoice that HaloPSA does not know, found from both systems' data.
    clients = {c['name'] for c in sandbox.get('Client', 'clients')}
    unknown = sorted(invoiced - clients)
    if not unknown:
        raise Failure('every customer of the sandbox invoice is a HaloPSA client: nothing to skip')
    for name in unknown:
        counts = customers.get(name)
        if counts is None or counts[3] < 1 or counts[:3] != (0, 0, 0):
            raise Failure(f'“{name}”, whom HaloPSA does not know, is shown with {counts}, '
                          'not as skipped')
        if not find_one(preview, role='list item', name=f'Skip: {name}'):
            raise Failure(f'the preview lists no “Skip: {name}”')
    log(f'skipped as unknown to HaloPSA: {unknown}')
    return unknown


def apply_plan(app, preview, expected, unknown):
    runs_before = query(app.db, 'SELECT count(*) FROM runs')[0][0]
    apply = wait_for('an enabled “Apply”', lambda: (lambda b: b if b and ui.is_sensitive(b) else None)(
        find_button(preview, 'Apply the plan') or find_button(preview, 'Apply')))
    click(apply)
    heading, totals, _ = wait_for('what was written',
                                  lambda: (lambda p: p if p and p[0] == 'Written to HaloPSA' else None)(
                                      shown_plan(preview)), timeout=RUN_SECONDS)
    log(f'{heading}: {totals}')
    app.screenshot('applied')
    if totals[:3] != expected[:3]:
        raise Failure(f'Apply wrote {totals[:3]} (create, update, delete), the preview planned '
                      f'{expected[:3]}')
    if find_button(preview, 'Apply the plan') is not None or find_button(preview, 'Apply'):
        raise Failure('“Apply” is still offered after the plan was written')

    runs = query(app.db, 'SELECT id, trigger, dry_run, finished_at, outcome, created, updated, '
                         'deleted, skipped, failed FROM runs ORDER BY id')
    if len(runs) != runs_before + 1:
        raise Failure(f'Apply recorded {len(runs) - runs_before} runs, expected one: {runs}')
    run_id, trigger, dry_run, finished_at, outcome, created, updated, deleted, skipped, failed = runs[-1]
    if dry_run or finished_at is None or outcome != 'ok' or failed:
        raise Failure(f'the run is not a finished, successful run: {runs[-1]}')
    if (created, updated, deleted, skipped) != expected:
        raise Failure(f'the run counts {(created, updated, deleted, skipped)}, the plan {expected}')
    events = dict(query(app.db, "SELECT kind || ' ' || action || '/' || outcome, count(*) "
                                "FROM audit_events WHERE run_id = ? GROUP BY 1", run_id))
    log(f'run {run_id} ({trigger}): audit events {events}')
    for action, n in (('create', created), ('update', updated), ('delete', deleted)):
        ok = events.get(f'licence {action}/ok', 0)
        if ok != n:
            raise Failure(f'{ok} “{action}” audit events in run {run_id}, the run counts {n}: {events}')
    skips = sum(v for k, v in events.items() if ' skip/' in k or ' hold/' in k)
    if skips != skipped:
        raise Failure(f'{skips} skip events in run {run_id}, the run counts {skipped}: {events}')
    for name in unknown:
        rows = query(app.db, "SELECT message FROM audit_events WHERE run_id = ? AND kind = 'client' "
                             "AND action = 'skip' AND left_name = ?", run_id, name)
        if len(rows) != 1 or name not in (rows[0][0] or ''):
            raise Failure(f'no audit event says why “{name}” was skipped: {rows}')
    return run_id


def check_halopsa(sandbox):
    """HaloPSA holds the invoice: each line of a known customer is a licence of that quantity.
    Two HaloPSA clients may share a name (the sandbox has such a pair): a line of that name is
    held when one of them holds it."""
    clients = {}
    for c in sandbox.get('Client', 'clients'):
        clients.setdefault(c['name'], []).append(c['id'])
    licences = [l for l in sandbox.get('SoftwareLicence', 'licences')
                if l.get('distributor') == DISTRIBUTOR and not l.get('deleted')]
    held = {}
    for licence in licences:
        held.setdefault((licence['client_id'], licence['product_sku']), []).append(licence['count'])
    checked = 0
    for row in sandbox.invoice():
        ids = clients.get(row['Customer'], [])
        if not ids:
            continue
        quantity = int(row['Quantity'])
        counts = [held.get((i, row['ProductCode']), []) for i in ids]
        if len(ids) == 1 and quantity == 0 and counts[0]:
            raise Failure(f'{row["Customer"]} still has {row["ProductCode"]} ({counts[0]}) '
                          'although the invoice bills none')
        if quantity > 0 and [quantity] not in counts:
            raise Failure(f'{row["Customer"]} has {row["ProductCode"]} × {counts} in HaloPSA, '
                          f'the invoice bills {quantity}')
        checked += 1
    log(f'HaloPSA holds the invoice\'s {checked} lines of known customers')


def map_unknown_customer(app, sandbox, name):
    """Mappings → Customers: maps the invoice customer HaloPSA does not know to a HaloPSA client
    that bills nothing yet, saves, and returns that client (id, name)."""
    invoiced = {row['Customer'] for row in sandbox.invoice()}
    spare = sorted((c['name'], c['id']) for c in sandbox.get('Client', 'clients')
                   if c['name'] not in invoiced and not c.get('inactive'))
    if not spare:
        raise Failure('the sandbox has no HaloPSA client outside the invoice to map to')
    client_name, client_id = spare[0]
    app.page('Mappings')
    # Shown again, the page reads the mappings again (the preview read the invoice) and replaces
    # its rows. GTK 4.8 crashes when AT-SPI asks about rows being replaced: let it finish first.
    pump(CLOSE_GRACE)
    # the list shows the rows on screen only: search for the customer, as a person would
    mine = wait_for('the search of the invoice\'s customers',
                    lambda: next((n for n in find_all(app.window(), interface='EditableText')
                                  if (n.name or '').startswith('Search Invoice')), None),
                    timeout=RUN_SECONDS)
    mine.queryEditableText().setTextContents(name)
    edit = wait_for(f'the edit button of “{name}”',
                    lambda: find_one(app.window(), role='push button',
                                     name=f'Edit Mapping of {name}'), timeout=RUN_SECONDS)
    click(edit)
    dialog = wait_for('the row dialog',
                      lambda: (lambda d: d if d is not None and d.name == f'Map “{name}”' else None)(
                          app.dialog()))
    if find_button(dialog, 'Create New in HaloPSA') is not None:
        raise Failure('the customer dialog offers to create a HaloPSA client')
    search = wait_for('the search field', lambda: find_one(dialog, name='Search HaloPSA clients',
                                                           interface='EditableText'))
    wait_for('the dialog to say the customer is not mapped',
             lambda: find_one(dialog, role='label', name='Not mapped. Choose a client.'))
    search.queryEditableText().setTextContents(client_name)
    # the list is filled again as the search changes: wait until it shows only that client
    wait_for(f'“{client_name}” alone among the choices',
             lambda: [n.name for n in find_all(dialog, role='list item')] == [client_name])
    app.screenshot('map-customer')
    click(wait_for(f'the “Map” button of “{client_name}”',
                   lambda: find_one(dialog, role='push button', name=f'Map to {client_name}')))
    wait_closed(app, 'the row dialog', app.dialog)
    save = wait_for('an enabled “Save”',
                    lambda: (lambda b: b if b is not None and ui.is_sensitive(b) else None)(
                        find_button(app.window(), 'Save')))
    click(save)
    wait_for('the mapping to be saved',
             lambda: query(app.db, "SELECT origin FROM links WHERE kind = 'client' AND "
                                   "left_id IN (SELECT remote_id FROM remote_records WHERE "
                                   "side = 'left' AND kind = 'client' AND name = ?) AND right_id = ?",
                           name, str(client_id)) == [('mapping',)])
    app.screenshot('customer-mapped')
    return client_id, client_name


def check_mapped_customer(sandbox, name, client_id):
    """HaloPSA holds, for the client the customer was mapped to, a licence of each line the
    invoice bills that customer."""
    lines = {row['ProductCode']: int(row['Quantity']) for row in sandbox.invoice()
             if row['Customer'] == name and int(row['Quantity']) > 0}
    held = {l['product_sku']: l['count'] for l in sandbox.get('SoftwareLicence', 'licences')
            if l.get('client_id') == client_id and l.get('distributor') == DISTRIBUTOR
            and not l.get('deleted')}
    if not lines or held != lines:
        raise Failure(f'“{name}” mapped to client #{client_id}: HaloPSA holds {held}, the invoice '
                      f'bills {lines}')


def check_restart(app, sandbox):
    names = wait_for('the profile list', app.sidebar_names)
    if PROFILE not in names:
        raise Failure(f'after the restart the sidebar shows {names}')
    app.page('Connections')
    shown = wait_for('the feed settings',
                     lambda: (lambda f: f if 'Invoice source' in f and 'Client ID' in f else None)(
                         fields(app)))
    expected = dict(COLUMNS)
    expected.update({'Invoice source': sandbox.invoice_url, 'Distributor': DISTRIBUTOR,
                     'Resource server': sandbox.halo['url'],
                     'Authorisation server': sandbox.halo['auth_url'],
                     'Tenant': sandbox.halo['tenant'], 'Client ID': sandbox.halo['client_id']})
    values = {name: text_of(shown[name]) if name in shown else None for name in expected}
    if values != expected:
        raise Failure(f'after the restart the connections show {values}, expected {expected}')
    secret = shown.get('Client secret')
    if secret is None or 'saved in the keyring' not in secret.name or text_of(secret):
        raise Failure(f'the secret row does not say the secret is in the keyring: '
                      f'{secret.name if secret else None}')
    app.screenshot('after-restart')


def secret_in_files(db, secret):
    needle = secret.encode()
    found = []
    for suffix in ('', '-wal', '-journal', '-shm'):
        path = db + suffix
        if os.path.exists(path):
            with open(path, 'rb') as f:
                if needle in f.read():
                    found.append(path)
    return found


def main():
    if not os.environ.get('DISPLAY') or not os.environ.get('DBUS_SESSION_BUS_ADDRESS'):
        log('no display or no session bus: run under tests/run-headless')
        return ui.SKIP
    for program in (ui.LIAISON, SANDBOX, LIAISONCTL):
        if not os.access(program, os.X_OK):
            log(f'{program} is not built')
            return 1

    started = time.monotonic()
    scenarios.ARTIFACTS = ARTIFACTS
    ui.ARTIFACTS = ARTIFACTS
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    os.makedirs(ARTIFACTS)
    tmpdir = tempfile.mkdtemp(prefix='liaison-ui-feed-')
    db = os.path.join(tmpdir, 'liaison.db')
    sandbox = None
    app = None
    try:
        sandbox = Sandbox()
        log(f'sandbox HaloPSA at {sandbox.halo["url"]}, database {db}')

        app = App(db, 'feed-first')
        add_feed_profile(app)
        log(f'1. added “{PROFILE}” of kind “{KIND_LABEL}”')

        fill_connections(app, sandbox)
        log('2. connections filled, saved and tested')

        preview, plan = open_preview(app)
        app.screenshot('preview')
        unknown = check_preview_against_cli(app, preview, plan, sandbox)
        log(f'3. the preview plans {plan[1]} (create, update, delete, skip), as liaisonctl does')

        run_id = apply_plan(app, preview, plan[1], unknown)
        close_preview(app, preview)
        check_halopsa(sandbox)

        preview, again = open_preview(app)
        app.screenshot('preview-again')
        heading, totals, _ = again
        if totals[:3] != (0, 0, 0):
            raise Failure(f'the second preview still plans {totals[:3]} (create, update, delete)')
        apply = find_button(preview, 'Apply the plan') or find_button(preview, 'Apply')
        if apply is not None and ui.is_sensitive(apply):
            raise Failure('“Apply” is enabled with nothing to write')
        close_preview(app, preview)
        if query(db, 'SELECT count(*) FROM runs WHERE id > ?', run_id)[0][0] != 0:
            raise Failure('the second preview recorded a run')
        log(f'4. applied as run {run_id}; the second preview plans {totals}')

        name = unknown[0]
        client_id, client_name = map_unknown_customer(app, sandbox, name)
        log(f'5. mapped “{name}”, whom HaloPSA does not know, to its client “{client_name}” '
            f'(#{client_id}) in Mappings → Customers, and saved')
        preview, mapped = open_preview(app)
        app.screenshot('preview-mapped')
        lines = sum(1 for row in sandbox.invoice()
                    if row['Customer'] == name and int(row['Quantity']) > 0)
        shown = mapped[2].get(name)
        if shown is None or shown != (lines, 0, 0, 0):
            raise Failure(f'after the mapping the preview shows {shown} for “{name}”, expected '
                          f'{lines} to create')
        if find_one(preview, role='list item', name=f'Skip: {name}'):
            raise Failure(f'the preview still skips “{name}” after the mapping')
        # its skip becomes its creates; nothing else changes
        expected = (lines, 0, 0, totals[3] - again[2][name][3])
        if mapped[1] != expected:
            raise Failure(f'after the mapping the preview plans {mapped[1]}, expected {expected}: '
                          f'the licence(s) of “{name}” and the skips that were left')
        apply_plan(app, preview, mapped[1], unknown[1:])
        close_preview(app, preview)
        check_mapped_customer(sandbox, name, client_id)
        log(f'6. applied: “{client_name}” holds the {lines} licences the invoice bills “{name}”')
        app.close()
        app = None

        found = secret_in_files(db, sandbox.halo['client_secret'])
        if found:
            raise Failure(f'the client secret is in {found}')
        app = App(db, 'feed-restart')
        check_restart(app, sandbox)
        app.close()
        app = None
        found = secret_in_files(db, sandbox.halo['client_secret'])
        if found:
            raise Failure(f'after the restart the client secret is in {found}')
        log('7. after a restart the profile and its settings are there; the secret is not in '
            'the database')
        log(f'took {time.monotonic() - started:.1f} s')
        print('ok')
        return 0

    except Failure as e:
        log(f'FAIL: {e}')
        if app is not None:
            if app.process.poll() is None:
                app.screenshot('failure')
            app.dump('at-failure')
            app.kill()
            app = None
        return 1

    finally:
        if app is not None:
            app.kill()
        if sandbox is not None:
            sandbox.stop()
        shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
