// Runs a small tool-calling "agent" with the official `openai` npm client against a mock OpenAI-compatible server
// started in this process, with one of three OpenAI instrumentations recording it (content capture on), and
// exports the telemetry to an OTLP endpoint. Prints one JSON line on stdout: the ground truth the stored GenAI
// model must match (what the mock server received and answered). Diagnostics go to stderr.
//
// usage: node run-openai-agent.mjs --instrumentation otel|openinference|traceloop --endpoint http://HOST:PORT
//                                  [--protocol http|json|grpc]
//   http (default): OTLP/HTTP protobuf to ENDPOINT/v1/traces and ENDPOINT/v1/logs; json: OTLP/HTTP JSON to the
//   same paths; grpc: OTLP/gRPC to ENDPOINT. Log records are exported only for `otel`, which emits the message
//   contents as log records (events); the other two put them on span attributes.
//
// stdout: {"trace_id": "<32 hex>", "instrumentation": "...", "service_name": "...", "agent_name": "weather_agent",
//          "calls": [{"request": <the request body the server received>, "request_messages": [...],
//                     "response": <the response body it answered>, "usage": {...}}, {...}],
//          "tool_call": {"id", "name", "arguments", "result"}}
import http from 'node:http';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { context, diag, trace, DiagLogLevel, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { LoggerProvider, BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { OTLPTraceExporter as TraceProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as TraceJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as TraceGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPLogExporter as LogProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as LogJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as LogGrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';

const usage = 'usage: node run-openai-agent.mjs --instrumentation otel|openinference|traceloop '
  + '--endpoint http://HOST:PORT [--protocol http|json|grpc]';
let args;
try {
  args = parseArgs({
    options: {
      instrumentation: { type: 'string' },
      endpoint: { type: 'string' },
      protocol: { type: 'string', default: 'http' },
    },
  }).values;
} catch (e) {
  console.error(`${e.message}\n${usage}`);
  process.exit(2);
}
const kind = args.instrumentation;
const endpoint = (args.endpoint ?? '').replace(/\/+$/, '');
if (!['otel', 'openinference', 'traceloop'].includes(kind) || !/^https?:\/\//.test(endpoint)
    || !['http', 'json', 'grpc'].includes(args.protocol)) {
  console.error(usage);
  process.exit(2);
}

// stdout carries only the result line: anything a library prints goes to stderr.
const writeResult = process.stdout.write.bind(process.stdout);
for (const level of ['log', 'info', 'debug', 'trace']) console[level] = (...a) => console.error(...a);

const watchdog = setTimeout(() => { console.error('run-openai-agent: timed out'); process.exit(1); }, 30000);
watchdog.unref();

diag.setLogger({
  error: (...a) => console.error('otel error:', ...a),
  warn: (...a) => console.error('otel warn:', ...a),
  info: () => {}, debug: () => {}, verbose: () => {},
}, DiagLogLevel.WARN);

// ---- ground truth ------------------------------------------------------------------------------------------------
const MODEL = 'gpt-4o-mini';
const RESPONSE_MODEL = 'gpt-4o-mini-2024-07-18';
const SYSTEM_PROMPT = 'You are a weather assistant. Use the get_weather tool to answer.';
const USER_QUESTION = 'What is the weather in Paris?';
const TOOL_CALL = {
  id: 'call_weather_1',
  name: 'get_weather',
  arguments: '{"city":"Paris","unit":"celsius"}',
  result: '{"temperature":18,"unit":"celsius","conditions":"cloudy"}',
};
const FINAL_ANSWER = 'It is 18 °C and cloudy in Paris.';
const USAGE_1 = { prompt_tokens: 57, completion_tokens: 18, total_tokens: 75 };
const USAGE_2 = { prompt_tokens: 91, completion_tokens: 12, total_tokens: 103 };
const TOOLS = [{
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city'],
    },
  },
}];

// ---- mock OpenAI-compatible server -------------------------------------------------------------------------------
const seen = []; // [{ request, response }] in arrival order

function answer(body) {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const toolMessage = messages.find((m) => m.role === 'tool');
  const created = Math.floor(Date.now() / 1000);
  if (!toolMessage) {
    return {
      id: 'chatcmpl-spanscope-1', object: 'chat.completion', created, model: RESPONSE_MODEL,
      system_fingerprint: 'fp_spanscope',
      choices: [{
        index: 0,
        message: {
          role: 'assistant', content: null, refusal: null,
          tool_calls: [{ id: TOOL_CALL.id, type: 'function',
                         function: { name: TOOL_CALL.name, arguments: TOOL_CALL.arguments } }],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      }],
      usage: USAGE_1,
    };
  }
  if (toolMessage.tool_call_id !== TOOL_CALL.id || toolMessage.content !== TOOL_CALL.result) {
    throw new Error(`unexpected tool message ${JSON.stringify(toolMessage)}`);
  }
  return {
    id: 'chatcmpl-spanscope-2', object: 'chat.completion', created, model: RESPONSE_MODEL,
    system_fingerprint: 'fp_spanscope',
    choices: [{
      index: 0,
      message: { role: 'assistant', content: FINAL_ANSWER, refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    }],
    usage: USAGE_2,
  };
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const reply = (status, obj) => {
      const text = JSON.stringify(obj);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      reply(404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
      return;
    }
    try {
      const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (request.stream) throw new Error('streaming is not mocked');
      const response = answer(request);
      seen.push({ request, response });
      reply(200, response);
    } catch (e) {
      console.error(`mock server: ${e.message}`);
      reply(400, { error: { message: e.message, type: 'invalid_request_error' } });
    }
  });
});
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', resolve);
});
const mockUrl = `http://127.0.0.1:${server.address().port}/v1`;

