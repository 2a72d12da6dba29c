import { readFileSync } from 'node:fs';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ClientInterceptors } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config';

type TemporalConfig = Config['temporal'];

function connectionOptions(temporal: TemporalConfig, address: string) {
  const tls = temporal.tls
    ? temporal.tlsCertPath && temporal.tlsKeyPath
      ? { clientCertPair: { crt: readFileSync(temporal.tlsCertPath), key: readFileSync(temporal.tlsKeyPath) } }
      : true
    : undefined;
  return { address, tls, apiKey: temporal.apiKey };
}

/**
 * A client for the API side (start, signal, update, query). Calls retry an unavailable server
 * for about a second, not the SDK's default twenty: a person is waiting, and the API answers
 * 503 TEMPORAL_UNAVAILABLE instead (what must not be lost is in the signal outbox already).
 */
export async function connectClient(temporal: TemporalConfig, address: string, interceptors?: ClientInterceptors): Promise<Client> {
  const connection = await Connection.connect({
    ...connectionOptions(temporal, address),
    connectTimeout: '5s',
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4 }))],
  });
  return new Client({ connection, namespace: temporal.namespace, ...(interceptors ? { interceptors } : {}) });
}

/** The native connection a worker polls through. */
export function connectWorker(temporal: TemporalConfig, address: string): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(temporal, address));
}
