import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('uses the embedded defaults on a bare environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.home).toMatch(/\.npsflow$/);
    expect(config.usesEmbeddedDatabase).toBe(true);
    expect(config.databaseUrl).toMatch(/\.npsflow\/pgdata$/);
    expect(config.temporal.address).toBeUndefined();
    expect(config.temporal.namespace).toBe('default');
    expect(config.email.resendApiKey).toBeUndefined();
  });

  it('selects PostgreSQL and an external Temporal cluster from the environment', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/npsflow',
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'prod',
      TEMPORAL_API_KEY: 'secret',
      PORT: '8080',
    });
    expect(config.usesEmbeddedDatabase).toBe(false);
    expect(config.temporal).toMatchObject({ address: 'temporal:7233', namespace: 'prod', tls: true });
    expect(config.port).toBe(8080);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['TEMPORAL_ADDRESS', 'no-port'],
    ['LOG_LEVEL', 'chatty'],
    ['ADMIN_API_KEY', 'short'],
    ['TEMPORAL_TLS', 'maybe'],
    ['EMAIL_SENDS_PER_SECOND', '-1'],
    ['PUBLIC_BASE_URL', 'not a url'],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', '10.0.0.1, proxy.example'],
  ])('names %s when its value %j is bad', (variable, value) => {
    const error = errorOf({ [variable]: value });
    expect(error.issues.map((i) => i.variable)).toEqual([variable]);
    expect(error.message).toContain(variable);
  });

  it('reports every bad variable at once', () => {
    const error = errorOf({ PORT: 'x', LOG_LEVEL: 'y' });
    expect(error.issues.map((i) => i.variable).sort()).toEqual(['LOG_LEVEL', 'PORT']);
  });

  it('trusts no proxy by default; TRUST_PROXY takes a hop count or addresses and CIDR ranges', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,::1,fd00::/8,loopback' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(3000);
  });

  it('needs a TLS key with a TLS certificate', () => {
    expect(errorOf({ TEMPORAL_TLS_CERT_PATH: '/x.pem' }).issues[0]?.variable).toBe('TEMPORAL_TLS_KEY_PATH');
  });
});