// ---- OpenTelemetry SDK -------------------------------------------------------------------------------------------
// The SDK reports export failures through a callback, not an exception: remember them to exit non-zero.
const exportFailures = [];
function watched(exporter, what) {
  return {
    export(items, done) {
      exporter.export(items, (result) => {
        if (result.code !== 0) exportFailures.push(`${what}: ${result.error?.message ?? 'export failed'}`);
        done(result);
      });
    },
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
    shutdown: () => exporter.shutdown(),
  };
}

const serviceName = `genai-e2e-${kind}`;
const resource = resourceFromAttributes({ 'service.name': serviceName, 'service.version': '1.0.0' });
let traceExporter;
let logExporter;
if (args.protocol === 'grpc') {
  traceExporter = new TraceGrpcExporter({ url: endpoint });
  logExporter = new LogGrpcExporter({ url: endpoint });
} else {
  const [T, L] = args.protocol === 'json' ? [TraceJsonExporter, LogJsonExporter] : [TraceProtoExporter, LogProtoExporter];
  traceExporter = new T({ url: `${endpoint}/v1/traces` });
  logExporter = new L({ url: `${endpoint}/v1/logs` });
}

// Counts what the instrumentation recorded, so that one which silently failed to hook the client is an error.
const recorded = { spans: 0, logRecords: 0 };
const AGENT_SCOPE = 'spanscope-genai-e2e';
const counter = {
  onStart() {},
  onEnd(span) { if (span.instrumentationScope?.name !== AGENT_SCOPE) recorded.spans++; },
  onEmit() { recorded.logRecords++; },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const tracerProvider = new TracerProvider({
  resource,
  spanProcessors: [counter,
    new BatchSpanProcessor({ exporter: watched(traceExporter, 'traces'), scheduledDelayMillis: 60000 })],
});
trace.setGlobalTracerProvider(tracerProvider);
let loggerProvider;
if (kind === 'otel') {
  loggerProvider = new LoggerProvider({
    resource,
    processors: [counter,
      new BatchLogRecordProcessor({ exporter: watched(logExporter, 'logs'), scheduledDelayMillis: 60000 })],
  });
  logs.setGlobalLoggerProvider(loggerProvider);
} else {
  await logExporter.shutdown();
}

// Content capture on for each: the OTel contrib instrumentation takes an option (or this environment variable),
// OpenLLMetry `traceContent`, OpenInference captures by default unless OPENINFERENCE_HIDE_* variables say otherwise.
let instrumentation;
if (kind === 'otel') {
  process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'true';
  const { OpenAIInstrumentation } = await import('@opentelemetry/instrumentation-openai');
  instrumentation = new OpenAIInstrumentation({ captureMessageContent: true });
} else if (kind === 'openinference') {
  for (const name of Object.keys(process.env)) if (name.startsWith('OPENINFERENCE_HIDE_')) delete process.env[name];
  const { OpenAIInstrumentation } = await import('@arizeai/openinference-instrumentation-openai');
  instrumentation = new OpenAIInstrumentation({ traceConfig: { hideInputs: false, hideOutputs: false } });
} else {
  const { OpenAIInstrumentation } = await import('@traceloop/instrumentation-openai');
  instrumentation = new OpenAIInstrumentation({ traceContent: true, enrichTokens: false });
}
registerInstrumentations({ instrumentations: [instrumentation], tracerProvider, loggerProvider });

// The instrumentations hook require(): load the client's CommonJS build after registering them.
const require = createRequire(import.meta.url);
const { OpenAI } = require('openai');

// ---- the agent ---------------------------------------------------------------------------------------------------
const client = new OpenAI({ apiKey: 'sk-spanscope-test', baseURL: mockUrl, maxRetries: 0, timeout: 10000 });
const tracer = trace.getTracer(AGENT_SCOPE, '1.0.0');

// The SDK stamps span starts in whole milliseconds here: a pause between the steps keeps their start times apart,
// so the order of the steps in the stored trace does not depend on a tie-break.
const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

function getWeather(argumentsJson) {
  const { city, unit } = JSON.parse(argumentsJson);
  if (city !== 'Paris' || unit !== 'celsius') throw new Error(`unexpected tool arguments ${argumentsJson}`);
  return TOOL_CALL.result;
}

let traceId;
let failure;
try {
  await tracer.startActiveSpan('invoke_agent weather_agent', {
    kind: SpanKind.INTERNAL,
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'weather_agent' },
  }, async (agent) => {
    traceId = agent.spanContext().traceId;
    try {
      const messages = [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: USER_QUESTION },
      ];
      const first = await client.chat.completions.create({ model: MODEL, messages, tools: TOOLS, temperature: 0.2 });
      const call = first.choices[0].message.tool_calls?.[0];
      if (!call) throw new Error('the first answer has no tool call');
      await pause();

      const result = await tracer.startActiveSpan(`execute_tool ${call.function.name}`, {
        kind: SpanKind.INTERNAL,
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': call.function.name,
          'gen_ai.tool.type': 'function',
          'gen_ai.tool.call.id': call.id,
          'gen_ai.tool.call.arguments': call.function.arguments,
        },
      }, async (toolSpan) => {
        try {
          const r = getWeather(call.function.arguments);
          toolSpan.setAttribute('gen_ai.tool.call.result', r);
          return r;
        } finally {
          toolSpan.end();
        }
      });

      await pause();
      messages.push(first.choices[0].message);
      messages.push({ role: 'tool', tool_call_id: call.id, content: result });
      const second = await client.chat.completions.create({ model: MODEL, messages, tools: TOOLS, temperature: 0.2 });
      if (second.choices[0].message.content !== FINAL_ANSWER) throw new Error('unexpected final answer');
    } catch (e) {
      agent.recordException(e);
      agent.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
      throw e;
    } finally {
      agent.end();
    }
  });
} catch (e) {
  failure = e;
}

