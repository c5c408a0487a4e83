/**
 * `@wampbox/core/testing`: what tests and codec authors use. The codec conformance suite, an
 * in-memory transport and a scripted router that plays the router's side message by message.
 * @packageDocumentation
 */
export { describePayloadCodecConformance } from './codec-conformance.js';
export type { ConformanceTestFramework, PayloadCodecConformanceSetup } from './codec-conformance.js';
export { MemoryTransport, passThroughSerializer } from './memory-transport.js';
export { ScriptedRouter } from './scripted-router.js';
export type { ScriptedRouterOptions } from './scripted-router.js';
export { MessageType } from '../protocol/messages.js';
