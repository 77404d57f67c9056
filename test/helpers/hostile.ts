// fast-check arbitraries for hostile request bodies. Most start from a valid body of the route and break
// exactly one field, picked from the route's own JSON Schema (the one /openapi.json publishes): a value of
// the wrong JSON type, a string over its maxLength or outside its enum or pattern, a number out of range,
// a required field removed, an unknown field added. So the answer must be a 400 that names that field, and
// everything else about the body is valid enough to reach the deepest validation. The rest are whole-body
// attacks: not JSON, not an object, __proto__ smuggling, the wrong content type, an oversize body.
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
}

export type Path = (string | number)[];

/** One request body and what the API must answer. */
export interface HostileBody {
  what: string;
  raw: string;
  contentType: string;
  status: number;
  /** The field a 400's issues must name (dotted, starting at `body`). */
  field?: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

// fast-check favours "__proto__" and "constructor" as object keys. The API's JSON parser refuses them
// anywhere in a body (prototype poisoning) with a 400 naming `body`, which the whole-body attacks test on
// purpose; inside a field-level case they would turn it into that other case, so field values leave them out.
const POISON = /"(__proto__|constructor)"\s*:/;
const jsonValue = (maxDepth: number) =>
  (fc.jsonValue({ maxDepth }) as fc.Arbitrary<Json>).filter((v) => !POISON.test(JSON.stringify(v)));

const JSON_TYPES = ['string', 'integer', 'number', 'boolean', 'null', 'array', 'object'] as const;
const valueOfType: Record<(typeof JSON_TYPES)[number], fc.Arbitrary<Json>> = {
  string: fc.string({ maxLength: 40 }),
  integer: fc.integer(),
  number: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.array(jsonValue(2), { maxLength: 4 }),
  object: fc.dictionary(
    fc.string({ maxLength: 10 }).filter((k) => k !== '__proto__' && k !== 'constructor'),
    jsonValue(2),
    { maxKeys: 4 },
  ),
};

/** The JSON types a schema admits, or null when it admits anything. */
function typesOf(s: JsonSchema): Set<string> | null {
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) {
    const all = new Set<string>();
    for (const a of alternatives) {
      const t = typesOf(a);
      if (!t) return null;
      t.forEach((x) => all.add(x));
    }
    return all;
  }
  if (s.type) return new Set(Array.isArray(s.type) ? s.type : [s.type]);
  if (s.enum) return new Set(s.enum.map((v) => (v === null ? 'null' : Number.isInteger(v) ? 'integer' : typeof v)));
  if (s.const !== undefined) return new Set([Number.isInteger(s.const) ? 'integer' : typeof s.const]);
  return null;
}

/** Values that break `s` (empty when `s` accepts anything). */
export function invalidValues(s: JsonSchema): fc.Arbitrary<Json>[] {
  const types = typesOf(s);
  if (!types) return [];
  if (types.has('number')) types.add('integer');
  const out: fc.Arbitrary<Json>[] = JSON_TYPES.filter((t) => !types.has(t)).map((t) => valueOfType[t]);
  const allowed = [
    ...(s.enum ?? []),
    ...(s.const !== undefined ? [s.const] : []),
    ...(s.anyOf ?? s.oneOf ?? []).flatMap((a) => a.const ?? a.enum ?? []),
  ];
  if (allowed.length) {
    if (types.has('string')) out.push(fc.string({ maxLength: 20 }).filter((v) => !allowed.includes(v)));
    if (types.has('integer')) out.push(fc.integer().filter((v) => !allowed.includes(v)));
  }
  if (types.has('string')) {
    if (s.maxLength !== undefined)
      out.push(fc.string({ unit: 'binary', minLength: s.maxLength + 1, maxLength: s.maxLength + 64 }));
    if (s.minLength) out.push(fc.constant(''));
    if (s.pattern) {
      const re = new RegExp(s.pattern, 'u');
      out.push(fc.string({ unit: 'binary', maxLength: 30 }).filter((v) => !re.test(v)));
    }
  }
  if (types.has('integer') && !allowed.length) {
    // Past the bound by 1 to 2^31 (bounds near MAX_SAFE_INTEGER give unsafe integers, also invalid).
    if (s.minimum !== undefined) out.push(fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((d) => s.minimum! - d));
    if (s.maximum !== undefined) out.push(fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((d) => s.maximum! + d));
  }
  if (types.has('array')) {
    if (s.minItems) out.push(fc.constant([]));
    if (s.items) {
      const bad = invalidValues(s.items);
      if (bad.length) out.push(fc.array(fc.oneof(...bad), { minLength: 1, maxLength: 3 }));
    }
  }
  return out;
}

interface Field {
  path: Path;
  schema: JsonSchema;
  present: boolean;
  /** Required by its parent object. */
  required: boolean;
  /** The parent object rejects unknown keys. */
  parentStrict: boolean;
}

