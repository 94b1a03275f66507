import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../src/config/config-error.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';
import { allowedHost, undiscoveredUrl } from '../src/transport/discovery/discovery-config.ts';

const normalize = (source: Record<string, unknown>) => normalizeConfig({ sources: { products: { kind: 'graphql', ...source } } }, { baseDir: '/tmp', env: {} });

function problemsOf(source: Record<string, unknown>): readonly string[] {
  try {
    normalize(source);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('discovery config', () => {
  it('fills in the defaults of DNS discovery, and lets url be omitted', () => {
    const [source] = normalize({ discovery: { dns: 'products.internal', port: 4001 } }).sources;
    assert.equal(source?.url, undiscoveredUrl);
    assert.deepEqual(source?.discovery, {
      mechanism: 'dns',
      name: 'products.internal',
      port: 4001,
      protocol: 'http',
      path: '',
      servers: [],
      emptyAfter: 3,
      refresh: 30_000,
    });
  });

  it('reads SRV discovery with its options, beside a fallback url', () => {
    const [source] = normalize({
      url: 'http://products:4001/graphql',
      discovery: {
        srv: '_graphql._tcp.products.internal',
        protocol: 'https',
        path: '/graphql/',
        servers: ['10.0.0.2', '127.0.0.1:5353', '[::1]:53'],
        refresh: '10s',
        emptyAfter: 1,
      },
    }).sources;
    assert.equal(source?.url, 'http://products:4001/graphql');
    assert.deepEqual(source?.discovery, {
      mechanism: 'srv',
      name: '_graphql._tcp.products.internal',
      protocol: 'https',
      path: '/graphql',
      servers: ['10.0.0.2', '127.0.0.1:5353', '[::1]:53'],
      emptyAfter: 1,
      refresh: 10_000,
    });
  });

  it('reads announcements, with their allow-list of ranges and host names', () => {
    const hash = 'a'.repeat(64);
    const [source] = normalize({
      url: 'http://products:4001',
      discovery: { announce: true, ttl: '1m', allow: ['10.0.0.0/8', '::1', '*.svc.cluster.local', 'products.internal'], tokenHash: hash.toUpperCase() },
    }).sources;
    const discovery = source?.discovery;
    assert.ok(discovery?.mechanism === 'announce');
    assert.equal(discovery.ttl, 60_000);
    assert.equal(discovery.tokenHash, hash);
    assert.deepEqual(
      ['10.1.2.3', '11.0.0.1', '[::1]', 'a.svc.cluster.local', 'svc.cluster.local', 'products.internal', 'evil.example'].map((host) =>
        allowedHost(discovery.allow, host),
      ),
      [true, false, true, true, false, true, false],
    );
  });

  it('names the key, the bad value and what is expected for every mistake', () => {
    assert.deepEqual(problemsOf({ url: 'http://p:1', discovery: { dns: 'products.internal', srv: '_g._tcp.products.internal' } }), [
      "config.sources.products.discovery: expected exactly one of dns, srv or announce, such as { dns: 'products.internal', port: 4001 }, { srv: '_graphql._tcp.products.internal' } or { announce: true }, got dns and srv",
    ]);
    assert.deepEqual(problemsOf({ url: 'http://p:1', discovery: 'products.internal' }), [
      "config.sources.products.discovery: expected an object such as { dns: 'products.internal', port: 4001 }, { srv: '_graphql._tcp.products.internal' } or { announce: true }, got \"products.internal\"",
    ]);
    assert.deepEqual(
      problemsOf({ discovery: { dns: '10.0.0.1', protocol: 'ftp', path: 'graphql', refresh: '10ms', emptyAfter: 0, servers: ['dns.google'], ttl: '5s' } }),
      [
        'config.sources.products.discovery.ttl: unknown option; expected one of dns, port, protocol, path, servers, emptyAfter, refresh',
        'config.sources.products.discovery.dns: expected a DNS name such as "products.internal", got "10.0.0.1"',
        'config.sources.products.discovery.protocol: expected one of "http", "https", got "ftp"',
        'config.sources.products.discovery.path: expected a path starting with "/", got "graphql"',
        'config.sources.products.discovery.servers[0]: expected an IP address with an optional port, such as "10.0.0.2", "127.0.0.1:5353" or "[::1]:53", got "dns.google"',
        'config.sources.products.discovery.emptyAfter: expected an integer from 1 to 100, got 0',
        'config.sources.products.discovery.refresh: expected a duration such as "500ms" or "10s", or a number of milliseconds, from 1000 to 86400000 ms, got "10ms"',
        'config.sources.products.discovery.port: expected an integer from 1 to 65535, got nothing',
      ],
    );
    assert.deepEqual(problemsOf({ url: 'http://p:1', discovery: { announce: 'yes', allow: ['10.0.0.0/33', 'bad host!'], tokenHash: 'my-secret-token' } }), [
      'config.sources.products.discovery.announce: expected true, got "yes"',
      'config.sources.products.discovery.tokenHash: expected the SHA-256 of a token as 64 hex digits (printf %s "$TOKEN" | sha256sum), got 15 characters (not shown: it may be the token itself)',
      'config.sources.products.discovery.allow[1]: expected an IP address, a CIDR range such as "10.0.0.0/8", or a host name such as "*.svc.cluster.local", got "bad host!"',
      'config.sources.products.discovery.allow[0]: expected an IPv4 or IPv6 address, or a CIDR range such as "10.0.0.0/8", got "10.0.0.0/33"',
    ]);
  });

  it('still needs a url without discovery', () => {
    assert.deepEqual(problemsOf({}), ['config.sources.products.url: expected an http:// or https:// URL, got nothing']);
  });
});
