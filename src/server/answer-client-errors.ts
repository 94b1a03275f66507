import { STATUS_CODES, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { errorCodes, type ErrorCode } from '../errors.ts';

/** The refusal of a connection-level failure: Node's own statuses, with our codes. */
function refusalOf(error: NodeJS.ErrnoException): { code: ErrorCode; message: string } {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'REQUEST_TIMEOUT', message: 'The request was not received in time (headersTimeout, requestTimeout).' };
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'REQUEST_HEADERS_TOO_LARGE', message: 'The request headers are larger than the gateway reads.' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { code: 'PAYLOAD_TOO_LARGE', message: 'The request body has chunk extensions larger than the gateway reads.' };
    default:
      return { code: 'BAD_REQUEST', message: 'The request is not valid HTTP.' };
  }
}

/**
 * Answers what Node's HTTP parser refuses before any request exists (a request not received within
 * `headersTimeout` or `requestTimeout`, headers over the size limit, bytes that are not HTTP) as a
 * GraphQL-over-HTTP error with its `extensions.code`, with the status Node itself would send, then
 * closes the connection. Node's default sends the status line alone. A connection whose answer has
 * already begun, or that the client reset, is destroyed without a word: bytes written then would
 * corrupt what the client is reading. Each answer is counted by `refused` (`concierge_errors_total`).
 * There is no access-log line: there is no request.
 */
export function answerClientErrors(server: Server, refused: (code: ErrorCode) => void): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const answering = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || answering?.headersSent) {
      socket.destroy();
      return;
    }
    const { code, message } = refusalOf(error);
    refused(code);
    const status = errorCodes[code];
    const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
    const head = `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n`;
    // Closed once written: a client that keeps trickling bytes does not keep the connection.
    socket.end(head + body, () => socket.destroy());
  });
}
