<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>AttributeModel</name>
    <message numerus="yes">
        <source>[%n item(s)]</source>
        <translation>
            <numerusform>[%n item]</numerusform>
            <numerusform>[%n items]</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{%n entry(s)}</source>
        <translation>
            <numerusform>{%n entry}</numerusform>
            <numerusform>{%n entries}</numerusform>
        </translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CompareView</name>
    <message>
        <source>no price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A: %1 · B: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration %1 → %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LLM calls %1 → %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tool calls %1 → %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tokens %1 → %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cost %1 → %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steps only in B: %1 · only in A: %2 · changed: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select an LLM call to compare its messages.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not an LLM call.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConnectionDialog</name>
    <message>
        <source>&amp;Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>D&amp;uplicate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the default local store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Raw payloads in S3 / MinIO (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AWS_ACCESS_KEY_ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Test Connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect to Store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a PostgreSQL connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PostgreSQL team store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SQLite file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A libpq connection URI, e.g. postgresql://user@host:5432/database?sslmode=require, or key=value pairs, e.g. host=db.example.com dbname=traces user=me sslmode=require. Empty: everything from PGHOST, PGPORT, PGDATABASE, PGUSER.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Connection:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A libpq URI or key=value pairs (host, port, dbname, user, sslmode). PGHOST, PGUSER, PGPASSWORD, ~/.pgpass and the other libpq settings apply.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sc&amp;hema:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Endpoint:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;gion:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>B&amp;ucket:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access &amp;key ID:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Secre&amp;t key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>T&amp;ype:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the connections and close, without switching stores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The store the receiver writes into</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PostgreSQL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (copy)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The OTLP receiver writes into this store. Start Spanscope with --store sqlite:PATH to use another file for it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another SQLite store file, e.g. one a colleague sent. It is created when missing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>remembered for this session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not saved; asked once per session when needed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not saved; else AWS_SECRET_ACCESS_KEY</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The password was moved from the connection string to the password field: it is kept for this session only, never saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SQLite Store File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SQLite databases (*.db *.sqlite *.sqlite3);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the connection a name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is another connection named &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The credentials were moved from the endpoint URL to the access key and secret fields: the secret is kept for this session only, never saved.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConversationView</name>
    <message>
        <source>tool call</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>id %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>arguments not captured</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tool result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>for %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy as JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy this LLM call with its messages as JSON (the query API&apos;s shape)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select an LLM call to read its conversation.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 input tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 output tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cached</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>finish: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>content not captured</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The messages of this call were not captured. Turn on content capture in the instrumentation (for example OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true).</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>System instructions (%n part(s))</source>
        <translation>
            <numerusform>System instructions (%n part)</numerusform>
            <numerusform>System instructions (%n parts)</numerusform>
        </translation>
    </message>
    <message>
        <source>Input</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CriticalPathModel</name>
    <message>
        <source>%1 (%2): the trace waited %3 on this span itself, %4 of its duration; the span lasted %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time on the critical path spent in the span itself, not waiting on a child</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Self time on the path as a share of the trace&apos;s duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Span start after the trace start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Span</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Self time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CriticalPathView</name>
    <message>
        <source>No trace open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No critical path: the trace&apos;s root span has no duration.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n span(s) on the critical path of %1.</source>
        <translation>
            <numerusform>%n span on the critical path of %1.</numerusform>
            <numerusform>%n spans on the critical path of %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>Most of it in &quot;%1&quot; (%2): %3, %4%.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message numerus="yes">
        <source>&amp;Selected traces (%n)</source>
        <translation>
            <numerusform>&amp;Selected traces (%n)</numerusform>
            <numerusform>&amp;Selected traces (%n)</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;All traces in the store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;All traces matching the filter (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compress with &amp;gzip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Traces</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OTLP/JSON (compact)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OTLP/JSON (indented)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OTLP/JSON Lines (one request per trace)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OTLP protobuf</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Format:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trace files (*%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a file to export to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is a folder; choose a file name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder %1 does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 already exists. Replace it?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FileJobRunner</name>
    <message>
        <source>Importing %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Importing %n file(s)</source>
        <translation>
            <numerusform>Importing %n file</numerusform>
            <numerusform>Importing %n files</numerusform>
        </translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import of %1 cancelled; nothing of it was stored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: nothing could be imported</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1: %n record(s) skipped (see details)</source>
        <translation>
            <numerusform>%1: %n record skipped (see details)</numerusform>
            <numerusform>%1: %n records skipped (see details)</numerusform>
        </translation>
    </message>
    <message>
        <source>Could not import %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>None of the %n files could be imported</source>
        <translation>
            <numerusform>None of the %n files could be imported</numerusform>
            <numerusform>None of the %n files could be imported</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Opened %n span(s)</source>
        <translation>
            <numerusform>Opened %n span</numerusform>
            <numerusform>Opened %n spans</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Imported %n span(s)</source>
        <translation>
            <numerusform>Imported %n span</numerusform>
            <numerusform>Imported %n spans</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> in %n trace(s)</source>
        <translation>
            <numerusform> in %n trace</numerusform>
            <numerusform> in %n traces</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> from %n file(s)</source>
        <translation>
            <numerusform> from %n file</numerusform>
            <numerusform> from %n files</numerusform>
        </translation>
    </message>
    <message>
        <source>Exporting to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export cancelled; %1 was not written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export to %1 failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Exported %n trace(s)</source>
        <translation>
            <numerusform>Exported %n trace</numerusform>
            <numerusform>Exported %n traces</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> (%n span(s))</source>
        <translation>
            <numerusform> (%n span)</numerusform>
            <numerusform> (%n spans)</numerusform>
        </translation>
    </message>
    <message>
        <source> to %1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Spanscope</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FlameGraphView</name>
    <message>
        <source>Reset zoom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the whole trace (Escape)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No trace open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n span(s)</source>
        <translation type="unfinished">
            <numerusform>%n span</numerusform>
            <numerusform>%n spans</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n level(s)</source>
        <translation>
            <numerusform>%n level</numerusform>
            <numerusform>%n levels</numerusform>
        </translation>
    </message>
    <message>
        <source>showing %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This trace has no spans</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a trace to see its flame graph</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration: %1 (%2% of the trace)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Self time: %1 (%2% of the trace)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GenAiIcons</name>
    <message>
        <source>LLM call</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tool call</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Agent</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GenAiRunModel</name>
    <message>
        <source>%1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>asks for %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(content not captured)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Said / did</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens in → out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>InspectorWidget</name>
    <message>
        <source>unspecified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>internal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>producer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>consumer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a span in the waterfall to see its details.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trace ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Span ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trace state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select an attribute to see its full value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offset / key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event / value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trace / key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Span / value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Click a link to go to the linked span</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Schema URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy key and value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(unnamed span)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no service.name)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (starts at +%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ok</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>–</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none (root span)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (not in this trace)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attributes (%1, %2 dropped)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attributes (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>before start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this trace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Links (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(unnamed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Instrumentation scope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log record / value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>body</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log records (%1)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LogRecordModel</name>
    <message>
        <source>no time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no span)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Severity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Span</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Body</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attributes</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LogsView</name>
    <message>
        <source>Selected span only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter log records (body, event, attributes, span)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show only the log records of the span selected in the waterfall</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n record(s)</source>
        <translation>
            <numerusform>%n record</numerusform>
            <numerusform>%n records</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n record(s)</source>
        <translation>
            <numerusform>%1 of %n record</numerusform>
            <numerusform>%1 of %n records</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Spanscope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Inspector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Raw payload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Receiver: off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Store: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot list traces: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live updates paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live updates resumed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Spans received: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot list services: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading trace %1 (%2 spans)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot load trace %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trace %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Trace %1, %n span(s)</source>
        <translation>
            <numerusform>Trace %1, %n span</numerusform>
            <numerusform>Trace %1, %n spans</numerusform>
        </translation>
    </message>
    <message>
        <source>Span %1 is not in this trace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Linked trace %1 is not in the store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open Trace File…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Trace Files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>View trace files in a new window without adding them to the store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Import into Store…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import Trace Files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+I</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export Traces…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Close Window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About Spanscope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About Spanscope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;Spanscope %1&lt;/h3&gt;&lt;p&gt;A desktop OpenTelemetry trace explorer.&lt;/p&gt;&lt;p&gt;Point an OTLP/HTTP exporter at the receiver shown in the status bar, or open a trace file.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;%1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 no longer exists; it was removed from the recent files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Clear Menu</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 and %n more</numerusform>
            <numerusform>%1 and %n more</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 — Spanscope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Viewing files; the store is not changed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (temporary)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no store to import into.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another import or export is running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>service %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>text &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>errors only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No trace is selected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading trace %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trace %1 is not in the store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Raw payloads unavailable: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the default local store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PostgreSQL from the environment (PGHOST, ...)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, schema %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, raw payloads in %1/%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Connect to Store…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Shift+O</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse another store: a PostgreSQL team store or an SQLite file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;witch Store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;load Traces</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read the trace list and services from the store again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop waiting for the store; the store shown stays</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The store could not be opened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no saved connections)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An import or export is running; switch stores when it has finished.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Logs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Logs (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;onversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Agent run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Trace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Compare Selected Traces</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+D</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select two traces in the list (Ctrl+click), then compare them side by side</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model &amp;Prices…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This trace has no LLM calls.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select an LLM call (marked with a speech bubble) to read its conversation.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Agent run (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;onversation (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot save the model prices: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model prices saved to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select two traces in the list to compare them (Ctrl+click the second).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare %1 and %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading traces %1 and %2…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot compare the traces: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot list sessions: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Critical &amp;path</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Statistics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+,</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fla&amp;me graph</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Showing the first %1 of %2 spans of trace %3; loading the rest…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MinimapView</name>
    <message>
        <source>Span density</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>peak %n span(s) at once</source>
        <translation>
            <numerusform>peak %n span at once</numerusform>
            <numerusform>peak %n spans at once</numerusform>
        </translation>
    </message>
    <message>
        <source>At +%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n span(s) active</source>
        <translation>
            <numerusform>%n span active</numerusform>
            <numerusform>%n spans active</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n with errors</source>
        <translation>
            <numerusform>%n with an error</numerusform>
            <numerusform>%n with errors</numerusform>
        </translation>
    </message>
    <message>
        <source>Idle for %1 (collapsed)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OperationStatsModel</name>
    <message numerus="yes">
        <source>%1 %2: %n span(s)</source>
        <translation>
            <numerusform>%1 %2: %n span</numerusform>
            <numerusform>%1 %2: %n spans</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 failed; %2 in total, %3 of it outside their children</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Spans with status ERROR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sum of the spans&apos; durations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sum of the spans&apos; self times: their duration minus the time their children ran</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Median duration (nearest rank)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>95th percentile of the durations (nearest rank)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Span name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Count</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Self</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mean</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>p50</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>p95</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Max</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PricesDialog</name>
    <message>
        <source>Model Prices</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model pattern</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Input / 1M</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output / 1M</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cached input / 1M</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Currency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore &amp;Defaults</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prices per 1,000,000 tokens. Patterns match model names with * and ?, ignoring case; the longest matching pattern wins. A model without a match has no price.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source: %1 (as of %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Row %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the model pattern is empty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>prices must be numbers &gt;= 0</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the cached input price must be a number &gt;= 0, or empty (input price)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the currency is empty</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RawPayloadView</name>
    <message>
        <source>&amp;Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save as…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Content type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Encoding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Spans</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No raw payload for this trace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>identity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 bytes on the wire, %2 bytes decoded</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n request(s)</source>
        <translation>
            <numerusform>%n request</numerusform>
            <numerusform>%n requests</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 bytes of %2; hex dump:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>… %1 more bytes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save payload as</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OTLP JSON (*.json);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save payload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RunComparisonModel</name>
    <message>
        <source>Only in B</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only in A</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In both, different (messages or status)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In both</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Span</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration A</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration B</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Δ duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens A</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens B</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Δ tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cost A</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cost B</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RunView</name>
    <message>
        <source>No LLM calls, tool calls or agents in this trace (no gen_ai.* or OpenInference spans).</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n LLM call(s)</source>
        <translation>
            <numerusform>%n LLM call</numerusform>
            <numerusform>%n LLM calls</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n tool call(s)</source>
        <translation>
            <numerusform>%n tool call</numerusform>
            <numerusform>%n tool calls</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 input / %2 output tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no price</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SessionListModel</name>
    <message>
        <source>Input tokens: %1, output tokens: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Session %1: %n trace(s)
Double-click or Enter lists them oldest first and opens the first</source>
        <translation>
            <numerusform>Session %1: %n trace
Double-click or Enter lists it and opens it</numerusform>
            <numerusform>Session %1: %n traces
Double-click or Enter lists them oldest first and opens the first</numerusform>
        </translation>
    </message>
    <message>
        <source>The session: gen_ai.conversation.id, else session.id, of its traces&apos; spans</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Traces in the session (agent runs, turns of the conversation)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start of the session&apos;s first trace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End of the session&apos;s latest trace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From the first trace&apos;s start to the latest trace&apos;s end</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LLM calls (chat, completion, embeddings spans) of all its traces</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tool calls (execute_tool spans) of all its traces</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Input tokens of all its traces, counted once: on LLM calls, not again on agent spans</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output tokens of all its traces, counted once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Traces</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last activity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LLM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In tok</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Out tok</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n LLM call(s)</source>
        <translation>
            <numerusform>%n LLM call</numerusform>
            <numerusform>%n LLM calls</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n tool call(s)</source>
        <translation>
            <numerusform>%n tool call</numerusform>
            <numerusform>%n tool calls</numerusform>
        </translation>
    </message>
    <message>
        <source>no price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 calls, %3 input (%4 cached), %5 output tokens, %6</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no model)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cost of all its traces&apos; LLM calls, from Settings &gt; Model Prices; &quot;no price&quot; when a model has none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cost</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Trace view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lists</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Find in trace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next / previous match</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>F3, Enter / Shift+F3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select the span above / below</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Up / Down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move a page / to the first / last span</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PgUp, PgDown / Home / End</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Collapse / expand (or go to the parent / first child)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Left / Right</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fold or unfold a span</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Double-click, or click its triangle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom in / out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>+ / -, Ctrl+Wheel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the whole trace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pan the time axis</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shift+Left / Shift+Right, Shift+Wheel, drag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the trace, session or span of the row</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter, double-click</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select several traces (to compare two)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+click, Shift+click</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SpanTreeModel</name>
    <message>
        <source>Error: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Span</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start offset</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StatisticsView</name>
    <message>
        <source>This trace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Traces matching the list&apos;s filter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The open trace, or every trace the trace list&apos;s filter matches (computed by the store)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Statistics of:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Computing the statistics of the matching traces…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot compute the statistics: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No store open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No trace open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n operation(s)</source>
        <translation>
            <numerusform>%n operation</numerusform>
            <numerusform>%n operations</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n span(s)</source>
        <translation>
            <numerusform>%n span</numerusform>
            <numerusform>%n spans</numerusform>
        </translation>
    </message>
    <message>
        <source>Spans</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Latency of %1 (%2): %3 to %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Latency histogram: choose an operation</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StoreConnection</name>
    <message>
        <source>Local store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PostgreSQL</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StoreOpener</name>
    <message>
        <source>Connected: %1, %2 spans stored.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StoreSession</name>
    <message>
        <source>Local store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Showing %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This window cannot open other stores.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the store could not be opened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped connecting; the store shown stays</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PostgreSQL Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 needs a password (%2).

It is kept in memory until Spanscope quits, never saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S3 Secret for %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The secret access key of %1 at %2, for the raw payloads.

It is kept in memory until Spanscope quits, never saved. Without it the raw payload view stays empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AWS_ACCESS_KEY_ID</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TraceChartPane</name>
    <message>
        <source>Scatter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The listed traces by start time and duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Traces and spans per time bucket, of every trace the filter matches</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The share of traces with an error per time bucket, of every trace the filter matches</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LLM input and output tokens per time bucket, of every trace the filter matches</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TraceListModel</name>
    <message>
        <source>%1 (incomplete)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No root span received (yet); earliest span: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Services: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trace %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Spans</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ns</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 µs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversation: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n LLM call(s), %1 tool call(s)</source>
        <translation>
            <numerusform>%n LLM call, %1 tool calls</numerusform>
            <numerusform>%n LLM calls, %1 tool calls</numerusform>
        </translation>
    </message>
    <message>
        <source>Input tokens: %1 (cached: %2), output tokens: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 calls, %3 input (%4 cached), %5 output tokens, %6</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no model)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LLM calls (chat, completion, embeddings spans)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tool calls (execute_tool spans)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Input tokens, counted once: on LLM calls, not again on the agent spans that sum them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output tokens, counted once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cost from Settings &gt; Model Prices; &quot;no price&quot; when a model has none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LLM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In tok</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Out tok</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cost</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TraceListPane</name>
    <message>
        <source>Only traces with a span of this service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter by span name or attribute value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Errors only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Pause live updates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the trace list and the open trace as they are while new spans arrive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All services</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only the traces of one agent session (gen_ai.conversation.id or session.id), oldest first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All sessions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session:</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n trace(s))</source>
        <translation>
            <numerusform>%1 (%n trace)</numerusform>
            <numerusform>%1 (%n traces)</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 LLM calls, %2 tool calls, %3 input / %4 output tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Traces</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No sessions: traces with gen_ai.conversation.id or session.id are grouped here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sessions (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. 250ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Min duration:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Started:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show every trace: reset the service, session, text, errors, duration and time filters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 5 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 15 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 6 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only traces that started in this time range.
&quot;Last …&quot; counts back from when the filter is applied: choose it again to move it to now (new traces keep showing up meanwhile).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start Time Range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The start of the range must not be after its end.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Traces that started between these times (local time, both included):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 – %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From %1 to %2 (local time, both included)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only traces at least this long: 250ms, 1.5s, 2m, 300us, 1h; a number alone is in ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not a duration, not filtering. Type a number and a unit: 250ms, 1.5s, 2m, 300us, 1h (also ns, min); a number alone is in ms</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TraceScatterView</name>
    <message>
        <source>Traces by start time and duration: click a point to open its trace, drag across to filter the list to that time range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Traces</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>With errors</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TraceTimeSeriesView</name>
    <message>
        <source>The traces matching the list&apos;s filter over time, by start time: click a bucket to filter the list to it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Traces</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>traces / %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Spans</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>spans / %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Traces with errors (%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Input tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tokens / %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot compute the time series: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>% with errors / %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TraceViewPane</name>
    <message>
        <source>Find in trace (Ctrl+F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Previous match (Shift+F3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next match (F3, Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom out (-)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom in (+, Ctrl+wheel)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the whole trace (0)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no match</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n match(es)</source>
        <translation>
            <numerusform>%n match</numerusform>
            <numerusform>%n matches</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Critical &amp;Path</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Shift+C</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Highlight the critical path: the spans the trace&apos;s latency waited on (Ctrl+Shift+C); the Critical path tab lists them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Collapse &amp;Idle Gaps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Shift+I</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Collapse long idle gaps on the time axis: stretches of at least 5% of the trace in which no span runs shrink to a break marker (Ctrl+Shift+I)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WaterfallView</name>
    <message>
        <source>This trace has no spans</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a trace to see its spans</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Spans (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Spans</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trace %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start: +%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