// A failed export also rejects the flush, with an array of errors from the processors.
const describe = (e) => (Array.isArray(e) ? e.map(describe).join('; ') : (e?.message ?? String(e)));
for (const step of [() => tracerProvider.forceFlush(), () => loggerProvider?.forceFlush(),
                    () => tracerProvider.shutdown(), () => loggerProvider?.shutdown()]) {
  try {
    await step();
  } catch (e) {
    exportFailures.push(describe(e));
  }
}
server.closeAllConnections();
server.close();

if (failure) {
  console.error(`run-openai-agent: ${failure.stack ?? failure}`);
  process.exit(1);
}
if (exportFailures.length) {
  console.error(`run-openai-agent: export failed: ${exportFailures.join('; ')}`);
  process.exit(1);
}
if (seen.length !== 2) {
  console.error(`run-openai-agent: the mock server answered ${seen.length} requests, expected 2`);
  process.exit(1);
}

if (recorded.spans !== seen.length || (kind === 'otel' && recorded.logRecords === 0)) {
  console.error(`run-openai-agent: the ${kind} instrumentation recorded ${recorded.spans} spans and `
    + `${recorded.logRecords} log records for ${seen.length} chat completions`);
  process.exit(1);
}

writeResult(`${JSON.stringify({
  trace_id: traceId,
  instrumentation: kind,
  service_name: serviceName,
  agent_name: 'weather_agent',
  calls: seen.map(({ request, response }) => ({
    request,
    request_messages: request.messages,
    response,
    usage: response.usage,
  })),
  tool_call: TOOL_CALL,
})}\n`);
