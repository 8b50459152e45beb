import { describe, expect, it } from 'vitest';
import { redactCredentials } from './redact.ts';

describe('redactCredentials', () => {
  it('leaves data-plane text alone', () => {
    const text =
      '-A KUBE-SERVICES -m comment --comment "kubernetes service portals" -j KUBE-SERVICES\nkubeconfig: /var/lib/kube-proxy/kubeconfig.conf\n';
    expect(redactCredentials(text)).toEqual({ text, found: [] });
  });

  it('redacts kubeconfig key and certificate data, PEM blocks, JWTs and bearer tokens', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJrdWJlcm5ldGVzIn0.c2lnbmF0dXJlc2lnbmF0dXJl';
    const text = [
      'client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==',
      '"certificate-authority-data":"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t"',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----',
      `Authorization: Bearer ${jwt}`,
      'token: abcdefghijklmnopqrstuvwxyz012345',
    ].join('\n');
    const r = redactCredentials(text);
    expect(r.found).toEqual(['jwt', 'kubeconfig-data', 'pem-private-key', 'token-field']);
    expect(r.text).not.toMatch(/LS0tLS1|MIIEpAIB|eyJhbGci|abcdefghijklmnop/);
    expect(r.text).toContain('client-key-data: <redacted:kubeconfig-data>');
    expect(redactCredentials('Authorization: Bearer 0123456789abcdef0123').text).toBe(
      'Authorization: Bearer <redacted:bearer-token>',
    );
  });
});
