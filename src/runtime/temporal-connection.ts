import { readFileSync } from 'node:fs';
import { Client, Connection, type ClientInterceptors, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config.js';

/** Connection options for a Temporal cluster or Temporal Cloud: mTLS client pair and/or API key from config. */
export function connectionOptions(cfg: Config, address: string): ConnectionOptions {
  const tls =
    cfg.TEMPORAL_TLS_CERT && cfg.TEMPORAL_TLS_KEY
      ? {
          clientCertPair: { crt: readFileSync(cfg.TEMPORAL_TLS_CERT), key: readFileSync(cfg.TEMPORAL_TLS_KEY) },
          serverRootCACertificate: cfg.TEMPORAL_TLS_CA ? readFileSync(cfg.TEMPORAL_TLS_CA) : undefined,
        }
      : cfg.TEMPORAL_API_KEY
        ? true
        : undefined;
  return { address, tls, apiKey: cfg.TEMPORAL_API_KEY };
}

/** `interceptors`: the client's tracing (src/runtime/telemetry.ts), when traces are exported. */
export async function connectClient(cfg: Config, address: string, interceptors?: ClientInterceptors): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(cfg, address));
  return new Client({ connection, namespace: cfg.TEMPORAL_NAMESPACE, ...(interceptors ? { interceptors } : {}) });
}

export async function connectWorkerConnection(cfg: Config, address: string): Promise<NativeConnection> {
  const o = connectionOptions(cfg, address);
  return NativeConnection.connect({ address: o.address, tls: o.tls, apiKey: cfg.TEMPORAL_API_KEY });
}
