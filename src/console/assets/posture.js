// Posture conditions ("sentinelOne:activeThreats == 0", "node:os IN ['macos',
// 'linux']") parsed and evaluated in the browser, with the server's semantics
// (src/policy/posture_condition.cpp and version_compare.cpp):
//   - keys match case-insensitively; a bare key means "key == true";
//   - a condition on an unset attribute is false except NOT SET;
//   - values of another type than the literal never match (not even != or NOT IN);
//   - ordering on strings compares versions (Tailscale's cmpver).
// The Machines page evaluates every posture of the policy on the devices it
// shows, so it needs no request per device; the same grammar filters the list.

const OPS = ['==', '!=', '<', '<=', '>', '>='];
const OPERATOR_LIST = 'use ==, !=, <, <=, >, >=, IN, NOT IN, IS SET or NOT SET';

const isLetter = (c) => /^[A-Za-z]$/.test(c);
const isDigit = (c) => c >= '0' && c <= '9';
const isSpace = (c) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isWordChar = (c) => isLetter(c) || isDigit(c) || c === '_' || c === '-' || c === '.' || c === ':';
const isOperatorChar = (c) => c !== '' && '=!<>~^$%&|*/+?@#;'.includes(c);

export class ConditionError extends Error {
  constructor(offset, message) {
    super(message);
    this.offset = offset;
  }
}

// Parses one condition; throws ConditionError (with the offset of the problem).
export function parseCondition(text) {
  let i = 0;
  const peek = () => (i < text.length ? text[i] : '');
  const skipSpace = () => {
    while (i < text.length && isSpace(text[i])) i++;
  };
  const wordAt = (from) => {
    let end = from;
    while (end < text.length && isWordChar(text[end])) end++;
    return text.slice(from, end);
  };
  const here = () => (i >= text.length ? 'the end of the condition' : `'${text[i]}'`);
  const fail = (at, message) => {
    throw new ConditionError(at, message);
  };

  const c = { text, key: '', foldedKey: '', op: '==', values: [], shorthand: false };
  skipSpace();
  if (i >= text.length) fail(i, 'empty condition; expected an attribute key such as node:os');
  if (!isLetter(peek())) fail(i, `expected an attribute key (namespace:name, such as node:os), found ${here()}`);
  const key = wordAt(i);
  const colon = key.indexOf(':');
  if (colon < 0) fail(i, `attribute key '${key}' has no namespace; keys are namespace:name, such as node:os or custom:${key}`);
  if (key.indexOf(':', colon + 1) >= 0) fail(i, `attribute key '${key}' has more than one ':'; keys are namespace:name`);
  if (!/^[A-Za-z0-9_]+$/.test(key.slice(0, colon))) fail(i, `invalid namespace in '${key}'; a namespace has letters, digits and '_'`);
  if (colon === key.length - 1) fail(i + colon + 1, `attribute key '${key}' has no name after ':'`);
  i += key.length;
  c.key = key;
  c.foldedKey = key.toLowerCase();
  skipSpace();
  if (i >= text.length) {
    c.shorthand = true;
    c.values.push(true);
    return c;
  }

  // operator
  const opStart = i;
  if (isOperatorChar(peek())) {
    while (i < text.length && isOperatorChar(text[i])) i++;
    const op = text.slice(opStart, i);
    if (!OPS.includes(op)) {
      const hint = op === '=' ? ' (equality is ==)' : op === '<>' ? ' (inequality is !=)' : '';
      fail(opStart, `unknown operator '${op}' after '${key}'${hint}; ${OPERATOR_LIST}`);
    }
    c.op = op;
  } else if (isLetter(peek())) {
    const letters = () => {
      const s = i;
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i])) i++;
      return text.slice(s, i);
    };
    const word = letters().toUpperCase();
    if (word === 'IN') {
      c.op = 'IN';
    } else if (word === 'NOT' || word === 'IS') {
      skipSpace();
      const nextAt = i;
      const next = isLetter(peek()) ? letters().toUpperCase() : '';
      if (next === 'SET') c.op = word === 'NOT' ? 'NOT SET' : 'IS SET';
      else if (word === 'NOT' && next === 'IN') c.op = 'NOT IN';
      else fail(nextAt, `expected ${word === 'NOT' ? 'IN or SET' : 'SET'} after '${word}'`);
    } else {
      fail(opStart, `unknown operator '${word}' after '${key}'; ${OPERATOR_LIST}`);
    }
  } else {
    fail(opStart, `expected an operator after '${key}', found ${here()}; ${OPERATOR_LIST}`);
  }

  const literal = (expected) => {
    const start = i;
    const ch = peek();
    if (ch === "'" || ch === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) fail(start, `unterminated string: no closing ${ch} for the quote at offset ${start}`);
        const x = text[i];
        if (x === ch) {
          i++;
          break;
        }
        if (x === '\\') {
          const e = text[i + 1] ?? '';
          if (e !== "'" && e !== '"' && e !== '\\') fail(i, "invalid escape in a string; only \\', \\\" and \\\\ are escapes");
          value += e;
          i += 2;
          continue;
        }
        value += x;
        i++;
      }
      return value;
    }
    if (ch === '-' || isDigit(ch)) {
      if (ch === '-') i++;
      if (!isDigit(peek())) fail(i, `expected a digit after '-', found ${here()}`);
      while (isDigit(peek())) i++;
      if (peek() === '.' && isDigit(text[i + 1] ?? '')) {
        i++;
        while (isDigit(peek())) i++;
      }
      if (isWordChar(peek())) {
        const all = text.slice(start, start + (ch === '-' ? 1 : 0) + wordAt(start + (ch === '-' ? 1 : 0)).length);
        fail(start, `unquoted value '${all}'; quote strings and versions, e.g. '${all}'`);
      }
      return Number(text.slice(start, i));
    }
    if (isLetter(ch) || ch === '_') {
      const word = wordAt(start);
      const lower = word.toLowerCase();
      if (lower === 'true' || lower === 'false') {
        i += word.length;
        return lower === 'true';
      }
      fail(start, `unquoted value '${word}'; quote strings, e.g. '${word}' (the unquoted values are numbers, true and false)`);
    }
    return fail(start, `expected ${expected}, found ${here()}`);
  };

  if (c.op !== 'IS SET' && c.op !== 'NOT SET') {
    skipSpace();
    if (c.op === 'IN' || c.op === 'NOT IN') {
      if (peek() !== '[') fail(i, `expected '[' to start the list of values after ${c.op}, found ${here()} (for example node:os ${c.op} ['macos', 'linux'])`);
      const open = i++;
      skipSpace();
      if (peek() === ']') fail(i, `empty list after ${c.op}; list at least one value`);
      for (;;) {
        if (i >= text.length) fail(i, `unterminated list: expected a value or ']' to close the '[' at offset ${open}`);
        const at = i;
        const v = literal('a quoted string or a number');
        if (typeof v === 'boolean') fail(at, 'lists hold strings or numbers');
        if (c.values.length && typeof c.values[0] !== typeof v) fail(at, 'the list mixes strings and numbers; use values of one type');
        c.values.push(v);
        skipSpace();
        if (peek() === ',') {
          i++;
          skipSpace();
          if (peek() === ']') break;
          continue;
        }
        if (peek() === ']') break;
        fail(i, `expected ',' or ']' in the list, found ${here()}`);
      }
      i++;
    } else {
      if (i >= text.length) fail(i, `missing value after '${c.op}'; expected a quoted string, a number, true or false`);
      if (peek() === '[') fail(i, `a list is only allowed after IN or NOT IN; ${c.op} compares with one value`);
      c.values.push(literal('a quoted string, a number, true or false'));
    }
  }
  skipSpace();
  if (i < text.length) fail(i, `unexpected ${here()} after the condition; expected the end`);
  return c;
}

