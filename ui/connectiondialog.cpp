#include "connectiondialog.h"

#include "model/guardedjob.h"
#include "storage/connectionstrings.h"
#include "storage/tracestore.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QStackedWidget>
#include <QStyle>
#include <QVBoxLayout>

namespace {

QLineEdit* lineEdit(const char* objectName, const QString& placeholder = QString())
{
    auto* edit = new QLineEdit;
    edit->setObjectName(QLatin1String(objectName));
    edit->setPlaceholderText(placeholder);
    return edit;
}

QLabel* buddyLabel(const QString& text, QWidget* buddy)
{
    auto* label = new QLabel(text);
    label->setBuddy(buddy);
    return label;
}

QLabel* hint(const QString& text)
{
    auto* label = new QLabel(text);
    label->setWordWrap(true);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * 0.9);
    label->setFont(font);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

} // namespace

ConnectionDialog::ConnectionDialog(StoreOpener* opener, SessionSecrets* secrets, QWidget* parent)
    : QDialog(parent)
    , m_opener(opener)
    , m_secrets(secrets)
    , m_list(new QListWidget)
    , m_add(new QPushButton(tr("&Add")))
    , m_duplicate(new QPushButton(tr("D&uplicate")))
    , m_remove(new QPushButton(tr("Re&move")))
    , m_name(lineEdit("nameEdit"))
    , m_kind(new QComboBox)
    , m_pages(new QStackedWidget)
    , m_sqlitePath(lineEdit("sqlitePathEdit", tr("the default local store")))
    , m_browse(new QPushButton(tr("&Browse…")))
    , m_pgConnection(lineEdit("pgConnectionEdit", QStringLiteral("postgresql://user@host:5432/database")))
    , m_pgSchema(lineEdit("pgSchemaEdit", QStringLiteral("otel")))
    , m_pgPassword(lineEdit("pgPasswordEdit"))
    , m_s3Group(new QGroupBox(tr("Raw payloads in S3 / MinIO (optional)")))
    , m_s3Endpoint(lineEdit("s3EndpointEdit", QStringLiteral("http://127.0.0.1:9000")))
    , m_s3Bucket(lineEdit("s3BucketEdit", QStringLiteral("otel-traces")))
    , m_s3Region(lineEdit("s3RegionEdit", QStringLiteral("us-east-1")))
    , m_s3AccessKeyId(lineEdit("s3AccessKeyIdEdit", tr("AWS_ACCESS_KEY_ID")))
    , m_s3Secret(lineEdit("s3SecretEdit"))
    , m_test(new QPushButton(tr("&Test Connection")))
    , m_busy(new QProgressBar)
    , m_icon(new QLabel)
    , m_message(new QLabel)
    , m_buttons(new QDialogButtonBox)
{
    setObjectName(QStringLiteral("connectionDialog"));
    setWindowTitle(tr("Connect to Store"));

    m_list->setObjectName(QStringLiteral("connectionList"));
    m_list->setMinimumWidth(200);
    m_add->setObjectName(QStringLiteral("addButton"));
    m_add->setToolTip(tr("Add a PostgreSQL connection"));
    m_duplicate->setObjectName(QStringLiteral("duplicateButton"));
    m_remove->setObjectName(QStringLiteral("removeButton"));
    auto* listButtons = new QHBoxLayout;
    listButtons->addWidget(m_add);
    listButtons->addWidget(m_duplicate);
    listButtons->addWidget(m_remove);
    auto* left = new QVBoxLayout;
    left->addWidget(m_list, 1);
    left->addLayout(listButtons);

    m_kind->setObjectName(QStringLiteral("kindCombo"));
    m_kind->addItem(tr("PostgreSQL team store"), int(StoreConnection::Postgres));
    m_kind->addItem(tr("SQLite file"), int(StoreConnection::Local));

    // SQLite page.
    m_browse->setObjectName(QStringLiteral("browseButton"));
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_sqlitePath, 1);
    pathRow->addWidget(m_browse);
    auto* sqlitePage = new QWidget;
    auto* sqliteForm = new QFormLayout(sqlitePage);
    sqliteForm->setContentsMargins(0, 0, 0, 0);
    sqliteForm->addRow(buddyLabel(tr("&File:"), m_sqlitePath), pathRow);
    m_sqliteHint = hint(QString());
    sqliteForm->addRow(QString(), m_sqliteHint);

    // PostgreSQL page.
    m_pgConnection->setMinimumWidth(380);
    m_pgConnection->setToolTip(tr("A libpq connection URI, e.g. postgresql://user@host:5432/database?sslmode=require, "
                                  "or key=value pairs, e.g. host=db.example.com dbname=traces user=me sslmode=require. "
                                  "Empty: everything from PGHOST, PGPORT, PGDATABASE, PGUSER."));
    m_pgPassword->setEchoMode(QLineEdit::Password);
    m_s3Secret->setEchoMode(QLineEdit::Password);
    auto* pgPage = new QWidget;
    auto* pgForm = new QFormLayout(pgPage);
    pgForm->setContentsMargins(0, 0, 0, 0);
    pgForm->addRow(buddyLabel(tr("&Connection:"), m_pgConnection), m_pgConnection);
    pgForm->addRow(QString(),
        hint(tr("A libpq URI or key=value pairs (host, port, dbname, user, sslmode). PGHOST, PGUSER, PGPASSWORD, "
                "~/.pgpass and the other libpq settings apply.")));
    pgForm->addRow(buddyLabel(tr("Sc&hema:"), m_pgSchema), m_pgSchema);
    pgForm->addRow(buddyLabel(tr("&Password:"), m_pgPassword), m_pgPassword);

    auto* s3Form = new QFormLayout(m_s3Group);
    s3Form->addRow(buddyLabel(tr("&Endpoint:"), m_s3Endpoint), m_s3Endpoint);
    auto* bucketRow = new QHBoxLayout;
    bucketRow->addWidget(m_s3Bucket, 2);
    bucketRow->addWidget(buddyLabel(tr("Re&gion:"), m_s3Region));
    bucketRow->addWidget(m_s3Region, 1);
    s3Form->addRow(buddyLabel(tr("B&ucket:"), m_s3Bucket), bucketRow);
    s3Form->addRow(buddyLabel(tr("Access &key ID:"), m_s3AccessKeyId), m_s3AccessKeyId);
    s3Form->addRow(buddyLabel(tr("Secre&t key:"), m_s3Secret), m_s3Secret);
    auto* pgLayout = new QVBoxLayout;
    pgLayout->setContentsMargins(0, 0, 0, 0);
    pgLayout->addWidget(pgPage);
    pgLayout->addWidget(m_s3Group);
    pgLayout->addStretch(1);
    auto* pgContainer = new QWidget;
    pgContainer->setLayout(pgLayout);
    auto* sqliteLayout = new QVBoxLayout;
    sqliteLayout->setContentsMargins(0, 0, 0, 0);
    sqliteLayout->addWidget(sqlitePage);
    sqliteLayout->addStretch(1);
    auto* sqliteContainer = new QWidget;
    sqliteContainer->setLayout(sqliteLayout);
    m_pages->addWidget(pgContainer);
    m_pages->addWidget(sqliteContainer);

    auto* top = new QFormLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addRow(buddyLabel(tr("&Name:"), m_name), m_name);
    top->addRow(buddyLabel(tr("T&ype:"), m_kind), m_kind);

    m_test->setObjectName(QStringLiteral("testButton"));
    m_busy->setObjectName(QStringLiteral("testBusy"));
    m_busy->setRange(0, 0);
    m_busy->setTextVisible(false);
    m_busy->setMaximumWidth(90);
    m_busy->hide();
    m_message->setObjectName(QStringLiteral("testMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setMinimumHeight(m_message->fontMetrics().height() * 3);
    m_message->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_icon->setAlignment(Qt::AlignTop);
    auto* testRow = new QHBoxLayout;
    testRow->addWidget(m_test);
    testRow->addWidget(m_busy);
    testRow->addStretch(1);
    auto* messageRow = new QHBoxLayout;
    messageRow->addWidget(m_icon);
    messageRow->addWidget(m_message, 1);

    auto* right = new QVBoxLayout;
    right->addLayout(top);
    right->addWidget(m_pages, 1);
    right->addLayout(testRow);
    right->addLayout(messageRow);

    auto* body = new QHBoxLayout;
    body->addLayout(left);
    body->addLayout(right, 1);

    QPushButton* connectButton = m_buttons->addButton(tr("&Connect"), QDialogButtonBox::AcceptRole);
    connectButton->setObjectName(QStringLiteral("connectButton"));
    connectButton->setDefault(true);
    m_buttons->addButton(QDialogButtonBox::Cancel);
    auto* saveButton = new QPushButton(tr("&Save"));
    saveButton->setObjectName(QStringLiteral("saveButton"));
    saveButton->setAutoDefault(false);
    saveButton->setToolTip(tr("Keep the connections and close, without switching stores"));
    auto* buttonRow = new QHBoxLayout;
    buttonRow->addWidget(saveButton);
    buttonRow->addStretch(1);
    buttonRow->addWidget(m_buttons);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(body, 1);
    layout->addLayout(buttonRow);

    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
        abandonTest();
        showRow(row);
    });
    connect(m_add, &QPushButton::clicked, this, &ConnectionDialog::addConnection);
    connect(m_duplicate, &QPushButton::clicked, this, &ConnectionDialog::duplicateConnection);
    connect(m_remove, &QPushButton::clicked, this, &ConnectionDialog::removeConnection);
    connect(m_browse, &QPushButton::clicked, this, &ConnectionDialog::browseSqlite);
    connect(m_test, &QPushButton::clicked, this, &ConnectionDialog::testConnection);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &ConnectionDialog::fieldsEdited);
    for (QLineEdit* edit : { m_name, m_sqlitePath, m_pgConnection, m_pgSchema, m_pgPassword, m_s3Endpoint, m_s3Bucket,
             m_s3Region, m_s3AccessKeyId, m_s3Secret })
        connect(edit, &QLineEdit::textEdited, this, &ConnectionDialog::fieldsEdited);
    connect(m_pgConnection, &QLineEdit::editingFinished, this, &ConnectionDialog::connectionStringEdited);
    connect(m_s3Endpoint, &QLineEdit::editingFinished, this, &ConnectionDialog::s3EndpointEdited);
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        m_connectRequested = true;
        accept();
    });
    connect(saveButton, &QPushButton::clicked, this, [this] {
        m_connectRequested = false;
        if (validate()) {
            save();
            QDialog::accept();
        }
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    showRow(-1);
    resize(860, 520);
}

ConnectionDialog::~ConnectionDialog() = default;

void ConnectionDialog::setConnections(const StoreConnection& local, bool hasLocal, const QList<StoreConnection>& saved)
{
    abandonTest();
    m_rows.clear();
    m_list->clear();
    if (hasLocal) {
        Row row;
        row.connection = local;
        row.fixed = true;
        m_rows.push_back(row);
    }
    for (const StoreConnection& connection : saved) {
        Row row;
        row.connection = connection;
        m_rows.push_back(row);
    }
    const QSignalBlocker blocker(m_list);
    for (const Row& row : m_rows) {
        auto* item = new QListWidgetItem(row.connection.displayName(), m_list);
        if (row.fixed) {
            QFont font = item->font();
            font.setItalic(true);
            item->setFont(font);
            item->setToolTip(tr("The store the receiver writes into"));
        }
    }
    m_list->setCurrentRow(m_rows.empty() ? -1 : 0);
    showRow(m_list->currentRow());
}

QList<StoreConnection> ConnectionDialog::savedConnections() const
{
    QList<StoreConnection> list;
    for (const Row& row : m_rows)
        if (!row.fixed)
            list << row.connection;
    return list;
}

void ConnectionDialog::selectConnection(const StoreConnection& connection)
{
    int found = -1;
    for (int i = 0; i < rowCount() && found < 0; ++i)
        if (m_rows[i].connection.name == connection.name && m_rows[i].connection.sameStore(connection))
            found = i;
    for (int i = 0; i < rowCount() && found < 0; ++i)
        if (m_rows[i].connection.sameStore(connection))
            found = i;
    setCurrentRow(found >= 0 ? found : (m_rows.empty() ? -1 : 0));
}

int ConnectionDialog::currentRow() const { return m_list->currentRow(); }

void ConnectionDialog::setCurrentRow(int row) { m_list->setCurrentRow(row); }

StoreConnection ConnectionDialog::currentConnection() const
{
    const int row = currentRow();
    return row >= 0 && row < rowCount() ? m_rows[row].connection : StoreConnection();
}

QString ConnectionDialog::pgPassword() const
{
    const int row = currentRow();
    return row >= 0 && row < rowCount() ? m_rows[row].pgPassword : QString();
}

QString ConnectionDialog::s3Secret() const
{
    const int row = currentRow();
    return row >= 0 && row < rowCount() ? m_rows[row].s3Secret : QString();
}

QString ConnectionDialog::message() const { return m_message->text(); }

QString ConnectionDialog::uniqueName(const QString& base) const
{
    auto taken = [this](const QString& name) {
        for (const Row& row : m_rows)
            if (row.connection.displayName().compare(name, Qt::CaseInsensitive) == 0)
                return true;
        return false;
    };
    if (!taken(base))
        return base;
    for (int n = 2;; ++n) {
        const QString name = QStringLiteral("%1 %2").arg(base).arg(n);
        if (!taken(name))
            return name;
    }
}

void ConnectionDialog::addConnection()
{
    Row row;
    row.connection.kind = StoreConnection::Postgres;
    row.connection.name = uniqueName(tr("PostgreSQL"));
    m_rows.push_back(row);
    new QListWidgetItem(row.connection.name, m_list);
    m_list->setCurrentRow(rowCount() - 1);
    m_pgConnection->setFocus();
}

void ConnectionDialog::duplicateConnection()
{
    const int current = currentRow();
    if (current < 0)
        return;
    Row row = m_rows[current];
    row.fixed = false;
    row.connection.name = uniqueName(tr("%1 (copy)").arg(row.connection.displayName()));
    m_rows.push_back(row);
    new QListWidgetItem(row.connection.name, m_list);
    m_list->setCurrentRow(rowCount() - 1);
    m_name->setFocus();
    m_name->selectAll();
}

void ConnectionDialog::removeConnection()
{
    const int current = currentRow();
    if (current < 0 || m_rows[current].fixed)
        return;
    abandonTest();
    m_rows.erase(m_rows.begin() + current);
    {
        const QSignalBlocker blocker(m_list);
        delete m_list->takeItem(current);
    }
    const int next = std::min(current, rowCount() - 1);
    m_list->setCurrentRow(next);
    showRow(next);
}

void ConnectionDialog::showRow(int index)
{
    m_updating = true;
    const bool valid = index >= 0 && index < rowCount();
    const Row row = valid ? m_rows[index] : Row();
    const StoreConnection& c = row.connection;
    m_name->setText(c.name);
    m_kind->setCurrentIndex(m_kind->findData(int(c.kind)));
    m_pages->setCurrentIndex(c.kind == StoreConnection::Postgres ? 0 : 1);
    m_sqlitePath->setText(QDir::toNativeSeparators(c.sqlitePath));
    m_pgConnection->setText(c.pgConnection);
    m_pgSchema->setText(c.pgSchema);
    m_pgPassword->setText(row.pgPassword);
    m_s3Endpoint->setText(c.s3Endpoint);
    m_s3Bucket->setText(c.s3Bucket);
    m_s3Region->setText(c.s3Region);
    m_s3AccessKeyId->setText(c.s3AccessKeyId);
    m_s3Secret->setText(row.s3Secret);
    updatePlaceholders();
    m_sqliteHint->setText(row.fixed ? tr("The OTLP receiver writes into this store. Start Spanscope with --store "
                                         "sqlite:PATH to use another file for it.")
                                    : tr("Another SQLite store file, e.g. one a colleague sent. It is created when "
                                         "missing."));
    for (QWidget* widget : std::initializer_list<QWidget*> { m_name, m_kind, m_sqlitePath, m_browse })
        widget->setEnabled(valid && !row.fixed);
    for (QWidget* widget : std::initializer_list<QWidget*> { m_pgConnection, m_pgSchema, m_pgPassword, m_s3Group })
        widget->setEnabled(valid);
    m_updating = false;
    updateButtons();
}

void ConnectionDialog::updatePlaceholders()
{
    const StoreConnection c = currentConnection();
    const bool remembered = m_secrets && !m_secrets->pgPassword(c).isEmpty();
    m_pgPassword->setPlaceholderText(
        remembered ? tr("remembered for this session") : tr("not saved; asked once per session when needed"));
    const bool secretRemembered = m_secrets && !m_secrets->s3Secret(c).isEmpty();
    m_s3Secret->setPlaceholderText(
        secretRemembered ? tr("remembered for this session") : tr("not saved; else AWS_SECRET_ACCESS_KEY"));
}

void ConnectionDialog::updateButtons()
{
    const int current = currentRow();
    const bool valid = current >= 0 && current < rowCount();
    m_duplicate->setEnabled(valid);
    m_remove->setEnabled(valid && !m_rows[current].fixed);
    m_test->setEnabled(valid && m_opener && !m_testing);
    if (QPushButton* connectButton = findChild<QPushButton*>(QStringLiteral("connectButton")))
        connectButton->setEnabled(valid);
}

void ConnectionDialog::fieldsEdited()
{
    if (m_updating)
        return;
    const int current = currentRow();
    if (current < 0 || current >= rowCount())
        return;
    abandonTest();
    Row& row = m_rows[current];
    StoreConnection& c = row.connection;
    if (!row.fixed) {
        c.name = m_name->text();
        c.kind = StoreConnection::Kind(m_kind->currentData().toInt());
        c.sqlitePath = QDir::fromNativeSeparators(m_sqlitePath->text().trimmed());
    }
    c.pgConnection = m_pgConnection->text().trimmed();
    c.pgSchema = m_pgSchema->text().trimmed();
    c.s3Endpoint = m_s3Endpoint->text().trimmed();
    c.s3Bucket = m_s3Bucket->text().trimmed();
    c.s3Region = m_s3Region->text().trimmed();
    c.s3AccessKeyId = m_s3AccessKeyId->text().trimmed();
    row.pgPassword = m_pgPassword->text();
    row.s3Secret = m_s3Secret->text();
    m_pages->setCurrentIndex(c.kind == StoreConnection::Postgres ? 0 : 1);
    if (QListWidgetItem* item = m_list->item(current))
        item->setText(c.displayName());
    updatePlaceholders();
}

void ConnectionDialog::connectionStringEdited()
{
    QString password;
    const QString text = m_pgConnection->text();
    const QString stripped = StoreConnection::withoutPassword(text, &password);
    if (password.isEmpty())
        return;
    m_pgConnection->setText(stripped);
    m_pgPassword->setText(password);
    fieldsEdited();
    showMessage(true,
        tr("The password was moved from the connection string to the password field: it is kept for "
           "this session only, never saved."));
}

void ConnectionDialog::s3EndpointEdited()
{
    QString accessKeyId;
    QString secret;
    const QString text = m_s3Endpoint->text();
    const QString stripped = ConnectionStrings::withoutUserInfo(text, &accessKeyId, &secret);
    if (stripped == text)
        return;
    m_s3Endpoint->setText(stripped);
    if (!accessKeyId.isEmpty())
        m_s3AccessKeyId->setText(accessKeyId);
    if (!secret.isEmpty())
        m_s3Secret->setText(secret);
    fieldsEdited();
    showMessage(true,
        tr("The credentials were moved from the endpoint URL to the access key and secret fields: the secret is kept "
           "for this session only, never saved."));
}

void ConnectionDialog::browseSqlite()
{
    const QString current = m_sqlitePath->text();
    const QString path = QFileDialog::getSaveFileName(this, tr("SQLite Store File"),
        current.isEmpty() ? QDir::homePath() : current, tr("SQLite databases (*.db *.sqlite *.sqlite3);;All files (*)"),
        nullptr, QFileDialog::DontConfirmOverwrite);
    if (path.isEmpty())
        return;
    m_sqlitePath->setText(QDir::toNativeSeparators(path));
    fieldsEdited();
}

void ConnectionDialog::abandonTest()
{
    if (!m_testing)
        return;
    // The worker finishes on its own; its result is dropped.
    ++m_testGeneration;
    m_testing = false;
    m_busy->hide();
    m_icon->clear();
    m_message->clear();
    updateButtons();
}

void ConnectionDialog::showMessage(bool ok, const QString& text)
{
    const int size = m_message->fontMetrics().height();
    m_icon->setPixmap(
        style()->standardIcon(ok ? QStyle::SP_MessageBoxInformation : QStyle::SP_MessageBoxWarning).pixmap(size, size));
    m_message->setText(text);
}

void ConnectionDialog::testConnection()
{
    const int current = currentRow();
    if (!m_opener || current < 0 || current >= rowCount())
        return;
    const StoreConnection connection = m_rows[current].connection;
    QString password = m_rows[current].pgPassword;
    QString secret = m_rows[current].s3Secret;
    if (m_secrets && password.isEmpty())
        password = m_secrets->pgPassword(connection);
    if (m_secrets && secret.isEmpty())
        secret = m_secrets->s3Secret(connection);

    const quint64 generation = ++m_testGeneration;
    m_testing = true;
    m_busy->show();
    m_icon->clear();
    m_message->setText(tr("Connecting to %1…").arg(connection.displayName()));
    updateButtons();

    struct Outcome {
        bool ok = false;
        QString message;
    };
    StoreOpener* opener = m_opener;
    GuardedJob::start(StoreOpener::threadPool(), this, [opener, connection, password, secret] {
        Outcome outcome;
        std::unique_ptr<TraceStore> store = opener->open(connection, password, secret, &outcome.message);
        if (store)
            outcome.ok = opener->check(*store, &outcome.message);
        return outcome;
    }, [this, generation](const Outcome& outcome) {
        if (generation != m_testGeneration)
            return;
        m_testing = false;
        m_busy->hide();
        showMessage(outcome.ok, outcome.message);
        updateButtons();
        Q_EMIT testFinished(outcome.ok, outcome.message);
    });
}

bool ConnectionDialog::validate()
{
    for (int i = 0; i < rowCount(); ++i) {
        const QString name = m_rows[i].connection.name.trimmed();
        QString problem;
        if (name.isEmpty()) {
            problem = tr("Give the connection a name.");
        } else {
            for (int j = 0; j < i && problem.isEmpty(); ++j)
                if (m_rows[j].connection.displayName().compare(name, Qt::CaseInsensitive) == 0)
                    problem = tr("There is another connection named \"%1\".").arg(name);
        }
        if (!problem.isEmpty()) {
            setCurrentRow(i);
            showMessage(false, problem);
            m_name->setFocus();
            m_name->selectAll();
            return false;
        }
    }
    return true;
}

void ConnectionDialog::save()
{
    for (Row& row : m_rows) {
        row.connection.name = row.connection.name.trimmed();
        if (row.connection.kind == StoreConnection::Postgres && row.connection.pgSchema.isEmpty())
            row.connection.pgSchema = QStringLiteral("otel");
        if (!m_secrets)
            continue;
        if (!row.pgPassword.isEmpty())
            m_secrets->setPgPassword(row.connection, row.pgPassword);
        if (!row.s3Secret.isEmpty())
            m_secrets->setS3Secret(row.connection, row.s3Secret);
    }
}

void ConnectionDialog::accept()
{
    if (currentRow() < 0 || !validate())
        return;
    save();
    QDialog::accept();
}
