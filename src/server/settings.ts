// The server's settings and their defaults, in one place: listen.ts and app.ts read them, and the
// `serve` flags (src/cli/flags.ts) take their defaults from here.

export const DEFAULT_SERVER_SETTINGS = Object.freeze({
  bindAddress: '0.0.0.0',
  port: 9443,
  probePort: 8081,
  /** After shutdown begins, keep answering this long (readiness already false) before closing. */
  drainDelayMs: 5_000,
  /** Longest wait for in-flight reviews after the drain delay; then the remaining sockets are cut. */
  shutdownTimeoutMs: 20_000,
  /** Longer than the apiserver's ~90 s idle timeout, so the client, not us, closes an idle connection. */
  keepAliveTimeoutMs: 100_000,
  /** Headers must all arrive within this long (slowloris); the apiserver sends them in one write. */
  headersTimeoutMs: 10_000,
  /** A whole request must arrive within this long; the apiserver's own webhook timeout is at most 30 s. */
  requestTimeoutMs: 30_000,
  /** A TLS handshake must finish within this long. */
  handshakeTimeoutMs: 10_000,
  /** How often node checks the headers and request timeouts. */
  connectionsCheckingIntervalMs: 1_000,
})