// Tailscale's cmpver: alternating non-digit and digit runs, compared pairwise.
export function compareVersions(a, b) {
  const take = (s, digits) => {
    let n = 0;
    while (n < s.length && isDigit(s[n]) === digits) n++;
    return [s.slice(0, n), s.slice(n)];
  };
  let x = String(a);
  let y = String(b);
  while (x.length || y.length) {
    let ra, rb;
    [ra, x] = take(x, false);
    [rb, y] = take(y, false);
    if (ra !== rb) return ra < rb ? -1 : 1;
    [ra, x] = take(x, true);
    [rb, y] = take(y, true);
    ra = ra.replace(/^0+/, '');
    rb = rb.replace(/^0+/, '');
    if (ra.length !== rb.length) return ra.length < rb.length ? -1 : 1;
    if (ra !== rb) return ra < rb ? -1 : 1;
  }
  return 0;
}

// A value as a condition writes it: 'text', 70, 1.5, true.
export function formatValue(v) {
  if (typeof v === 'string') return `'${v.replace(/['\\]/g, (m) => '\\' + m)}'`;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Object.is(v, -0) ? '0' : String(v);
  return String(v);
}

const typeName = (v) => (typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'number' : 'string');

// Finds a key in an attributes object, regardless of case.
export function lookup(attributes, foldedKey) {
  if (!attributes) return undefined;
  if (Object.prototype.hasOwnProperty.call(attributes, foldedKey)) return attributes[foldedKey];
  for (const k of Object.keys(attributes)) if (k.toLowerCase() === foldedKey) return attributes[k];
  return undefined;
}

