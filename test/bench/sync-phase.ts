// Child process of the sync benchmarks: one full sync of `<connector>` with the given secret map,
// so the figures (seconds, peak RSS) are the sync's own, not the simulator's.
import { loadConnector, connectorName } from '../../bin/cli/registry.ts';
import { syncToFile } from '../../shared/sync/run-sync.ts';
import { peakRssMb } from './child.ts';

const [name, configJson, out, overridesJson] = process.argv.slice(2);
const baseRssMb = process.memoryUsage.rss() / 2 ** 20;
const started = performance.now();
const summary = await syncToFile({
  connector: await loadConnector(connectorName(name)),
  secretMap: JSON.parse(configJson ?? '{}') as Record<string, string>,
  out: out!,
  httpOverrides: overridesJson ? JSON.parse(overridesJson) : undefined,
});
process.send!({ seconds: (performance.now() - started) / 1000, peakRssMb: peakRssMb(), baseRssMb, counts: summary.counts, requests: summary.http.requests, throttles: summary.http.throttles });
