import { describe, expect, it } from 'vitest';
import { maskUserinfo, stripUserinfo } from '../../src/core/url.js';

describe('URLs are shown without credentials', () => {
  it.each([
    ['https://admin:hunter2@grafana.example.com/x', 'https://***@grafana.example.com/x'],
    ['redis://:pw@localhost:6379', 'redis://***@localhost:6379'],
    ['see http://u@h:8123 and clickhouse://a:b@c', 'see http://***@h:8123 and clickhouse://***@c'],
    ['http://host:8080/path@x', 'http://host:8080/path@x'],
  ])('maskUserinfo(%s)', (text, masked) => {
    expect(maskUserinfo(text)).toBe(masked);
  });

  it('stripUserinfo returns the parts, and the URL without them', () => {
    expect(stripUserinfo('http://ci:s3cret@127.0.0.1:8123/')).toEqual({
      url: 'http://127.0.0.1:8123',
      user: 'ci',
      password: 's3cret',
    });
    expect(stripUserinfo('not a url with x://u:p@h').url).toBe('not a url with x://h');
  });
});
