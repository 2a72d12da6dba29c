import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';

describe('sign-in configuration', () => {
  it('has email links and 30-minute idle / 12-hour sessions by default, and no OpenID Connect', () => {
    const config = loadConfig({});
    expect(config.signIn).toEqual({ sessionIdleMs: 30 * 60_000, sessionAbsoluteMs: 12 * 3_600_000, oidc: undefined });
  });

  it('turns OpenID Connect on with all three variables', () => {
    const config = loadConfig({ OIDC_ISSUER: 'https://login.example.org/realms/staff', OIDC_CLIENT_ID: 'npsflow', OIDC_CLIENT_SECRET: 's3cret', SESSION_IDLE_MINUTES: '15' });
    expect(config.signIn.oidc).toEqual({ issuer: 'https://login.example.org/realms/staff', clientId: 'npsflow', clientSecret: 's3cret' });
    expect(config.signIn.sessionIdleMs).toBe(15 * 60_000);
  });

  it('names the missing OpenID Connect variables when only some are set', () => {
    let error: unknown;
    try {
      loadConfig({ OIDC_ISSUER: 'https://login.example.org' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => issue.variable)).toEqual(['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET']);
    expect(() => loadConfig({ OIDC_ISSUER: 'not a url', OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b' })).toThrow(/OIDC_ISSUER/);
    expect(() => loadConfig({ SESSION_IDLE_MINUTES: '0' })).toThrow(/SESSION_IDLE_MINUTES/);
  });
});
