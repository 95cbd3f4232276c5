// node --test: how the client turns its settings into the server's command line.
'use strict';

const assert = require('node:assert/strict');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const test = require('node:test');
const { DOCUMENTS, serverCommand, startFailure } = require('../server');

const settings = (values) => ({ get: (key) => values[key] });

test('by default the server is `eqlang lsp`', () => {
  assert.deepEqual(serverCommand(settings({})), { command: 'eqlang', args: ['lsp'] });
});

test('the path setting names the command, trimmed; a blank one is the default', () => {
  assert.deepEqual(serverCommand(settings({ 'server.path': ' /opt/venv/bin/eqlang ' })),
    { command: '/opt/venv/bin/eqlang', args: ['lsp'] });
  assert.equal(serverCommand(settings({ 'server.path': '  ' })).command, 'eqlang');
});

test('arguments are taken only when they are all strings', () => {
  assert.deepEqual(serverCommand(settings({ 'server.args': ['-m', 'eqlang', 'lsp'] })).args,
    ['-m', 'eqlang', 'lsp']);
  assert.deepEqual(serverCommand(settings({ 'server.args': ['lsp', 3] })).args, ['lsp']);
});

test('a failure to start says what was run and how to fix it', () => {
  const message = startFailure({ command: 'eqlang', args: ['lsp'] }, new Error('spawn ENOENT'));
  assert.match(message, /`eqlang lsp`: spawn ENOENT/);
  assert.match(message, /"eqlang\.server\.path"/);
});

test('the server is started for .eq files and literate .eq.md contracts', () => {
  assert.ok(DOCUMENTS.some((d) => d.language === 'eqlang'));
  assert.ok(DOCUMENTS.some((d) => d.language === 'markdown' && d.pattern === '**/*.eq.md'));
});

test('the manifest declares what extension.js and the settings use', () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
  const properties = manifest.contributes.configuration.properties;
  for (const key of ['eqlang.server.enabled', 'eqlang.server.path', 'eqlang.server.args']) {
    assert.ok(key in properties, key);
  }
  assert.deepEqual(properties['eqlang.server.args'].default, ['lsp']);
  assert.ok(manifest.contributes.commands.some((c) => c.command === 'eqlang.restartServer'));
  assert.equal(manifest.main, './extension.js');
  // vscode-languageclient 9 needs VS Code 1.82 or later.
  assert.equal(manifest.engines.vscode, '^1.82.0');
});
