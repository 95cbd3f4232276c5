// node --test: the grammar reads every shipped contract, module and literate contract of the
// repository without an illegal token, and knows every word the eqlang grammar reserves.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const test = require('node:test');
const oniguruma = require('vscode-oniguruma');
const textmate = require('vscode-textmate');

const here = path.join(__dirname, '..');
const root = path.join(here, '..', '..');

function grammarFiles() {
  const read = (file) => fs.readFileSync(path.join(here, 'syntaxes', file), 'utf8');
  return {
    'source.eqlang': read('eqlang.tmLanguage.json'),
    'markdown.eqlang.codeblock': read('eqlang-markdown.tmLanguage.json'),
    'text.html.markdown': fs.readFileSync(
      require.resolve('tm-grammars/grammars/markdown.json'), 'utf8'),
  };
}

async function registry() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer);
  const files = grammarFiles();
  return new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scope) => (files[scope]
      ? textmate.parseRawGrammar(files[scope], `${scope}.json`) : null),
    getInjections: (scope) => (scope === 'text.html.markdown'
      ? ['markdown.eqlang.codeblock'] : undefined),
  });
}

/** Every token of a text: [line number, text, scopes]. */
function tokens(grammar, text) {
  const found = [];
  let state = textmate.INITIAL;
  text.split(/\r?\n/).forEach((line, index) => {
    const result = grammar.tokenizeLine(line, state);
    for (const token of result.tokens) {
      found.push([index + 1, line.slice(token.startIndex, token.endIndex), token.scopes]);
    }
    state = result.ruleStack;
  });
  return found;
}

function filesUnder(folder, suffix) {
  return fs.readdirSync(path.join(root, folder))
    .filter((name) => name.endsWith(suffix))
    .map((name) => path.join(folder, name));
}

const plain = [...filesUnder('contracts', '.eq'), ...filesUnder('contracts/lib', '.eq'),
  ...filesUnder('stdlib', '.eq'), ...filesUnder('docs/flaws', '.eq')];
const literate = filesUnder('contracts', '.eq.md');

test('the shipped contracts and modules are found', () => {
  assert.ok(plain.includes(path.join('contracts', 'reference-equity.eq')));
  assert.ok(plain.includes(path.join('stdlib', 'hedis.eq')));
  assert.ok(literate.includes(path.join('contracts', 'reference-equity.eq.md')));
});

test('no shipped file has an illegal token', async () => {
  const eqlang = await (await registry()).loadGrammar('source.eqlang');
  for (const file of plain) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const illegal = tokens(eqlang, text).filter(([, , scopes]) =>
      scopes.some((s) => s.startsWith('invalid.')));
    assert.deepEqual(illegal.map(([line, word]) => `${file}:${line}: ${word}`), []);
  }
});

test('the blocks of a literate contract are eqlang, its prose is not', async () => {
  const markdown = await (await registry()).loadGrammar('text.html.markdown');
  for (const file of literate) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const found = tokens(markdown, text);
    const embedded = found.filter(([, , scopes]) => scopes.includes('meta.embedded.block.eqlang'));
    const declarations = found.filter(([, word, scopes]) =>
      word === 'parameter' && scopes.includes('storage.type.parameter.eqlang'));
    assert.ok(embedded.length > 100, file);
    assert.equal(declarations.length, (text.match(/^parameter /gm) || []).length, file);
    const illegal = embedded.filter(([, , scopes]) => scopes.some((s) => s.startsWith('invalid.')));
    assert.deepEqual(illegal, []);
  }
});

test('every keyword of grammar/eqlang.lark has a scope of its own', async () => {
  const lark = fs.readFileSync(path.join(root, 'grammar', 'eqlang.lark'), 'utf8');
  const words = new Set([...lark.matchAll(/"([a-zA-Z]+)"/g)].map((m) => m[1]));
  const eqlang = await (await registry()).loadGrammar('source.eqlang');
  // Words that are keywords only next to others get the others as context here.
  const context = {
    each: 'provider each organization', better: 'measure A higher is better',
    higher: 'measure A higher is better', lower: 'measure A lower is better',
    minimum: 'measure A minimum denominator 30', denominator: 'measure A minimum denominator 30',
    best: 'reference best performing group', performing: 'reference best performing group',
    group: 'reference best performing group', whole: 'reference whole population',
    population: 'reference whole population', weighted: 'sum(x weighted by w)',
    by: 'sum(x weighted by w)', settled: 'settled as of 2024-01-01', up: 'up to 5%',
    scored: 'x is scored', rounded: 'x rounded to cents half up', cents: 'x rounded to cents half up',
    dollars: 'x rounded to dollars half up', decimals: 'x rounded to 2 decimals half up',
    amended: 'amended to 1', for: 'for each m in measures', period: 'period base is "2022"',
    pp: '2 pp', rest: 'reference rest of population',
    skip: 'f(x, not scored: skip)', zero: 'f(x, not scored: zero)',
    propagate: 'f(x, not scored: propagate)', rescale: 'f(x, not scored: rescale)',
    self: 'self-reported first', reported: 'self-reported first', first: 'self-reported first',
    imputed: 'imputed counted fractionally', counted: 'imputed counted fractionally',
    fractionally: 'imputed counted fractionally',
    most: 'imputed to the most probable group at 80% or more, else Unknown',
    probable: 'imputed to the most probable group at 80% or more, else Unknown',
    more: 'imputed to the most probable group at 80% or more, else Unknown',
    probabilities: 'probabilities sum to 1 within 0.00001',
    sum: 'probabilities sum to 1 within 0.00001', within: 'probabilities sum to 1 within 0.01',
    exactly: 'probabilities sum to 1 exactly', one: 'input r: text one of "A"',
    inputs: 'inputs for "A" x 1', input: 'input x: count', attribution: 'attribution of race',
    with: 'o in organizations with the same region',
    the: 'o in organizations with the same region', same: 'o in organizations with the same region',
    ordered: 'groups A, B ordered least advantaged first',
    least: 'groups A, B ordered least advantaged first',
    advantaged: 'groups A, B ordered most advantaged first',
    simulated: 'simulated upper(x, level: 90%, draws: 100, seed: 1)',
    upper: 'simulated upper(x, level: 90%, draws: 100, seed: 1)',
    standard: 'simulated standard error(x, draws: 100, seed: 1)',
    error: 'simulated standard error(x, draws: 100, seed: 1)',
    level: 'simulated lower(x, level: 90%, draws: 100, seed: 1)',
    draws: 'simulated lower(x, level: 90%, draws: 100, seed: 1)',
    seed: 'simulated lower(x, level: 90%, draws: 100, seed: 1)',
  };
  const unscoped = [];
  for (const word of [...words].sort()) {
    const line = context[word] === undefined ? word : context[word];
    if (line === null) continue;
    const token = tokens(eqlang, line).find(([, text]) => text.split(/\s+/).includes(word));
    if (!token || token[2].every((s) => s === 'source.eqlang' || s.startsWith('variable.other'))) {
      unscoped.push(word);
    }
  }
  assert.deepEqual(unscoped, []);
});
