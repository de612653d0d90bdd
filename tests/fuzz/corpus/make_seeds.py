#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora (tests/fuzz/corpus/<fuzzer>/) from the small requests below.

Run from anywhere: python3 tests/fuzz/corpus/make_seeds.py. Output is deterministic (gzip mtime 0), so running it
again changes nothing unless this file changed. Crash reproducers (regressions) are kept in the same folders under
names starting with `regression-`; this script leaves those alone.
"""
import gzip
import json
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

TRACE = "5b8efff798038103d269b633813fc60c"
TRACE2 = "0af7651916cd43dd8448eb211c80319c"


# --- protobuf wire format, just enough for OTLP ---------------------------------------------------------------------
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def tag(field, wire):
    return varint(field << 3 | wire)


def f_varint(field, n):
    return tag(field, 0) + varint(n & 0xFFFFFFFFFFFFFFFF)


def f_bytes(field, data):
    if isinstance(data, str):
        data = data.encode()
    return tag(field, 2) + varint(len(data)) + data


def f_fixed64(field, n):
    return tag(field, 1) + struct.pack("<Q", n)


def f_double(field, d):
    return tag(field, 1) + struct.pack("<d", d)


def f_fixed32(field, n):
    return tag(field, 5) + struct.pack("<I", n)


def pb_value(v):
    if isinstance(v, bool):
        return f_varint(2, int(v))
    if isinstance(v, int):
        return f_varint(3, v)
    if isinstance(v, float):
        return f_double(4, v)
    if isinstance(v, bytes):
        return f_bytes(7, v)
    if isinstance(v, list):
        return f_bytes(5, b"".join(f_bytes(1, pb_value(x)) for x in v))
    if isinstance(v, dict):
        return f_bytes(6, b"".join(f_bytes(1, pb_kv(k, x)) for k, x in v.items()))
    return f_bytes(1, v)


def pb_kv(key, value):
    return f_bytes(1, key) + f_bytes(2, pb_value(value))


def pb_attrs(field, attrs):
    return b"".join(f_bytes(field, pb_kv(k, v)) for k, v in attrs.items())


def pb_span(s):
    out = f_bytes(1, bytes.fromhex(s["trace"])) + f_bytes(2, bytes.fromhex(s["id"]))
    if s.get("state"):
        out += f_bytes(3, s["state"])
    if s.get("parent"):
        out += f_bytes(4, bytes.fromhex(s["parent"]))
    out += f_bytes(5, s["name"]) + f_varint(6, s["kind"])
    out += f_fixed64(7, s["start"]) + f_fixed64(8, s["end"])
    out += pb_attrs(9, s.get("attrs", {}))
    for e in s.get("events", []):
        out += f_bytes(11, f_fixed64(1, e["time"]) + f_bytes(2, e["name"]) + pb_attrs(3, e.get("attrs", {})))
    for link in s.get("links", []):
        out += f_bytes(13, f_bytes(1, bytes.fromhex(link["trace"])) + f_bytes(2, bytes.fromhex(link["id"]))
                       + pb_attrs(4, link.get("attrs", {})))
    if "status" in s:
        out += f_bytes(15, f_bytes(2, s["status"][1]) + f_varint(3, s["status"][0]))
    if s.get("flags"):
        out += f_fixed32(16, s["flags"])
    return out


def pb_request(resources):
    out = b""
    for res in resources:
        body = f_bytes(1, pb_attrs(1, res["attrs"]))
        for scope in res["scopes"]:
            sc = f_bytes(1, f_bytes(1, scope["name"]) + f_bytes(2, scope["version"]))
            sc += b"".join(f_bytes(2, pb_span(s)) for s in scope["spans"])
            body += f_bytes(2, sc)
        out += f_bytes(1, body)
    return out


# --- OTLP/JSON ------------------------------------------------------------------------------------------------------
def js_value(v):
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v}
    if isinstance(v, bytes):
        import base64
        return {"bytesValue": base64.b64encode(v).decode()}
    if isinstance(v, list):
        return {"arrayValue": {"values": [js_value(x) for x in v]}}
    if isinstance(v, dict):
        return {"kvlistValue": {"values": js_attrs(v)}}
    return {"stringValue": v}


def js_attrs(attrs):
    return [{"key": k, "value": js_value(v)} for k, v in attrs.items()]


def js_span(s):
    out = {"traceId": s["trace"], "spanId": s["id"], "name": s["name"], "kind": s["kind"],
           "startTimeUnixNano": str(s["start"]), "endTimeUnixNano": str(s["end"]), "attributes": js_attrs(s.get("attrs", {}))}
    if s.get("parent"):
        out["parentSpanId"] = s["parent"]
    if s.get("state"):
        out["traceState"] = s["state"]
    if s.get("events"):
        out["events"] = [{"timeUnixNano": str(e["time"]), "name": e["name"], "attributes": js_attrs(e.get("attrs", {}))}
                         for e in s["events"]]
    if s.get("links"):
        out["links"] = [{"traceId": l["trace"], "spanId": l["id"], "attributes": js_attrs(l.get("attrs", {}))}
                        for l in s["links"]]
    if "status" in s:
        out["status"] = {"code": s["status"][0], "message": s["status"][1]}
    if s.get("flags"):
        out["flags"] = s["flags"]
    return out


def js_request(resources):
    return {"resourceSpans": [{"resource": {"attributes": js_attrs(r["attrs"])},
                               "scopeSpans": [{"scope": {"name": sc["name"], "version": sc["version"]},
                                               "spans": [js_span(s) for s in sc["spans"]]} for sc in r["scopes"]]}
                              for r in resources]}


# --- the requests ---------------------------------------------------------------------------------------------------
T0 = 1_700_000_000_000_000_000
SINGLE = [{"attrs": {"service.name": "checkout"},
           "scopes": [{"name": "manual", "version": "1.0", "spans": [
               {"trace": TRACE, "id": "eee19b7ec3c1b174", "name": "GET /cart", "kind": 2, "start": T0, "end": T0 + 5_000_000,
                "attrs": {"http.method": "GET", "http.status_code": 200}}]}]}]
RICH = [{"attrs": {"service.name": "agent", "deployment.environment": "test"},
         "scopes": [{"name": "agent-sdk", "version": "0.3", "spans": [
             {"trace": TRACE2, "id": "b7ad6b7169203331", "name": "invoke_agent", "kind": 1, "start": T0, "end": T0 + 900_000_000,
              "state": "vendor=a", "flags": 257, "status": [2, "tool failed"],
              "attrs": {"gen_ai.usage.input_tokens": 120, "gen_ai.usage.output_tokens": 48, "ratio": 0.25, "ok": False,
                        "blob": b"\x00\x01\xfe", "tags": ["a", 1, 2.5, True], "nested": {"k": "v", "n": [1, [2, {"x": "y"}]]}},
              "events": [{"time": T0 + 1000, "name": "exception", "attrs": {"exception.message": "boom"}}],
              "links": [{"trace": TRACE, "id": "eee19b7ec3c1b174", "attrs": {"why": "caused by"}}]},
             {"trace": TRACE2, "id": "00f067aa0ba902b7", "parent": "b7ad6b7169203331", "name": "execute_tool search",
              "kind": 3, "start": T0 + 10, "end": T0 + 20, "status": [1, ""]}]}]},
        {"attrs": {"service.name": "search"},
         "scopes": [{"name": "http", "version": "", "spans": [
             {"trace": TRACE2, "id": "53995c3f42cd8ad8", "parent": "00f067aa0ba902b7", "name": "POST /search",
              "kind": 2, "start": T0 + 12, "end": T0 + 18}]},
                    {"name": "db", "version": "2", "spans": [
             {"trace": TRACE2, "id": "1111111111111111", "parent": "53995c3f42cd8ad8", "name": "SELECT",
              "kind": 3, "start": T0 + 13, "end": T0 + 14}]}]}]
INVALID_ID = [{"attrs": {"service.name": "bad"},
               "scopes": [{"name": "x", "version": "", "spans": [
                   {"trace": "00" * 16, "id": "0102030405060708", "name": "zero trace id", "kind": 0, "start": 1, "end": 2},
                   {"trace": TRACE, "id": "0102030405060709", "name": "fine", "kind": 0, "start": 1, "end": 2}]}]}]


def jdump(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


def gz(data):
    return gzip.compress(data, compresslevel=6, mtime=0)


def write(folder, name, data):
    path = os.path.join(HERE, folder)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), "wb") as f:
        f.write(data)


def http(method, path, headers, body=b""):
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    for k, v in headers:
        head += f"{k}: {v}\r\n"
    if body and not any(k.lower() == "transfer-encoding" for k, _ in headers):
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def chunked(body, size=40):
    out = b""
    for i in range(0, len(body), size):
        part = body[i:i + size]
        out += b"%x\r\n" % len(part) + part + b"\r\n"
    return out + b"0\r\n\r\n"


def main():
    requests = {"single": SINGLE, "rich": RICH, "invalid-id": INVALID_ID}
    for name, req in requests.items():
        write("fuzz_otlp_protobuf", name + ".pb", pb_request(req))
        write("fuzz_otlp_json", name + ".json", jdump(js_request(req)))
    write("fuzz_otlp_protobuf", "empty-resource.pb", f_bytes(1, b""))
    # protobuf's generic JSON mapping: base64 ids, enum names, 64-bit integers as numbers
    write("fuzz_otlp_json", "protomapping.json", jdump({"resourceSpans": [{"scopeSpans": [{"spans": [
        {"traceId": "W47/95gDgQPSabYzgT/GDA==", "spanId": "7uGbfsPBsXQ=", "name": "mapped", "kind": "SPAN_KIND_SERVER",
         "startTimeUnixNano": T0, "endTimeUnixNano": T0 + 1, "status": {"code": "STATUS_CODE_ERROR"},
         "attributes": [{"key": "d", "value": {"doubleValue": "NaN"}}, {"key": "i", "value": {"intValue": 7}}]}]}]}]}))

    write("fuzz_jaeger_json", "query-api.json", jdump({"data": [{"traceID": TRACE, "spans": [
        {"traceID": TRACE, "spanID": "eee19b7ec3c1b174", "operationName": "GET /cart", "references": [],
         "startTime": 1700000000000000, "duration": 5000, "flags": 1, "processID": "p1",
         "tags": [{"key": "span.kind", "type": "string", "value": "server"},
                  {"key": "http.status_code", "type": "int64", "value": 200},
                  {"key": "otel.status_code", "type": "string", "value": "ERROR"},
                  {"key": "otel.status_description", "type": "string", "value": "boom"},
                  {"key": "ratio", "type": "float64", "value": 0.5}, {"key": "blob", "type": "binary", "value": "AAE="},
                  {"key": "cached", "type": "bool", "value": True}],
         "logs": [{"timestamp": 1700000000001000, "fields": [{"key": "event", "type": "string", "value": "retry"},
                                                             {"key": "attempt", "type": "int64", "value": "2"}]}]},
        {"traceID": TRACE, "spanID": "b7ad6b7169203331", "operationName": "SELECT", "processID": "p2",
         "references": [{"refType": "CHILD_OF", "traceID": TRACE, "spanID": "eee19b7ec3c1b174"},
                        {"refType": "FOLLOWS_FROM", "traceID": TRACE2, "spanID": "00f067aa0ba902b7"}],
         "startTime": 1700000000001000, "duration": 700, "tags": [{"key": "error", "type": "bool", "value": True}]}],
        "processes": {"p1": {"serviceName": "checkout", "tags": [{"key": "host", "type": "string", "value": "a"}]},
                      "p2": {"serviceName": "db", "tags": []}}}]}))
    write("fuzz_jaeger_json", "single-trace.json", jdump({"traceID": "d269b633813fc60c", "spans": [
        {"traceID": "d269b633813fc60c", "spanID": "1", "operationName": "root", "startTime": 1, "duration": 2,
         "process": {"serviceName": "inline", "tags": []},
         "tags": [{"key": "otel.scope.name", "type": "string", "value": "lib"},
                  {"key": "w3c.tracestate", "type": "string", "value": "k=v"}]}], "processes": {}}))

    write("fuzz_zipkin_json", "shared-rpc.json", jdump([
        {"traceId": TRACE, "id": "eee19b7ec3c1b174", "name": "get /login", "kind": "CLIENT", "timestamp": 1700000000000000,
         "duration": 3000, "localEndpoint": {"serviceName": "gateway", "ipv4": "10.0.0.1", "port": 8080},
         "remoteEndpoint": {"serviceName": "auth", "ipv6": "::1", "port": 9000}, "tags": {"http.path": "/login"},
         "annotations": [{"timestamp": 1700000000000500, "value": "ws"}]},
        {"traceId": TRACE, "id": "eee19b7ec3c1b174", "name": "get /login", "kind": "SERVER", "shared": True,
         "timestamp": 1700000000000100, "duration": 2000, "localEndpoint": {"serviceName": "auth"},
         "tags": {"error": "denied"}},
        {"traceId": TRACE, "id": "b7ad6b7169203331", "parentId": "eee19b7ec3c1b174", "name": "query",
         "timestamp": 1700000000000200, "localEndpoint": {"serviceName": "auth"}, "debug": True,
         "tags": {"otel.status_code": "OK"}}]))
    write("fuzz_zipkin_json", "single-span.json", jdump(
        {"traceId": "d269b633813fc60c", "id": "00f067aa0ba902b7", "name": "send", "kind": "PRODUCER",
         "timestamp": 5, "duration": 1, "localEndpoint": {"serviceName": "queue"}}))

    # gzip: two bytes of bound (big-endian), then the stream
    body = jdump(js_request(SINGLE))
    bound = struct.pack(">H", 4096)
    write("fuzz_gzip", "gzip-member", bound + gz(body))
    write("fuzz_gzip", "gzip-two-members", bound + gz(b"first ") + gz(b"second"))
    write("fuzz_gzip", "zlib-stream", bound + zlib.compress(body, 9))
    write("fuzz_gzip", "gzip-empty", struct.pack(">H", 0) + gz(b""))
    write("fuzz_gzip", "gzip-over-bound", struct.pack(">H", 100) + gz(b"x" * 5000))
    write("fuzz_gzip", "gzip-stored", bound + gzip.compress(b"stored block", compresslevel=0, mtime=0))

    # OTLP logs requests (ExportLogsServiceRequest): a GenAI event inside a span, a record without trace context,
    # and one whose trace id is too short (rejected alone)
    logs_pb = f_bytes(1, f_bytes(1, pb_attrs(1, {"service.name": "agent"})) + f_bytes(2,
        f_bytes(1, f_bytes(1, "genai") + f_bytes(2, "1.0"))
        + f_bytes(2, f_fixed64(1, T0) + f_fixed64(11, T0 + 5) + f_varint(2, 9) + f_bytes(3, "INFO")
                  + f_bytes(5, pb_value({"role": "user", "content": "Plan 3 days"}))
                  + pb_attrs(6, {"gen_ai.system": "openai"}) + f_fixed32(8, 1)
                  + f_bytes(9, bytes.fromhex(TRACE)) + f_bytes(10, bytes.fromhex("eee19b7ec3c1b174"))
                  + f_bytes(12, "gen_ai.user.message"))
        + f_bytes(2, f_fixed64(11, T0 + 9) + f_varint(2, 17) + f_bytes(5, pb_value("no trace context")))
        + f_bytes(2, f_bytes(9, b"short") + f_bytes(5, pb_value(7)))))
    logs_js = jdump({"resourceLogs": [{"resource": {"attributes": [{"key": "service.name", "value": {
        "stringValue": "agent"}}]}, "scopeLogs": [{"scope": {"name": "genai"}, "logRecords": [
            {"timeUnixNano": str(T0), "observedTimeUnixNano": str(T0 + 5), "severityNumber": "SEVERITY_NUMBER_INFO",
             "severityText": "INFO", "body": {"kvlistValue": {"values": [{"key": "content", "value": {
                 "stringValue": "Plan 3 days"}}]}}, "attributes": [{"key": "gen_ai.system", "value": {
                     "stringValue": "openai"}}], "traceId": TRACE, "spanId": "eee19b7ec3c1b174",
             "eventName": "gen_ai.choice"},
            {"observedTimeUnixNano": str(T0 + 9), "severityNumber": 17, "body": {"stringValue": "no trace context"}},
            {"traceId": "abc", "body": {"intValue": "7"}}]}]}]})
    write("fuzz_otlp_logs", "genai-events.pb", logs_pb)
    write("fuzz_otlp_logs", "genai-events.json", logs_js)
    write("fuzz_otlp_logs", "protomapping.json", jdump({"resourceLogs": [{"scopeLogs": [{"logRecords": [
        {"traceId": "W47/95gDgQPSabYzgT/GDA==", "spanId": "7uGbfsPBsXQ=", "severityNumber": "SEVERITY_NUMBER_WARN2",
         "body": {"doubleValue": "NaN"}}]}]}]}))

    pb = pb_request(RICH)
    js = jdump(js_request(RICH))
    write("fuzz_otlp_http", "post-protobuf", http("POST", "/v1/traces", [("Content-Type", "application/x-protobuf")], pb))
    write("fuzz_otlp_http", "post-json", http("POST", "/v1/traces", [("Content-Type", "application/json")], js))
    write("fuzz_otlp_http", "post-json-gzip", http("POST", "/v1/traces", [("Content-Type", "application/json"),
                                                                         ("Content-Encoding", "gzip")], gz(js)))
    write("fuzz_otlp_http", "post-protobuf-chunked", http("POST", "/v1/traces", [
        ("Content-Type", "application/x-protobuf"), ("Transfer-Encoding", "chunked")], chunked(pb)))
    write("fuzz_otlp_http", "post-malformed", http("POST", "/v1/traces", [("Content-Type", "application/json")],
                                                   b'{"resourceSpans":[{"scopeSpans":7}]}'))
    write("fuzz_otlp_http", "keepalive-two-requests",
          http("POST", "/v1/traces", [("Content-Type", "application/json")], jdump(js_request(SINGLE)))
          + http("GET", "/api/v1/traces/" + TRACE + "/spans", []))
    write("fuzz_otlp_http", "post-logs-protobuf", http("POST", "/v1/logs", [("Content-Type", "application/x-protobuf")],
                                                       logs_pb))
    write("fuzz_otlp_http", "post-logs-json-gzip", http("POST", "/v1/logs", [("Content-Type", "application/json"),
                                                                             ("Content-Encoding", "gzip")], gz(logs_js)))
    write("fuzz_otlp_http", "post-metrics-json", http("POST", "/v1/metrics", [("Content-Type", "application/json")],
                                                      b'{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m",'
                                                      b'"sum":{"dataPoints":[{"asInt":"1"}]}}]}]}]}'))
    write("fuzz_otlp_http", "get-healthz", http("GET", "/healthz", [("Connection", "close")]))
    write("fuzz_otlp_http", "get-traces", http("GET", "/api/v1/traces?service=checkout&limit=5", []))
    write("fuzz_otlp_http", "get-raw", http("GET", "/api/v1/traces/" + TRACE2 + "/raw", []))
    write("fuzz_otlp_http", "put-wrong-method", http("PUT", "/v1/traces", [("Content-Type", "text/plain")], b"x"))


if __name__ == "__main__":
    main()
