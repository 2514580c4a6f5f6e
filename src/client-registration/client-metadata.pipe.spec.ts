import type { ArgumentMetadata, Type } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import { OAuthError } from '../common/errors/oauth-error.js';
import { CompiledValidationPipe } from '../common/validation/compiled-validation.pipe.js';
import { metadataValidationPipe } from './client-metadata.pipe.js';
import { ClientRegistrationRequest } from './dto/client-registration-request.dto.js';
import { ClientRegistrationUpdateRequest } from './dto/client-registration-update-request.dto.js';

const DTOS: Type<unknown>[] = [ClientRegistrationRequest, ClientRegistrationUpdateRequest];
const meta = (metatype: Type<unknown>): ArgumentMetadata => ({ type: 'body', metatype });

/** What a pipe makes of `body`: the value (class and own properties) or the OAuth error. */
async function outcome(
  pipe: { transform(v: unknown, m: ArgumentMetadata): unknown },
  body: unknown,
  dto: Type<unknown>,
): Promise<unknown> {
  try {
    const v = (await pipe.transform(structuredClone(body), meta(dto))) as object;
    return { class: v.constructor.name, value: { ...v } };
  } catch (e) {
    if (!(e instanceof OAuthError)) throw e;
    return { status: e.status, error: e.error, description: e.description };
  }
}

const emoji = '\u{1F600}';
/** Per field, values of every kind: valid, wrong types, limits (UTF-16 length vs code points), nulls. */
const VALUES: Record<string, unknown[]> = {
  redirect_uris: [
    ['https://app.example.com/cb'],
    [],
    'https://app.example.com/cb',
    [1],
    [null],
    [['x']],
    [{}],
    Array.from({ length: 21 }, (_, i) => `https://a.example/${i}`),
    null,
  ],
  client_name: ['App', '', 'x'.repeat(256), emoji.repeat(200), 5, true, [], {}, null],
  contacts: [['a@example.com'], 'a@example.com', ['x'.repeat(321)], [7], null, []],
  grant_types: [['authorization_code'], ['client_credentials'], 'authorization_code', [1]],
  scope: ['openid', 7, 'x'.repeat(1001), null],
  jwks: ['{"keys":[]}', { keys: [] }, 5, [], null, { keys: [{ kty: 'EC', __proto__: 1 }] }],
  require_pushed_authorization_requests: [true, false, 'true', 1, null],
  dpop_bound_access_tokens: [false, 'yes', 0],
  backchannel_logout_session_required: [true, 'no'],
  token_endpoint_auth_method: ['none', 'client_secret_basic', 42],
  client_id: ['01JNXXXXXXXXXXXXXXXXXXXXXX', 'x'.repeat(65), 1, null],
  client_secret: ['sec_abc', 'x'.repeat(257), false],
  unknown_field: ['kept out', { nested: true }, [1, 2]],
  constructor: ['x'],
  toString: ['x'],
};

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('metadataPipe (compiled) against the ValidationPipe it replaces on the hot path', () => {
  it('gives the same value or the same error for every single-field body', async () => {
    for (const dto of DTOS) {
      const fast = new CompiledValidationPipe(metadataValidationPipe());
      const slow = metadataValidationPipe();
      for (const [field, values] of Object.entries(VALUES)) {
        for (const v of values) {
          const body = { redirect_uris: ['https://app.example.com/cb'], [field]: v };
          expect(
            await outcome(fast, body, dto),
            `${dto.name} ${field}=${JSON.stringify(v)}`,
          ).toEqual(await outcome(slow, body, dto));
        }
      }
    }
  });

  it('gives the same value or the same error for 3,000 random bodies', async () => {
    const next = random(11);
    const fields = Object.keys(VALUES);
    for (const dto of DTOS) {
      const fast = new CompiledValidationPipe(metadataValidationPipe());
      const slow = metadataValidationPipe();
      for (let n = 0; n < 1500; n++) {
        const body: Record<string, unknown> = {};
        const count = Math.floor(next() * 6);
        for (let k = 0; k < count; k++) {
          const field = fields[Math.floor(next() * fields.length)];
          const values = VALUES[field];
          body[field] = values[Math.floor(next() * values.length)];
        }
        expect(await outcome(fast, body, dto), JSON.stringify(body)).toEqual(
          await outcome(slow, body, dto),
        );
      }
    }
  });

  it('answers a valid body of strings, booleans and string arrays without the ValidationPipe', async () => {
    const slow = metadataValidationPipe();
    const spy = vi.spyOn(slow, 'transform');
    const fast = new CompiledValidationPipe(slow);
    const body = {
      client_name: 'App',
      redirect_uris: ['https://app.example.com/cb'],
      grant_types: ['authorization_code', 'refresh_token'],
      dpop_bound_access_tokens: true,
      contacts: null,
      ignored: 'dropped',
    };
    const v = (await fast.transform(body, meta(ClientRegistrationRequest))) as Record<
      string,
      unknown
    >;
    expect(spy).not.toHaveBeenCalled();
    expect(v).toBeInstanceOf(ClientRegistrationRequest);
    expect(v).not.toHaveProperty('ignored');
    // A copy: the handler may not change the request's body through it.
    expect(v.redirect_uris).toEqual(body.redirect_uris);
    expect(v.redirect_uris).not.toBe(body.redirect_uris);
    // An invalid one, and one with an object, go to the ValidationPipe.
    await expect(
      fast.transform({ client_name: 5 }, meta(ClientRegistrationRequest)),
    ).rejects.toMatchObject({ message: expect.stringContaining('client_name') as unknown });
    await fast.transform({ jwks: { keys: [] } }, meta(ClientRegistrationRequest));
    expect(spy).toHaveBeenCalledTimes(2);
  });
});

describe('CompiledValidationPipe outside the registration DTOs', () => {
  it('leaves built-in metatypes and classes without rules to the ValidationPipe', async () => {
    class NoRules {}
    for (const metatype of [Object, NoRules] as Type<unknown>[]) {
      const fast = new CompiledValidationPipe(metadataValidationPipe());
      const slow = metadataValidationPipe();
      const body = { a: 1, b: ['x'] };
      expect(await fast.transform(structuredClone(body), meta(metatype))).toEqual(
        await slow.transform(structuredClone(body), meta(metatype)),
      );
    }
  });
});
