/**
 * Child process of lifecycle.test.ts: creates one namespace through helpers/live/netns.ts, prints
 * its name, then either waits to be signalled (`signal`) or exits without removing it (`exit`), so
 * the test can prove the process-level cleanup. Run as `node --import tsx hold-netns.ts <mode>`.
 */
import { createNetns } from '../../helpers/live/netns.ts';

const mode = process.argv[2];
if (mode !== 'signal' && mode !== 'exit') {
  process.stderr.write('usage: hold-netns.ts signal|exit\n');
  process.exit(2);
}
const h = await createNetns('hold');
process.stdout.write(`${h.name}\n`);
if (mode === 'exit') process.exit(0);
// Bounded: the parent signals within a second or two; never outlive a forgotten test.
setTimeout(() => process.exit(3), 30_000);
