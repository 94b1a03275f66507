import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { isIPv4 } from 'node:net';

/** One answer record the test server gives. */
export type DnsRecord =
  | { type: 'A'; address: string; ttl: number }
  | { type: 'AAAA'; address: string; ttl: number }
  | { type: 'SRV'; target: string; port: number; priority: number; weight: number; ttl: number };

/** What the server answers for one name and type: records, or a failure code. */
export type DnsAnswer = DnsRecord[] | 'NXDOMAIN' | 'SERVFAIL';

/** A DNS server on UDP 127.0.0.1, port 0, whose answers a test sets and changes. */
export interface TestDnsServer {
  /** `127.0.0.1:<port>`, for `discovery.servers`. */
  address: string;
  /** Sets what `name` answers for the records' types (or for `type`, with a failure code). */
  answer(name: string, type: 'A' | 'AAAA' | 'SRV', answer: DnsAnswer): void;
  /** Queries received, as `TYPE name`. */
  readonly queries: string[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const typeCodes = { A: 1, AAAA: 28, SRV: 33 } as const;
const typeNames = new Map<number, string>(Object.entries(typeCodes).map(([name, code]) => [code, name]));
const rcodes = { NXDOMAIN: 3, SERVFAIL: 2 } as const;

/**
 * A tiny authoritative DNS responder (RFC 1035 wire format over UDP) answering A, AAAA and SRV
 * questions from a table: enough for Node's resolver (c-ares) to be pointed at it with
 * `setServers`. A name or type not in the table answers NXDOMAIN (without an SOA, so nothing is
 * cached negatively).
 */
export async function startDnsServer(): Promise<TestDnsServer> {
  const table = new Map<string, DnsAnswer>();
  const queries: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (message, remote) => {
    const question = readQuestion(message);
    if (!question) return;
    const type = typeNames.get(question.type) ?? String(question.type);
    queries.push(`${type} ${question.name}`);
    const answer = table.get(`${type} ${question.name.toLowerCase()}`) ?? 'NXDOMAIN';
    socket.send(buildResponse(message, question.end, answer), remote.port, remote.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const close = () => new Promise<void>((resolve) => socket.close(() => resolve()));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    answer(name, type, answer) {
      table.set(`${type} ${name.toLowerCase()}`, answer);
    },
    queries,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function readQuestion(message: Buffer): { name: string; type: number; end: number } | undefined {
  if (message.length < 12 || message.readUInt16BE(4) < 1) return undefined;
  const labels: string[] = [];
  let offset = 12;
  while (offset < message.length) {
    const length = message[offset] as number;
    offset += 1;
    if (length === 0) break;
    labels.push(message.toString('ascii', offset, offset + length));
    offset += length;
  }
  if (offset + 4 > message.length) return undefined;
  return { name: labels.join('.'), type: message.readUInt16BE(offset), end: offset + 4 };
}

function buildResponse(query: Buffer, questionEnd: number, answer: DnsAnswer): Buffer {
  const records = typeof answer === 'string' ? [] : answer;
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  const recursionDesired = (query[2] as number) & 0x01;
  header[2] = 0x84 | recursionDesired;
  header[3] = 0x80 | (typeof answer === 'string' ? rcodes[answer] : 0);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  return Buffer.concat([header, query.subarray(12, questionEnd), ...records.map(encodeRecord)]);
}

function encodeRecord(record: DnsRecord): Buffer {
  const data = record.type === 'A' ? encodeIPv4(record.address) : record.type === 'AAAA' ? encodeIPv6(record.address) : encodeSrv(record);
  const fixed = Buffer.alloc(12);
  fixed.writeUInt16BE(0xc00c, 0);
  fixed.writeUInt16BE(typeCodes[record.type], 2);
  fixed.writeUInt16BE(1, 4);
  fixed.writeUInt32BE(record.ttl, 6);
  fixed.writeUInt16BE(data.length, 10);
  return Buffer.concat([fixed, data]);
}

function encodeIPv4(address: string): Buffer {
  if (!isIPv4(address)) throw new Error(`not an IPv4 address: ${address}`);
  return Buffer.from(address.split('.').map(Number));
}

function encodeIPv6(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const missing = tail === undefined ? 0 : 8 - groups(head).length - groups(tail).length;
  const all = [...groups(head), ...Array<string>(missing).fill('0'), ...groups(tail ?? '')];
  const buffer = Buffer.alloc(16);
  all.forEach((group, index) => buffer.writeUInt16BE(Number.parseInt(group, 16), index * 2));
  return buffer;
}

function encodeSrv(record: Extract<DnsRecord, { type: 'SRV' }>): Buffer {
  const fixed = Buffer.alloc(6);
  fixed.writeUInt16BE(record.priority, 0);
  fixed.writeUInt16BE(record.weight, 2);
  fixed.writeUInt16BE(record.port, 4);
  const labels = record.target
    .split('.')
    .filter(Boolean)
    .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')]));
  return Buffer.concat([fixed, ...labels, Buffer.from([0])]);
}
