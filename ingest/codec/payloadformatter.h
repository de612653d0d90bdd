#pragma once

#include "model/rawpayload.h"

#include <QString>

/**
 * Pretty-printed OTLP/JSON text of a received request, whatever its encoding: JSON bodies are re-indented
 * as received, protobuf bodies are decoded and written as spec OTLP/JSON (hex ids, integer enums).
 * A body that cannot be decoded gives a text that says why. Stateless; any thread.
 */
QString formatPayloadAsOtlpJson(const RawPayload& payload);
