/**
 * Decodes an OTLP/HTTP protobuf traces export (`ExportTraceServiceRequest`) into the shape of its
 * OTLP/JSON encoding, so a test reads both encodings alike. It reads the protobuf wire format by
 * the field numbers of opentelemetry-proto's `trace.proto`, `resource.proto` and `common.proto`;
 * fields the tests do not read are skipped.
 */
export function decodeTraceExport(bytes: Uint8Array): OtlpExport {
  return {
    resourceSpans: decode(bytes)
      .messages(1)
      .map((resourceSpans) => ({
        resource: { attributes: (resourceSpans.messages(1).at(-1)?.messages(1) ?? []).map(keyValue) },
        scopeSpans: resourceSpans.messages(2).map((scopeSpans) => ({ spans: scopeSpans.messages(2).map(span) })),
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

function span(message: Message): OtlpSpan {
  const [status] = message.messages(15);
  return {
    traceId: hex(message.bytes(1)),
    spanId: hex(message.bytes(2)),
    parentSpanId: hex(message.bytes(4)),
    name: text(message.bytes(5)),
    kind: Number(message.varint(6)),
    attributes: message.messages(9).map(keyValue),
    status: status ? { code: Number(status.varint(3)), message: text(status.bytes(2)) } : {},
    events: message.messages(11).map((event) => ({ name: text(event.bytes(2)), attributes: event.messages(3).map(keyValue) })),
  };
}

function keyValue(message: Message): { key: string; value: OtlpValue } {
  return { key: text(message.bytes(1)), value: anyValue(message.bytes(2) ?? empty) };
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
      return {
        arrayValue: {
          values: decode(field.value as Uint8Array)
            .all(1)
            .map((value) => anyValue(value as Uint8Array)),
        },
      };
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

/** A message's fields by number, read from the wire once. */
interface Message {
  /** Every value of a field, in wire order. */
  all(number: number): Array<bigint | Uint8Array>;
  /** The embedded messages of a repeated (or single) message field. */
  messages(number: number): Message[];
  /** A bytes or string field: its last value, as protobuf reads a repeated scalar. */
  bytes(number: number): Uint8Array | undefined;
  /** A varint field's last value; 0 when absent, protobuf's default. */
  varint(number: number): bigint;
}

function decode(bytes: Uint8Array): Message {
  const byNumber = new Map<number, Array<bigint | Uint8Array>>();
  for (const { number, value } of fields(bytes)) {
    const values = byNumber.get(number);
    if (values) values.push(value);
    else byNumber.set(number, [value]);
  }
  const all = (number: number) => byNumber.get(number) ?? [];
  return {
    all,
    messages: (number) => all(number).map((value) => decode(value as Uint8Array)),
    bytes: (number) => all(number).at(-1) as Uint8Array | undefined,
    varint: (number) => (all(number).at(-1) as bigint | undefined) ?? 0n,
  };
}

function text(bytes: Uint8Array | undefined): string {
  return new TextDecoder().decode(bytes ?? empty);
}

function hex(bytes: Uint8Array | undefined): string {
  return Buffer.from(bytes ?? empty).toString('hex');
}
