// The shared expression corpus on the phone's evaluator (static/field/xpath.js), for
// tests/fieldwork/test_xpath_corpus.py: node xpath_corpus.js <xpath.js> <xpath_corpus.json>
// prints one result per case: {value} (null: not a finite number), {error} (does not compile)
// or {crash} (compiled, then failed while evaluating).
"use strict";
const fs = require("fs");
const [script, corpus] = process.argv.slice(2);
require(script); // defines globalThis.GridXPath, as the page's <script> defines window.GridXPath
const X = globalThis.GridXPath;
const results = JSON.parse(fs.readFileSync(corpus, "utf8")).cases.map((c) => {
  let compiled;
  try { compiled = X.compile(c.expr); } catch (e) { return { error: String(e.message || e) }; }
  try {
    const v = compiled(c.env || {}, c.dot === undefined ? "" : c.dot);
    return { value: typeof v === "number" && !Number.isFinite(v) ? null : v };
  } catch (e) { return { crash: String(e.message || e) }; }
});
process.stdout.write(JSON.stringify(results));
