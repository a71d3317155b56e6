// Before `vsce package`: checks that package.json has the project's version and copies the
// language server jar into server/ann-lsp.jar.
//   node scripts/prepare-package.mjs <project-version> <path/to/ann-lsp.jar>
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';

const [version, jar] = process.argv.slice(2);
if (!version || !jar) {
  console.error('usage: node scripts/prepare-package.mjs <project-version> <path/to/ann-lsp.jar>');
  process.exit(2);
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
if (pkg.version !== version) {
  console.error(
    `vscode-extension/package.json has version ${pkg.version}, the Maven project ${version}: ` +
      `set "version": "${version}" in package.json (and the --out name in its "package" script).`,
  );
  process.exit(1);
}
if (!existsSync(jar)) {
  console.error(
    `The language server jar ${jar} is missing. Build it first: mvn -B -pl lsp-server -am package -DskipTests`,
  );
  process.exit(1);
}
mkdirSync('server', { recursive: true });
mkdirSync('target', { recursive: true }); // where vsce writes the .vsix
copyFileSync(jar, 'server/ann-lsp.jar');
console.log(`server/ann-lsp.jar <- ${jar} (${(statSync(jar).size / 1048576).toFixed(1)} MiB)`);
