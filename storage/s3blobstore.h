#pragma once

#include "model/ids.h"
#include "storage/blobstore.h"

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QPair>
#include <QString>

#include <cstdint>
#include <vector>

/// Where and how S3BlobStore connects. Plain value.
struct S3Config {
    /// Scheme, host and port of the S3 API, e.g. "http://127.0.0.1:9000" (MinIO) or
    /// "https://s3.eu-west-1.amazonaws.com". A path after the host is kept as a prefix of every request path.
    /// Credentials in its user info ("http://KEY:SECRET@host:9000", percent-encoded or not) are taken out by
    /// S3BlobStore: being the most specific, they are used instead of accessKeyId / secretAccessKey (which often
    /// come from the environment), and never sent or shown.
    QString endpoint;
    /// Addressed path-style: {endpoint}/{bucket}/{key}. Empty means the endpoint already names the bucket
    /// (virtual-hosted style, e.g. "https://examplebucket.s3.amazonaws.com"): {endpoint}/{key}.
    QString bucket = QStringLiteral("otel-traces");
    /// SigV4 signing region; MinIO and Swift accept "us-east-1" by default.
    QString region = QStringLiteral("us-east-1");
    QString accessKeyId;
    QString secretAccessKey;
    int connectTimeoutMs = 5000; ///< TCP (+TLS) connect, ms
    int requestTimeoutMs = 30000; ///< a whole request including its body, ms

    /**
     * From the AWS CLI's environment variables: endpoint `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`;
     * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`; region `AWS_REGION`, else `AWS_DEFAULT_REGION`, else us-east-1.
     * The bucket keeps its default ("otel-traces"). Nothing is validated here; a missing endpoint or credential
     * makes every request fail with a message saying so.
     */
    static S3Config fromEnvironment();
};

/**
 * BlobStore on an S3 API (AWS S3, MinIO, Ceph RGW, OpenStack Swift's s3api), over libcurl.
 *
 * Requests are signed with AWS Signature Version 4 in the Authorization header (libcurl's CURLOPT_AWS_SIGV4,
 * "aws:amz:REGION:s3"; see AWS "Authenticating Requests: Using the Authorization Header", single-chunk transfer with
 * a signed payload: the x-amz-content-sha256 header carries the SHA-256 of the whole body). Object keys are
 * URI-encoded per segment by the SigV4 rules (unreserved characters A-Z a-z 0-9 - . _ ~ kept, '/' kept between
 * segments, every other UTF-8 byte as %XX); query parameters are encoded the same way ('/' too) and sorted by
 * name, because libcurl 7.88 signs the URL's path and query exactly as given.
 *
 * S3 API actions used: PutObject, GetObject, HeadObject, DeleteObject, ListObjectsV2 (with continuation-token and
 * encoding-type=url), HeadBucket and CreateBucket (ensureBucket).
 *
 * Errors name the action's method, bucket/key, the HTTP status and the S3 error Code and Message from the XML body,
 * e.g. "PUT otel-traces/a/b.json.gz: HTTP 403 SignatureDoesNotMatch: The request signature we calculated does not
 * match ..."; transport failures add the endpoint and libcurl's message ("GET otel-traces/a @ http://127.0.0.1:9000:
 * Couldn't connect to server: Failed to connect to 127.0.0.1 port 9000 ...", "...: Timeout was reached: ..."). Nothing
 * is retried here (the caller owns retries and backoff), except that libcurl reconnects once when a kept-alive
 * connection turns out to be closed. No message names the secret key or the endpoint's user info
 * (ConnectionStrings::redact).
 *
 * Thread safety: every method may be called from any thread at the same time. Each call takes an easy handle from a
 * small cache (so kept-alive connections are reused) and blocks until the server answered or a timeout passed. The
 * store must outlive all calls into it.
 */
class S3BlobStore final : public BlobStore {
public:
    explicit S3BlobStore(S3Config config);
    ~S3BlobStore() override;

    S3BlobStore(const S3BlobStore&) = delete;
    S3BlobStore& operator=(const S3BlobStore&) = delete;

    /// The configuration in use: the endpoint without user info, the credentials taken from it.
    const S3Config& config() const { return m_config; }

