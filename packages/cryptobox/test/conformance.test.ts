import './binding-under-test';
import { describePayloadCodecConformance } from '@wampbox/core/testing';
import { cryptobox, generateKeyPair, KeyRing } from '../src/index';

describePayloadCodecConformance(
  'cryptobox (originator/responder key pairs)',
  async () => {
    const o = await generateKeyPair();
    const r = await generateKeyPair();
    return {
      sender: cryptobox(
        new KeyRing().setKey('com.example.secret.', { originatorPriv: o.secretKey, responderPub: r.publicKey }),
      ),
      receiver: cryptobox(
        new KeyRing().setKey('com.example.secret.', { responderPriv: r.secretKey, originatorPub: o.publicKey }),
      ),
      keyedUri: 'com.example.secret.procedure',
      unkeyedUri: 'com.example.public.procedure',
      expectOpaque: true,
    };
  },
  { describe, it, expect },
);

describePayloadCodecConformance(
  'cryptobox (single-key ring)',
  async () => {
    const k = await generateKeyPair();
    return {
      sender: cryptobox(new KeyRing(k.secretKeyBase64)),
      receiver: cryptobox(new KeyRing(k.secretKeyHex)),
      keyedUri: 'com.example.anything',
      expectOpaque: true,
    };
  },
  { describe, it, expect },
);
