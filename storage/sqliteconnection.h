#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

#include <cstdint>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

/**
 * One sqlite3 connection plus its cache of prepared statements. Not thread-safe: a connection is used by one
 * thread at a time (SqliteTraceStore hands them out under a mutex). Errors are returned as SQLite result codes;
 * errorMessage() describes the last one.
 */
class SqliteConnection {
public:
    SqliteConnection() = default;
    ~SqliteConnection();
    SqliteConnection(const SqliteConnection&) = delete;
    SqliteConnection& operator=(const SqliteConnection&) = delete;

    /// Opens `path` (UTF-8 file name); `flags` are sqlite3_open_v2 flags. On failure *error is set.
    bool open(const QString& path, int flags, QString* error);
    void close();
    sqlite3* handle() const { return m_db; }

    /// Runs one or more statements without results; on failure *error names `what` and SQLite's message.
    bool exec(const char* sql, QString* error);
    /// The cached prepared statement for `sql` (prepared on first use), or nullptr with *error set.
    sqlite3_stmt* statement(const QByteArray& sql, QString* error);
    /// Convenience for static SQL text.
    sqlite3_stmt* statement(const char* sql, QString* error) { return statement(QByteArray::fromRawData(sql, int(std::char_traits<char>::length(sql))), error); }

    QString errorMessage() const;

private:
    sqlite3* m_db = nullptr;
    QHash<QByteArray, sqlite3_stmt*> m_statements;
};

/**
 * A use of a cached prepared statement: binds parameters (1-based) and steps; resets the statement when it goes
 * out of scope so read transactions are not held open. Blobs and text given as pointers must outlive the step
 * (bound with SQLITE_STATIC to avoid a copy).
 */
class SqliteQuery {
public:
    explicit SqliteQuery(sqlite3_stmt* stmt) : m_stmt(stmt) { }
    ~SqliteQuery();
    SqliteQuery(const SqliteQuery&) = delete;
    SqliteQuery& operator=(const SqliteQuery&) = delete;

    bool isValid() const { return m_stmt != nullptr; }

    void bindInt64(int index, std::int64_t value);
    void bindDouble(int index, double value);
    void bindNull(int index);
    /// A pointer for an application-defined SQL function (sqlite3_bind_pointer with `type`, a string literal); not
    /// owned, it must stay valid until the statement is reset.
    void bindPointer(int index, void* pointer, const char* type);
    /// Static: the bytes must stay valid until the statement is reset.
    void bindBlobStatic(int index, const void* data, qsizetype size);
    void bindTextStatic(int index, const char* utf8, qsizetype size);
    void bindTextStatic(int index, const std::string& utf8) { bindTextStatic(index, utf8.data(), qsizetype(utf8.size())); }
    /// Copies the text.
    void bindText(int index, const QString& text);

    /// SQLITE_ROW, SQLITE_DONE or an error code.
    int step();
    /// Steps a statement without rows; true on SQLITE_DONE.
    bool exec() { return step() == 101 /* SQLITE_DONE */; }
    void reset();

    std::int64_t columnInt64(int index) const;
    bool columnIsNull(int index) const;
    QString columnText(int index) const;
    /// The column's bytes; valid until the next step/reset. *size in bytes.
    const char* columnBlob(int index, qsizetype* size) const;
    QByteArray columnBlobCopy(int index) const;

private:
    sqlite3_stmt* m_stmt;
};
