import GRDB

extension Schema {
    /// A number belongs to a customer for a time (issue 17): a reassigned number links each item
    /// to the customer whose number it was on the item's day. `valid_from` is the first instant
    /// of the first valid day and `valid_to` the first instant after the last one, both days in
    /// the archive's zone; NULL is open-ended (a number the customers file gives, with no row
    /// of a numbers file, is valid always). `from_numbers_file` marks a number a numbers file
    /// set: a later customers file neither removes it nor changes its days.
    static func v19NumberValidity(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE customer_numbers ADD COLUMN valid_from INTEGER;
            ALTER TABLE customer_numbers ADD COLUMN valid_to INTEGER;
            ALTER TABLE customer_numbers ADD COLUMN from_numbers_file INTEGER NOT NULL DEFAULT 0;
            """)
    }

    /// The SQL condition that number row `n` was valid when item `i` started.
    static let numberValidForItem = "(n.valid_from IS NULL OR i.start_utc >= n.valid_from) AND (n.valid_to IS NULL OR i.start_utc < n.valid_to)"
}
