// Sends one agent-shaped trace (session -> agent -> LLM calls and tool calls) to an OTLP/HTTP or OTLP/gRPC endpoint
// with the official OpenTelemetry JS SDK exporter, then writes what the SDK sent as JSON so the caller can compare
// it with what the receiver stored.
//
// usage: node send-agent-trace.mjs URL proto|json|grpc gzip|none OUT.json
//   URL: http://HOST:PORT/v1/traces for proto and json, http://HOST:PORT for grpc
import { writeFileSync } from 'node:fs';
import { context, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';

const [url, protocol, compression, outFile] = process.argv.slice(2);
if (!url || !['proto', 'json', 'grpc'].includes(protocol) || !['gzip', 'none'].includes(compression) || !outFile) {
  console.error('usage: node send-agent-trace.mjs URL proto|json|grpc gzip|none OUT.json');
  process.exit(2);
}

const memory = new InMemorySpanExporter();
const provider = new TracerProvider({
  resource: resourceFromAttributes({
    'service.name': `agent-e2e-${protocol}`,
    'service.version': '1.2.3',
    'deployment.environment.name': 'test',
  }),
  spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
});
const tracer = provider.getTracer('spanscope-e2e', '0.9.0');

function child(parent, name, options) {
  return tracer.startSpan(name, options, trace.setSpan(context.active(), parent));
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const session = tracer.startSpan('session', {
  kind: SpanKind.SERVER,
  attributes: { 'session.id': 's-42', 'http.request.method': 'POST', 'http.response.status_code': 200 },
});
const agent = child(session, 'invoke_agent travel-planner', {
  kind: SpanKind.INTERNAL,
  attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'travel-planner' },
});

const llm1 = child(agent, 'chat gpt-4o', {
  kind: SpanKind.CLIENT,
  attributes: {
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.request.temperature': 0.25,
    'gen_ai.request.max_tokens': 1024,
    'gen_ai.request.stream': false,
    'gen_ai.request.stop_sequences': ['\n\n', 'END'],
    'gen_ai.usage.input_tokens': 812,
    'gen_ai.usage.output_tokens': 96,
    'gen_ai.response.finish_reasons': ['tool_calls'],
    'llm.scores': [0.5, 1.25],
  },
});
llm1.addEvent('gen_ai.user.message', { 'gen_ai.event.content': 'Plan 3 days in Zürich — budget 500 €' });
await sleep(3);
llm1.addEvent('gen_ai.choice', { index: 0, finish_reason: 'tool_calls' });
llm1.end();

const tool = child(agent, 'execute_tool search_flights', {
  kind: SpanKind.INTERNAL,
  attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search_flights', retries: 2 },
});
await sleep(2);
tool.recordException(new Error('upstream timeout after 2 retries'));
tool.setStatus({ code: SpanStatusCode.ERROR, message: 'flight search failed' });
tool.end();

const tool2 = child(agent, 'execute_tool search_hotels', {
  kind: SpanKind.INTERNAL,
  attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search_hotels' },
});
await sleep(1);
tool2.setStatus({ code: SpanStatusCode.OK });
tool2.end();

const llm2 = child(agent, 'chat gpt-4o', {
  kind: SpanKind.CLIENT,
  links: [{ context: llm1.spanContext(), attributes: { 'link.reason': 'follow-up of tool calls' } }],
  attributes: {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': 1290,
    'gen_ai.usage.output_tokens': 410,
  },
});
await sleep(2);
llm2.end();
agent.end();
session.end();

await provider.forceFlush();
const spans = memory.getFinishedSpans();
if (spans.length !== 6) {
  console.error(`expected 6 finished spans, the SDK has ${spans.length}`);
  process.exit(1);
}
const exporters = { proto: ProtoExporter, json: JsonExporter, grpc: GrpcExporter };
const exporter = new exporters[protocol]({ url, compression: compression === 'gzip' ? 'gzip' : 'none' });
const result = await new Promise((resolve) => exporter.export(spans, resolve));
await exporter.shutdown();
if (result.code !== 0) {
  console.error(`export failed: ${result.error?.message ?? result.code}`);
  process.exit(1);
}

const nanos = (hr) => (BigInt(hr[0]) * 1000000000n + BigInt(hr[1])).toString();
const describeValue = (v) => {
  if (Array.isArray(v)) return { array: v.map(describeValue) };
  if (typeof v === 'string') return { string: v };
  if (typeof v === 'boolean') return { bool: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { int: String(v) } : { double: v };
  throw new Error(`unexpected attribute value ${v}`);
};
const attrs = (a) => Object.entries(a ?? {}).map(([key, value]) => ({ key, value: describeValue(value) }));
const out = spans.map((s) => ({
  traceId: s.spanContext().traceId,
  spanId: s.spanContext().spanId,
  parentSpanId: s.parentSpanContext?.spanId ?? '',
  traceFlags: s.spanContext().traceFlags,
  name: s.name,
  kind: s.kind + 1, // API SpanKind (INTERNAL = 0) -> OTLP SpanKind (INTERNAL = 1)
  startTimeUnixNano: nanos(s.startTime),
  endTimeUnixNano: nanos(s.endTime),
  attributes: attrs(s.attributes),
  events: s.events.map((e) => ({ name: e.name, timeUnixNano: nanos(e.time), attributes: attrs(e.attributes) })),
  links: s.links.map((l) => ({
    traceId: l.context.traceId, spanId: l.context.spanId, attributes: attrs(l.attributes),
  })),
  status: { code: s.status.code, message: s.status.message ?? '' },
  resource: attrs(s.resource.attributes),
  scope: { name: s.instrumentationScope.name, version: s.instrumentationScope.version ?? '' },
}));
writeFileSync(outFile, JSON.stringify({ spans: out }, null, 2));
console.log(`sent ${spans.length} spans of trace ${spans[0].spanContext().traceId} as ${protocol}/${compression}`);
