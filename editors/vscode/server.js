// How the client starts the eqlang language server: from the extension's settings to a
// command line, and the message shown when that command cannot be started. Kept apart from
// extension.js, which needs VS Code, so that node's test runner can check it.
'use strict';

const DEFAULT_COMMAND = 'eqlang';
const DEFAULT_ARGS = ['lsp'];

/**
 * The command and arguments that start the server over standard input and output.
 * @param {{get: (key: string) => unknown}} settings the `eqlang` section of the settings
 * @returns {{command: string, args: string[]}}
 */
function serverCommand(settings) {
  const path = settings.get('server.path');
  const args = settings.get('server.args');
  const command = typeof path === 'string' && path.trim() !== '' ? path.trim() : DEFAULT_COMMAND;
  const given = Array.isArray(args) && args.every((a) => typeof a === 'string');
  return { command, args: given ? args : DEFAULT_ARGS };
}

/**
 * What to tell the user when the server does not start: the command tried, why, and how to
 * fix it (install eqlang, or point eqlang.server.path at it).
 * @param {{command: string, args: string[]}} server
 * @param {unknown} error
 * @returns {string}
 */
function startFailure(server, error) {
  const reason = error instanceof Error ? error.message : String(error);
  const shown = [server.command, ...server.args].join(' ');
  return `The eqlang language server did not start (\`${shown}\`: ${reason}). ` +
    'Highlighting, comments and brackets work without it. Check that this eqlang has the ' +
    '`lsp` command (`eqlang --help` lists the commands), or set "eqlang.server.path" to the ' +
    'eqlang command of the environment it is installed in; "eqlang.server.enabled": false ' +
    'turns the server off.';
}

/** Files the server is started for: contracts and modules, and literate contracts. */
const DOCUMENTS = [
  { scheme: 'file', language: 'eqlang' },
  { scheme: 'untitled', language: 'eqlang' },
  { scheme: 'file', language: 'markdown', pattern: '**/*.eq.md' },
];

module.exports = { DEFAULT_ARGS, DEFAULT_COMMAND, DOCUMENTS, serverCommand, startFailure };
