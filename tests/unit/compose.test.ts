import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../../config';
import { ENTRY_POINTS } from '../../scripts/build';
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
  healthcheck?: { test?: string[]; disable?: boolean };
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
      ['api', 'migrate', 'postgres', 'temporal', 'temporal-schema', 'temporal-setup', 'temporal-ui', 'worker'].sort(),
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

  it('runs the Temporal server image on a schema the setup step made, not the development-only auto-setup', () => {
    for (const service of Object.values(services)) expect(service.image ?? '').not.toMatch(/auto-setup/);
    const version = services.temporal!.image!.replace('temporalio/server:', '');
    expect(services.temporal!.image).toBe(`temporalio/server:${version}`);
    const schema = services['temporal-schema']!;
    expect(schema.image).toBe(`temporalio/admin-tools:${version}`);
    expect(services['temporal-setup']!.image).toBe(`temporalio/admin-tools:${version}`);
    const pg = services.postgres!.environment!;
    expect(schema.environment!.SQL_PASSWORD).toBe(pg.POSTGRES_PASSWORD);
    const script = String(schema.command);
    expect(script).toContain(`--ep postgres -p 5432 -u ${pg.POSTGRES_USER}`);
    for (const step of ['create', 'setup-schema -v 0.0', 'update-schema -d /etc/temporal/schema/postgresql/v12/$$schema/versioned']) {
      expect(script).toContain(step);
    }
    expect(script).toMatch(/for db in temporal temporal_visibility/);
    // The server image creates no namespace: the setup step does.
    expect(String(services['temporal-setup']!.command)).toContain('temporal operator namespace create --namespace default');
    // Closed workflows' histories (ids only, docs/privacy.md) are kept a week, then deleted by the server.
    expect(String(services['temporal-setup']!.command)).toContain('--retention 168h');
  });

  it('registers exactly the search attributes the workflows use', () => {
    const script = String(services['temporal-setup']!.command);
    for (const name of Object.keys(SEARCH_ATTRIBUTE_TYPES)) expect(script).toContain(name);
    expect(script).toContain('--type Keyword');
  });

  it('starts things in the right order', () => {
    expect(dependencies(services['temporal-schema']!)).toMatchObject({ postgres: 'service_healthy' });
    expect(dependencies(services.temporal!)).toMatchObject({ 'temporal-schema': 'service_completed_successfully' });
    expect(dependencies(services['temporal-setup']!)).toMatchObject({ temporal: 'service_healthy' });
    expect(services.temporal!.healthcheck!.test).toBeDefined();
    expect(dependencies(services.migrate!)).toMatchObject({ postgres: 'service_healthy' });
    for (const name of ['api', 'worker']) {
      expect(dependencies(services[name]!)).toMatchObject({
        migrate: 'service_completed_successfully',
        'temporal-setup': 'service_completed_successfully',
      });
    }
  });

  it('runs each role from the Dockerfile as compiled JavaScript built from an entry point that exists', () => {
    const dockerfile = readFileSync(path.join(projectRoot, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).toMatch(/npm run build && npm run build:workflows/);
    expect(dockerfile).toMatch(/WORKFLOW_BUNDLE_PATH=\/app\/dist\/workflow-bundle\.js/);
    // Production dependencies only, no sources, not root, with a health check.
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).not.toMatch(/COPY --from=build \/app \/app/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/server\.js"\]$/m);
    const built = Object.keys(ENTRY_POINTS).map((name) => `dist/${name}.js`);
    for (const [name, entry] of [['api', 'dist/server.js'], ['worker', 'dist/worker.js'], ['migrate', 'dist/migrate.js']] as const) {
      expect(services[name]!.build).toBe('.');
      expect(services[name]!.command).toEqual(['node', entry]);
      expect(built).toContain(entry);
    }
    for (const source of Object.values(ENTRY_POINTS)) expect(existsSync(path.join(projectRoot, source)), source).toBe(true);
  });

  it('serves the worker metrics inside the network and checks the worker by them', () => {
    const worker = services.worker!;
    const port = loadConfig(worker.environment!).telemetry.workerMetricsPort;
    expect(port).toBeDefined();
    expect(worker.healthcheck!.test!.join(' ')).toContain(`http://127.0.0.1:${port}/metrics`);
    expect(worker.ports).toBeUndefined();
    expect(services.migrate!.healthcheck!.disable).toBe(true);
  });
});
