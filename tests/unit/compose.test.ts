import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../../config';
import { projectRoot } from '../../temporal/binaries';
import { SEARCH_ATTRIBUTE_TYPES } from '../../workflows/search-attributes';

/**
 * Docker cannot run on these machines, so this checks that docker-compose.yml and the
 * Dockerfile line up: services, ports, environment, dependencies and entry points.
 */
interface Service {
  image?: string;
  build?: string;
  command?: string[] | string;
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
}
const compose = parse(readFileSync(path.join(projectRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const dependencies = (service: Service): Record<string, string> =>
  Array.isArray(service.depends_on)
    ? Object.fromEntries(service.depends_on.map((name) => [name, 'service_started']))
    : Object.fromEntries(Object.entries(service.depends_on ?? {}).map(([name, dep]) => [name, dep.condition]));

describe('docker-compose.yml', () => {
  it('has the production-like services', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['api', 'migrate', 'postgres', 'temporal', 'temporal-setup', 'temporal-ui', 'worker'].sort(),
    );
  });

  it('publishes the API, the Temporal frontend and the Temporal UI', () => {
    expect(services.api!.ports).toContain('3000:3000');
    expect(services.temporal!.ports).toContain('7233:7233');
    expect(services['temporal-ui']!.ports).toContain('8080:8080');
    expect(services.api!.environment!.PORT).toBe('3000');
  });

  it('gives api, worker and migrate a valid configuration that points at the other services', () => {
    const pg = services.postgres!.environment!;
    for (const name of ['api', 'worker', 'migrate']) {
      const env = services[name]!.environment!;
      for (const variable of Object.keys(env)) expect(CONFIG_VARIABLES).toContain(variable);
      const config = loadConfig(env);
      const db = new URL(config.databaseUrl);
      expect(db.hostname).toBe('postgres');
      expect(db.username).toBe(pg.POSTGRES_USER);
      expect(db.password).toBe(pg.POSTGRES_PASSWORD);
      expect(db.pathname).toBe(`/${pg.POSTGRES_DB}`);
      expect(config.temporal.address).toBe('temporal:7233');
    }
    expect(loadConfig(services.api!.environment!).adminApiKey).toBeDefined();
  });

  it('points Temporal at PostgreSQL and the UI at Temporal', () => {
    const temporal = services.temporal!.environment!;
    expect(temporal.POSTGRES_SEEDS).toBe('postgres');
    expect(temporal.POSTGRES_USER).toBe(services.postgres!.environment!.POSTGRES_USER);
    expect(temporal.POSTGRES_PWD).toBe(services.postgres!.environment!.POSTGRES_PASSWORD);
    expect(services['temporal-ui']!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('registers exactly the search attributes the workflows use', () => {
    const script = String(services['temporal-setup']!.command);
    for (const name of Object.keys(SEARCH_ATTRIBUTE_TYPES)) expect(script).toContain(name);
    expect(script).toContain('--type Keyword');
  });

  it('starts things in the right order', () => {
    expect(dependencies(services.temporal!)).toMatchObject({ postgres: 'service_healthy' });
    expect(dependencies(services.migrate!)).toMatchObject({ postgres: 'service_healthy' });
    for (const name of ['api', 'worker']) {
      expect(dependencies(services[name]!)).toMatchObject({
        migrate: 'service_completed_successfully',
        'temporal-setup': 'service_completed_successfully',
      });
    }
  });

  it('runs each role from the Dockerfile with an entry point that exists', () => {
    const dockerfile = readFileSync(path.join(projectRoot, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).toMatch(/build:workflows/);
    expect(dockerfile).toMatch(/WORKFLOW_BUNDLE_PATH=\/app\/dist\/workflow-bundle\.js/);
    for (const name of ['api', 'worker', 'migrate']) {
      expect(services[name]!.build).toBe('.');
      const command = services[name]!.command as string[];
      const entry = command.at(-1)!;
      expect(existsSync(path.join(projectRoot, entry)), `${name}: ${entry}`).toBe(true);
    }
  });
});
