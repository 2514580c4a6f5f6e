import { describe, expect, it } from 'vitest';
import { byteLimit, parseForm } from './body-parsers.js';

describe(parseForm.name, () => {
  it('reads names and values, + as space and percent-escapes (WHATWG URL §5.1)', () => {
    expect(
      parseForm('grant_type=client_credentials&scope=a+b&resource=https%3A%2F%2Fapi%2F', 100),
    ).toEqual({ grant_type: 'client_credentials', scope: 'a b', resource: 'https://api/' });
    expect(parseForm('a=%E2%82%AC&b=x%2By', 100)).toEqual({ a: '\u20ac', b: 'x+y' });
  });

  it('gives the values of a repeated name as an array, so that RFC 6749 §3.1 repeats can be refused', () => {
    expect(parseForm('a=1&b=2&a=3', 100)).toEqual({ a: ['1', '3'], b: '2' });
    expect(parseForm('a=1&a=2&a=3', 100)).toEqual({ a: ['1', '2', '3'] });
    // Inherited names are names like any other.
    expect(parseForm('toString=1&toString=2&constructor=x', 100)).toEqual({
      toString: ['1', '2'],
      constructor: 'x',
    });
  });

  it('keeps a malformed escape as written, as body-parser does (no 400)', () => {
    expect(parseForm('a=%ZZ+q&b=%', 100)).toEqual({ a: '%ZZ q', b: '%' });
  });

  it('skips empty parts and nameless values; a name without = has the empty value', () => {
    expect(parseForm('', 100)).toEqual({});
    expect(parseForm('&&a=1&&=2&b', 100)).toEqual({ a: '1', b: '' });
    expect(parseForm('a==b&c=d=e', 100)).toEqual({ a: '=b', c: 'd=e' });
  });

  it('drops __proto__ and never changes the prototype of the result', () => {
    const body = parseForm('__proto__=x&%5B__proto__%5D=y&a=1', 100)!;
    expect(body).toEqual({ a: '1' });
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
  });

  it('reads bracket names as qs does at depth 0: literal, except a name wholly in brackets', () => {
    expect(parseForm('a[b]=1&a%5B%5D=2&[x]=3&x=4&x]=5=6', 100)).toEqual({
      'a[b]': '1',
      'a[]': '2',
      x: ['3', '4'],
      'x]': '5=6',
    });
  });

  it('counts every part against the limit (body-parser: the number of & plus one)', () => {
    const at = Array.from({ length: 100 }, (_, i) => `p${i}=1`).join('&');
    expect(Object.keys(parseForm(at, 100)!)).toHaveLength(100);
    expect(parseForm(`${at}&p100=1`, 100)).toBeNull();
    expect(parseForm(`${at}&`, 100)).toBeNull();
  });
});

describe(byteLimit.name, () => {
  it('reads BODY_LIMIT as body-parser does (1 kb = 1024 bytes)', () => {
    expect(byteLimit('64kb')).toBe(65536);
    expect(byteLimit('1MB')).toBe(1048576);
    expect(byteLimit('500')).toBe(500);
    expect(byteLimit('20b')).toBe(20);
    expect(byteLimit('lots')).toBe(-1);
  });
});
