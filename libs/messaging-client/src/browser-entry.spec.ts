import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

/**
 * The browser entry (index.ts) may reach only fetch, socket.io-client and standard web APIs: this walks
 * every module it imports, transitively, and fails on a Node builtin, a `node:` module, a runtime import
 * of the server-side contracts (types only: `import type`), any other package, or a Node global.
 */
interface Finding {
  file: string;
  problem: string;
}

const ALLOWED_PACKAGES = new Set(['socket.io-client']);
const TYPE_ONLY_PACKAGES = new Set(['@wellifiy/contracts']);
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const NODE_GLOBALS = /\b(Buffer|process|require|__dirname|__filename|setImmediate|global)\b/;

function imports(file: string): { specifier: string; typeOnly: boolean }[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const everyNamedIsType = !!clause && !clause.name && !!clause.namedBindings && ts.isNamedImports(clause.namedBindings)
        && clause.namedBindings.elements.every((e) => e.isTypeOnly);
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: !!clause?.isTypeOnly || everyNamedIsType });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const everyNamedIsType = !!node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.every((e) => e.isTypeOnly);
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly || everyNamedIsType });
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])
      && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Identifiers naming Node globals, outside comments and strings. */
function nodeGlobalsUsed(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const used = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && NODE_GLOBALS.test(node.text) && node.text.match(NODE_GLOBALS)?.[0] === node.text) {
      const parent = node.parent;
      const isPropertyName = (ts.isPropertyAccessExpression(parent) && parent.name === node) || ts.isPropertySignature(parent) || ts.isPropertyAssignment(parent);
      if (!isPropertyName) used.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [...used];
}

export function auditBrowserEntry(entry: string): { files: string[]; findings: Finding[] } {
  const seen = new Set<string>();
  const findings: Finding[] = [];
  const queue = [path.resolve(entry)];
  while (queue.length) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const g of nodeGlobalsUsed(file)) findings.push({ file, problem: `uses the Node global ${g}` });
    for (const { specifier, typeOnly } of imports(file)) {
      if (specifier.startsWith('.')) {
        queue.push(path.resolve(path.dirname(file), `${specifier.replace(/\.js$/, '')}.ts`));
      } else if (NODE_BUILTINS.has(specifier) || specifier.startsWith('node:')) {
        findings.push({ file, problem: `imports the Node module ${specifier}` });
      } else if (TYPE_ONLY_PACKAGES.has(specifier)) {
        if (!typeOnly) findings.push({ file, problem: `imports ${specifier} at run time (server code); use import type` });
      } else if (!ALLOWED_PACKAGES.has(specifier)) {
        findings.push({ file, problem: `imports ${specifier}, which the browser entry does not allow` });
      }
    }
  }
  return { files: [...seen].map((f) => path.relative(__dirname, f)).sort(), findings };
}

describe('browser entry', () => {
  it('imports no node: module, Node builtin, Node global, other package, or server code at run time', () => {
    const { files, findings } = auditBrowserEntry(path.join(__dirname, 'index.ts'));
    expect(files).toEqual(expect.arrayContaining(['index.ts', 'client.ts', 'http.ts', 'upload.ts', 'timeline.ts', 'channel-store.ts']));
    expect(findings).toEqual([]);
  });

  it('the audit itself catches a Node import, a Node global and a runtime contracts import', () => {
    const dir = path.join(__dirname, '__fixtures__');
    const { findings } = auditBrowserEntry(path.join(dir, 'bad-entry.ts'));
    expect(findings.map((f) => f.problem).sort()).toEqual([
      'imports @wellifiy/contracts at run time (server code); use import type',
      'imports the Node module node:crypto',
      'imports the Node module stream',
      'uses the Node global Buffer',
    ]);
  });
});
