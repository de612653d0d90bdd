#include "sqliteconnection.h"

#include <sqlite3.h>

SqliteConnection::~SqliteConnection()
{
    close();
}

bool SqliteConnection::open(const QString& path, int flags, QString* error)
{
    close();
    const QByteArray utf8 = path.toUtf8();
    const int rc = sqlite3_open_v2(utf8.constData(), &m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        if (error)
            *error = m_db ? errorMessage() : QString::fromUtf8(sqlite3_errstr(rc));
        close();
        return false;
    }
    // Extended codes make SQLITE_READONLY_DIRECTORY etc. distinguishable in messages.
    sqlite3_extended_result_codes(m_db, 1);
    return true;
}

void SqliteConnection::close()
{
    for (sqlite3_stmt* stmt : std::as_const(m_statements))
        sqlite3_finalize(stmt);
    m_statements.clear();
    if (m_db) {
        sqlite3_close_v2(m_db);
        m_db = nullptr;
    }
}

bool SqliteConnection::exec(const char* sql, QString* error)
{
    char* message = nullptr;
    const int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, &message);
    if (rc == SQLITE_OK)
        return true;
    if (error)
        *error = message ? QString::fromUtf8(message) : QString::fromUtf8(sqlite3_errstr(rc));
    sqlite3_free(message);
    return false;
}

sqlite3_stmt* SqliteConnection::statement(const QByteArray& sql, QString* error)
{
    const auto it = m_statements.constFind(sql);
    if (it != m_statements.constEnd())
        return *it;
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(m_db, sql.constData(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
        if (error)
            *error = errorMessage();
        sqlite3_finalize(stmt);
        return nullptr;
    }
    // Deep copy: callers may pass fromRawData views of temporaries.
    m_statements.insert(QByteArray(sql.constData(), sql.size()), stmt);
    return stmt;
}

QString SqliteConnection::errorMessage() const
{
    return m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QStringLiteral("database is not open");
}

SqliteQuery::~SqliteQuery()
{
    reset();
}

void SqliteQuery::bindInt64(int index, std::int64_t value)
{
    sqlite3_bind_int64(m_stmt, index, value);
}

void SqliteQuery::bindDouble(int index, double value)
{
    sqlite3_bind_double(m_stmt, index, value);
}

void SqliteQuery::bindPointer(int index, void* pointer, const char* type)
{
    sqlite3_bind_pointer(m_stmt, index, pointer, type, nullptr);
}

void SqliteQuery::bindNull(int index)
{
    sqlite3_bind_null(m_stmt, index);
}

void SqliteQuery::bindBlobStatic(int index, const void* data, qsizetype size)
{
    // A zero-length blob must not become NULL: sqlite treats a null pointer as SQL NULL.
    static const char empty = 0;
    sqlite3_bind_blob(m_stmt, index, data ? data : &empty, int(size), SQLITE_STATIC);
}

void SqliteQuery::bindTextStatic(int index, const char* utf8, qsizetype size)
{
    static const char empty = 0;
    sqlite3_bind_text(m_stmt, index, utf8 ? utf8 : &empty, int(size), SQLITE_STATIC);
}

void SqliteQuery::bindText(int index, const QString& text)
{
    const QByteArray utf8 = text.toUtf8();
    sqlite3_bind_text(m_stmt, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
}

int SqliteQuery::step()
{
    return sqlite3_step(m_stmt);
}

void SqliteQuery::reset()
{
    if (m_stmt) {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
}

std::int64_t SqliteQuery::columnInt64(int index) const
{
    return sqlite3_column_int64(m_stmt, index);
}

bool SqliteQuery::columnIsNull(int index) const
{
    return sqlite3_column_type(m_stmt, index) == SQLITE_NULL;
}

QString SqliteQuery::columnText(int index) const
{
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, index));
    return QString::fromUtf8(text, sqlite3_column_bytes(m_stmt, index));
}

const char* SqliteQuery::columnBlob(int index, qsizetype* size) const
{
    const auto* data = static_cast<const char*>(sqlite3_column_blob(m_stmt, index));
    *size = sqlite3_column_bytes(m_stmt, index);
    return data;
}

QByteArray SqliteQuery::columnBlobCopy(int index) const
{
    qsizetype size = 0;
    const char* data = columnBlob(index, &size);
    return QByteArray(data, size);
}
