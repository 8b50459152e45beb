import { renderDrift } from '../bundle/diff.ts';
import { BundleError, loadBundleFile } from '../bundle/load.ts';

// `npm run --silent diff -- a.json b.json`: normalised data-plane drift between two bundles, as markdown.
const [a, b, ...rest] = process.argv.slice(2);
if (!a || !b || rest.length > 0) {
  process.stderr.write('usage: npm run --silent diff -- <before-bundle.json> <after-bundle.json>\n');
  process.exit(2);
}
try {
  process.stdout.write(renderDrift(loadBundleFile(a), loadBundleFile(b), { a, b }));
} catch (e) {
  if (!(e instanceof BundleError)) throw e;
  process.stderr.write(`error: ${e.message}\n`);
  process.exit(2);
}
