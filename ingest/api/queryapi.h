#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstdint>
#include <utility>

class TraceStore;

/**
 * The read-only query API (DESIGN.md "Read-only query API"; routes, parameters and shapes in docs/query-api.md):
 *
 * - `GET /api/v1/traces?service_name=&conversation_id=&trace_id=&start_time_gte=&start_time_lte=&limit=&offset=&
 *   order_by=&order=`: trace summaries (with the GenAI figures: llm_calls, tool_calls, tokens, models,
 *   conversation_id), newest first unless `order_by` (start_time, duration, span_count, error_count, llm_calls,
 *   tool_calls, input_tokens, output_tokens) and `order` (desc, asc) say otherwise; `limit` 1..200 (default 50),
 *   `offset` >= 0.
 * - `GET /api/v1/traces/{trace_id}`: one summary plus the trace's resource attributes.
 * - `GET /api/v1/traces/{trace_id}/spans?limit=&offset=`: spans in start-time order; `limit` 1..500 (default 100).
 * - `GET /api/v1/traces/{trace_id}/logs`: the trace's OTLP log records in time order.
 * - `GET /api/v1/traces/{trace_id}/genai`: the trace's agent run (GenAi::toJson: LLM calls with messages, tokens and
 *   cost, tool calls, agents), priced with the user's price table (PriceTable::load()).
 * - `GET /api/v1/traces/{trace_id}/raw`: the trace as gzipped OTLP/JSON (ExportTraceServiceRequest).
 * - `GET /api/v1/timeseries?bucket=60s&<the list's filter>`: per bucket of trace start time (`bucket` a whole number
 *   and a unit: ns, us, ms, s, m, h, d), traces, spans, error traces, error spans, input and output tokens
 *   (TraceStore::traceTimeSeries).
 *
 * Bodies are UTF-8 JSON (`application/json`); times are RFC 3339 with nanoseconds plus Unix nanoseconds as
 * decimal strings (OTLP/JSON's 64-bit convention), durations in milliseconds (double). Errors are
 * `{"error":"<reason>"}`: 400 bad parameter or id, 404 unknown route or trace, 405 (with `Allow: GET`) any method
 * but GET, 500 with the store's message when the store fails.
 *
 * Transport-free: the receiver (OtlpHttpReceiver) parses HTTP and calls handle(); tests may call it directly.
 * Thread: handle() is reentrant and blocks on store reads, so it is meant for a worker thread, never the
 * receiver's; the store must outlive this object.
 */
class QueryApi {
public:
    static constexpr int DefaultTraceLimit = 50;
    static constexpr int MaxTraceLimit = 200;
    static constexpr int DefaultSpanLimit = 100;
    static constexpr int MaxSpanLimit = 500;

    /// One parsed HTTP request.
    struct Request {
        QByteArray method; ///< "GET", "POST", ...
        QString path; ///< percent-decoded, e.g. "/api/v1/traces/4bf9.../spans"
        QList<std::pair<QString, QString>> query; ///< percent-decoded items in request order ('+' stays '+')
    };
    /// The answer to send; `headers` hold Content-Type (and Content-Encoding, Allow where they apply).
    struct Response {
        int status = 200;
        QList<std::pair<QByteArray, QByteArray>> headers;
        QByteArray body;

        /// The value of header `name` (case-insensitive), or empty.
        QByteArray header(const QByteArray& name) const;
    };

    /// `pricesPath`: the price table file for `/genai` (PriceTable::load(); default: the user's prices.json).
    explicit QueryApi(TraceStore* store, QString pricesPath = QString());

    /// True for the paths this API answers (everything under `/api/`), whatever they resolve to.
    static bool handles(const QString& path);

    /// Answers one request; never throws. Blocks on the store.
    Response handle(const Request& request) const;

    /**
     * Parses an API time parameter: RFC 3339 (`2026-11-21T10:00:00Z`, `2026-11-21T11:00:00.123456789+01:00`, up to
     * 9 fraction digits, at or after the Unix epoch) or an integer of Unix nanoseconds. False with *error set
     * otherwise.
     */
    static bool parseTime(const QString& text, std::uint64_t* unixNano, QString* error);
    /// RFC 3339 in UTC with 9 fraction digits, e.g. "2026-11-21T10:00:00.000000000Z".
    static QString formatTime(std::uint64_t unixNano);

private:
    TraceStore* m_store;
    QString m_pricesPath;
};
