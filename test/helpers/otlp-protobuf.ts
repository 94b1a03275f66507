/**
 * Decodes an OTLP/HTTP protobuf traces export (`ExportTraceServiceRequest`) into the shape of its
 * OTLP/JSON encoding, so a test reads both encodings alike. It reads the protobuf wire format by
 * the field numbers of opentelemetry-proto's `trace.proto`, `resource.proto` and `common.proto`;
 * fields the tests do not read are skipped.
 */
export function decodeTraceExport(bytes: Uint8Array): OtlpExport {
  return {
    resourceSpans: repeated(bytes, 1).map((resourceSpans) => ({
      resource: { attributes: repeated(single(resourceSpans, 1) ?? empty, 1).map(keyValue) },
      scopeSpans: repeated(resourceSpans, 2).map((scopeSpans) => ({ spans: repeated(scopeSpans, 2).map(span) })),
    })),
  };
}

export interface OtlpValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpValue[] };
}
export type OtlpAttributes = Array<{ key: string; value: OtlpValue }> | undefined;
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttributes;
  status?: { code?: number; message?: string };
  events?: Array<{ name: string; attributes?: OtlpAttributes }>;
}
export interface OtlpExport {
  resourceSpans?: Array<{ resource?: { attributes?: OtlpAttributes }; scopeSpans?: Array<{ spans?: OtlpSpan[] }> }>;
}

const empty = new Uint8Array();

function span(bytes: Uint8Array): OtlpSpan {
  const status = single(bytes, 15);
  return {
    traceId: hex(single(bytes, 1)),
    spanId: hex(single(bytes, 2)),
    parentSpanId: hex(single(bytes, 4)),
    name: text(single(bytes, 5)),
    kind: Number(varint(bytes, 6)),
    attributes: repeated(bytes, 9).map(keyValue),
    status: status ? { code: Number(varint(status, 3)), message: text(single(status, 2)) } : {},
    events: repeated(bytes, 11).map((event) => ({ name: text(single(event, 2)), attributes: repeated(event, 3).map(keyValue) })),
  };
}

function keyValue(bytes: Uint8Array): { key: string; value: OtlpValue } {
  return { key: text(single(bytes, 1)), value: anyValue(single(bytes, 2) ?? empty) };
}

function anyValue(bytes: Uint8Array): OtlpValue {
  const [field] = fields(bytes);
  if (!field) return {};
  switch (field.number) {
    case 1:
      return { stringValue: text(field.value as Uint8Array) };
    case 2:
      return { boolValue: field.value !== 0n };
    case 3:
      return { intValue: Number(BigInt.asIntN(64, field.value as bigint)) };
    case 4:
      return { doubleValue: new DataView((field.value as Uint8Array).buffer, (field.value as Uint8Array).byteOffset, 8).getFloat64(0, true) };
    case 5:
      return { arrayValue: { values: repeated(field.value as Uint8Array, 1).map(anyValue) } };
    default:
      throw new Error(`AnyValue field ${field.number} is not decoded here`);
  }
}

/** A field as the wire carries it: a varint as a bigint, anything else as its bytes. */
interface Field {
  number: number;
  value: bigint | Uint8Array;
}

function* fields(bytes: Uint8Array): Generator<Field> {
  let at = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = bytes[at++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
    }
  };
  const take = (length: number): Uint8Array => {
    if (at + length > bytes.length) throw new Error('truncated field');
    return bytes.subarray(at, (at += length));
  };
  while (at < bytes.length) {
    const tag = Number(readVarint());
    const number = tag >>> 3;
    switch (tag & 7) {
      case 0:
        yield { number, value: readVarint() };
        break;
      case 1:
        yield { number, value: take(8) };
        break;
      case 2:
        yield { number, value: take(Number(readVarint())) };
        break;
      case 5:
        yield { number, value: take(4) };
        break;
      default:
        throw new Error(`wire type ${tag & 7} of field ${number} is not protobuf's`);
    }
  }
}

function repeated(bytes: Uint8Array, number: number): Uint8Array[] {
  return [...fields(bytes)].filter((field) => field.number === number).map((field) => field.value as Uint8Array);
}

function single(bytes: Uint8Array, number: number): Uint8Array | undefined {
  return repeated(bytes, number).at(-1);
}

function varint(bytes: Uint8Array, number: number): bigint {
  return ([...fields(bytes)].filter((field) => field.number === number).at(-1)?.value as bigint | undefined) ?? 0n;
}

function text(bytes: Uint8Array | undefined): string {
  return new TextDecoder().decode(bytes ?? empty);
}

function hex(bytes: Uint8Array | undefined): string {
  return Buffer.from(bytes ?? empty).toString('hex');
}
