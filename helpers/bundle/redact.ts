/**
 * Last line of defence before a bundle leaves the machine: bundles go into bug reports and CI
 * artifacts, so credential-shaped text (kubeconfig key/cert data, PEM private keys, bearer
 * tokens, JWTs) is replaced by `<redacted:KIND>` wherever it appears. The live shell never records
 * such text on purpose; this catches the day a tool's output does.
 */
const PATTERNS: readonly { readonly kind: string; readonly re: RegExp }[] = [
  {
    kind: 'pem-private-key',
    re: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  },
  { kind: 'pem-certificate', re: /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g },
  {
    kind: 'kubeconfig-data',
    re: /((?:client-key|client-certificate|certificate-authority)-data"?\s*:\s*"?)[A-Za-z0-9+/=]{16,}/g,
  },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { kind: 'bearer-token', re: /(\bBearer\s+)[A-Za-z0-9._~+/-]{16,}=*/g },
  { kind: 'token-field', re: /(\btoken"?\s*:\s*"?)[A-Za-z0-9._~+/-]{16,}/g },
];

/** `text` with every credential-shaped match replaced, and the kinds that were found. */
export function redactCredentials(text: string): {
  readonly text: string;
  readonly found: readonly string[];
} {
  const found = new Set<string>();
  let out = text;
  for (const { kind, re } of PATTERNS) {
    out = out.replace(re, (match: string, prefix: unknown) => {
      found.add(kind);
      return `${typeof prefix === 'string' && match.startsWith(prefix) ? prefix : ''}<redacted:${kind}>`;
    });
  }
  return { text: out, found: [...found].sort() };
}
