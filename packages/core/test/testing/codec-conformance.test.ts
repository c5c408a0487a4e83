import { passthrough } from '../../src/payload/passthrough';
import { describePayloadCodecConformance } from '../../src/testing/codec-conformance';

describePayloadCodecConformance(
  'passthrough',
  async () => ({
    sender: passthrough(),
    receiver: passthrough(),
    keyedUri: 'com.example.any',
    unkeyedUri: 'com.example.other',
    expectOpaque: false,
  }),
  { describe, it, expect },
);
