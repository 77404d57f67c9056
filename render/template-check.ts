// Walks a parsed Handlebars template and lists every variable that does not exist in the model.
// Scopes follow the block helpers: `each` enters an array's element, `with` an object, `if`/`unless`
// keep the scope; `../` climbs out. Checked against a fully populated sample of the model.

interface Loc {
  start: { line: number };
}
interface Node {
  type: string;
  loc?: Loc;
  [k: string]: unknown;
}
interface PathNode extends Node {
  parts: string[];
  depth: number;
  data: boolean;
  original: string;
}

export interface UnknownVariable {
  name: string;
  line: number;
}

const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with']);
const DATA_VARS = new Set(['index', 'key', 'first', 'last', 'root']);

function lookup(shape: unknown, parts: string[]): { found: boolean; value: unknown } {
  let cur = shape;
  for (const part of parts) {
    if (Array.isArray(cur) && part === 'length') return { found: true, value: cur.length };
    if (cur === null || typeof cur !== 'object' || !(part in cur)) return { found: false, value: undefined };
    cur = (cur as Record<string, unknown>)[part];
  }
  return { found: true, value: cur };
}

export function unknownVariables(program: unknown, model: unknown, helpers: string[]): UnknownVariable[] {
  const out: UnknownVariable[] = [];
  const helperNames = new Set([...helpers, 'lookup', 'log', ...BLOCK_HELPERS]);

  const checkPath = (p: PathNode, scopes: unknown[]) => {
    if (p.data) {
      // @index/@key/@first/@last exist only inside a block helper's iteration; @root anywhere.
      const name = p.parts[0] ?? '';
      if (!(name === 'root' || (DATA_VARS.has(name) && scopes.length > 1)))
        out.push({ name: p.original, line: p.loc?.start.line ?? 0 });
      return;
    }
    const scope = scopes[Math.max(0, scopes.length - 1 - p.depth)];
    if (p.parts.length === 0) return; // `this`
    if (!lookup(scope, p.parts).found) out.push({ name: p.original, line: p.loc?.start.line ?? 0 });
  };

  const checkExpr = (n: Node | undefined, scopes: unknown[]) => {
    if (!n) return;
    if (n.type === 'PathExpression') checkPath(n as PathNode, scopes);
    else if (n.type === 'SubExpression') checkCall(n, scopes);
  };

  const checkCall = (n: Node, scopes: unknown[]) => {
    const path = n.path as PathNode;
    const params = (n.params as Node[] | undefined) ?? [];
    const hash = (n.hash as { pairs: { value: Node }[] } | undefined)?.pairs ?? [];
    const isHelper =
      path.type === 'PathExpression' && path.parts.length === 1 && !path.data && helperNames.has(path.parts[0]);
    if (!isHelper) {
      if (params.length || hash.length) out.push({ name: path.original, line: path.loc?.start.line ?? 0 });
      else checkExpr(path, scopes);
    }
    for (const p of params) checkExpr(p, scopes);
    for (const h of hash) checkExpr(h.value, scopes);
  };

  const walk = (n: Node | undefined, scopes: unknown[]) => {
    if (!n) return;
    if (n.type === 'Program') for (const child of n.body as Node[]) walk(child, scopes);
    else if (n.type === 'MustacheStatement') checkCall(n, scopes);
    else if (n.type === 'PartialStatement' || n.type === 'PartialBlockStatement')
      out.push({ name: '> partial (not supported)', line: n.loc?.start.line ?? 0 });
    else if (n.type === 'BlockStatement') {
      checkCall(n, scopes);
      const helper = (n.path as PathNode).parts[0];
      const arg = (n.params as Node[])[0];
      let inner = scopes;
      if ((helper === 'each' || helper === 'with') && arg?.type === 'PathExpression') {
        const p = arg as PathNode;
        const scope = scopes[Math.max(0, scopes.length - 1 - p.depth)];
        const { value } = p.parts.length ? lookup(scope, p.parts) : { value: scope };
        inner = [...scopes, helper === 'each' ? (Array.isArray(value) ? value[0] : undefined) : value];
      }
      walk(n.program as Node, inner);
      walk(n.inverse as Node, scopes);
    }
  };
  walk(program as Node, [model]);
  return out;
}

/**
 * Variables printed unconditionally (outside any block): for customer mail each must have a value, or
 * the reader would see a blank where a fact should be.
 */
export function unconditionalVariables(program: unknown): string[] {
  const out: string[] = [];
  for (const n of ((program as Node).body as Node[]) ?? []) {
    if (n.type !== 'MustacheStatement') continue;
    const path = n.path as PathNode;
    const params = (n.params as Node[] | undefined) ?? [];
    const vars =
      path.type === 'PathExpression' && !params.length
        ? [path]
        : (params.filter((p) => p.type === 'PathExpression') as PathNode[]);
    for (const v of vars) if (!v.data && v.parts.length) out.push(v.parts.join('.'));
  }
  return out;
}
