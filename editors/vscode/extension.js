// The eqlang extension: highlighting and editing rules come from package.json; this starts
// the eqlang language server (`eqlang lsp`, over standard input and output) for .eq files
// and literate .eq.md contracts, and restarts it when its settings change.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');
const { DOCUMENTS, serverCommand, startFailure } = require('./server');

/** @type {LanguageClient | undefined} */
let client;
/** @type {vscode.OutputChannel | undefined} */
let output;

async function start() {
  const settings = vscode.workspace.getConfiguration('eqlang');
  if (!settings.get('server.enabled', true)) {
    return;
  }
  const server = serverCommand(settings);
  const executable = { command: server.command, args: server.args, transport: TransportKind.stdio };
  output = output || vscode.window.createOutputChannel('eqlang');
  client = new LanguageClient('eqlang', 'eqlang language server',
    { run: executable, debug: executable },
    { documentSelector: DOCUMENTS, outputChannel: output });
  try {
    await client.start();
  } catch (error) {
    const failed = client;
    client = undefined;
    await failed.dispose().catch(() => undefined);
    vscode.window.showWarningMessage(startFailure(server, error));
  }
}

async function stop() {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop().catch(() => undefined);
  }
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('eqlang.restartServer', async () => {
      await stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('eqlang.server')) {
        await stop();
        await start();
      }
    }),
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
