// Inlines the email fixture with juice, the npm inliner MJML uses, and
// prints the time per email: the figure `make bench-juice` compares with
// Go's BenchmarkInline on the same files.
import { readFileSync } from "node:fs";
import juice from "juice";

const dir = new URL("../renderers/email/testdata/inline/", import.meta.url);
const html = readFileSync(new URL("email.html", dir), "utf8");
const css = readFileSync(new URL("email.css", dir), "utf8");

const run = () => juice.inlineContent(html, css, { preserveMediaQueries: true, applyWidthAttributes: true, applyAttributesTableElements: true });
for (let i = 0; i < 50; i++) run(); // warm up the JIT

const n = 500;
const start = process.hrtime.bigint();
let out = "";
for (let i = 0; i < n; i++) out = run();
const ms = Number(process.hrtime.bigint() - start) / 1e6 / n;
console.log(`juice ${juice.version ?? ""}: ${ms.toFixed(3)} ms per email (${html.length} bytes in, ${out.length} out)`);
