import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../src/config/config-error.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';

const sources = { users: { kind: 'graphql', url: 'http://users:4001/graphql' } };

function problemsOf(tracing: unknown): readonly string[] {
  try {
    normalizeConfig({ sources, tracing }, { env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

test('defaults: off, the local collector in protobuf, service "concierge", every trace, W3C trace context and baggage', () => {
  assert.deepEqual(normalizeConfig({ sources }, { env: {} }).tracing, {
    enabled: false,
    endpoint: 'http://localhost:4318/v1/traces',
    headers: {},
    protocol: 'http/protobuf',
    serviceName: 'concierge',
    sampleRatio: 1,
    propagation: ['tracecontext', 'baggage'],
    exportTimeoutMs: 10_000,
  });
});

test('options are kept, read from the environment, and formats listed once', () => {
  const tracing = {
    enabled: true,
    endpoint: '${OTLP:-http://collector:4318/v1/traces}',
    headers: { 'x-api-key': '${KEY}' },
    protocol: '${OTEL_EXPORTER_OTLP_TRACES_PROTOCOL:-http/protobuf}',
    serviceName: 'edge',
    sampleRatio: 0.25,
    propagation: ['b3', 'tracecontext', 'b3'],
    exportTimeoutMs: 500,
  };
  assert.deepEqual(normalizeConfig({ sources, tracing }, { env: { KEY: 'secret', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' } }).tracing, {
    enabled: true,
    endpoint: 'http://collector:4318/v1/traces',
    headers: { 'x-api-key': 'secret' },
    protocol: 'http/json',
    serviceName: 'edge',
    sampleRatio: 0.25,
    propagation: ['b3', 'tracecontext'],
    exportTimeoutMs: 500,
  });
});

test('option mistakes name the key, the bad value and what was expected', () => {
  assert.deepEqual(problemsOf(true), ['config.tracing: expected an object such as { enabled: true }, got true']);
  assert.deepEqual(
    problemsOf({
      enabled: 'yes',
      endpoint: 'collector:4318',
      headers: { 'x-key': 1 },
      protocol: 'grpc',
      serviceName: '',
      sampleRatio: 1.5,
      propagation: ['w3c', 'b3'],
      exportTimeoutMs: 0,
      exporter: 'otlp',
    }),
    [
      'config.tracing.exporter: unknown option; expected one of enabled, endpoint, headers, protocol, serviceName, sampleRatio, propagation, exportTimeoutMs',
      'config.tracing.enabled: expected true or false, got "yes"',
      'config.tracing.endpoint: expected an http:// or https:// URL, got "collector:4318"',
      'config.tracing.headers: expected an object of string values, got {"x-key":1}',
      'config.tracing.protocol: expected one of "http/protobuf", "http/json", got "grpc"',
      'config.tracing.serviceName: expected a non-empty string, got ""',
      'config.tracing.sampleRatio: expected a number from 0 to 1, got 1.5',
      'config.tracing.propagation[0]: expected one of "tracecontext", "baggage", "b3", "b3multi", got "w3c"',
      'config.tracing.exportTimeoutMs: expected an integer from 1 to 600000, got 0',
    ],
  );
  assert.deepEqual(problemsOf({ propagation: 'b3', sampleRatio: '0.5' }), [
    'config.tracing.sampleRatio: expected a number from 0 to 1, got "0.5"',
    'config.tracing.propagation: expected a list of "tracecontext", "baggage", "b3", "b3multi", got "b3"',
  ]);
});
