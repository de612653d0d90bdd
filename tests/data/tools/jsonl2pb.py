#!/usr/bin/env python3
"""Writes the OTLP protobuf twin of a JSON Lines file in protobuf's generic JSON mapping (base64 ids, enum names).

Usage: tests/data/tools/jsonl2pb.py IN.jsonl OUT.pb
One ExportTraceServiceRequest holding every line's resourceSpans, encoded by hand from the field numbers in
opentelemetry/proto/trace/v1/trace.proto and common/v1/common.proto. It knows only the fields our .jsonl files
use and is deliberately independent of Spanscope's codecs, so that the twin test compares two encoders.
"""
import base64
import json
import struct
import sys

KINDS = {"SPAN_KIND_UNSPECIFIED": 0, "SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2, "SPAN_KIND_CLIENT": 3,
         "SPAN_KIND_PRODUCER": 4, "SPAN_KIND_CONSUMER": 5}
STATUS = {"STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2}


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def tag(field, wire):
    return varint(field << 3 | wire)


def ld(field, payload):
    return tag(field, 2) + varint(len(payload)) + payload


def text(field, s):
    return ld(field, s.encode("utf-8"))


def vint(field, n):
    return tag(field, 0) + varint(n & 0xFFFFFFFFFFFFFFFF)


def fixed64(field, n):
    return tag(field, 1) + struct.pack("<Q", n)


def any_value(v):
    if "stringValue" in v:
        return text(1, v["stringValue"])
    if "boolValue" in v:
        return vint(2, int(v["boolValue"]))
    if "intValue" in v:
        return vint(3, int(v["intValue"]))
    if "doubleValue" in v:
        return tag(4, 1) + struct.pack("<d", float(v["doubleValue"]))
    if "bytesValue" in v:
        return ld(7, base64.b64decode(v["bytesValue"]))
    raise ValueError("value type not supported: %r" % v)


def key_values(field, attrs):
    return b"".join(ld(field, text(1, a["key"]) + ld(2, any_value(a["value"]))) for a in attrs)


def span(s):
    out = ld(1, base64.b64decode(s["traceId"])) + ld(2, base64.b64decode(s["spanId"]))
    if s.get("parentSpanId"):
        out += ld(4, base64.b64decode(s["parentSpanId"]))
    out += text(5, s["name"]) + vint(6, KINDS[s["kind"]])
    out += fixed64(7, int(s["startTimeUnixNano"])) + fixed64(8, int(s["endTimeUnixNano"]))
    out += key_values(9, s.get("attributes", []))
    for e in s.get("events", []):
        out += ld(11, fixed64(1, int(e["timeUnixNano"])) + text(2, e["name"]) + key_values(3, e.get("attributes", [])))
    status = s.get("status", {})
    if status:
        out += ld(15, (text(2, status["message"]) if status.get("message") else b"") + vint(3, STATUS[status["code"]]))
    return out


def resource_spans(rs):
    out = ld(1, key_values(1, rs["resource"]["attributes"]))
    for ss in rs["scopeSpans"]:
        scope = text(1, ss["scope"]["name"]) + text(2, ss["scope"]["version"])
        out += ld(2, ld(1, scope) + b"".join(ld(2, span(s)) for s in ss["spans"]))
    return out + text(3, rs["schemaUrl"])


def main():
    request = b""
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            if line.strip():
                for rs in json.loads(line)["resourceSpans"]:
                    request += ld(1, resource_spans(rs))
    with open(sys.argv[2], "wb") as f:
        f.write(request)


if __name__ == "__main__":
    main()
