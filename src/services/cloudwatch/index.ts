import { defineService } from '../types.js';
import { withFleet } from '../fleet/engine.js';
import { FLEET_STEPS } from '../fleet/steps.js';
import { metricsHandlers } from './metrics-handlers.js';
import { alarmHandlers } from './alarm-handlers.js';

// One handler map for all three protocols (awsQuery, JSON 1.0, RPC v2 CBOR); each request first
// settles its scope's fleet (emitted metrics, alarm evaluations) up to the request's clock.
export default withFleet(
  defineService({ name: 'cloudwatch', modelId: 'monitoring-2010-08-01', handlers: { ...metricsHandlers, ...alarmHandlers } }),
  () => FLEET_STEPS,
);
