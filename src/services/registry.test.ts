import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CATALOG, type CatalogEntry } from './catalog.js';
import { ServiceRegistry, unknownHandlers, verifyCatalog } from './registry.js';
import { loadModel } from '../protocol/models.js';
import { defineService } from './types.js';

test('every registered service loads and names only operations its model has', async () => {
  const report = await verifyCatalog(CATALOG);
  assert.deepEqual(report.map((r) => r.service), CATALOG.map((e) => e.name));
  for (const r of report) assert.ok(r.operations > 0 && r.handlers <= r.operations, r.service);
});

test('a handler for an operation the model lacks is a wiring error that stops the service from loading', async () => {
  const bogus = defineService({ name: 'sts', modelId: 'sts-2011-06-15', handlers: { GetCallerIdentity: () => ({}), FrobnicateWidgets: () => ({}) } });
  assert.deepEqual(unknownHandlers(bogus, loadModel('sts-2011-06-15')), ['FrobnicateWidgets']);
  const entry: CatalogEntry = { ...CATALOG.find((e) => e.name === 'sts')!, load: async () => bogus };
  await assert.rejects(verifyCatalog([entry]), /handlers for operations not in model sts-2011-06-15: FrobnicateWidgets/);
  const registry = new ServiceRegistry([entry]);
  await assert.rejects(registry.get('sts'), /FrobnicateWidgets/);
});

test('services load once per registry, lazily', async () => {
  const registry = new ServiceRegistry(CATALOG);
  assert.equal(registry.isLoaded('ec2'), false);
  const a = await registry.get('ec2');
  assert.equal(registry.isLoaded('ec2'), true);
  assert.equal(a, await registry.get('ec2'));
  assert.notEqual(a.def.handlers, (await new ServiceRegistry(CATALOG).get('ec2')).def.handlers, 'handler tables are per registry');
});