// {passed, actual (undefined when unset), reason}, as the server's explain().
export function explain(c, attributes) {
  const actual = lookup(attributes, c.foldedKey);
  const list = () => `[${c.values.map(formatValue).join(', ')}]`;
  if (actual === undefined || actual === null) {
    return { passed: c.op === 'NOT SET', actual: undefined, reason: `${c.key} is not set` };
  }
  const is = `${c.key} is ${formatValue(actual)}`;
  if (c.op === 'IS SET' || c.op === 'NOT SET') {
    return { passed: c.op === 'IS SET', actual, reason: `${c.key} is set (${formatValue(actual)})` };
  }
  const mismatch = () => {
    const isList = c.op === 'IN' || c.op === 'NOT IN';
    const withText = isList ? `a list of ${typeName(c.values[0])}s ${list()}` : `${formatValue(c.values[0])} (a ${typeName(c.values[0])})`;
    return { passed: false, actual, reason: `${is} (a ${typeName(actual)}), but the condition compares it with ${withText}` };
  };
  if (c.op === 'IN' || c.op === 'NOT IN') {
    const typed = c.values.filter((v) => typeof v === typeof actual);
    if (!typed.length) return mismatch();
    const found = typed.some((v) => v === actual);
    const passed = c.op === 'IN' ? found : !found;
    const reason = c.op === 'IN' ? `${is}${passed ? ', one of ' : ', not one of '}${list()}` : `${is}${passed ? ', not one of ' : ', which is in the excluded list '}${list()}`;
    return { passed, actual, reason };
  }
  const literal = c.values[0];
  if (typeof literal !== typeof actual) return mismatch();
  if (c.op === '==') {
    const passed = actual === literal;
    return { passed, actual, reason: passed ? is : `${is}, not ${formatValue(literal)}` };
  }
  if (c.op === '!=') {
    const passed = actual !== literal;
    return { passed, actual, reason: passed ? `${is}, not ${formatValue(literal)}` : `${is}, and the condition requires != ${formatValue(literal)}` };
  }
  if (typeof actual === 'boolean') return { passed: false, actual, reason: `${is}; ${c.op} does not apply to true/false` };
  const asVersion = typeof actual === 'string';
  const cmp = asVersion ? compareVersions(actual, literal) : actual < literal ? -1 : actual > literal ? 1 : 0;
  const passed = c.op === '<' ? cmp < 0 : c.op === '<=' ? cmp <= 0 : c.op === '>' ? cmp > 0 : cmp >= 0;
  return {
    passed,
    actual,
    reason: `${is}${passed ? ', which is ' : ', which is not '}${c.op} ${formatValue(literal)}${asVersion ? ' (compared as versions)' : ''}`,
  };
}

// Compiles a policy's "postures" object ({"posture:name": [conditions]}) once.
// Conditions that do not parse are kept with their error and never pass.
export function compilePostures(postures) {
  const out = [];
  for (const [name, conditions] of Object.entries(postures || {})) {
    const compiled = (Array.isArray(conditions) ? conditions : []).map((text) => {
      try {
        return { text, condition: parseCondition(String(text)) };
      } catch (e) {
        return { text, error: e.message };
      }
    });
    out.push({ name, conditions: compiled });
  }
  return out;
}

// Evaluates a compiled posture: every condition must hold (AND).
export function evaluatePosture(posture, attributes) {
  const conditions = posture.conditions.map((c) =>
    c.error ? { text: c.text, passed: false, actual: undefined, reason: `does not parse: ${c.error}` } : { text: c.text, ...explain(c.condition, attributes) },
  );
  return { name: posture.name, passed: conditions.every((c) => c.passed), conditions };
}

// A list filter: conditions joined by AND (outside quotes); throws ConditionError.
export function parseFilter(text) {
  const parts = [];
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      continue;
    }
    const rest = text.slice(i);
    const m = /^\s(AND|&&)\s/i.exec(rest);
    if (m) {
      parts.push([start, text.slice(start, i)]);
      start = i + m[0].length;
      i = start - 1;
    }
  }
  parts.push([start, text.slice(start)]);
  return parts.map(([offset, part]) => {
    try {
      return parseCondition(part);
    } catch (e) {
      throw new ConditionError(offset + (e.offset ?? 0), e.message);
    }
  });
}

export function matchesFilter(conditions, attributes) {
  return conditions.every((c) => explain(c, attributes).passed);
}
