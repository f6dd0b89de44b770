import { describe, expect, it } from 'vitest';
import { ApiKeyAuthenticator, bearerToken } from '../../../../src/server/auth/api-key-authenticator.js';
import { tenantIdForKey } from '../../../../src/server/auth/tenant-id.js';

describe('ApiKeyAuthenticator', () => {
  it('accepts configured keys, one tenant per key, and nothing else', () => {
    const authenticator = new ApiKeyAuthenticator(['sk-alpha', 'sk-beta']);
    const alpha = authenticator.authenticate('sk-alpha');
    const beta = authenticator.authenticate('sk-beta');
    expect(alpha?.id).toMatch(/^key_[0-9a-f]{16}$/);
    expect(alpha?.id).toBe(tenantIdForKey('sk-alpha'));
    expect(beta?.id).not.toBe(alpha?.id);
    expect(authenticator.authenticate('sk-alph')).toBeUndefined();
    expect(authenticator.authenticate('sk-alpha ')).toBeUndefined();
    expect(authenticator.authenticate(undefined)).toBeUndefined();
    expect(authenticator.open).toBe(false);
    expect(new ApiKeyAuthenticator([]).open).toBe(true);
  });

  it('derives tenant ids that never contain the key', () => {
    expect(tenantIdForKey('sk-alpha')).toBe(tenantIdForKey('sk-alpha'));
    expect(tenantIdForKey('sk-alpha')).not.toContain('alpha');
  });

  it('reads only the Bearer scheme', () => {
    expect(bearerToken('Bearer sk-1')).toBe('sk-1');
    expect(bearerToken('bearer   sk-1 ')).toBe('sk-1');
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
