/* The XLSForm expression language on the phone: the same grammar and value rules as
   gridgov/fieldwork/forms/xpath.py, so what the phone accepts the server accepts. Both run the
   shared corpus tests/fieldwork/xpath_corpus.json (tests/fieldwork/test_xpath_corpus.py). */
(function (global) {
  "use strict";
  const TOKEN = /\s*(?:(\d+(?:\.\d*)?|\.\d+)|('[^']*'|"[^"]*")|\$\{([A-Za-z_][\w.-]*)\}|(!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)|([A-Za-z_][\w:-]*)|(\.))/y;
  const DATE = /^\d{4}-\d{2}-\d{2}/;
  const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
  const own = (object, key) => Object.prototype.hasOwnProperty.call(object, key);
  const chars = (s) => Array.from(s);  // code points, as the server counts

  function tokenize(text) {
    const tokens = [];
    text = String(text).trim();
    TOKEN.lastIndex = 0;
    while (TOKEN.lastIndex < text.length) {
      const start = TOKEN.lastIndex;
      const m = TOKEN.exec(text);
      if (!m || TOKEN.lastIndex === start) throw new Error("unexpected character at " + start);
      if (m[1] !== undefined) tokens.push(["num", m[1]]);
      else if (m[2] !== undefined) tokens.push(["str", m[2].slice(1, -1)]);
      else if (m[3] !== undefined) tokens.push(["ref", m[3]]);
      else if (m[4] !== undefined) tokens.push(["op", m[4]]);
      else if (m[5] !== undefined) tokens.push(["name", m[5]]);
      else tokens.push(["dot", "."]);
    }
    return tokens;
  }

  function toNumber(v) {
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "number") return v;
    if (v === null || v === undefined) return NaN;
    const s = String(v).trim();
    return NUMBER.test(s) ? Number(s) : NaN;
  }
  function toBool(v) {
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return !(v === 0 || Number.isNaN(v));
    if (v === null || v === undefined) return false;
    return String(v) !== "";
  }
  function toStr(v) {
    if (v === null || v === undefined) return "";
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") return Number.isNaN(v) ? "" : String(v);
    if (Array.isArray(v)) return v.map(toStr).join(" ");
    return String(v);
  }
  function compare(op, a, b) {
    if (op === "=" || op === "!=") {
      let eq;
      if (typeof a === "boolean" || typeof b === "boolean") eq = toBool(a) === toBool(b);
      else if (typeof a === "number" || typeof b === "number") eq = toNumber(a) === toNumber(b);
      else eq = toStr(a) === toStr(b);
      return op === "=" ? eq : !eq;
    }
    let x, y;
    const sa = toStr(a), sb = toStr(b);
    if (DATE.test(sa) && DATE.test(sb)) { x = sa; y = sb; }
    else {
      x = toNumber(a); y = toNumber(b);
      if (Number.isNaN(x) || Number.isNaN(y)) return false;
    }
    if (op === "<") return x < y;
    if (op === "<=") return x <= y;
    if (op === ">") return x > y;
    return x >= y;
  }
  function arith(op, a, b) {
    const x = toNumber(a), y = toNumber(b);
    if (op === "+") return x + y;
    if (op === "-") return x - y;
    if (op === "*") return x * y;
    if (op === "div") return y === 0 ? NaN : x / y;
    return y === 0 ? NaN : x % y;
  }
  // Asia/Shanghai, like the server
  const localNow = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 19) + "+08:00";
  const localToday = () => localNow().slice(0, 10);
  const whole = (v) => { const n = toNumber(v); return Number.isFinite(n) ? Math.trunc(n) : 0; };
  function age(v) {
    const s = toStr(v);
    if (!DATE.test(s)) return NaN;
    const [y, m, d] = s.slice(0, 10).split("-").map(Number);
    const born = new Date(Date.UTC(y, m - 1, d));
    if (born.getUTCFullYear() !== y || born.getUTCMonth() !== m - 1 || born.getUTCDate() !== d) return NaN;  // 2000-13-45
    const t = localToday();
    let years = Number(t.slice(0, 4)) - Number(s.slice(0, 4));
    if (t.slice(5, 10) < s.slice(5, 10)) years -= 1;
    return years;
  }
  const FUNCTIONS = {
    "selected": (v, c) => toStr(v).split(/\s+/).filter(Boolean).includes(toStr(c)),
    "count-selected": (v) => toStr(v).split(/\s+/).filter(Boolean).length,
    "string-length": (v) => chars(toStr(v)).length,
    "regex": (v, p) => { try { return new RegExp(toStr(p)).test(toStr(v)); } catch (e) { return false; } },
    "contains": (a, b) => toStr(a).includes(toStr(b)),
    "starts-with": (a, b) => toStr(a).startsWith(toStr(b)),
    "ends-with": (a, b) => toStr(a).endsWith(toStr(b)),
    "substr": (v, s, e) => (e === undefined ? chars(toStr(v)).slice(whole(s)) : chars(toStr(v)).slice(whole(s), whole(e))).join(""),
    "concat": (...a) => a.map(toStr).join(""),
    "coalesce": (a, b) => toStr(a) !== "" ? a : b,
    "string": toStr, "number": toNumber,
    "int": (v) => { const n = toNumber(v); return Number.isNaN(n) ? n : Math.trunc(n); },
    "round": (v, d) => { const n = toNumber(v), f = Math.pow(10, whole(d)); return Number.isFinite(n) ? Math.floor(n * f + 0.5) / f : n; },
    "boolean": toBool, "not": (v) => !toBool(v), "true": () => true, "false": () => false,
    "today": localToday, "now": localNow, "age": age,
    "min": (...a) => Math.min(...a.map(toNumber)),
    "max": (...a) => Math.max(...a.map(toNumber)),
    "abs": (v) => Math.abs(toNumber(v)),
    "pow": (a, b) => { const r = Math.pow(toNumber(a), toNumber(b)); return Number.isFinite(r) ? r : NaN; },
  };
  // [fewest, most] arguments (most null: any), checked when an expression is compiled.
  const ARITY = {
    "if": [3, 3], "selected": [2, 2], "count-selected": [1, 1], "string-length": [1, 1], "regex": [2, 2],
    "contains": [2, 2], "starts-with": [2, 2], "ends-with": [2, 2], "substr": [2, 3], "concat": [1, null],
    "coalesce": [2, 2], "string": [1, 1], "number": [1, 1], "int": [1, 1], "round": [1, 2], "boolean": [1, 1],
    "not": [1, 1], "true": [0, 0], "false": [0, 0], "today": [0, 0], "now": [0, 0], "age": [1, 1],
    "min": [1, null], "max": [1, null], "abs": [1, 1], "pow": [2, 2],
  };

  function parse(text) {
    const tokens = tokenize(text);
    let pos = 0;
    const peek = () => tokens[pos];
    const accept = (...values) => {
      const t = tokens[pos];
      if (t && (t[0] === "op" || t[0] === "name") && values.includes(t[1])) { pos++; return t[1]; }
      return null;
    };
    function or_() { let n = and_(); while (accept("or")) { const l = n, r = and_(); n = (e, d) => toBool(l(e, d)) || toBool(r(e, d)); } return n; }
    function and_() { let n = eq(); while (accept("and")) { const l = n, r = eq(); n = (e, d) => toBool(l(e, d)) && toBool(r(e, d)); } return n; }
    function eq() { let n = rel(), op; while ((op = accept("=", "!="))) { const l = n, r = rel(), o = op; n = (e, d) => compare(o, l(e, d), r(e, d)); } return n; }
    function rel() { let n = add(), op; while ((op = accept("<", "<=", ">", ">="))) { const l = n, r = add(), o = op; n = (e, d) => compare(o, l(e, d), r(e, d)); } return n; }
    function add() { let n = mul(), op; while ((op = accept("+", "-"))) { const l = n, r = mul(), o = op; n = (e, d) => arith(o, l(e, d), r(e, d)); } return n; }
    function mul() { let n = unary(), op; while ((op = accept("*", "div", "mod"))) { const l = n, r = unary(), o = op; n = (e, d) => arith(o, l(e, d), r(e, d)); } return n; }
    function unary() { if (accept("-")) { const i = unary(); return (e, d) => -toNumber(i(e, d)); } return primary(); }
    function primary() {
      const t = tokens[pos++];
      if (!t) throw new Error("unexpected end of expression");
      const [kind, value] = t;
      if (kind === "num") { const n = Number(value); return () => n; }
      if (kind === "str") return () => value;
      if (kind === "ref") return (e) => (own(e, value) && e[value] !== undefined && e[value] !== null ? e[value] : "");
      if (kind === "dot") return (e, d) => d;
      if (kind === "op" && value === "(") { const n = or_(); if (!accept(")")) throw new Error("missing )"); return n; }
      if (kind === "name") {
        if (!accept("(")) throw new Error("unknown name " + value);
        const args = [];
        if (!accept(")")) {
          args.push(or_());
          while (accept(",")) args.push(or_());
          if (!accept(")")) throw new Error("missing )");
        }
        if (!own(ARITY, value)) throw new Error("unsupported function " + value);
        const [fewest, most] = ARITY[value];
        if (args.length < fewest || (most !== null && args.length > most)) throw new Error(value + "() takes " + fewest + (most === fewest ? "" : most === null ? " or more" : "-" + most) + " argument(s)");
        if (value === "if") {
          const [c, y, n] = args;
          return (e, d) => (toBool(c(e, d)) ? y(e, d) : n(e, d));
        }
        const f = FUNCTIONS[value];
        return (e, d) => f(...args.map((a) => a(e, d)));
      }
      throw new Error("unexpected " + value);
    }
    const node = or_();
    if (peek()) throw new Error("unexpected " + peek()[1]);
    return node;
  }

  const cache = new Map();
  function compile(text) {
    if (!cache.has(text)) cache.set(text, parse(text));
    return cache.get(text);
  }
  global.GridXPath = { compile, evaluate: (t, env, dot) => compile(t)(env, dot === undefined ? "" : dot), toBool, toStr, toNumber };
})(typeof window !== "undefined" ? window : globalThis);
