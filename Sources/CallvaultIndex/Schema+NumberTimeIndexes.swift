import GRDB

extension Schema {
    /// Numbers are indexed with the start time: `items_from_rev_start (from_rev, start_utc)` and
    /// `items_to_rev_start (to_rev, start_utc)` replace the number-only indexes. A number search
    /// reads the ids and starts of its matches from these alone (no `items` row per match); a
    /// whole number's time window is sought in them, a suffix's checked in their entries
    /// (`IndexReader.numberMatches`).
    static func v8NumberTimeIndexes(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX items_from_rev_start ON items(from_rev, start_utc);
            CREATE INDEX items_to_rev_start ON items(to_rev, start_utc);
            DROP INDEX items_from_rev;
            DROP INDEX items_to_rev;
            """)
    }
}
