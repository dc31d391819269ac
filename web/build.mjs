// Bundles the page's scripts and their libraries into dist/app.js and gathers the
// libraries' licences into dist/licenses.txt. Both are committed, so building the
// binary needs no npm: run `npm ci && npm run build` here after changing src/.
import { build } from "esbuild";
import { readFileSync, writeFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";

await build({
  entryPoints: ["src/main.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "none",
  outfile: "dist/app.js",
});

// Every package that ends up in the bundle (the runtime dependencies and theirs).
const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const runtime = Object.entries(lock.packages)
  .filter(([path, info]) => path.startsWith("node_modules/") && !info.dev)
  .map(([path, info]) => ({ path, name: path.slice("node_modules/".length), version: info.version, license: info.license }))
  .sort((a, b) => a.name.localeCompare(b.name));
let out = "Third-party software in app.js, with its licence.\n";
for (const pkg of runtime) {
  const file = readdirSync(pkg.path).find((f) => /^(licen[cs]e|copying)/i.test(f));
  out += `\n${"=".repeat(78)}\n${pkg.name} ${pkg.version} (${pkg.license})\n${"=".repeat(78)}\n\n`;
  out += file && existsSync(join(pkg.path, file)) ? readFileSync(join(pkg.path, file), "utf8") : "(no licence file in the package)\n";
}
writeFileSync("dist/licenses.txt", out);
console.log(`dist/app.js and dist/licenses.txt (${runtime.length} packages)`);