    /// "s3://BUCKET @ ENDPOINT", without the endpoint's user info.
    QString description() const override;
    /// PutObject with the whole body in one request (no aws-chunked encoding). An empty contentType is sent as
    /// application/octet-stream.
    bool put(const QString& key, const QByteArray& data, const QString& contentType, QString* error) override;
    std::optional<QByteArray> get(const QString& key, QString* error) override;
    /// HeadObject: size (bytes), ETag without its quotes, Last-Modified (UTC), Content-Type.
    std::optional<BlobInfo> head(const QString& key, QString* error) override;
    /// ListObjectsV2 pages of listPageSize() keys, in the server's order (S3: UTF-8 byte order, which is sorted).
    bool list(const QString& prefix, QStringList* keys, QString* error) override;
    /// DeleteObject: 204 or 200 is success, and so is 404 NoSuchKey (Swift and some proxies answer 404 where AWS
    /// answers 204); 404 NoSuchBucket is an error. An empty key is refused (it would address the bucket).
    bool remove(const QString& key, QString* error) override;

    /// HeadBucket, then CreateBucket when that answered 404 (with a LocationConstraint unless the region is
    /// us-east-1). True when the bucket exists afterwards, also when another client created it meanwhile.
    bool ensureBucket(QString* error);

    /// max-keys per ListObjectsV2 page (1..1000; S3's default and maximum is 1000). Set before concurrent use.
    void setListPageSize(int maxKeys);
    int listPageSize() const { return m_listPageSize; }

    /**
     * The object key of one trace's raw payload: `{environment}/{service_name}/{YYYY-MM-DD}/{trace_id}.json.gz`
     * (DESIGN.md "Storage"), the date being that of traceStartUnixNano (ns since the Unix epoch) in UTC and the
     * trace id 32 lower-case hex digits. An empty environment becomes "default", an empty service name
     * "unknown_service". So that each name stays one path level, a '/' inside environment or service name becomes
     * '_', and a name that is exactly "." or ".." becomes "_" or "__" (path tools would collapse such segments).
     */
    static QString traceObjectKey(const QString& environment, const QString& serviceName,
        std::uint64_t traceStartUnixNano, const TraceId& traceId);

    /// SigV4 URI encoding of one string: UTF-8, unreserved characters kept, everything else %XX (upper-case hex);
    /// '/' is kept when keepSlash is true (object key paths), encoded otherwise (query values).
    static QByteArray uriEncode(const QString& text, bool keepSlash);

    /// One signed S3 request (the seam every action above goes through; tests use it to replay AWS's examples).
    struct Request {
        QByteArray method = QByteArrayLiteral("GET");
        /// Object key (encoded here); empty addresses the bucket itself.
        QString key;
        /// Query parameters, unencoded; sent encoded and sorted by name as SigV4's canonical query string wants.
        QList<QPair<QString, QString>> query;
        /// Extra header lines, "Name: value"; libcurl signs every header given here.
        QList<QByteArray> headers;
        QByteArray body; ///< sent for PUT/POST, with its SHA-256 in x-amz-content-sha256
    };
    struct Response {
        long status = 0; ///< HTTP status; 0 when the request failed before an answer (see transportError)
        QByteArray body; ///< empty for HEAD
        QList<QPair<QByteArray, QByteArray>> headers; ///< of the final response, names as sent
        QString transportError; ///< libcurl's message when status is 0

        QByteArray header(const QByteArray& name) const; ///< case-insensitive; empty when absent
    };
    /// Sends `request` to {endpoint}/{bucket}/{key}, signed. Blocks; callable from any thread.
    Response request(const Request& request) const;

private:
    struct Handle;
    Handle* takeHandle() const;
    void returnHandle(Handle* handle) const;
    QString describeFailure(const Request& request, const Response& response) const;
    QString objectName(const QString& key) const;

    S3Config m_config;
    QStringList m_secrets; ///< masked in every message (ConnectionStrings::redact)
    QByteArray m_baseUrl; ///< endpoint without trailing '/', plus "/bucket" in path style
    int m_listPageSize = 1000;
    mutable QMutex m_handlesMutex;
    mutable std::vector<Handle*> m_idleHandles;
};
