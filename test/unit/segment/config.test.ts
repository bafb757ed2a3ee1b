import { describe, expect, it } from 'vitest';
import { connector as segmentConnector } from '../../../lambdas/segment/connector.ts';
import { toSnake } from '../../../lambdas/segment/snake.ts';
import type { HttpClientOptions } from '../../../shared/http/types.ts';
import { ConfigError, parseConnectorConfig } from '../../../shared/sync/config.ts';
import type { ConnectorRuntime } from '../../../shared/sync/connector.ts';
import { memoryState } from '../../../shared/sync/runtime.ts';

const parse = (map: Record<string, string>) => parseConnectorConfig(segmentConnector, map);

describe('segment config', () => {
  it('defaults to the US host', () => {
    expect(parse({ BATON_TOKEN: 'sgp_abcdef' })).toEqual({ token: 'sgp_abcdef', region: 'us', baseUrl: 'https://api.segmentapis.com' });
  });

  it('selects the EU host with BATON_REGION=eu (any case) and sends requests there', () => {
    const config = parse({ BATON_TOKEN: 'sgp_abcdef', BATON_REGION: 'EU' });
    expect(config.baseUrl).toBe('https://eu1.api.segmentapis.com');
    const seen: HttpClientOptions[] = [];
    const runtime: ConnectorRuntime = {
      hasResource: () => false,
      state: memoryState(),
      http(options) {
        seen.push(options);
        return { stats: { requests: 0, retries: 0, throttles: 0, errors: 0, byRoute: {} }, request: () => Promise.reject(new Error('offline')) };
      },
      log() {},
    };
    const connector = segmentConnector.create(config, runtime);
    expect(seen.map((o) => [o.baseUrl, o.headers?.Authorization])).toEqual([['https://eu1.api.segmentapis.com', 'Bearer sgp_abcdef']]);
    expect(connector.describe?.()).toBe('region=eu host=eu1.api.segmentapis.com');
  });

  it('BATON_BASE_URL overrides the region (simulators), trailing slash dropped', () => {
    expect(parse({ BATON_TOKEN: 'sgp_abcdef', BATON_REGION: 'eu', BATON_BASE_URL: 'http://127.0.0.1:9000/' }).baseUrl).toBe('http://127.0.0.1:9000');
  });

  it('names the bad key, never the value', () => {
    expect(() => parse({})).toThrow(ConfigError);
    expect(() => parse({})).toThrow(/BATON_TOKEN/);
    expect(() => parse({ BATON_TOKEN: '  ' })).toThrow(/BATON_TOKEN/);
    expect(() => parse({ BATON_TOKEN: 'sgp_abcdef', BATON_REGION: 'mars' })).toThrow(/BATON_REGION/);
    const err = (() => {
      try {
        parse({ BATON_TOKEN: 'sgp_abcdef', BATON_BASE_URL: 'not a url secretish' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toMatch(/BATON_BASE_URL/);
    expect(err?.message).not.toMatch(/secretish|sgp_abcdef/);
  });
});

describe('segment slugs (strcase ToSnake rules, as Go)', () => {
  it.each([
    ['Source Admin', 'source_admin'],
    ['Source Read-only', 'source_read_only'],
    ['Role2 Admin', 'role_2_admin'],
    ['JSONData', 'json_data'],
    ['  Engage User ', 'engage_user'],
    ['Warehouse.Admin_x', 'warehouse_admin_x'],
    ['JSONSource Viewer2', 'json_source_viewer_2'],
    ['aB', 'a_b'],
  ])('%s -> %s', (name, slug) => {
    expect(toSnake(name)).toBe(slug);
  });
});
