/**
 * One port, both protocols. The first byte of a new connection tells them apart: 0x16 opens a
 * TLS handshake (a ClientHello record), an upper-case letter opens an HTTP request line. A TLS
 * connection is wrapped in a server-side TLSSocket and handed to the same node:http server once
 * the handshake completes; a plain one is handed over as it is, so plain HTTP pays one `data`
 * listener per connection and nothing per request. Anything else closes the connection.
 *
 * `only` answers a plain request with a 400 that says to use https (never a hang). A client
 * that does not trust the certificate aborts the handshake with its TLS alert; a handshake or a
 * first byte that does not come in time closes the connection.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Logger } from '../../core/log.js';

export type TlsMode = 'off' | 'on' | 'only';

export interface SniffOptions {
  mode: 'on' | 'only';
  /** The context to serve; asked on each TLS connection (cheap once made; may renew). */
  secureContext: () => SecureContext | Promise<SecureContext>;
  /** Time for the first byte, and again for the TLS handshake. */
  timeoutMs: number;
  log: Logger;
}

export interface Sniffer {
  /** Ends connections not yet handed to the HTTP server (the server's own close does the rest). */
  closeAll(): void;
}

const TLS_HANDSHAKE = 0x16;
const isHttpStart = (b: number): boolean => b >= 0x41 && b <= 0x5a;

/**
 * Puts the sniffer in front of `server`'s connection handling: node:http's own `connection`
 * listener (installed by createServer) is taken off and called with each connection once its
 * protocol is known, so listen, address, maxConnections and close stay the server's own.
 */
export function installSniffer(server: Server, opts: SniffOptions): Sniffer {
  const listeners = server.listeners('connection') as Array<(s: Socket) => void>;
  if (listeners.length !== 1) throw new Error('installSniffer: expected node:http\'s own connection listener only');
  const httpConnection = listeners[0]!;
  server.removeAllListeners('connection');
  const pending = new Set<Socket>();
  // node:http reads a socket's handle directly (in C++) once it has it, so the first chunk is
  // given to it here, synchronously: no later read can overtake it (an unshift would wait for a
  // tick, and a body arriving meanwhile would reach the parser before its request line).
  const serveHttp = (socket: Socket, first: Buffer) => {
    httpConnection.call(server, socket);
    socket.emit('data', first);
  };

  const startTls = (raw: Socket, context: SecureContext) => {
    if (raw.destroyed) return;
    const tls = new TLSSocket(raw, { isServer: true, secureContext: context, ALPNProtocols: ['http/1.1'] });
    pending.add(tls);
    const timer = setTimeout(() => tls.destroy(), opts.timeoutMs);
    tls.on('error', (err: NodeJS.ErrnoException) => {
      // A client that does not trust the certificate sends its alert and goes: not our failure.
      opts.log.debug('TLS connection failed', { code: err.code, message: err.message, remoteAddress: raw.remoteAddress });
      tls.destroy();
    });
    tls.once('close', () => {
      clearTimeout(timer);
      pending.delete(tls);
    });
    // Emitted by a server-side TLSSocket when its handshake completes (tls.Server listens for it too).
    tls.once('secure', () => {
      clearTimeout(timer);
      pending.delete(tls);
      httpConnection.call(server, tls);
    });
  };

  const refusePlain = (socket: Socket, first: Buffer) => {
    const host = /\r\nhost:[ \t]*([^\r\n]+)/i.exec(first.toString('latin1'))?.[1]?.trim();
    const where = host && /^[\w.:[\]-]+$/.test(host) ? `https://${host}/` : 'https://';
    const body = `This cloudlet serves HTTPS only (--tls only): use ${where}\n`;
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    // Read what the client still sends, so closing does not reset the connection before it reads the answer.
    socket.on('data', () => undefined);
    socket.resume();
    setTimeout(() => socket.destroy(), 2000).unref();
  };

  server.on('connection', (socket: Socket) => {
    pending.add(socket);
    const timer = setTimeout(() => socket.destroy(), opts.timeoutMs);
    const early = () => socket.destroy();
    socket.on('error', early);
    // node:http's sockets are half-open: a client that leaves before its first byte is closed here.
    socket.once('end', early);
    socket.once('close', () => {
      clearTimeout(timer);
      pending.delete(socket);
    });
    socket.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      pending.delete(socket);
      socket.removeListener('end', early);
      const first = chunk[0]!;
      if (first === TLS_HANDSHAKE) {
        // The TLSSocket takes the handle and reads what the socket buffered first, in order.
        socket.pause();
        socket.unshift(chunk);
        let context: SecureContext | Promise<SecureContext>;
        try {
          context = opts.secureContext();
        } catch (err) {
          opts.log.error('no TLS certificate to serve', { message: (err as Error).message });
          socket.destroy();
          return;
        }
        if (context instanceof Promise) {
          context.then((c) => startTls(socket, c), (err: Error) => {
            opts.log.error('no TLS certificate to serve', { message: err.message });
            socket.destroy();
          });
        } else startTls(socket, context);
        return;
      }
      if (!isHttpStart(first)) {
        socket.destroy();
        return;
      }
      if (opts.mode === 'only') {
        refusePlain(socket, chunk);
        return;
      }
      socket.removeListener('error', early);
      serveHttp(socket, chunk);
    });
  });

  return {
    closeAll() {
      for (const s of pending) s.destroy();
      pending.clear();
    },
  };
}
