import { defineService } from '../types.js';

// Registered so requests route and answer; no operation is implemented yet (501).
export default defineService({ name: 'sns', modelId: 'sns-2010-03-31', handlers: {} });
