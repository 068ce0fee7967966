import GRDB

extension Schema {
    /// The UTC day of a call's start, as the call indexes key it (`start_utc / 86400`). SQL that
    /// should use `items_call_unique_id` or `items_conversation_day` must spell it exactly so.
    static let callDay = "start_utc / 86400"

    /// The days on which the legs of a conversation are looked for, given the SQL for the start
    /// (unix seconds) of one of its legs: its day and the days either side, so that legs starting
    /// less than a day apart always find each other.
    static func conversationDays(ofStart start: String) -> String {
        "(\(start) / 86400 - 1, \(start) / 86400, \(start) / 86400 + 1)"
    }

    /// Call indexes whose keys grow with time, so that ingest appends to them as it does to the
    /// time index, whatever the PBX's ids look like. FreeSWITCH ids are random uuids: indexed
    /// alone, each insert of a 1M-call archive landed on a random page of three indexes far
    /// larger than the page cache (FreeSWITCH CSV ingested at 0.6× the Asterisk rate).
    ///
    /// - A call's unique id and its linked id are indexed under the UTC day the call started:
    ///   `items_call_unique_id (day, pbx_unique_id)` and `items_conversation_day (day, linked_id)`.
    ///   Look-ups give the day (legs of one conversation are looked for on the day of the leg at
    ///   hand and the days either side of it); a recording named by a uuid alone probes each day.
    /// - Unique ids of SMS (message ids, for delivery reports) keep their own index.
    /// - A FreeSWITCH call's source key carries its UTC start date before the uuid
    ///   (`freeswitch-csv:2026-03-14:<uuid>`), so the UNIQUE source-key index is appended to too;
    ///   keys of calls already stored are rewritten so a file ingested again still matches them.
    static func v7TimeLocalCallKeys(_ db: Database) throws {
        try db.execute(sql: """
            UPDATE items SET source_key = format || ':' || strftime('%Y-%m-%d', start_utc, 'unixepoch') || ':' || pbx_unique_id
                WHERE kind = 'call' AND format IN ('freeswitch-csv', 'freeswitch-json', 'freeswitch-xml')
                  AND pbx_unique_id IS NOT NULL AND source_key = format || ':' || pbx_unique_id;
            DROP INDEX items_unique_id;
            DROP INDEX items_conversation;
            CREATE INDEX items_sms_message_id ON items(pbx_unique_id) WHERE kind = 'sms';
            CREATE INDEX items_call_unique_id ON items(start_utc / 86400, pbx_unique_id) WHERE kind = 'call';
            CREATE INDEX items_conversation_day ON items(start_utc / 86400, linked_id) WHERE kind = 'call' AND linked_id IS NOT NULL;
            """)
    }
}