/** Every field of `value` the schema describes (and the absent optional ones), depth first. */
export function fieldsOf(schema: JsonSchema, value: unknown, path: Path = []): Field[] {
  const out: Field[] = [];
  if (Array.isArray(value) && schema.items && value.length) {
    out.push(...fieldsOf(schema.items, value[0], [...path, 0]));
  } else if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const strict = schema.additionalProperties === false;
    for (const [k, child] of Object.entries(schema.properties ?? {})) {
      out.push({
        path: [...path, k],
        schema: child,
        present: k in v,
        required: (schema.required ?? []).includes(k),
        parentStrict: strict,
      });
      if (k in v) out.push(...fieldsOf(child, v[k], [...path, k]));
    }
    if (typeof schema.additionalProperties === 'object') {
      for (const k of Object.keys(v).filter((x) => !(x in (schema.properties ?? {})))) {
        out.push({
          path: [...path, k],
          schema: schema.additionalProperties,
          present: true,
          required: false,
          parentStrict: false,
        });
        out.push(...fieldsOf(schema.additionalProperties, v[k], [...path, k]));
      }
    }
  }
  return out;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function setAt(root: unknown, path: Path, value: unknown | typeof REMOVE): unknown {
  const copy = clone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (value === REMOVE) delete node[last];
  else node[last] = value;
  return copy;
}
const REMOVE = Symbol('remove');
const dotted = (path: Path) => ['body', ...path].join('.');
const json = 'application/json';

/** One field of `template` broken according to `schema`. */
export function brokenField(schema: JsonSchema, template: object): fc.Arbitrary<HostileBody> {
  const options: fc.Arbitrary<HostileBody>[] = [];
  for (const f of fieldsOf(schema, template)) {
    const field = dotted(f.path);
    const bad = invalidValues(f.schema);
    if (bad.length) {
      options.push(
        fc.oneof(...bad).map((v) => ({
          what: `${field}: invalid value`,
          raw: JSON.stringify(setAt(template, f.path, v)),
          contentType: json,
          status: 400,
          field,
        })),
      );
    }
    if (f.present && f.required)
      options.push(
        fc.constant({
          what: `${field}: missing`,
          raw: JSON.stringify(setAt(template, f.path, REMOVE)),
          contentType: json,
          status: 400,
          field,
        }),
      );
  }
  // Unknown keys where the schema forbids them (strict objects).
  const strictParents = [
    { path: [] as Path, strict: schema.additionalProperties === false },
    ...fieldsOf(schema, template)
      .filter((f) => f.present)
      .map((f) => ({ path: f.path, strict: f.schema.additionalProperties === false })),
  ];
  for (const p of strictParents.filter((x) => x.strict)) {
    const known = new Set(
      Object.keys(
        (p.path.length ? fieldsOf(schema, template).find((f) => dotted(f.path) === dotted(p.path))!.schema : schema)
          .properties ?? {},
      ),
    );
    options.push(
      fc
        .string({ minLength: 1, maxLength: 12 })
        .filter((k) => !known.has(k) && k !== '__proto__' && k !== 'constructor')
        .chain((k) => jsonValue(1).map((v) => ({ k, v })))
        .map(({ k, v }) => ({
          what: `${dotted(p.path)}: unknown key`,
          raw: JSON.stringify(setAt(template, [...p.path, k], v)),
          contentType: json,
          status: 400,
          field: dotted([...p.path, k]),
        })),
    );
  }
  return fc.oneof(...options);
}

/** Whole-body attacks, the same for every JSON route. */
export function brokenBody(template: object): fc.Arbitrary<HostileBody> {
  const text = JSON.stringify(template);
  const body = (what: string, raw: string, status: number, contentType = json): HostileBody => ({
    what,
    raw,
    contentType,
    status,
    ...(status === 400 ? { field: 'body' } : {}),
  });
  return fc.oneof(
    jsonValue(3)
      .filter((v) => v === null || typeof v !== 'object' || Array.isArray(v))
      .map((v) => body('not an object', JSON.stringify(v), 400)),
    fc
      .string({ unit: 'binary', minLength: 1, maxLength: 200 })
      .filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      })
      .map((s) => body('not JSON', s, 400)),
    fc.integer({ min: 1, max: text.length - 1 }).map((n) => body('truncated JSON', text.slice(0, n), 400)),
    fc
      .constantFrom('__proto__', 'constructor')
      .map((k) =>
        body(`${k} smuggling`, `${text.slice(0, -1)},"${k}":{"prototype":{"isAdmin":true},"polluted":true}}`, 400),
      ),
    fc
      .integer({ min: 1000, max: 20_000 })
      .map((depth) => body('deeply nested', '['.repeat(depth) + ']'.repeat(depth), 400)),
    fc
      .constantFrom(
        'text/plain',
        'application/xml',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
        'application/octet-stream',
        'image/png',
      )
      .map((ct) => body(`content-type ${ct}`, text, 415, ct)),
    fc
      .integer({ min: 512 * 1024 + 1, max: 1024 * 1024 })
      .map((n) => body('oversize', `${text.slice(0, -1)},"pad":"${'x'.repeat(n - text.length)}"}`, 413)),
  );
}
