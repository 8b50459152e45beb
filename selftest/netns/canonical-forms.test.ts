/**
 * What the real tools rewrite. These are the forms a renderer must print to survive a round trip
 * (fidelity.test.ts); each case restores a non-canonical input and pins the canonical output, and
 * shows the round-trip comparison would catch a model that printed the input form.
 * Recorded with iptables v1.8.9 (nf_tables) and ipset v7.17 on Debian bookworm.
 */
import { describe, expect, it } from 'vitest';
import { createNetns, probeNetns } from '../../helpers/live/netns.ts';
import { LOAD_TIMEOUT_MS, normalizeIpsetSave, normalizeIptablesSave } from './support.ts';

const availability = await probeNetns();
const skipReason = availability.ok ? null : availability.reason;
const skipped = (title: string): string =>
  skipReason === null ? title : `${title} [skipped: ${skipReason}]`;

async function iptablesRoundTrip(input: string): Promise<string> {
  await using ns = await createNetns('canon');
  await ns.run(['iptables-restore'], { timeoutMs: LOAD_TIMEOUT_MS, input });
  return (await ns.run(['iptables-save'], { timeoutMs: LOAD_TIMEOUT_MS })).stdout;
}

async function ipsetRoundTrip(input: string): Promise<string> {
  await using ns = await createNetns('canon');
  await ns.run(['ipset', 'restore'], { timeoutMs: LOAD_TIMEOUT_MS, input });
  return (await ns.run(['ipset', 'save'], { timeoutMs: LOAD_TIMEOUT_MS })).stdout;
}

/** The rule lines of a save, in order. */
const rules = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('-A '));

describe.skipIf(skipReason !== null)(skipped('canonical forms of iptables-save and ipset save'), () => {
  it('iptables-save rewrites MARK, implicit matches, host addresses and needless quotes; keeps match order', async () => {
    const input = [
      '*nat',
      ':KUBE-MARK-MASQ - [0:0]',
      ':X - [0:0]',
      '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
      '-A X -j MARK --set-mark 0x4000',
      '-A X -p tcp --dport 53 -j RETURN',
      '-A X -d 10.0.0.1 -j RETURN',
      '-A X -m addrtype --dst-type LOCAL -m comment --comment "single" -j RETURN',
      '-A X -m comment --comment "two words" -m set --match-set S dst -j RETURN',
      'COMMIT',
      '',
    ].join('\n');
    const out = await (async () => {
      await using ns = await createNetns('canon');
      await ns.run(['ipset', 'create', 'S', 'hash:ip'], { timeoutMs: LOAD_TIMEOUT_MS });
      await ns.run(['iptables-restore'], { timeoutMs: LOAD_TIMEOUT_MS, input });
      return (await ns.run(['iptables-save'], { timeoutMs: LOAD_TIMEOUT_MS })).stdout;
    })();
    expect(rules(out)).toEqual([
      // kube-proxy writes --or-mark; iptables prints the xmark form the model must render.
      '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
      '-A X -j MARK --set-xmark 0x4000/0xffffffff',
      // -p tcp --dport loads the tcp match implicitly; save names it.
      '-A X -p tcp -m tcp --dport 53 -j RETURN',
      '-A X -d 10.0.0.1/32 -j RETURN',
      // Quotes only where the comment needs them; -m comment stays where it was written.
      '-A X -m addrtype --dst-type LOCAL -m comment --comment single -j RETURN',
      '-A X -m comment --comment "two words" -m set --match-set S dst -j RETURN',
    ]);
    // Every built-in chain of the table is declared even when the input declared none.
    expect(out).toMatch(
      /^:PREROUTING ACCEPT \[0:0\]\n:INPUT ACCEPT \[0:0\]\n:OUTPUT ACCEPT \[0:0\]\n:POSTROUTING ACCEPT \[0:0\]$/m,
    );
    // A model printing the input forms would fail the round trip.
    expect(normalizeIptablesSave(out)).not.toBe(normalizeIptablesSave(input));
  });

  it('iptables-restore refuses a rule whose ipset does not exist (sets must be restored first)', async () => {
    const input = '*filter\n:X - [0:0]\n-A X -m set --match-set NOPE dst -j RETURN\nCOMMIT\n';
    await expect(iptablesRoundTrip(input)).rejects.toThrow(/Set NOPE doesn't exist/);
  });

  it('ipset save completes create options (random initval), sorts bitmap members, keeps given options verbatim', async () => {
    const out = await ipsetRoundTrip(
      [
        'create S hash:ip',
        'create K hash:ip,port family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x0badcafe',
        'create P bitmap:port range 0-65535',
        'add P 30001',
        'add P 30000',
        '',
      ].join('\n'),
    );
    const lines = out.split('\n');
    expect(lines[0]).toMatch(
      /^create S hash:ip family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x[0-9a-f]{8}$/,
    );
    expect(lines.slice(1)).toEqual([
      'create K hash:ip,port family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x0badcafe',
      'create P bitmap:port range 0-65535',
      'add P 30000',
      'add P 30001',
      '',
    ]);
    // Bitmap order is canonical: a model listing 30001 before 30000 is caught (hash sets are sorted by the normaliser).
    expect(normalizeIpsetSave('create P bitmap:port range 0-65535\nadd P 30001\nadd P 30000\n')).not.toBe(
      normalizeIpsetSave(lines.slice(2).join('\n')),
    );
  });
});
