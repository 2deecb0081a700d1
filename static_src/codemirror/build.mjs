// Builds ../../static/codemirror-<version>.min.js from editor.js: one minified file whose header names every package
// bundled, with its version, and carries their MIT licence. Run: npm ci && npm run build
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const here = new URL(".", import.meta.url).pathname;
const modules = join(here, "node_modules");
const manifest = (name) => JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8"));
const version = manifest("codemirror").version;
const outfile = join(here, "..", "..", "static", `codemirror-${version}.min.js`);

const result = await build({
  entryPoints: [join(here, "editor.js")],
  outfile,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome100", "firefox100", "safari15"],
  define: { __CODEMIRROR_VERSION__: JSON.stringify(version) },
  legalComments: "none",
  metafile: true,
  write: false,
});

// The packages whose code is in the bundle, from esbuild's list of the files it read.
const bundled = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const found = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (found) bundled.add(found[1]);
}
const packages = [...bundled].sort().map((name) => {
  const m = manifest(name);
  if (m.license !== "MIT") throw new Error(`${name} is under ${m.license}, not MIT: say so in the header`);
  return `${m.name} ${m.version}`;
});
const licence = readFileSync(join(modules, "@codemirror", "view", "LICENSE"), "utf8").trim();
const banner = `/*! CodeMirror ${version} (https://codemirror.net/), bundled for lambda-console's event editor from
 * static_src/codemirror. Packages: ${packages.join(", ")}.
 * Each is under the MIT licence:
 *
${licence.split("\n").map((line) => ` * ${line}`.trimEnd()).join("\n")}
 */
`;
writeFileSync(outfile, banner + result.outputFiles[0].text);
console.log(`wrote ${outfile} (${(banner.length + result.outputFiles[0].text.length) / 1000} kB): ${packages.join(", ")}`);
