/* The XLSForm expression language on the phone: the same grammar and value rules as
   gridgov/fieldwork/forms/xpath.py, so what the phone accepts the server accepts. */
(function (global) {
  "use strict";
  const TOKEN = /\s*(?:(\d+(?:\.\d*)?|\.\d+)|('[^']*'|"[^"]*")|\$\{([A-Za-z_][\w.-]*)\}|(!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)|([A-Za-z_][\w:-]*)|(\.))/y;
  const DATE = /^\d{4}-\d{2}-\d{2}/;

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
    if (s === "") return NaN;
    const n = Number(s);
    return Number.isNaN(n) ? NaN : n;
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
  function localToday() {
    const d = new Date(Date.now() + 8 * 3600 * 1000);  // Asia/Shanghai, like the server
    return d.toISOString().slice(0, 10);
  }
  function age(v) {
    const s = toStr(v);
    if (!DATE.test(s)) return NaN;
    const t = localToday();
    let years = Number(t.slice(0, 4)) - Number(s.slice(0, 4));
    if (t.slice(5, 10) < s.slice(5, 10)) years -= 1;
    return years;
  }
  const FUNCTIONS = {
    "selected": (v, c) => toStr(v).split(/\s+/).filter(Boolean).includes(toStr(c)),
    "count-selected": (v) => toStr(v).split(/\s+/).filter(Boolean).length,
    "string-length": (v) => toStr(v).length,
    "regex": (v, p) => { try { return new RegExp(toStr(p)).test(toStr(v)); } catch (e) { return false; } },
    "contains": (a, b) => toStr(a).includes(toStr(b)),
    "starts-with": (a, b) => toStr(a).startsWith(toStr(b)),
    "ends-with": (a, b) => toStr(a).endsWith(toStr(b)),
    "substr": (v, s, e) => e === undefined ? toStr(v).slice(toNumber(s)) : toStr(v).slice(toNumber(s), toNumber(e)),
    "concat": (...a) => a.map(toStr).join(""),
    "coalesce": (a, b) => toStr(a) !== "" ? a : b,
    "string": toStr, "number": toNumber,
    "int": (v) => { const n = toNumber(v); return Number.isNaN(n) ? n : Math.trunc(n); },
    "round": (v, d) => { const n = toNumber(v), f = Math.pow(10, Math.trunc(toNumber(d || 0)) || 0); return Number.isNaN(n) ? n : Math.floor(n * f + 0.5) / f; },
    "boolean": toBool, "not": (v) => !toBool(v), "true": () => true, "false": () => false,
    "today": localToday, "now": () => new Date().toISOString(), "age": age,
    "min": (...a) => a.length ? Math.min(...a.map(toNumber)) : NaN,
    "max": (...a) => a.length ? Math.max(...a.map(toNumber)) : NaN,
    "abs": (v) => Math.abs(toNumber(v)), "pow": (a, b) => Math.pow(toNumber(a), toNumber(b)),
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
      if (kind === "ref") return (e) => (e[value] === undefined ? "" : e[value]);
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
        if (value === "if") {
          const [c, y, n] = args;
          return (e, d) => (toBool(c(e, d)) ? y(e, d) : n(e, d));
        }
        const f = FUNCTIONS[value];
        if (!f) throw new Error("unsupported function " + value);
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
