#!/usr/bin/env bash
# The editor package's own checks: node's tests of the client's settings and of the grammar
# on every shipped contract and module, the grammar's token assertions (test/grammar, in
# vscode-tmgrammar-test's format), then the extension packaged as eqlang.vsix with vsce.
# Everything runs offline once `npm ci` has installed what package-lock.json names; the
# script runs `npm ci` itself when node_modules is missing or older than the lock file.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# The Markdown grammar names grammars for other languages' blocks, which these tests do not load.
npm test 2> >(grep -v "^grammar not found for" >&2)

npx vsce package --skip-license --allow-missing-repository --out eqlang.vsix
# The package holds the client, the grammars and the language client library, and none of
# the tests.
python3 - <<'PY'
import zipfile
names = set(zipfile.ZipFile("eqlang.vsix").namelist())
needed = {"extension/extension.js", "extension/server.js", "extension/package.json",
          "extension/language-configuration.json", "extension/syntaxes/eqlang.tmLanguage.json",
          "extension/syntaxes/eqlang-markdown.tmLanguage.json",
          "extension/node_modules/vscode-languageclient/package.json"}
missing = sorted(needed - names)
tests = sorted(n for n in names if n.startswith("extension/test/"))
assert not missing and not tests, (missing, tests)
print(f"eqlang.vsix: {len(names)} files, the client, grammars and language client library")
PY
