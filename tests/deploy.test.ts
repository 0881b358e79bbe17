import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Env } from '../src/env.ts';
import { createApp } from '../src/server/app.ts';
import { citaPerTest } from './support/cita.ts';

/**
 * There is no Docker daemon where the tests run, so the deploy files are checked against the
 * project instead: every script, path, variable and port they name must exist.
 */

const REPO = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(REPO, path), 'utf8');
const packageJson = JSON.parse(read('package.json')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};
const VARIABLES = new Set(Object.keys(Env.shape));
const start = citaPerTest();

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function dockerfile(): { instruction: string; args: string }[] {
  return read('Dockerfile')
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [instruction, ...rest] = line.split(/\s+/);
      return { instruction: instruction!.toUpperCase(), args: rest.join(' ') };
    });
}
const instructions = (name: string) =>
  dockerfile()
    .filter((i) => i.instruction === name)
    .map((i) => i.args);
/** `ENV A=1 B=2` lines as one record. */
const dockerEnv = (): Record<string, string> =>
  Object.fromEntries(
    instructions('ENV').flatMap((args) => args.split(/\s+/).map((pair) => pair.split('=') as [string, string])),
  );

/** Every file reached by static imports from `entry`, and the packages they import. */
function importGraph(entry: string): { files: string[]; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    const specifiers = [
      ...source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm),
      ...source.matchAll(/^\s*import\s+'([^']+)'/gm),
      ...source.matchAll(/createRequire\(import\.meta\.url\)\('([^']+)'\)/g),
    ].map((match) => match[1]!);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
      }
    }
  };
  visit(join(REPO, entry));
  return { files: [...files].map((file) => relative(REPO, file)), packages };
}

describe('Dockerfile', () => {
  it('builds on the official Node 22 slim image, installs production dependencies from the lockfile and runs as a user', () => {
    expect(instructions('FROM')).toEqual(['node:22-slim']);
    expect(instructions('RUN').join('\n')).toMatch(/npm ci --omit=dev/);
    const users = instructions('USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)$/);
  });

  it('runs what npm start runs, and copies everything that reaches, and nothing it does not have', () => {
    const command = JSON.parse(instructions('CMD')[0]!) as string[];
    expect(command.join(' ')).toBe(packageJson.scripts.start);
    const copied = instructions('COPY').flatMap((args) => args.split(/\s+/).slice(0, -1));
    for (const path of copied) expect(existsSync(join(REPO, path)), path).toBe(true);
    const { files, packages } = importGraph(command[1]!);
    expect(files).toContain('adapters/sqlite/database.ts');
    expect(packages).toContain('pino-pretty');
    for (const file of files) {
      expect(
        copied.some((path) => file === path || file.startsWith(`${path}/`)),
        `${file} is copied`,
      ).toBe(true);
    }
    // Only `dependencies` are installed in the image.
    for (const name of packages)
      expect(packageJson.dependencies, `${name} is a production dependency`).toHaveProperty(name);
  });

  it('sets only variables cita reads, keeps the data folder in a volume, and exposes the port it listens on', () => {
    const env = dockerEnv();
    for (const name of Object.keys(env)) expect(VARIABLES, name).toContain(name);
    expect(instructions('VOLUME')).toEqual([env.CITA_DATA_DIR]);
    expect(instructions('EXPOSE')).toEqual([env.PORT]);
  });

  it('checks its health on /healthz, a route the server answers', async () => {
    const [healthcheck] = instructions('HEALTHCHECK');
    expect(healthcheck).toContain("'/healthz'");
    const app = createApp(start(), {});
    expect((await app.request('/healthz')).status).toBe(200);
  });

  it('leaves secrets and local data out of the image', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const path of ['.env', 'data', 'node_modules']) expect(ignored).toContain(path);
  });
});

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml')) as {
    services: Record<string, Record<string, unknown>>;
    volumes: Record<string, unknown>;
  };
  const cita = compose.services.cita as {
    build: string;
    env_file: string;
    environment: Record<string, string>;
    ports: string[];
    volumes: string[];
  };

  it('builds cita from this Dockerfile, with its settings from .env (ignored by git), next to Redis', () => {
    expect(cita.build).toBe('.');
    expect(existsSync(join(REPO, 'Dockerfile'))).toBe(true);
    expect(cita.env_file).toBe('.env');
    expect(read('.gitignore').split('\n')).toContain('.env');
    expect(existsSync(join(REPO, '.env.example'))).toBe(true);
    expect(String(compose.services.redis?.image)).toMatch(/^redis:/);
  });

  it('names only variables cita reads, and points REDIS_URL at the Redis service', () => {
    for (const name of Object.keys(cita.environment)) expect(VARIABLES, name).toContain(name);
    const redis = new URL(cita.environment.REDIS_URL!);
    expect(Object.keys(compose.services)).toContain(redis.hostname);
    expect(redis.port).toBe('6379');
  });

  it("keeps CITA_DATA_DIR in a named volume and publishes cita's port on the host's loopback only", () => {
    const [volume, target] = cita.volumes[0]!.split(':');
    expect(target).toBe(cita.environment.CITA_DATA_DIR);
    expect(target).toBe(dockerEnv().CITA_DATA_DIR);
    expect(compose.volumes).toHaveProperty(volume!);
    const [address, hostPort, containerPort] = cita.ports[0]!.split(/:(?![^{]*})/);
    expect(address).toBe('127.0.0.1');
    expect(hostPort).toBe(containerPort);
    expect(containerPort).toBe(`\${PORT:-${dockerEnv().PORT}}`);
  });
});

describe('.env.example', () => {
  const names = [...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]!);

  it('names only variables cita reads, the ones for where it listens and keeps its data among them', () => {
    for (const name of names) expect(VARIABLES, name).toContain(name);
    expect(names).toEqual(expect.arrayContaining(['HOST', 'PORT', 'CITA_DATA_DIR', 'NODE_ENV']));
  });
});
