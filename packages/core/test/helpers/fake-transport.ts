/** The in-memory transport of `@wampbox/core/testing`, under the names the tests use. */
export {
  MemoryTransport as FakeTransport,
  passThroughSerializer as identitySerializer,
} from '../../src/testing/memory-transport';
