// Bundles the extension (dist/extension.js) and the training view's webview script with Chart.js
// and its style sheet (dist/panel.js, dist/panel.css) with esbuild; with --tests, the unit tests
// (out/test/unit/).
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';

const tests = process.argv.includes('--tests');
const common = { bundle: true, platform: 'node', target: 'node18', format: 'cjs', logLevel: 'warning' };
if (tests) {
  const entryPoints = readdirSync('test/unit').filter((f) => f.endsWith('.test.ts')).map((f) => `test/unit/${f}`);
  await build({ ...common, entryPoints, outdir: 'out/test/unit', sourcemap: 'inline' });
} else {
  await build({
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    minify: true,
    sourcemap: false,
  });
  // the webview: everything in one file, nothing loaded from elsewhere (its CSP allows only these two)
  await build({
    bundle: true,
    platform: 'browser',
    target: 'chrome108',
    format: 'iife',
    logLevel: 'warning',
    entryPoints: { panel: 'src/webview/main.ts' },
    outdir: 'dist',
    minify: true,
    legalComments: 'eof', // Chart.js's MIT notice stays in the bundle
  });
  await build({ bundle: true, logLevel: 'warning', entryPoints: { panel: 'src/webview/panel.css' }, outdir: 'dist', minify: true });
}
