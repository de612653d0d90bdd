// Sends agent-shaped traces and their OTLP log records (the GenAI events `gen_ai.user.message` and `gen_ai.choice`,
// emitted inside the LLM span, so they carry its trace and span id) with the official OpenTelemetry JS SDK
// exporters, over OTLP/gRPC or OTLP/HTTP, one trace every INTERVAL_MS, until stdin closes; then waits for every
// export still in flight. The exporters retry UNAVAILABLE / 503 themselves within their timeout.
//
// usage: node send-traces-and-logs.mjs grpc|http ENDPOINT OUT.jsonl [INTERVAL_MS] [TIMEOUT_MS]
//   ENDPOINT: http://HOST:PORT (gRPC) or http://HOST:PORT (HTTP: /v1/traces and /v1/logs are appended)
//
// OUT.jsonl gets one line per finished export call, so the caller knows exactly what the SDK was told was accepted:
//   {"signal":"traces","ok":true|false,"error":"...","spans":[[traceId,spanId],...]}
//   {"signal":"logs","ok":true|false,"error":"...","logs":[[traceId,spanId,seq],...]}
// stdout gets "ok traces N" / "ok logs N" / "failed ..." per export and "done SPANS LOGS FAILED" at the end.
import { appendFileSync, writeFileSync } from 'node:fs';
import { context, trace, SpanKind } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { LoggerProvider, InMemoryLogRecordExporter, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as HttpLogExporter } from '@opentelemetry/exporter-logs-otlp-http';

const [protocol, endpoint, outFile, intervalArg, timeoutArg] = process.argv.slice(2);
if (!['grpc', 'http'].includes(protocol) || !endpoint || !outFile) {
  console.error('usage: node send-traces-and-logs.mjs grpc|http ENDPOINT OUT.jsonl [INTERVAL_MS] [TIMEOUT_MS]');
  process.exit(2);
}
const intervalMs = Number(intervalArg ?? 40);
const maxInFlight = 16;

const resource = resourceFromAttributes({
  'service.name': `logs-e2e-${protocol}`,
  'service.version': '3.0.0',
});
const memorySpans = new InMemorySpanExporter();
const tracerProvider = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter: memorySpans })] });
const tracer = tracerProvider.getTracer('spanscope-logs-e2e', '1.0.0');
const memoryLogs = new InMemoryLogRecordExporter();
const loggerProvider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: memoryLogs })] });
const logger = loggerProvider.getLogger('spanscope-logs-e2e', '1.0.0');

// Each export (with the exporter's own retries) gives up after TIMEOUT_MS.
const options = { compression: 'gzip', timeoutMillis: Number(timeoutArg ?? 30000) };
const traceExporter = protocol === 'grpc'
  ? new GrpcTraceExporter({ url: endpoint, ...options })
  : new HttpTraceExporter({ url: `${endpoint}/v1/traces`, ...options });
// The HTTP logs exporter sends OTLP/JSON; the trace exporter above sends protobuf: both encodings are exercised.
const logExporter = protocol === 'grpc'
  ? new GrpcLogExporter({ url: endpoint, ...options })
  : new HttpLogExporter({ url: `${endpoint}/v1/logs`, ...options });

writeFileSync(outFile, '');
let stdinOpen = true;
process.stdin.on('end', () => { stdinOpen = false; });
process.stdin.on('close', () => { stdinOpen = false; });
process.stdin.resume();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let inFlight = 0;
let ackedSpans = 0;
let ackedLogs = 0;
let failed = 0;
let seq = 0;

function makeTrace(n) {
  const root = tracer.startSpan(`session ${n}`, { kind: SpanKind.SERVER, attributes: { 'session.id': `s-${n}` } });
  const rctx = trace.setSpan(context.active(), root);
  const llm = tracer.startSpan('chat gpt-4o', {
    kind: SpanKind.CLIENT,
    attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' },
  }, rctx);
  const lctx = trace.setSpan(context.active(), llm);
  logger.emit({
    eventName: 'gen_ai.user.message', severityNumber: SeverityNumber.INFO, severityText: 'INFO',
    body: { content: `question ${n}: plan a trip` }, attributes: { 'gen_ai.system': 'openai', 'log.seq': seq++ },
    context: lctx,
  });
  logger.emit({
    eventName: 'gen_ai.choice', severityNumber: SeverityNumber.INFO,
    body: { index: 0, finish_reason: 'stop', message: { content: `answer ${n}` } },
    attributes: { 'gen_ai.system': 'openai', 'log.seq': seq++ }, context: lctx,
  });
  llm.end();
  root.end();
  const spans = memorySpans.getFinishedSpans();
  memorySpans.reset();
  const logs = memoryLogs.getFinishedLogRecords();
  memoryLogs.reset();
  return { spans, logs };
}

function record(signal, ok, error, key, ids) {
  appendFileSync(outFile, JSON.stringify({ signal, ok, error, [key]: ids }) + '\n');
}

function exportTrace({ spans, logs }) {
  inFlight += 2;
  traceExporter.export(spans, (result) => {
    inFlight--;
    const ok = result.code === 0;
    const error = ok ? '' : String(result.error?.message ?? result.code);
    record('traces', ok, error, 'spans', spans.map((s) => [s.spanContext().traceId, s.spanContext().spanId]));
    if (ok) { ackedSpans += spans.length; console.log(`ok traces ${spans.length}`); }
    else { failed++; console.log(`failed traces ${error.replace(/\s+/g, ' ')}`); }
  });
  logExporter.export(logs, (result) => {
    inFlight--;
    const ok = result.code === 0;
    const error = ok ? '' : String(result.error?.message ?? result.code);
    record('logs', ok, error, 'logs',
      logs.map((l) => [l.spanContext?.traceId ?? '', l.spanContext?.spanId ?? '', l.attributes['log.seq']]));
    if (ok) { ackedLogs += logs.length; console.log(`ok logs ${logs.length}`); }
    else { failed++; console.log(`failed logs ${error.replace(/\s+/g, ' ')}`); }
  });
}

let n = 0;
while (stdinOpen) {
  if (inFlight < maxInFlight) exportTrace(makeTrace(n++));
  await sleep(intervalMs);
}
while (inFlight > 0) await sleep(50);
await traceExporter.shutdown();
await logExporter.shutdown();
console.log(`done ${ackedSpans} ${ackedLogs} ${failed}`);
