// Sends agent-shaped traces to an OTLP/HTTP endpoint with the official OpenTelemetry JS SDK protobuf exporter
// (gzip), one trace every INTERVAL_MS, until stdin closes; then waits for every export still in flight.
// The exporter retries 429/502/503/504 itself (OTLP spec, honouring Retry-After) within its timeout.
//
// usage: node send-traces-continuously.mjs URL OUT.jsonl [INTERVAL_MS]
//
// OUT.jsonl gets one line per finished export call: {"ok":true|false,"error":"...","spans":[[traceId,spanId],...]}
// so the caller knows exactly which spans the SDK was told were accepted. stdout gets "ok N" / "failed N ERROR"
// per export (N = spans) and "done ACKED_SPANS FAILED_SPANS" at the end.
// Every fourth trace is sent in two exports, the root 500 ms after the children, so its root arrives late.
import { appendFileSync, writeFileSync } from 'node:fs';
import { context, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';

const [url, outFile, intervalArg] = process.argv.slice(2);
if (!url || !outFile) {
  console.error('usage: node send-traces-continuously.mjs URL OUT.jsonl [INTERVAL_MS]');
  process.exit(2);
}
const intervalMs = Number(intervalArg ?? 50);
const maxInFlight = 16;

const memory = new InMemorySpanExporter();
const provider = new TracerProvider({
  resource: resourceFromAttributes({
    'service.name': 'worker-e2e',
    'service.version': '2.0.0',
    'deployment.environment.name': 'e2e',
  }),
  spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
});
const tracer = provider.getTracer('spanscope-worker-e2e', '1.0.0');
// Long enough that the exporter keeps retrying through a short store outage (5 s Retry-After per 503).
const exporter = new OTLPTraceExporter({ url, compression: 'gzip', timeoutMillis: 90000 });

writeFileSync(outFile, '');
let stdinOpen = true;
process.stdin.on('end', () => { stdinOpen = false; });
process.stdin.on('close', () => { stdinOpen = false; });
process.stdin.resume();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let inFlight = 0;
let delayed = 0; // root spans waiting to be exported
let acked = 0;
let failed = 0;

function makeTrace(n) {
  const root = tracer.startSpan(`session ${n}`, {
    kind: SpanKind.SERVER,
    attributes: { 'session.id': `s-${n}`, 'http.request.method': 'POST' },
  });
  const ctx = trace.setSpan(context.active(), root);
  const agent = tracer.startSpan('invoke_agent planner', {
    kind: SpanKind.INTERNAL,
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' },
  }, ctx);
  const actx = trace.setSpan(context.active(), agent);
  const llm = tracer.startSpan('chat gpt-4o', {
    kind: SpanKind.CLIENT,
    attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 100 + n, 'gen_ai.usage.output_tokens': 10 },
  }, actx);
  llm.addEvent('gen_ai.choice', { index: 0 });
  llm.end();
  const tool = tracer.startSpan('execute_tool search', {
    kind: SpanKind.INTERNAL,
    attributes: { 'gen_ai.tool.name': 'search', attempt: n % 3 },
  }, actx);
  if (n % 5 === 0) tool.setStatus({ code: SpanStatusCode.ERROR, message: 'tool failed' });
  tool.end();
  agent.end();
  root.end();
  const spans = memory.getFinishedSpans();
  memory.reset();
  return spans; // children first, root last
}

function exportSpans(spans) {
  inFlight++;
  exporter.export(spans, (result) => {
    inFlight--;
    const ok = result.code === 0;
    const ids = spans.map((s) => [s.spanContext().traceId, s.spanContext().spanId]);
    const error = ok ? '' : String(result.error?.message ?? result.code);
    appendFileSync(outFile, JSON.stringify({ ok, error, spans: ids }) + '\n');
    if (ok) {
      acked += spans.length;
      console.log(`ok ${spans.length}`);
    } else {
      failed += spans.length;
      console.log(`failed ${spans.length} ${error.replace(/\s+/g, ' ')}`);
    }
  });
}

let n = 0;
while (stdinOpen) {
  if (inFlight < maxInFlight) {
    const spans = makeTrace(n);
    if (n % 4 === 3) {
      exportSpans(spans.slice(0, -1));
      delayed++;
      setTimeout(() => { delayed--; exportSpans(spans.slice(-1)); }, 500);
    } else {
      exportSpans(spans);
    }
    n++;
  }
  await sleep(intervalMs);
}
while (inFlight > 0 || delayed > 0) await sleep(50);
await exporter.shutdown();
console.log(`done ${acked} ${failed}`);
