#pragma once

#include <QByteArray>
#include <QString>

#include <cstdint>

/**
 * One received OTLP request as it arrived, kept for the raw payload view. `body` is the request body after
 * Content-Encoding was undone (what the decoder saw); `wireSize` is the size in bytes as received on the wire.
 */
struct RawPayload {
    /// Which OTLP export request `body` is: ExportTraceServiceRequest or ExportLogsServiceRequest.
    enum class Signal : std::uint8_t { Traces, Logs };

    qint64 id = 0;
    Signal signal = Signal::Traces;
    QByteArray body;
    QString contentType; ///< "application/x-protobuf" or "application/json"
    QString contentEncoding; ///< "gzip" or empty
    qint64 wireSize = 0; ///< bytes
    std::uint64_t receivedAtUnixNano = 0;
    QString peer; ///< "host:port" of the client, or the file name for imports
    qint64 spanCount = 0;
    qint64 logRecordCount = 0; ///< log records in a Logs request (0 for Traces)
};
